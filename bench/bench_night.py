"""Benchmark of the night command, whole commands as a user runs them, on the same raw frames in one run
(prints figures; not a test).

    python bench/bench_night.py [--n 2000] [--small 200] [--work DIR] [--cloudy-fraction 0.6]

1. end to end: `iris-clouddeep night RAW -o OUT --quiet` on `--n` frames, one process: frames/s of the whole
   command (start-up included) and of the processing alone, and the per-stage breakdown of summary.json
   (read + rebin, classify, segment, blobs and index, writing);
2. time from the process start to the first row on disk (the first batch of frames done); the same command with
   `--engine keras` (TensorFlow) beside it;
3. peak memory (max RSS, /usr/bin/time) of the command on `--small` and on `--n` frames;
4. parallel efficiency: `--jobs 2` on all frames against two independent single-job processes run at the
   same time on the two halves of the same files (efficiency = their wall time / the `--jobs 2` wall time);
5. the engines on the same frames (`--segment-all`): lite (LiteRT, the default), keras (TensorFlow) and flax (JAX).
"""
import argparse, json, re, shutil, subprocess, sys, tempfile, time
from pathlib import Path

BIN = Path(sys.executable).parent
CLI = str(BIN / 'iris-clouddeep')


def night(inputs, out, *extra):
    "Run the night command under /usr/bin/time: (wall seconds, peak RSS MiB, first-row seconds, summary)."
    shutil.rmtree(out, ignore_errors=True)  # a fresh output: its table appears when the first frames are done
    cmd = ['/usr/bin/time', '-f', 'MAXRSS %M', CLI, 'night', *map(str, inputs), '-o', str(out), '--quiet', *extra]
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    first = None
    table = Path(out) / 'night.csv'
    while p.poll() is None:
        if first is None and table.exists() and table.read_text().count('\n') >= 2:
            first = time.perf_counter() - t0
        time.sleep(0.02)
    wall = time.perf_counter() - t0
    err = p.stderr.read()
    if p.returncode != 0:
        raise SystemExit(f"night failed ({p.returncode}): {err[-2000:]}")
    rss = int(re.search(r'MAXRSS (\d+)', err).group(1)) / 1024
    return wall, rss, first, json.loads((Path(out) / 'summary.json').read_text())


def halves(files, work):
    "Two folders of symbolic links to the two halves of `files`."
    dirs = []
    for k, part in enumerate((files[:len(files) // 2], files[len(files) // 2:])):
        d = work / f'half{k}'
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir()
        for f in part:
            (d / f.name).symlink_to(f)
        dirs.append(d)
    return dirs


def two_processes(dirs, work):
    "Wall time of two single-job night commands started together, one per folder."
    t0 = time.perf_counter()
    for d in dirs:
        shutil.rmtree(work / f'out_{d.name}', ignore_errors=True)
    ps = [subprocess.Popen([CLI, 'night', str(d), '-o', str(work / f'out_{d.name}'), '--quiet'],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for d in dirs]
    codes = [p.wait() for p in ps]
    if any(codes):
        raise SystemExit(f"independent runs failed: {codes}")
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--n', type=int, default=2000, help='frames of the night (default 2000)')
    ap.add_argument('--small', type=int, default=200, help='frames of the small run for memory (default 200)')
    ap.add_argument('--cloudy-fraction', type=float, default=0.6, help='share of cloudy spells (default 0.6)')
    ap.add_argument('--work', default=None, help='work folder (default: a temporary one, removed)')
    a = ap.parse_args()
    work = Path(a.work or tempfile.mkdtemp(prefix='bench_night_'))
    raw = work / 'raw'
    if not raw.exists():
        subprocess.run([CLI, 'simulate', '-o', str(raw), '--frames', str(a.n), '--seed', '7', '--cadence', '10',
                        '--cloudy-fraction', str(a.cloudy_fraction), '--quiet'], check=True)
    files = sorted(raw.glob('*.fits'))
    wall, rss, first, s = night([raw], work / 'all')
    busy = sum(s['stage_seconds'].values())
    print(f"frames: {s['frames']} ({s['segmented']} segmented, {s['failed']} failed)")
    print(f"end to end, whole command: {wall:.1f} s, {s['frames'] / wall:.0f} frames/s")
    print(f"processing alone (sum of stages): {busy:.1f} s, {s['frames'] / busy:.0f} frames/s")
    for k, v in s['stage_seconds'].items():
        print(f"  {k:<9} {v:7.2f} s  {1000 * v / s['frames']:6.2f} ms/frame")
    print(f"first row on disk after {first:.1f} s")
    wk, rk, fk, _ = night([raw], work / 'all_keras', '--engine', 'keras')
    print(f"the same, --engine keras (TensorFlow): {wk:.1f} s, {s['frames'] / wk:.0f} frames/s, first row after "
          f"{fk:.1f} s, peak memory {rk:.0f} MiB against {rss:.0f}")
    small = work / 'small'
    small.mkdir(exist_ok=True)
    for f in files[:a.small]:
        if not (small / f.name).exists():
            (small / f.name).symlink_to(f)
    _, rss_small, _, _ = night([small], work / 'small_out')
    print(f"peak memory: {rss_small:.0f} MiB for {a.small} frames, {rss:.0f} MiB for {len(files)} "
          f"({100 * (rss / rss_small - 1):+.1f} %)")
    wall2, _, _, _ = night([raw], work / 'jobs2', '--jobs', '2')
    ind = two_processes(halves(files, work), work)
    print(f"--jobs 2: {wall2:.1f} s ({len(files) / wall2:.0f} frames/s); two independent processes on the halves: "
          f"{ind:.1f} s; parallel efficiency {ind / wall2:.2f}")
    for engine in ('lite', 'keras', 'flax'):
        w, _, _, se = night([raw], work / f'seg_{engine}', '--segment-all', '--engine', engine)
        print(f"segment all, {engine} engine: {w:.1f} s ({se['frames'] / w:.0f} frames/s), segment stage "
              f"{se['stage_seconds']['segment']:.1f} s "
              f"({se['frames'] / se['stage_seconds']['segment']:.0f} maps/s)")
    if not a.work:
        shutil.rmtree(work)


if __name__ == '__main__':
    main()
