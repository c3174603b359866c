#!/usr/bin/env bash
# The whole test suite (`make test`). Ends with pytest's summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
export PATH="$PWD/$BIN:$PATH" MPLBACKEND=Agg
export TF_CPP_MIN_LOG_LEVEL=3  # TensorFlow's C++ start-up lines stay out of the test log
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

step "notebooks, each executed once (papermill): their tests, and the outputs the site shows"
bash scripts/build_docs.sh

step "pytest (command line, Dask backend, site in headless Chromium)"
# a passing test's temporary folder goes as soon as it passes (a failing one's stays, to be looked at)
IRIS_REQUIRE_SITE=1 python -m pytest tests -q -p no:cacheprovider -o tmp_path_retention_policy=failed
