#!/usr/bin/env bash
# Build the documentation site into _docs/ without Quarto, from the same _quarto.yml that `nbdev_docs` uses.
# The notebooks are stored without outputs, so: copy the project into _build/, execute the copies with
# papermill and the project kernel, let nbdev process them (show_doc, directives, hidden cells), render the
# processed notebooks with smalldocs (a pure-Python renderer of Quarto projects), move the site to _docs/.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
export PATH="$PWD/scripts/stub:$PWD/$BIN:$PATH"   # the stub stops nbdev from trying to install Quarto
export MPLBACKEND=module://matplotlib_inline.backend_inline
export TQDM_DISABLE=1  # no progress bars in the pages (they would be widgets, or noise)
export IRIS_SITE_BUILD=1  # the paper notebooks show simulated stand-ins: evaluation data stays out of the site
B=_build
rm -rf "$B" _docs
mkdir -p "$B"
scratch=$(mktemp -d)  # what the notebooks write to temporary folders goes when the build ends (outside the
trap 'rm -rf "$scratch"' EXIT  # repository, so that no page shows the build machine's path to it)
export TMPDIR="$scratch"
cp -R settings.ini _quarto.yml nbs iris_clouddeep "$B"/
# the paper notebooks run as the batch users run (`reproduce`, quick): one execution serves its products, the
# paper-vs-ours table and the site; their executed copies, without papermill's injected-parameters cell, go back
"$BIN/iris-clouddeep" reproduce -o "$B/reproduce" --book "$B/nbs/paper" --jobs "${DOCS_JOBS:-2}" --quiet
"$BIN/python" scripts/execute_nbs.py --take "$B/reproduce/notebooks" "$B/nbs/paper"
"$BIN/python" scripts/execute_nbs.py "$B/nbs" --jobs "${DOCS_JOBS:-2}" --exclude paper \
  --param "paper_vs_ours:reproduce_dir=$PWD/$B/reproduce"
(cd "$B" && "$OLDPWD/$BIN/nbdev_proc_nbs" --n_workers 0 >/dev/null)
"$BIN/smalldocs" render "$B/_proc" --quiet
mv "$B/_proc/_docs" _docs
"$BIN/python" scripts/fix_links.py _docs
# self-contained site: drop the theme's web-font import (readers offline, at an observatory, get system fonts)
sed -i 's#@import url(https://fonts.googleapis.com[^)]*);##g' _docs/site_libs/themes/*.css
rm -rf "$B"
echo "site built in _docs/ ($(find _docs -name '*.html' | wc -l) pages)"
