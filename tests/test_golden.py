"""Golden files: the whole extraction of each seed, reviewed once and then held fixed.

Regenerate after an intended change with `pytest tests/test_golden.py --update-golden` and review
the diff of tests/golden/*.json before committing.
"""
from __future__ import annotations

import json

import pytest

from conftest import ROOT, SEEDS, extract_seed

GOLDEN = ROOT / "tests" / "golden"


def _dump(key: str) -> dict:
    r = extract_seed(key)
    d = r.model_dump(mode="json", exclude={"sections", "sha256"})
    d["source"] = SEEDS[key].name  # paths differ between machines
    return d


@pytest.mark.parametrize("key", sorted(SEEDS))
def test_golden(key, request):
    path = GOLDEN / f"{SEEDS[key].stem}.json"
    got = _dump(key)
    if request.config.getoption("--update-golden") or not path.exists():
        path.write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        if not request.config.getoption("--update-golden"):
            pytest.fail(f"golden file {path.name} was missing and has been written; review and commit it")
    want = json.loads(path.read_text(encoding="utf-8"))
    assert got == want, f"extraction of {path.name} changed; run with --update-golden and review the diff"
