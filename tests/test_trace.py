"""Traces, task and unit queries, legal dependents and gap reports on the real seeds, through the
library and the CLI; the trace JSON against the public contract (check_contract.py)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from plankb.kb.query import trace as T
from plankb.kb.query.gaps import plan_gaps
from plankb.kb.store import KnowledgeBase
from plankb.ingest.load import ingest_paths, ingest_record

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "examples" / "seeds"
AI_QUOC = "phuong-ai-quoc-10660.cchc-2026-2030"
HAI_PHONG = "thanh-pho-hai-phong-31.cchc-2026-2030"
QUYET_THANG = "xa-quyet-thang-11761.cchc-2026"
BA_DINH = "phuong-ba-dinh-4.cchc-2026"
VO_CUONG = "phuong-vo-cuong-9190.cchc-2026"
COMMUNES = (AI_QUOC, QUYET_THANG, BA_DINH, VO_CUONG)


def contract_checker() -> Path:
    shared = ROOT.parent / "shared" / "tools" / "check_contract.py"
    return shared if shared.exists() else ROOT / "tests" / "tools" / "check_contract.py"


@pytest.fixture(scope="session")
def seed_kb_trace():
    kb = KnowledgeBase.in_memory()
    summary = ingest_paths(kb, [SEEDS], progress=False, validate=False)
    assert summary.failed == 0, summary.errors
    return kb


@pytest.fixture(scope="session")
def all_traces(seed_kb_trace):
    return T.trace_all(seed_kb_trace)


# ---------------------------------------------------------------- trace
def test_every_commune_task_ends_at_a_national_document_or_a_named_gap(all_traces):
    commune = [t for t in all_traces if t.task["plan_id"] in COMMUNES]
    assert {t.task["plan_id"] for t in commune} == {AI_QUOC, QUYET_THANG, BA_DINH}, "seed 004 has no tasks in text"
    assert len(commune) == 62 + 38 + 100
    for t in commune:
        national = [h for h in t.hops if h.kind == "legal_document" and h.level == "national"]
        assert national or t.gaps, t.task["id"]
        for g in t.gaps:
            assert g.message and g.message_vi and g.kind


def test_ai_quoc_task_reaches_hai_phong_and_the_national_programme(seed_kb_trace):
    tr = T.trace_task(seed_kb_trace, f"{AI_QUOC}.II.2.a.1")
    kinds = [(h.kind, h.relation) for h in tr.hops]
    assert kinds[:3] == [("plan", "part_of"), ("task", "implements"), ("plan", "parent_plan")]
    task_hop, parent_hop = tr.hops[1], tr.hops[2]
    assert task_hop.id == f"{HAI_PHONG}.II.2.a.1" and task_hop.level == "province"
    assert task_hop.score and task_hop.score > 0.9
    ev = task_hop.evidence
    assert ev.child_text and ev.parent_text and ev.source.startswith("001_") and ev.method
    assert parent_hop.id == HAI_PHONG and parent_hop.evidence.child_text.startswith("Quyết định số 1478/QĐ-UBND")
    legal = {h.id for h in tr.hops if h.kind == "legal_document" and h.level == "national"}
    assert {"nq-76-2021-nq-cp", "qd-282-2026-qd-ttg"} <= legal
    assert tr.gaps == []
    assert tr.task["source"].startswith("000_") and tr.task["plan_label"]


def test_merged_task_has_both_parent_tasks_in_its_trace(seed_kb_trace):
    tr = T.trace_task(seed_kb_trace, f"{AI_QUOC}.II.1.a.1.1")
    parents = {h.id for h in tr.hops if h.kind == "task"}
    assert parents == {f"{HAI_PHONG}.II.1.a.1", f"{HAI_PHONG}.II.1.a.2"}


def test_unmatched_task_names_the_missing_hop(seed_kb_trace):
    tr = T.trace_task(seed_kb_trace, f"{AI_QUOC}.II.1.c")
    assert [g.kind for g in tr.gaps] == ["no_parent_task"]
    assert HAI_PHONG in tr.gaps[0].message and "below the threshold" in tr.gaps[0].message
    assert any(h.kind == "plan" and h.id == HAI_PHONG for h in tr.hops), "the plan chain goes on"


@pytest.mark.parametrize("plan, needle, place", [
    (BA_DINH, "600/QĐ-UBND", "Hà Nội"),
    (QUYET_THANG, "5256/QĐ-UBND", "Hải Phòng"),
], ids=["ba-dinh", "quyet-thang"])
def test_missing_parent_plan_is_a_named_gap(all_traces, plan, needle, place):
    tr = next(t for t in all_traces if t.task["plan_id"] == plan)
    gap = next(g for g in tr.gaps if g.kind == "parent_plan_not_ingested")
    assert needle in gap.message and place in gap.message and "not in the knowledge base" in gap.message
    assert "chưa có trong cơ sở tri thức" in gap.message_vi
    hop = next(h for h in tr.hops if h.relation == "parent_plan")
    assert hop.kind == "legal_document" and hop.level == "province" and hop.url.startswith("/legal/")


def test_unknown_task_raises_key_error(seed_kb_trace):
    with pytest.raises(KeyError):
        T.trace_task(seed_kb_trace, "no-such-plan.II.1")


def test_trace_json_passes_the_public_contract(all_traces, tmp_path):
    out = tmp_path / "traces.json"
    out.write_text(json.dumps([t.model_dump(mode="json") for t in all_traces], ensure_ascii=False), encoding="utf-8")
    res = subprocess.run([sys.executable, str(contract_checker()), "trace", str(out)], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr


def test_catalog_is_rebuilt_after_a_change(seed_records):
    kb = KnowledgeBase.in_memory()
    ingest_record(kb, seed_records["000"], validate=False)
    before = T.trace_task(kb, f"{AI_QUOC}.II.2.a.1")
    assert not any(h.kind == "task" for h in before.hops)
    ingest_record(kb, seed_records["001"], validate=False)
    after = T.trace_task(kb, f"{AI_QUOC}.II.2.a.1")
    assert any(h.kind == "task" and h.relation == "implements" for h in after.hops)


# ---------------------------------------------------------------- tasks and units
@pytest.mark.parametrize("name", ["Phòng Văn hóa - Xã hội", "Phòng Văn hoá – Xã hội", "phong van hoa xa hoi",
                                  "PHÒNG VĂN HÓA-XÃ HỘI"], ids=["canonical", "old-tone-en-dash", "ascii", "upper"])
def test_unit_names_match_tolerantly_across_plans(seed_kb_trace, name):
    rows = T.find_tasks(seed_kb_trace, unit=name)
    plans = {r.plan_id for r in rows}
    assert AI_QUOC in plans and QUYET_THANG in plans, "the same name in several jurisdictions"
    assert {r.role for r in rows} <= {"lead", "support"} and all(r.via_counterpart is None for r in rows)


def test_unit_alias_matches(seed_kb_trace):
    rows = T.find_tasks(seed_kb_trace, unit="Văn phòng UBND và HĐND")  # Quyết Thắng's spelling, an altLabel
    assert rows and {r.plan_id for r in rows} == {QUYET_THANG}
    assert all("Văn phòng HĐND và UBND" in r.lead_units + r.support_units for r in rows)


def test_counterparts_add_the_other_level(seed_kb_trace):
    direct = T.find_tasks(seed_kb_trace, unit="Phòng Văn hóa - Xã hội")
    more = T.find_tasks(seed_kb_trace, unit="Phòng Văn hóa - Xã hội", counterparts=True)
    added = [r for r in more if r.via_counterpart]
    assert added and {r.plan_id for r in added} == {HAI_PHONG}
    assert all("Sở Nội vụ" in r.lead_units + r.support_units for r in added)
    assert len(more) == len(direct) + len(added)


def test_unit_counterparts(seed_kb_trace):
    rows = T.unit_counterparts(seed_kb_trace, "phuong-ai-quoc-10660.phong-van-hoa-xa-hoi")
    assert {"unit_id": "thanh-pho-hai-phong-31.so-noi-vu", "name": "Sở Nội vụ", "jurisdiction": "Thành phố Hải Phòng",
            "level": "province", "role": "standing", "area": None} in rows
    up = T.unit_counterparts(seed_kb_trace, "thanh-pho-hai-phong-31.so-tu-phap")
    assert [(r["name"], r["role"], r["area"], r["level"]) for r in up] == [
        ("Văn phòng HĐND và UBND", "lead", "institution", "commune")]
    with pytest.raises(KeyError):
        T.unit_counterparts(seed_kb_trace, "no-such-unit")


def test_find_tasks_by_plan_area_and_text(seed_kb_trace):
    rows = T.find_tasks(seed_kb_trace, plan=AI_QUOC)
    assert len(rows) == 62 and rows[0].path == "II.1.a", "document order"
    proc = T.find_tasks(seed_kb_trace, plan="ai-quoc", area="procedure")
    assert proc and {r.area for r in proc} == {"procedure"}
    hits = T.find_tasks(seed_kb_trace, q="mot cua lien thong")
    assert hits and all("một cửa liên thông" in r.text for r in hits)
    with pytest.raises(KeyError):
        T.find_tasks(seed_kb_trace, plan="no-such-plan")


# ---------------------------------------------------------------- legal documents
@pytest.mark.parametrize("doc", ["nq-76-2021-nq-cp", "76/NQ-CP", "NQ 76", "Nghị quyết số 76", "nghi quyet 76/NQ-CP"])
def test_legal_document_forms_resolve(seed_kb_trace, doc):
    res = T.legal_dependents(seed_kb_trace, doc)
    assert res["document"]["key"] == "nq-76-2021-nq-cp"
    plans = {p["id"]: p["relation"] for p in res["plans"]}
    assert plans[HAI_PHONG] == "parent_plan" and plans[AI_QUOC] in ("parent_plan", "based_on")
    assert plans[VO_CUONG] == "parent_plan"
    assert QUYET_THANG not in plans
    assert {t.plan_id for t in res["tasks"]} >= {AI_QUOC, HAI_PHONG}


def test_legal_typo_form_and_resolved_plan(seed_kb_trace):
    assert T.legal_dependents(seed_kb_trace, "282/QĐTTg")["document"]["key"] == "qd-282-2026-qd-ttg"
    res = T.legal_dependents(seed_kb_trace, "1478/QĐ-UBND")
    assert res["document"]["resolves_to"] == HAI_PHONG and res["document"]["ingested"] is True
    assert [p["id"] for p in res["plans"]] == [AI_QUOC]
    with pytest.raises(KeyError):
        T.legal_dependents(seed_kb_trace, "999/QĐ-XYZ")


# ---------------------------------------------------------------- gaps
def test_gap_report_of_ai_quoc(seed_kb_trace):
    rep = plan_gaps(seed_kb_trace, AI_QUOC)
    assert rep.parent_plans[0]["id"] == HAI_PHONG and rep.parent_plans[0]["ingested"] is True
    dropped = {(v["parent_text"], v["parent_period"]) for v in rep.dropped_indicators}
    assert {("cấp độ 3", "2026-2027"), ("cấp độ 4", "2028-2030")} <= dropped
    missing = {t["path"] for t in rep.missing_parent_tasks}
    assert {"II.6.a.4", "II.6.a.8"} <= missing
    assert rep.weakened_indicators == []
    assert len(rep.tasks_without_deadline) == 62 and rep.tasks_without_lead == []
    assert {v["verdict"] for v in rep.indicator_verdicts} == {"adopted", "dropped"}


def test_gap_report_of_a_plan_whose_parent_is_missing(seed_kb_trace):
    rep = plan_gaps(seed_kb_trace, BA_DINH)
    assert [(p["id"], p["ingested"]) for p in rep.parent_plans] == [("qd-600-2026-qd-ubnd-ha-noi", False)]
    assert rep.missing_parent_tasks == [] and rep.indicator_verdicts == []


# ---------------------------------------------------------------- CLI
@pytest.fixture()
def cli(seed_kb_trace, monkeypatch):
    from typer.testing import CliRunner

    import plankb.api.cli as cli_module
    from plankb.api.cli import common

    monkeypatch.setattr(common, "open_kb", lambda data_dir: seed_kb_trace)
    runner = CliRunner()
    return lambda *args: runner.invoke(cli_module.app, list(args))


def test_cli_trace_all_json_is_the_contract(cli, tmp_path):
    res = cli("trace", "--all", "--format", "json")
    assert res.exit_code == 0, res.output
    out = tmp_path / "all.json"
    out.write_text(res.stdout, encoding="utf-8")
    check = subprocess.run([sys.executable, str(contract_checker()), "trace", str(out)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
    assert len(json.loads(res.stdout)) == 266


def test_cli_trace_text_and_unknown(cli):
    res = cli("trace", f"{BA_DINH}.PL.I.12")
    assert res.exit_code == 0 and "600/QĐ-UBND of Hà Nội (2026) is not in the knowledge base" in res.stdout
    assert cli("trace", "nope").exit_code == 1


def test_cli_tasks_gaps_legal(cli):
    res = cli("tasks", "--unit", "so noi vu", "--counterparts", "--format", "json")
    rows = json.loads(res.stdout)
    assert any(r["via_counterpart"] == "Sở Nội vụ" and r["plan_id"] == AI_QUOC for r in rows)
    res = cli("gaps", AI_QUOC, "--format", "json")
    assert res.exit_code == 0 and json.loads(res.stdout)["dropped_indicators"]
    assert "cấp độ 3" in cli("gaps", AI_QUOC).stdout
    res = cli("legal", "NQ 76")
    assert res.exit_code == 0 and HAI_PHONG in res.stdout
    assert cli("legal", "999/QĐ-XYZ").exit_code == 1
