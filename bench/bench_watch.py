"""Benchmark of `iris-clouddeep watch --serve` with frames arriving at the camera's rate (prints figures; not a test).

    python bench/bench_watch.py [--minutes 10] [--rate 9] [--seed 0] [--work DIR]

A simulated night of `--rate` × 60 × `--minutes` frames (cadence 1/`--rate` s) is first written into a staging
folder; then a writer thread delivers them into the watched folder at `--rate` frames per second, as the camera
does (each file copied under a temporary name and renamed, so its modification time is its delivery). Making
the frames beforehand keeps the simulator's own cost (about 30 ms a frame) off the two cores, as a camera's
is. The watcher follows the folder with its Alpaca server on; this script asks the server's status every 20 ms.

Printed:
1. latency from each frame being complete on disk (its modification time) to the server first reporting it
   (the frame count reaching it): median, 90th and 99th percentiles, maximum;
2. frames written, rows in the table, frames skipped or processed twice;
3. the watcher's resident memory after the first minute and at the end;
4. what the watcher itself recorded per stage (summary.json).
"""
import argparse, csv, json, os, re, shutil, signal, socket, subprocess, sys, tempfile, threading, time
import urllib.request
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from iris_clouddeep.pipeline import natural_key  # noqa: E402

BIN = Path(sys.executable).parent
CLI = str(BIN / 'iris-clouddeep')


def rss_mib(pid: int) -> float:
    text = Path(f'/proc/{pid}/status').read_text()
    return int(re.search(r'VmRSS:\s+(\d+)', text).group(1)) / 1024


def status(url: str) -> dict:
    with urllib.request.urlopen(url + '/status.json', timeout=5) as r:
        return json.loads(r.read())


def deliver(stage: Path, dst: Path, rate: float):
    "Copy the staged frames into `dst` in the camera's order, one every 1/rate s (temporary name, then rename)."
    t0 = time.monotonic()
    for i, f in enumerate(sorted(stage.glob('*.fits'), key=lambda f: natural_key(f.name))):
        time.sleep(max(0.0, t0 + i / rate - time.monotonic()))
        tmp = dst / f'.{f.name}.part'
        shutil.copyfile(f, tmp)
        os.replace(tmp, dst / f.name)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--minutes', type=float, default=10.0, help='how long frames arrive')
    p.add_argument('--rate', type=float, default=9.0, help='frames per second')
    p.add_argument('--seed', type=int, default=0, help='seed of the simulated night')
    p.add_argument('--work', default=None, help='scratch folder (default: a temporary one, removed)')
    a = p.parse_args()
    work = Path(a.work or tempfile.mkdtemp(prefix='bench_watch_'))
    stage, src, out = work / 'stage', work / 'cam', work / 'night'
    for d in (stage, src, out):
        shutil.rmtree(d, ignore_errors=True)
    n = int(a.minutes * 60 * a.rate)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL='3', MPLBACKEND='Agg')
    cmd = [CLI, 'simulate', '-o', str(stage), '--frames', str(n), '--cadence', str(1 / a.rate), '--seed', str(a.seed),
           '--quiet']
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    url = f'http://127.0.0.1:{port}'
    src.mkdir()
    w = subprocess.Popen([CLI, 'watch', str(src), '-o', str(out), '--serve', '--port', str(port), '--quiet',
                          '--refresh', '30'], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    while True:
        try:
            if status(url).get('ready'):
                break
        except OSError:
            pass
        time.sleep(0.2)
    writer = threading.Thread(target=deliver, args=(stage, src, a.rate), daemon=True)
    writer.start()
    seen, t_start, rss_1min = {}, time.time(), None
    while True:
        s = status(url)
        now = time.time()
        seen.setdefault(s['frames'], now)
        if rss_1min is None and now - t_start > 60:
            rss_1min = rss_mib(w.pid)
        if not writer.is_alive() and s['frames'] >= n:
            break
        if not writer.is_alive() and now - seen[max(seen)] > 30:
            break  # nothing new for 30 s: some frames never came
        time.sleep(0.02)
    rss_end = rss_mib(w.pid)
    w.send_signal(signal.SIGTERM)
    w.wait(120)
    report(src, out, seen, n, rss_1min, rss_end, a)
    if not a.work:
        shutil.rmtree(work, ignore_errors=True)


def report(src, out, seen, n, rss_1min, rss_end, a):
    files = sorted(src.glob('*.fits'), key=lambda f: natural_key(f.name))
    mtimes = np.array([f.stat().st_mtime for f in files])
    counts = np.array(sorted(seen))
    times = np.array([seen[c] for c in counts])
    # the time the server first reported frame k (1-based): the first count ≥ k
    first = times[np.searchsorted(counts, np.arange(1, len(files) + 1))[: len(files)].clip(0, len(times) - 1)]
    lat = first - mtimes
    with open(out / 'night.csv', newline='') as f:
        names = [Path(r['file']).name for r in csv.DictReader(f)]
    summary = json.loads((out / 'summary.json').read_text())
    print(f"{len(files)} frames written at {a.rate:g} Hz over {a.minutes:g} min (seed {a.seed})")
    print(f"latency, complete on disk -> in the API: median {np.median(lat):.3f} s, p90 {np.percentile(lat, 90):.3f} s,"
          f" p99 {np.percentile(lat, 99):.3f} s, max {lat.max():.3f} s")
    print(f"rows {len(names)}, skipped {len(set(f.name for f in files) - set(names))}, "
          f"processed twice {len(names) - len(set(names))}")
    print(f"watcher memory: {rss_1min or float('nan'):.0f} MiB after 1 min, {rss_end:.0f} MiB at the end")
    st = summary.get('stage_seconds', {})
    print('stage seconds (whole run): ' + ', '.join(f"{k} {v:.1f}" for k, v in st.items()))
    print(f"frames segmented {summary['segmented']}, state changes {len(summary['state_changes'])}")


if __name__ == '__main__':
    main()
