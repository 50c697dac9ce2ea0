#!/usr/bin/env bash
# Installs plankb with its test dependencies into ./.venv and runs the whole test suite.
# Usage: bash scripts/test.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip >/dev/null
.venv/bin/python -m pip install --quiet -e ".[test]"
# Debian packages: Tesseract with its Vietnamese model (scanned PDFs), DejaVu fonts (the PDF tests
# typeset with them) and Chromium for the real-browser tests (Playwright drives it via
# executable_path; no browser is ever downloaded by Playwright itself).
bash scripts/debian-packages.sh --browser
BROWSER_FLAG=""
if [ -x /usr/bin/chromium ]; then BROWSER_FLAG="--run-browser"; fi
exec .venv/bin/python -m pytest -q $BROWSER_FLAG "$@"
