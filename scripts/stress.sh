#!/usr/bin/env bash
# The long reliability runs (issue 8), kept out of the regular suite: a 60-second load of 32
# concurrent clients on loopback, a longer Schemathesis run, the regex and extractor bounds at
# 50,000 characters, more kill -9 rounds, more hypothesis examples, and coverage-guided fuzzing of
# the readers, the extractors and the SPARQL analyser with atheris (the `fuzz` extra).
# Figures go to stress-report/ (load.json, fuzz-*.log, pytest.log); docs/RELIABILITY.md records them.
#
# Usage: bash scripts/stress.sh            (about 8 minutes on 2 cores)
#        LOAD_SECONDS=300 FUZZ_SECONDS=600 bash scripts/stress.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
VENV=${VENV:-.venv}  # another virtualenv that already has .[test,fuzz]: VENV=/path SKIP_INSTALL=1
if [ -z "${SKIP_INSTALL:-}" ]; then
  if [ ! -x "$VENV/bin/python" ]; then
    "$PY" -m venv "$VENV"
  fi
  "$VENV/bin/python" -m pip install --quiet --upgrade pip >/dev/null
  "$VENV/bin/python" -m pip install --quiet -e ".[test,fuzz]"
fi
OUT=${STRESS_OUT:-stress-report}
mkdir -p "$OUT"
LOAD_SECONDS=${LOAD_SECONDS:-60}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}

echo "== load: 32 clients for ${LOAD_SECONDS} s, Schemathesis, SPARQL abuse (tests/test_reliability_server.py)"
PLANKB_LOAD_SECONDS=$LOAD_SECONDS PLANKB_LOAD_REPORT="$OUT/load.json" PLANKB_SCHEMATHESIS_EXAMPLES=100 \
  "$VENV/bin/python" -m pytest -q -s -p no:cacheprovider tests/test_reliability_server.py 2>&1 | tee "$OUT/pytest-server.log"

echo "== input, faults and properties at stress size"
PLANKB_STRESS=1 PLANKB_REGEX_CHARS=50000 PLANKB_KILL_ROUNDS=4 PLANKB_HYPOTHESIS_EXAMPLES=1000 \
  "$VENV/bin/python" -m pytest -q -s -p no:cacheprovider --durations=15 \
  tests/test_reliability_input.py tests/test_reliability_faults.py tests/test_properties.py 2>&1 | tee "$OUT/pytest.log"

echo "== coverage-guided fuzzing (atheris), ${FUZZ_SECONDS} s per harness"
for h in read extract sparql; do
  "$VENV/bin/python" "tests/fuzz/fuzz_$h.py" -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=3072 -timeout=60 \
    >"$OUT/fuzz-$h.log" 2>&1 || { echo "fuzz_$h found a failure: see $OUT/fuzz-$h.log"; exit 1; }
  tail -n 1 "$OUT/fuzz-$h.log"
done
echo "== load figures"; cat "$OUT/load.json"; echo
