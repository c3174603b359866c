#!/usr/bin/env bash
# The whole test suite (`make test`). Ends with pytest's summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
export PATH="$PWD/$BIN:$PATH" MPLBACKEND=Agg
step() { printf '\n=== %s\n' "$*"; }

state() { git status --porcelain --untracked-files=all -- iris_clouddeep nbs README.md; git diff -- iris_clouddeep nbs README.md | sha1sum; }

step "nbdev_export and nbdev_clean leave the tree unchanged"
before=$(state)
nbdev_export
nbdev_clean
after=$(state)
if [ "$before" != "$after" ]; then
  echo "nbdev_export / nbdev_clean changed files: export and clean the notebooks, then commit"; git status --short; exit 1
fi
echo ok

step "README.md in sync with nbs/index.ipynb"
python scripts/make_readme.py --check

step "notebook tests (nbdev_test)"
nbdev_test --n_workers 2 --timing

step "documentation site (nbdev_proc_nbs + papermill + smalldocs)"
bash scripts/build_docs.sh

step "pytest (command line, Dask backend, site in headless Chromium)"
IRIS_REQUIRE_SITE=1 python -m pytest tests -q -p no:cacheprovider
