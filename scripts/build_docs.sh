#!/usr/bin/env bash
# Build the documentation site into _docs/ without Quarto, from the same _quarto.yml that `nbdev_docs` uses:
# nbdev_proc_nbs (show_doc, directives) -> execute the processed notebooks with the project kernel -> smalldocs.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
export PATH="$PWD/scripts/stub:$PWD/$BIN:$PATH"   # the stub stops nbdev from trying to install Quarto
export MPLBACKEND=module://matplotlib_inline.backend_inline
rm -rf _proc _docs
"$BIN/nbdev_proc_nbs" --n_workers 0 >/dev/null
"$BIN/python" scripts/execute_nbs.py _proc --jobs "${DOCS_JOBS:-2}"
"$BIN/smalldocs" render _proc --quiet
mv _proc/_docs _docs
rm -rf _proc
echo "site built in _docs/ ($(find _docs -name '*.html' | wc -l) pages)"
