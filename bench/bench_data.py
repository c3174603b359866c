"""Benchmark of the data side, in one run on the same files (prints figures; not a test).

    python bench/bench_data.py [--n 2000] [--work DIR]

1. simulator: raw 512×640 frames (with TRUTH) written per second, one process;
2. I/O floor: bare astropy read, reshape-mean 4×4 and write of the binned frame, per second;
3. preprocessing (read, rebin, normalise, recipe mask, binned truth, product with provenance): in this process
   with one worker (`preprocess_fps_1`), and as a user runs it, `iris-clouddeep preprocess --jobs 1|2`, whole
   command wall time including start-up and imports (`cli_fps_1`, `cli_fps_2`); best of `--repeat` runs;
4. peak memory (max RSS of a fresh process) preprocessing 200 and all `--n` frames, one worker: streaming
   means equal.
"""
import argparse, json, os, shutil, subprocess, sys, tempfile, time
from pathlib import Path

import numpy as np
from astropy.io import fits

from iris_clouddeep.simulate import simulate_night, NightConfig
from iris_clouddeep.parallel import preprocess_dir, batch_map


def floor(files, out):
    out.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    for p in files:
        d = fits.getdata(p)
        b = d.reshape(128, 4, 160, 4).mean(axis=(1, 3), dtype=np.float32)
        fits.writeto(out / p.name, b, overwrite=True)
    return len(files) / (time.perf_counter() - t)


def peak_rss(src, out):
    code = ('import resource, sys; from iris_clouddeep.parallel import preprocess_dir, batch_map; '
            'r = preprocess_dir(sys.argv[1], sys.argv[2], jobs=1, progress=False); assert not r.failed; '
            'print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)')
    r = subprocess.run([sys.executable, '-c', code, str(src), str(out)], capture_output=True, text=True, check=True)
    return int(r.stdout.strip()) / 1024  # MiB


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--n', type=int, default=2000, help='frames (default 2000, ~1.3 GB of scratch)')
    ap.add_argument('--repeat', type=int, default=3, help='command-line runs of each worker count (best kept)')
    ap.add_argument('--no-memory', action='store_true', help='skip the peak-memory comparison')
    ap.add_argument('--work', default=None, help='scratch folder (default: a temporary one, removed)')
    a = ap.parse_args()
    work = Path(a.work or tempfile.mkdtemp(prefix='iris-bench-'))
    res = {'cpus': os.cpu_count()}
    try:
        t = time.perf_counter()
        files = simulate_night(work / 'raw', NightConfig(n_frames=a.n, cadence=1.), seed=0, progress=False)
        res['simulate_fps'] = a.n / (time.perf_counter() - t)
        res['floor_fps'] = max(floor(files, work / 'floor') for _ in range(2))
        r = preprocess_dir(work / 'raw', work / 'pre', jobs=1, progress=False)
        assert not r.failed and len(r.done) == a.n
        res['preprocess_fps_1'] = a.n / r.seconds
        shutil.rmtree(work / 'pre')
        cli = str(Path(sys.executable).parent / 'iris-clouddeep')
        for rep in range(a.repeat):  # alternate 1 and 2 workers, keep the best of each (page-cache and writeback noise)
            for jobs in (1, 2):
                t = time.perf_counter()
                subprocess.run([cli, 'preprocess', str(work / 'raw'), '-o', str(work / 'cli'), '--jobs', str(jobs), '--quiet'], check=True, stdout=subprocess.DEVNULL)
                res[f'cli_fps_{jobs}'] = max(res.get(f'cli_fps_{jobs}', 0), a.n / (time.perf_counter() - t))
                shutil.rmtree(work / 'cli')
        res['floor_over_preprocess_1'] = res['floor_fps'] / res['preprocess_fps_1']
        res['cli_speedup_2_over_1'] = res['cli_fps_2'] / res['cli_fps_1']
        t = time.perf_counter(); batch_map(abs, [1, 2], jobs=2, progress=False)
        res['pool_start_s'] = time.perf_counter() - t
        if not a.no_memory:
            small = work / 'small'; small.mkdir()
            for p in files[:200]: os.link(p, small / p.name)
            res['peak_rss_mib_200'] = peak_rss(small, work / 'm200')
            res[f'peak_rss_mib_{a.n}'] = peak_rss(work / 'raw', work / 'mall')
            res['rss_ratio'] = res[f'peak_rss_mib_{a.n}'] / res['peak_rss_mib_200']
    finally:
        if not a.work: shutil.rmtree(work, ignore_errors=True)
    w = max(map(len, res))
    for k, v in res.items(): print(f'{k:<{w}}  {v:10.2f}' if isinstance(v, float) else f'{k:<{w}}  {v:>10}')
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in res.items()}))


if __name__ == '__main__':
    main()
