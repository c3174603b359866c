"""Execute notebooks in place with papermill and the project's kernel (for the docs build).

usage: python scripts/execute_nbs.py FOLDER [--jobs N] [--timeout S] [--exclude SUBFOLDER] [--param NB:NAME=VALUE]
       python scripts/execute_nbs.py --take EXECUTED_FOLDER FOLDER
Notebooks under FOLDER are run in their own folder; a failing notebook fails the build with its name. Notebooks
under an excluded subfolder are left alone, unless a --param names them. --take copies notebooks executed
elsewhere (by `iris-clouddeep reproduce`) over those of FOLDER, without papermill's injected-parameters cell.
"""
import argparse, sys, time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
import papermill as pm


def run(nb, timeout=900, params=None):
    nb = nb.resolve()  # papermill changes the process's working folder: one process per notebook, absolute paths
    t = time.perf_counter()
    try:
        pm.execute_notebook(str(nb), str(nb), kernel_name='iris-clouddeep', cwd=str(nb.parent), parameters=params or {},
                            progress_bar=False, execution_timeout=timeout)
        drop_injected(nb)
        return nb, None, time.perf_counter() - t
    except Exception as e:  # noqa: BLE001 - reported with the notebook's name below
        return nb, f'{type(e).__name__}: {str(e)[-2000:]}', time.perf_counter() - t


def drop_injected(nb: Path, dst: Path | None = None):
    "Write the notebook without papermill's injected-parameters cell (machine paths stay out of the site)."
    book = nbformat.read(nb, as_version=4)
    book.cells = [c for c in book.cells if 'injected-parameters' not in c.metadata.get('tags', [])]
    nbformat.write(book, dst or nb)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('folder')
    p.add_argument('--jobs', type=int, default=2)
    p.add_argument('--timeout', type=int, default=900)
    p.add_argument('--exclude', action='append', default=[])
    p.add_argument('--param', action='append', default=[])
    p.add_argument('--take', default=None)
    a = p.parse_args()
    if a.take:
        for nb in sorted(Path(a.take).glob('*.ipynb')):
            drop_injected(nb, Path(a.folder) / nb.name)
        return
    params = {}
    for text in a.param:
        stem, _, rest = text.partition(':')
        name, _, value = rest.partition('=')
        params.setdefault(stem, {})[name] = value
    root = Path(a.folder)
    nbs = sorted(n for n in root.rglob('*.ipynb') if '.ipynb_checkpoints' not in n.parts
                 and (n.stem in params or not any(n.relative_to(root).parts[0] == x for x in a.exclude)))
    failed = []
    with ProcessPoolExecutor(a.jobs) as ex:
        for nb, err, dt in ex.map(run, nbs, [a.timeout] * len(nbs), [params.get(n.stem) for n in nbs]):
            print(f"{'FAILED' if err else 'ok':6} {dt:6.1f} s  {nb}", flush=True)
            if err:
                failed.append((nb, err))
    for nb, err in failed:
        print(f'\n--- {nb}\n{err}', file=sys.stderr)
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
