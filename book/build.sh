#!/usr/bin/env bash
# Build the book into book/_build/html, strictly: a warning (broken reference, missing
# page, undrawable math) or a cell that raises fails the build. Prints the build time,
# then runs every example of the API reference (book/test_api_examples.py).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
start=$(date +%s)
# A fresh build each time: Sphinx reports warnings only for pages it rebuilds.
rm -rf book/_build/html book/_build/jupyter_execute book/_build/.doctrees
status=0
"$BIN/jupyter-book" build -W -n --keep-going book/ || status=$?
echo "book: built in $(( $(date +%s) - start )) s -> book/_build/html (exit $status)"
"$BIN/pytest" -q -p no:cacheprovider book/test_api_examples.py || status=1
exit "$status"
