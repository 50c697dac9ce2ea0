"""Smoke tests of the benchmark tooling (tiny sizes): bulk ingest path, accuracy report, bench.run.

The full benchmarks (`python -m plankb.bench.run --scale country`) take minutes and are not run here.
"""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from plankb.bench import synth
from plankb.kb.store import KnowledgeBase
from plankb.ingest.load import ingest_paths, sampled

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # bench/ is a folder of the source tree, not an installed package


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("tiny")
    synth.write_corpus(out, provinces=1, communes=2, seed=2, docx_share=0.5)
    return out


def _quads(kb: KnowledgeBase) -> list[str]:
    return sorted(str(q) for q in kb.store if not q.predicate.value.endswith("generatedAtTime"))


def test_parallel_ingest_equals_sequential(tiny):
    seq, par = KnowledgeBase.in_memory(), KnowledgeBase.in_memory()
    a = ingest_paths(seq, [tiny / "docs"], progress=False, validate=False)
    b = ingest_paths(par, [tiny / "docs"], progress=False, validate="sample", workers=2)
    assert a.added == b.added == 5 and b.failed == 0
    assert [o.path for o in a.outcomes] == [o.path for o in b.outcomes]
    assert _quads(seq) == _quads(par)
    assert b.validated >= 1 and set(b.phases) == {"extract_load", "link", "finish"}
    again = ingest_paths(par, [tiny / "docs"], progress=False, workers=2)
    assert again.unchanged == 5 and again.added == again.replaced == 0


def test_parallel_ingest_replaces_a_changed_file(tiny, tmp_path):
    docs = tmp_path / "docs"
    shutil.copytree(tiny / "docs", docs)
    kb = KnowledgeBase.in_memory()
    ingest_paths(kb, [docs], progress=False, validate=False)
    n_graphs = len(list(kb.store.named_graphs()))
    f = sorted(docs.rglob("*.txt"))[-1]
    f.write_text(f.read_text(encoding="utf-8") + "\nGhi chú: bản sửa đổi.\n", encoding="utf-8")
    s = ingest_paths(kb, [docs], progress=False, validate=False, workers=2)
    assert (s.replaced, s.unchanged) == (1, 4)
    assert len(list(kb.store.named_graphs())) == n_graphs


def test_validate_modes():
    with pytest.raises(ValueError):
        ingest_paths(KnowledgeBase.in_memory(), [], validate="some")
    shas = [f"{i:08x}" + "0" * 56 for i in range(0, 2**32, 2**22)]
    share = sum(sampled(s, 0.1) for s in shas) / len(shas)
    assert 0.05 < share < 0.15 and sampled(shas[-1], 0.0, first=True)


def test_accuracy_report(tiny):
    from plankb.bench.accuracy import evaluate, unit_function

    rep = evaluate(tiny, workers=1)
    assert rep["documents"] == 5 and rep["error_count"] == 0
    assert {"fields", "sets", "task_lead_units", "by_style", "failures"} <= set(rep)
    assert rep["sets"]["tasks"]["recall"] > 0.5  # a smoke threshold, not an accuracy target
    assert unit_function("Phòng Văn hoá – Xã hội") == "commune:standing"
    assert unit_function("Văn phòng UBND và HĐND xã") == "commune:office"
    assert unit_function("Sở Nội vụ") == "province:standing"


def test_percentiles():
    from plankb.bench.common import latency_stats, percentile

    assert percentile([1, 2, 3, 4], 50) == 2.5 and percentile([], 50) is None
    s = latency_stats([0.001 * i for i in range(1, 101)])
    assert s["n"] == 100 and 94 <= s["p95_ms"] <= 96


def test_run_seed_scale(tmp_path):
    from plankb.bench.run import main

    assert main(["--scale", "seed", "--only", "ingest,queries", "--workers", "1", "--validate", "none",
                 "--work", str(tmp_path / "w"), "--out", str(tmp_path / "out")]) == 0
    res = json.loads((tmp_path / "out" / "seed-latest.json").read_text(encoding="utf-8"))
    assert res["ingest"]["added"] == 5 and res["ingest"]["failed"] == 0
    assert res["ingest"]["store_mib"] > 0 and res["ingest"]["peak_rss_tree_mib"] > 0
    assert res["queries"]["sparql_tasks_by_area"]["n"] > 0
    assert "ingest_within_10_min" in res["targets"]
