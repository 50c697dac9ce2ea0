#!/usr/bin/env bash
# Installs plankb into ./.venv, builds the knowledge base from the bundled seed plans
# (examples/seeds) in ./data/kb and serves the web UI, REST API and SPARQL endpoint on
# http://127.0.0.1:8000/ .  Extra arguments go to `plankb serve` (e.g. --port 8080, more folders).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip >/dev/null
.venv/bin/python -m pip install --quiet -e .
bash scripts/debian-packages.sh  # Tesseract + Vietnamese model, to read scanned PDFs
export PLANKB_DATA_DIR=${PLANKB_DATA_DIR:-$PWD/data/kb}
.venv/bin/plankb ingest examples/seeds
exec .venv/bin/plankb serve "$@"
