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
# Debian's Chromium for the real-browser test (Playwright drives it via executable_path;
# no browser is ever downloaded by Playwright itself).
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "warning: could not install chromium; the browser test will be skipped" >&2
fi
BROWSER_FLAG=""
if [ -x /usr/bin/chromium ]; then BROWSER_FLAG="--run-browser"; fi
exec .venv/bin/python -m pytest -q $BROWSER_FLAG "$@"
