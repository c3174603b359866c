"""Execute notebooks in place with papermill and the project's kernel (for the docs build).

usage: python scripts/execute_nbs.py FOLDER [--jobs N] [--timeout S]
Notebooks under FOLDER are run in their own folder; a failing notebook fails the build with its name.
"""
import argparse, sys, time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import papermill as pm


def run(nb, timeout=900):
    nb = nb.resolve()  # papermill changes the process's working folder: one process per notebook, absolute paths
    t = time.perf_counter()
    try:
        pm.execute_notebook(str(nb), str(nb), kernel_name='iris-clouddeep', cwd=str(nb.parent),
                            progress_bar=False, execution_timeout=timeout)
        return nb, None, time.perf_counter() - t
    except Exception as e:  # noqa: BLE001 - reported with the notebook's name below
        return nb, f'{type(e).__name__}: {str(e)[-2000:]}', time.perf_counter() - t


def main():
    p = argparse.ArgumentParser()
    p.add_argument('folder'); p.add_argument('--jobs', type=int, default=2); p.add_argument('--timeout', type=int, default=900)
    a = p.parse_args()
    nbs = sorted(n for n in Path(a.folder).rglob('*.ipynb') if '.ipynb_checkpoints' not in n.parts)
    failed = []
    with ProcessPoolExecutor(a.jobs) as ex:
        for nb, err, dt in ex.map(run, nbs, [a.timeout] * len(nbs)):
            print(f"{'FAILED' if err else 'ok':6} {dt:6.1f} s  {nb}", flush=True)
            if err: failed.append((nb, err))
    for nb, err in failed: print(f'\n--- {nb}\n{err}', file=sys.stderr)
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
