"""Benchmark of the recipe's stretch (prints figures; not a test).

    python bench/bench_stretch.py [--n 256] [--repeat 5]

ZScale limits in ms per binned frame: astropy's `ZScaleInterval.get_limits` frame by frame against
`zscale_limits` on one frame and on the whole batch; then `recipe_stretch` (limits, clip, log) and
`Normalizer('stretch')` (the UNet's input) on the batch. Best of `--repeat`. The largest difference of the
limits, relative to their size, is printed beside.
"""
import argparse, json, os, time

import numpy as np
from astropy.visualization import ZScaleInterval

from iris_clouddeep.masks import recipe_stretch, zscale_limits
from iris_clouddeep.preprocess import Normalizer, rebin
from iris_clouddeep.simulate import NightConfig, night_frames


def best_ms(f, n, repeat):
    "Best wall time of f() over `repeat` calls, in ms per frame of `n`."
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return round(min(times) / n * 1e3, 4)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--n', type=int, default=256, help='binned frames of a simulated night (default 256)')
    ap.add_argument('--repeat', type=int, default=5, help='timed calls of each (best kept)')
    a = ap.parse_args()
    frames = np.stack([rebin(f['adu']) for f in night_frames(NightConfig(n_frames=a.n, cadence=90.), seed=0)])
    zs = ZScaleInterval(contrast=0.9)
    ref = np.array([zs.get_limits(f) for f in frames])
    res = {'cpus': os.cpu_count(), 'frames': a.n}
    res['astropy_zscale_ms'] = best_ms(lambda: [zs.get_limits(f) for f in frames], a.n, a.repeat)
    res['zscale_limits_one_ms'] = best_ms(lambda: [zscale_limits(f, 0.9) for f in frames], a.n, a.repeat)
    res['zscale_limits_batch_ms'] = best_ms(lambda: zscale_limits(frames, 0.9), a.n, a.repeat)
    res['recipe_stretch_batch_ms'] = best_ms(lambda: recipe_stretch(frames), a.n, a.repeat)
    res['normalizer_stretch_batch_ms'] = best_ms(lambda: Normalizer('stretch')(frames), a.n, a.repeat)
    diff = np.abs(zscale_limits(frames, 0.9) - ref) / np.abs(ref).max(1)[:, None]
    res['largest_relative_difference'] = float(diff.max())
    print(json.dumps(res, indent=1))


if __name__ == '__main__':
    main()
