#!/usr/bin/env bash
# Install everything privprobe needs, idempotently: a virtual environment in .venv with privprobe and
# its extras; for browser captures Debian's chromium and Korean fonts, and the npm package
# @duckduckgo/autoconsent (pinned in package.json and package-lock.json) in ./node_modules.
# `--dev` adds the test and lint tools. Safe to run again: it skips what is already done.
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
# Browser captures: Debian's chromium (never `playwright install`) and fonts-nanum (Korean pages and
# reports). PDF reports: Pango for WeasyPrint; poppler-utils (pdftotext, pdftoppm) for the report tests.
# Installed when missing and we are root; otherwise say what to install. Not fatal: the rest of
# privprobe works without them, and the tests that need them skip.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -d /usr/share/fonts/truetype/nanum ] || missing+=(fonts-nanum)
compgen -G '/usr/lib/*/libpango-1.0.so.0' >/dev/null || missing+=(libpango-1.0-0)
compgen -G '/usr/lib/*/libpangoft2-1.0.so.0' >/dev/null || missing+=(libpangoft2-1.0-0)
[ -x /usr/bin/pdftoppm ] && [ -x /usr/bin/pdftotext ] || missing+=(poppler-utils)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; } ||
      echo "setup: could not install ${missing[*]} with apt-get; captures and PDF reports need them" >&2
  else
    echo "setup: for browser captures and PDF reports, install as root: apt-get install -y ${missing[*]}" >&2
  fi
fi

# Consent-banner rules: @duckduckgo/autoconsent into ./node_modules, exactly as package-lock.json pins it.
if [ ! -f node_modules/@duckduckgo/autoconsent/package.json ]; then
  if command -v npm >/dev/null; then
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error ||
      npm install --ignore-scripts --no-audit --no-fund --loglevel=error ||
      echo "setup: npm could not install @duckduckgo/autoconsent; consent falls back to button text" >&2
  else
    echo "setup: npm not found; without @duckduckgo/autoconsent consent falls back to button text" >&2
  fi
fi
echo "setup: ready (.venv, extras: $extras)"
