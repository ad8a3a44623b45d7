#!/usr/bin/env bash
# Install everything privprobe needs, idempotently: a virtual environment in .venv with privprobe and
# its extras. `--dev` adds the test and lint tools. Safe to run again: it skips what is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

extras="mitm,fast"
[ "${1:-}" = "--dev" ] && extras="mitm,fast,dev"

python=${PYTHON:-python3}
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
  echo "setup: privprobe needs Python 3.11 or newer (found $("$python" --version 2>&1))" >&2; exit 1; }

[ -x .venv/bin/python ] || "$python" -m venv .venv

stamp=".venv/.privprobe-installed-$extras"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".[$extras]"
  touch "$stamp"
fi
echo "setup: ready (.venv, extras: $extras)"
