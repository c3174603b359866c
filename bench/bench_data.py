"""Benchmark of the data side, in one run on the same files (prints figures; not a test).

    python bench/bench_data.py [--n 600] [--big 2000] [--work DIR]

1. simulator: raw 512×640 frames (with TRUTH) written per second, one process;
2. I/O floor: bare astropy read, reshape-mean 4×4 and write of the binned frame, per second;
3. `preprocess_dir` (read, rebin, normalise, recipe mask, binned truth, product with provenance) with 1 and 2 workers;
4. peak memory (max RSS of a fresh process) preprocessing 200 and `--big` frames, one worker: streaming means equal.
"""
import argparse, json, os, shutil, subprocess, sys, tempfile, time
from pathlib import Path

import numpy as np
from astropy.io import fits

from iris_clouddeep.simulate import simulate_night, NightConfig
from iris_clouddeep.parallel import preprocess_dir


def floor(files, out):
    out.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    for p in files:
        d = fits.getdata(p)
        b = d.reshape(128, 4, 160, 4).mean(axis=(1, 3), dtype=np.float32)
        fits.writeto(out / p.name, b, overwrite=True)
    return len(files) / (time.perf_counter() - t)


def peak_rss(src, out):
    code = ('import resource, sys; from iris_clouddeep.parallel import preprocess_dir; '
            'r = preprocess_dir(sys.argv[1], sys.argv[2], jobs=1, progress=False); assert not r.failed; '
            'print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)')
    r = subprocess.run([sys.executable, '-c', code, str(src), str(out)], capture_output=True, text=True, check=True)
    return int(r.stdout.strip()) / 1024  # MiB


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--n', type=int, default=600); ap.add_argument('--big', type=int, default=2000)
    ap.add_argument('--work', default=None, help='scratch folder (default: a temporary one, removed)')
    a = ap.parse_args()
    work = Path(a.work or tempfile.mkdtemp(prefix='iris-bench-'))
    res = {'cpus': os.cpu_count()}
    try:
        t = time.perf_counter()
        files = simulate_night(work / 'raw', NightConfig(n_frames=a.n, cadence=1 / 9), seed=0, progress=False)
        res['simulate_fps'] = a.n / (time.perf_counter() - t)
        res['floor_fps'] = floor(files, work / 'floor')
        for jobs in (1, 2):
            r = preprocess_dir(work / 'raw', work / f'pre{jobs}', jobs=jobs, progress=False)
            assert not r.failed and len(r.done) == a.n
            res[f'preprocess_fps_{jobs}'] = a.n / r.seconds
        res['floor_over_preprocess_1'] = res['floor_fps'] / res['preprocess_fps_1']
        res['speedup_2_over_1'] = res['preprocess_fps_2'] / res['preprocess_fps_1']
        if a.big:
            small = work / 'small'; small.mkdir()
            for p in files[:200]: os.link(p, small / p.name)
            big = simulate_night(work / 'big', NightConfig(n_frames=a.big, cadence=2.), seed=1, progress=False)
            res['peak_rss_mib_200'] = peak_rss(small, work / 'm200')
            res[f'peak_rss_mib_{a.big}'] = peak_rss(work / 'big', work / 'mbig')
            res['rss_ratio'] = res[f'peak_rss_mib_{a.big}'] / res['peak_rss_mib_200']
    finally:
        if not a.work: shutil.rmtree(work, ignore_errors=True)
    w = max(map(len, res))
    for k, v in res.items(): print(f'{k:<{w}}  {v:10.2f}' if isinstance(v, float) else f'{k:<{w}}  {v:>10}')
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in res.items()}))


if __name__ == '__main__':
    main()
