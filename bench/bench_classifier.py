"""Inference speed of the clear/cloudy classifier on binned frames (prints figures; not a test).

    python bench/bench_classifier.py [--model DIR] [--n 4096] [--batch 256]

Frames are simulated binned frames (ADU); the time covers normalisation and the forward pass
(`Classifier.predict`), after one warm-up batch. Also reports `predict_files` on binned FITS products.
"""
import argparse, os, tempfile, time
from pathlib import Path

import numpy as np


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--model', default=None); ap.add_argument('--n', type=int, default=4096)
    ap.add_argument('--batch', type=int, nargs='+', default=[64, 256, 1024])
    a = ap.parse_args()
    from iris_clouddeep.classifier import load_classifier
    from iris_clouddeep.datasets import simulate_dataset
    from iris_clouddeep.io import write_product, DR
    clf = load_classifier(a.model)
    d = simulate_dataset(nights=4, frames_per_night=64, cadence=60., seed=123, jobs=2)
    x = np.resize(d['images'], (a.n, 128, 160)).astype(np.float32)
    print(f"cpus {os.cpu_count()}  model {clf.model.count_params()} parameters")
    for b in a.batch:
        clf.predict(x[:b], b)
        t = time.perf_counter(); clf.predict(x, b); dt = time.perf_counter() - t
        print(f"predict, batch {b:5d}: {a.n / dt:8.1f} frames/s")
    with tempfile.TemporaryDirectory() as tmp:
        paths = [write_product(Path(tmp) / f'f{i}.fits', img / DR, header={'BUNIT': 'ADU/2**14'}) for i, img in enumerate(x[:1024])]
        t = time.perf_counter(); res = clf.predict_files(paths); dt = time.perf_counter() - t
        assert all(e is None for _, _, e in res)
        print(f"predict_files (read FITS products + predict): {len(paths) / dt:8.1f} frames/s")


if __name__ == '__main__':
    main()
