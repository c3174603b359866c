"""Flax UNet vs its Keras twin on the same architecture, in one run (prints figures; not a test): the paper's Table 4.

    python bench/bench_unet.py [--widths 8 16 32 64] [--batch 16] [--steps 20]

For each framework: parameters, checkpoint size (Flax msgpack, Keras .keras), training-step time (Adam,
sigmoid BCE, batch `--batch`), inference throughput (batch 32), and the Flax/Keras time ratios; plus the
shipped UNet's inference throughput.
"""
import argparse, os, tempfile, time
from pathlib import Path

import numpy as np


def timeit(fn, steps):
    fn(); fn()  # compile / warm up
    t = time.perf_counter()
    for _ in range(steps): fn()
    return (time.perf_counter() - t) / steps


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--widths', type=int, nargs='+', default=[8, 16, 32, 64])
    ap.add_argument('--batch', type=int, default=16); ap.add_argument('--steps', type=int, default=20)
    a = ap.parse_args()
    import jax, jax.numpy as jnp, optax
    from flax import nnx
    import keras, tensorflow as tf
    from iris_clouddeep.unet import build_unet, count_params, _to_bytes, _pure, load_segmenter
    from iris_clouddeep.unet_keras import build_keras_unet, flax_to_keras
    rng = np.random.default_rng(0)
    x = rng.normal(size=(a.batch, 128, 160, 1)).astype(np.float32)
    y = (rng.uniform(size=(a.batch, 128, 160)) > 0.5).astype(np.float32)
    xi = rng.normal(size=(32, 128, 160, 1)).astype(np.float32)
    res = {}
    fm = build_unet(a.widths)
    opt = nnx.Optimizer(fm, optax.adam(1e-3), wrt=nnx.Param)

    @nnx.jit
    def step(m, o, xb, yb):
        loss, g = nnx.value_and_grad(lambda m: optax.sigmoid_binary_cross_entropy(m(xb), yb).mean())(m)
        o.update(m, g); return loss

    @nnx.jit
    def infer(m, xb): return jax.nn.sigmoid(m(xb))
    xj, yj, xij = jnp.asarray(x), jnp.asarray(y), jnp.asarray(xi)
    res['flax_params'] = count_params(fm)
    res['flax_train_step_s'] = timeit(lambda: step(fm, opt, xj, yj).block_until_ready(), a.steps)
    res['flax_infer_fps'] = 32 / timeit(lambda: infer(fm, xij).block_until_ready(), a.steps)
    res['flax_checkpoint_kb'] = len(_to_bytes(_pure(fm))) / 1024
    km = flax_to_keras(build_unet(a.widths), build_keras_unet(a.widths))
    km.compile(keras.optimizers.Adam(1e-3), keras.losses.BinaryCrossentropy(from_logits=True))
    res['keras_params'] = km.count_params()
    res['keras_train_step_s'] = timeit(lambda: km.train_on_batch(x, y), a.steps)
    kinf = tf.function(lambda b: tf.sigmoid(km(b, training=False)))
    res['keras_infer_fps'] = 32 / timeit(lambda: kinf(tf.constant(xi)).numpy(), a.steps)
    with tempfile.TemporaryDirectory() as d:
        km.save(Path(d) / 'm.keras'); res['keras_checkpoint_kb'] = (Path(d) / 'm.keras').stat().st_size / 1024
    res['flax_over_keras_train'] = res['flax_train_step_s'] / res['keras_train_step_s']
    res['flax_over_keras_infer'] = res['keras_infer_fps'] / res['flax_infer_fps']
    try:
        seg = load_segmenter()
        imgs = rng.normal(1300, 50, size=(256, 128, 160)).astype(np.float32)
        seg.predict(imgs[:64], 64)
        t = time.perf_counter(); seg.predict(imgs, 64); res['shipped_unet_fps'] = 256 / (time.perf_counter() - t)
    except Exception as e:  # noqa: BLE001 - a benchmark reports what it could not measure
        res['shipped_unet_fps'] = f'n/a ({e})'
    print(f"cpus {os.cpu_count()}, widths {a.widths}, batch {a.batch}")
    for k, v in res.items(): print(f"{k:<24} {v:10.3f}" if isinstance(v, float) else f"{k:<24} {v}")


if __name__ == '__main__':
    main()
