"""Flax UNet vs its Keras twin on the same architecture, in one run (prints figures; not a test): the paper's Table 4.

    python bench/bench_unet.py [--widths 8 16 32 64] [--no-batchnorm] [--batch 16] [--steps 20]

For each framework (`compare_frameworks`): parameters, checkpoint size (Flax msgpack, Keras .keras), training-step
time (Adam, sigmoid BCE, batch `--batch`), inference throughput (batch 32), and the Flax/Keras ratios; then the
shipped UNet's inference throughput through `Segmenter.predict` (normalisation included).
"""
import argparse, os, time

import numpy as np


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--widths', type=int, nargs='+', default=[8, 16, 32, 64])
    ap.add_argument('--batchnorm', action=argparse.BooleanOptionalAction, default=True, help='batch normalisation, as the shipped UNet')
    ap.add_argument('--batch', type=int, default=16); ap.add_argument('--steps', type=int, default=20)
    a = ap.parse_args()
    from iris_clouddeep.unet_keras import compare_frameworks
    from iris_clouddeep.unet import load_segmenter
    print(f"cpus {os.cpu_count()}, widths {a.widths}, batchnorm {a.batchnorm}, batch {a.batch}")
    *rows, ratio = compare_frameworks(a.widths, a.batch, a.steps, batchnorm=a.batchnorm)
    for r in rows:
        print(f"{r['framework']:<28} params {r['params']:>9d}  checkpoint {r['checkpoint_kb']:7.1f} kB  "
              f"train step {r['train_step_s']:6.3f} s  inference {r['infer_fps']:7.1f} frames/s")
    print(f"{ratio['framework']:<28} checkpoint ×{ratio['checkpoint_kb']:.2f}  train-step time ×{ratio['train_step_s']:.2f}  "
          f"inference throughput ×{ratio['infer_fps']:.2f}")
    seg = load_segmenter()
    imgs = np.random.default_rng(0).normal(1300, 50, size=(512, 128, 160)).astype(np.float32)
    for b in (32, 128):
        seg.predict(imgs[:b], b)
        t = time.perf_counter(); seg.predict(imgs, b)
        print(f"shipped UNet, Segmenter.predict batch {b}: {len(imgs) / (time.perf_counter() - t):.1f} frames/s")


if __name__ == '__main__':
    main()
