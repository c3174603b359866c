"""Where the Flax UNet's time goes against its Keras twin: every 3×3 convolution of the UNet, timed alone in both
frameworks (prints figures; not a test).

    python bench/bench_conv_ops.py [--widths 8 16 32 64] [--batch 16] [--repeat 15]

For each convolution (level, input → output channels, at its resolution): the forward pass, the input gradient and
the filter gradient, in milliseconds, for JAX (XLA, with the package's XLA flags) and TensorFlow (oneDNN), and the
ratio of their sums. Batch normalisation, pooling and the optimiser are left out: this isolates the convolutions.
"""
import argparse, time

import numpy as np


def conv_shapes(widths, rows:int=128, cols:int=160, in_channels:int=1):
    "(name, rows, cols, c_in, c_out) of each 3×3 convolution of `build_unet(widths)`."
    w, out = list(widths), []
    for i, c in enumerate(w):
        r, q = rows >> i, cols >> i
        out += [(f'down{i + 1}.c1', r, q, in_channels if i == 0 else w[i - 1], c), (f'down{i + 1}.c2', r, q, c, c)]
    for i in reversed(range(len(w) - 1)):
        r, q = rows >> i, cols >> i
        out += [(f'up{i + 1}.c1', r, q, w[i + 1] + w[i], w[i]), (f'up{i + 1}.c2', r, q, w[i], w[i])]
    return out


def timed(f, repeat):
    f()
    t = time.perf_counter()
    for _ in range(repeat): f()
    return (time.perf_counter() - t) / repeat * 1e3


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--widths', type=int, nargs='+', default=[8, 16, 32, 64])
    ap.add_argument('--batch', type=int, default=16); ap.add_argument('--repeat', type=int, default=15)
    a = ap.parse_args()
    from iris_clouddeep.unet import _flax
    _, jax, jnp = _flax()  # the package's XLA flags, set before JAX starts
    import tensorflow as tf
    conv = lambda x, k: jax.lax.conv_general_dilated(x, k, (1, 1), 'SAME', dimension_numbers=('NHWC', 'HWIO', 'NHWC'))
    j_fwd = jax.jit(conv)
    j_dx = jax.jit(lambda x, k, g: jax.vjp(conv, x, k)[1](g)[0])
    j_dk = jax.jit(lambda x, k, g: jax.vjp(conv, x, k)[1](g)[1])
    t_fwd = tf.function(lambda x, k: tf.nn.conv2d(x, k, 1, 'SAME'))
    t_dx = tf.function(lambda x, k, g: tf.raw_ops.Conv2DBackpropInput(input_sizes=tf.shape(x), filter=k, out_backprop=g, strides=[1, 1, 1, 1], padding='SAME'))
    t_dk = tf.function(lambda x, k, g: tf.raw_ops.Conv2DBackpropFilter(input=x, filter_sizes=tf.shape(k), out_backprop=g, strides=[1, 1, 1, 1], padding='SAME'))
    rng = np.random.default_rng(0)
    print(f"widths {a.widths}, batch {a.batch}; milliseconds per call")
    print(f"{'convolution':<10} {'rows×cols':>9} {'in→out':>8} | {'jax fwd':>7} {'dx':>6} {'dk':>6} | {'tf fwd':>7} {'dx':>6} {'dk':>6} | jax/tf")
    tot = np.zeros((2, 3))
    for name, r, q, ci, co in conv_shapes(a.widths):
        x = rng.standard_normal((a.batch, r, q, ci), dtype=np.float32)
        k = rng.standard_normal((3, 3, ci, co), dtype=np.float32) * 0.1
        g = rng.standard_normal((a.batch, r, q, co), dtype=np.float32)
        jx, jk, jg = (jnp.asarray(v) for v in (x, k, g))
        tx, tk, tg = (tf.constant(v) for v in (x, k, g))
        row = np.array([[timed(lambda: f(*args).block_until_ready(), a.repeat) for f, args in ((j_fwd, (jx, jk)), (j_dx, (jx, jk, jg)), (j_dk, (jx, jk, jg)))],
                        [timed(lambda: f(*args).numpy(), a.repeat) for f, args in ((t_fwd, (tx, tk)), (t_dx, (tx, tk, tg)), (t_dk, (tx, tk, tg)))]])
        tot += row
        print(f"{name:<10} {f'{r}×{q}':>9} {f'{ci}→{co}':>8} | {row[0, 0]:7.1f} {row[0, 1]:6.1f} {row[0, 2]:6.1f} | {row[1, 0]:7.1f} {row[1, 1]:6.1f} {row[1, 2]:6.1f} | {row[0].sum() / row[1].sum():.2f}")
    print(f"{'sum':<30} | {tot[0, 0]:7.1f} {tot[0, 1]:6.1f} {tot[0, 2]:6.1f} | {tot[1, 0]:7.1f} {tot[1, 1]:6.1f} {tot[1, 2]:6.1f} | {tot[0].sum() / tot[1].sum():.2f}")
    print(f"jax/tf: forward ×{tot[0, 0] / tot[1, 0]:.2f}, input gradient ×{tot[0, 1] / tot[1, 1]:.2f}, filter gradient ×{tot[0, 2] / tot[1, 2]:.2f}")


if __name__ == '__main__':
    main()
