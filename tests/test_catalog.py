"""kb.catalog, the read model behind the REST API and the pages, on the five seed plans."""
from __future__ import annotations

import datetime as dt
import doctest
from pathlib import Path

import pytest

from plankb.kb import catalog
from plankb.kb.catalog import Query, fold_map, name_key, path_key
from plankb.kb.store import KnowledgeBase
from plankb.kb.text import fold
from plankb.ingest.load import ingest_paths

SEEDS_DIR = Path(__file__).resolve().parent.parent / "examples" / "seeds"
AI_QUOC = "phuong-ai-quoc-10660.cchc-2026-2030"
HAI_PHONG = "thanh-pho-hai-phong-31.cchc-2026-2030"
VAN_HOA_AI_QUOC = "phuong-ai-quoc-10660.phong-van-hoa-xa-hoi"


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    """An in-memory KB of the seeds (read only: no test writes to it)."""
    kb = KnowledgeBase.in_memory()
    summary = ingest_paths(kb, [SEEDS_DIR], progress=False, validate=False)
    assert not summary.failed, summary.errors
    return kb


def test_doctests():
    assert doctest.testmod(catalog).failed == 0


# ---------------------------------------------------------------- helpers
@pytest.mark.parametrize("query, text, phrase, every_word", [
    ("hanh chinh cong", "Trung tâm Phục vụ hành chính công", True, True),
    ("hành chính công", "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG", True, True),
    ("hanh chinh cong", "công tác cải cách hành chính", False, True),
    ("van hoa xa hoi", "Phòng Văn hoá – Xã hội", True, True),
    ("hoa", "thoả thuận", False, False),  # words match at word starts only
    ("dinh", "Phường Ba Đình", True, True),
])
def test_query_matching(query, text, phrase, every_word):
    q = Query.parse(query)
    assert q.matches(fold(text)) is phrase
    assert q.matches_all(fold(text)) is every_word


def test_query_parse_ignores_empty_and_punctuation():
    assert Query.parse("") is None and Query.parse("  – ") is None and Query.parse(None) is None


def test_snippet_keeps_the_original_text_around_the_match():
    text = "Lorem ipsum " * 30 + "Trung tâm Phục vụ hành chính công phường" + " dolor sit" * 30
    snip = Query.parse("hanh chinh cong").snippet(text, width=80)
    assert "hành chính công" in snip and snip.startswith("…") and snip.endswith("…")


def test_fold_map_indexes_back_into_the_original():
    text = "Phòng  Văn hoá – Xã hội"
    folded, idx = fold_map(text)
    assert folded == "phong van hoa - xa hoi"
    start = folded.index("xa hoi")
    assert text[idx[start]:idx[start + len("xa hoi") - 1] + 1] == "Xã hội"


def test_name_key_ignores_tone_style_and_punctuation():
    assert name_key("Phòng Văn hoá – Xã hội") == name_key("phòng văn hóa - xã hội") == " phong van hoa xa hoi "


def test_path_key_orders_sections_as_printed():
    paths = ["PL.I.1", "III.1", "II.1.e", "II.1.đ", "II.1.d", "II.1.a.10", "II.1.a.2", "II.10", "II.9"]
    assert sorted(paths, key=path_key) == ["II.1.a.2", "II.1.a.10", "II.1.d", "II.1.đ", "II.1.e", "II.9", "II.10",
                                           "III.1", "PL.I.1"]


# ---------------------------------------------------------------- plans
def test_list_plans(kb):
    plans = catalog.list_plans(kb)
    ids = [p.id for p in plans.items]
    assert plans.total == 5 and ids == sorted(ids)
    assert {AI_QUOC, HAI_PHONG} <= set(ids)
    hp = next(p for p in plans.items if p.id == HAI_PHONG)
    assert hp.level == "province" and hp.province == "Thành phố Hải Phòng" and hp.province_code == "31"
    assert hp.task_count > 0 and hp.url == f"/plans/{HAI_PHONG}" and hp.api_url == f"/api/plans/{HAI_PHONG}"


@pytest.mark.parametrize("filters, expected", [
    ({"level": "province"}, {HAI_PHONG}),
    ({"province": "hai phong"}, {HAI_PHONG, AI_QUOC, "xa-quyet-thang-11761.cchc-2026"}),
    ({"province": "Hải Phòng", "level": "commune"}, {AI_QUOC, "xa-quyet-thang-11761.cchc-2026"}),
    ({"province": "31"}, {HAI_PHONG, AI_QUOC, "xa-quyet-thang-11761.cchc-2026"}),
    ({"province": "ha noi"}, {"phuong-ba-dinh-4.cchc-2026"}),
    ({"period": "2026-2030"}, {HAI_PHONG, AI_QUOC}),
    ({"period": "2028"}, {HAI_PHONG, AI_QUOC}),
    ({"q": "ai quoc"}, {AI_QUOC}),
], ids=["level", "province-folded", "province-and-level", "province-code", "ha-noi", "period-range", "period-year", "q"])
def test_list_plans_filters(kb, filters, expected):
    assert {p.id for p in catalog.list_plans(kb, **filters).items} == expected


def test_list_plans_bad_period(kb):
    with pytest.raises(ValueError):
        catalog.list_plans(kb, period="next year")


def test_get_plan_tree_parents_children(kb):
    plan = catalog.get_plan(kb, AI_QUOC)
    assert plan.level == "commune" and plan.jurisdiction == "Phường Ái Quốc"
    # sections: numbered groups of top-level tasks; sub-tasks nested under their task
    first = plan.sections[0]
    assert first.path == "II.1" and first.area == "institution" and first.heading == "Cải cách thể chế"
    a = next(t for t in first.tasks if t.path == "II.1.a")
    assert [c.path for c in a.children] == ["II.1.a.1"] and a.children[0].children[0].path == "II.1.a.1.1"

    def count(nodes):
        return sum(1 + count(n.children) for n in nodes)

    assert sum(count(s.tasks) for s in plan.sections) == plan.task_count
    # the parent plan: cited as QĐ 1478/QĐ-UBND, resolved to the ingested Hải Phòng plan
    resolved = [p for p in plan.parents if p.plan is not None]
    assert [p.plan.id for p in resolved] == [HAI_PHONG]
    assert resolved[0].legal.key.startswith("qd-1478-2026") and resolved[0].method
    # NQ 76/NQ-CP: a legal basis that is not in the KB
    nq76 = next(b for b in plan.legal_bases if b.key == "nq-76-2021-nq-cp")
    assert nq76.ingested is False and nq76.label == "Nghị quyết 76/NQ-CP"
    assert len(plan.indicators) == plan.indicator_count > 0
    assert plan.source.path.endswith(".txt") and len(plan.source.sha256) == 64
    assert {u.id for u in plan.units} >= {VAN_HOA_AI_QUOC}
    assert [c.id for c in catalog.get_plan(kb, HAI_PHONG).children] == [AI_QUOC]


def test_get_plan_unknown(kb):
    with pytest.raises(KeyError):
        catalog.get_plan(kb, "no-such-plan")


# ---------------------------------------------------------------- tasks
def test_tasks_of_a_unit_named_without_diacritics(kb):
    listing = catalog.list_tasks(kb, unit="phong van hoa xa hoi", limit=500)
    assert listing.total == len(listing.items) > 20
    jurisdictions = {t.plan.jurisdiction for t in listing.items}
    assert {"Phường Ái Quốc", "Xã Quyết Thắng", "Phường Ba Đình"} <= jurisdictions
    for t in listing.items:
        assert t.role in ("lead", "support")
        units = t.lead_units if t.role == "lead" else t.support_units
        assert any(" phong van hoa xa hoi " in name_key(u.label) for u in units), t.id
    office = catalog.list_tasks(kb, unit="van phong hdnd va ubnd", limit=500)
    supports = catalog.list_tasks(kb, unit="van phong hdnd va ubnd", role="support", limit=500)
    assert 0 < supports.total < office.total and all(t.role == "support" for t in supports.items)


def test_tasks_of_a_unit_by_id(kb):
    listing = catalog.list_tasks(kb, unit=VAN_HOA_AI_QUOC, limit=500)
    assert listing.total > 0 and {t.plan.id for t in listing.items} == {AI_QUOC}


def test_tasks_full_text_ignores_diacritics(kb):
    listing = catalog.list_tasks(kb, q="hanh chinh cong", limit=500)
    assert listing.total > 0
    phrase = Query.parse("hanh chinh cong")
    for t in listing.items:
        detail = catalog.get_task(kb, t.id)
        assert phrase.matches(fold(" ".join([t.text, *detail.products]))), t.id
    assert any("hành chính công" in t.text for t in listing.items)
    same = catalog.list_tasks(kb, q="HÀNH CHÍNH CÔNG", limit=500)
    assert [t.id for t in same.items] == [t.id for t in listing.items]


def test_tasks_filters_combine(kb):
    all_tasks = catalog.list_tasks(kb, limit=1000)
    proc = catalog.list_tasks(kb, area="procedure", plan=AI_QUOC, limit=1000)
    assert 0 < proc.total < all_tasks.total
    assert all(t.area == "procedure" and t.plan.id == AI_QUOC for t in proc.items)
    assert catalog.list_tasks(kb, plan="no-such-plan").total == 0
    assert catalog.list_tasks(kb, level="province", limit=1000).total == \
        catalog.get_plan(kb, HAI_PHONG).task_count


def test_tasks_deadline_range(kb):
    start, end = dt.date(2026, 1, 1), dt.date(2026, 6, 30)
    listing = catalog.list_tasks(kb, deadline_from=start, deadline_to=end, limit=500)
    assert listing.total > 0
    for t in listing.items:
        assert t.deadline is not None and start <= (t.deadline.end or t.deadline.start) <= end
    assert catalog.list_tasks(kb, deadline_from="2026-01-01", deadline_to="2026-06-30").total == listing.total


def test_tasks_pagination(kb):
    full = catalog.list_tasks(kb, limit=1000)
    page = catalog.list_tasks(kb, limit=10, offset=20)
    assert page.total == full.total and [t.id for t in page.items] == [t.id for t in full.items[20:30]]


def test_get_task(kb):
    task = catalog.get_task(kb, f"{AI_QUOC}.II.1.a.1")
    assert task.parent.id == f"{AI_QUOC}.II.1.a" and [c.path for c in task.children] == ["II.1.a.1.1"]
    assert task.area == "institution" and task.area_label == "Cải cách thể chế"
    assert task.plan.id == AI_QUOC and task.url == f"/tasks/{AI_QUOC}.II.1.a.1"
    assert task.source.path and 0 <= task.source.start < task.source.end
    assert task.context is None


def test_get_task_context_reads_the_source_file(kb, monkeypatch):
    monkeypatch.chdir(SEEDS_DIR.parent.parent)  # source paths are stored as given at ingest
    task = catalog.get_task(kb, f"{AI_QUOC}.II.1.a.1", context=True, context_chars=50)
    assert task.context is not None and len(task.context.before) == 50
    assert fold(task.text)[:40] in fold(task.context.text)


def test_get_task_unknown(kb):
    with pytest.raises(KeyError):
        catalog.get_task(kb, f"{AI_QUOC}.IX.9")


# ---------------------------------------------------------------- units
def test_units(kb):
    units = catalog.list_units(kb, q="van hoa xa hoi", limit=100)
    assert {u.jurisdiction for u in units.items} >= {"Phường Ái Quốc", "Xã Quyết Thắng", "Phường Ba Đình"}
    unit = catalog.get_unit(kb, VAN_HOA_AI_QUOC)
    assert unit.level == "commune" and "standing" in unit.roles and unit.lead_count > 0
    assert [p.id for p in unit.plans] == [AI_QUOC] and unit.counterparts is None
    assert unit.tasks_url == f"/api/units/{VAN_HOA_AI_QUOC}/tasks"
    provinces = catalog.list_units(kb, level="province", limit=100)
    assert provinces.total > 0 and all(u.level == "province" for u in provinces.items)
    assert catalog.list_units(kb, jurisdiction="ai quoc", limit=100).total == \
        catalog.list_units(kb, jurisdiction="10660", limit=100).total > 0
    with pytest.raises(KeyError):
        catalog.get_unit(kb, "nobody")


# ---------------------------------------------------------------- legal documents
def test_get_legal(kb):
    nq76 = catalog.get_legal(kb, "nq-76-2021-nq-cp")
    assert nq76.number == "76/NQ-CP" and nq76.issuer == "Chính phủ" and not nq76.ingested
    assert len({c.plan.id for c in nq76.cited_by}) >= 3
    assert catalog.get_legal(kb, "76/NQ-CP").key == nq76.key  # by number when unambiguous
    qd1478 = next(p.legal for p in catalog.get_plan(kb, AI_QUOC).parents if p.plan)
    detail = catalog.get_legal(kb, qd1478.key)
    assert detail.ingested and detail.resolves_to.id == HAI_PHONG and detail.link_method
    assert [(c.plan.id, c.relation) for c in detail.cited_by] == [(AI_QUOC, "parent_plan")]
    with pytest.raises(KeyError):
        catalog.get_legal(kb, "nq-0-1900-nq-cp")


def test_list_legal_missing_sources(kb):
    missing = catalog.list_legal(kb, ingested=False, limit=500)
    assert missing.items[0].key == "nq-76-2021-nq-cp"  # most cited first
    assert all(not r.ingested for r in missing.items)
    assert catalog.list_legal(kb, ingested=True).total >= 1


# ---------------------------------------------------------------- indicators and search
def test_indicators(kb):
    inds = catalog.list_indicators(kb, plan=AI_QUOC, limit=100)
    assert inds.total == catalog.get_plan(kb, AI_QUOC).indicator_count
    i = inds.items[0]
    assert catalog.get_indicator(kb, i.id) == i and i.url.startswith(f"/plans/{AI_QUOC}#")
    assert catalog.list_indicators(kb, q="hai long", limit=100).total > 0


def test_search_across_kinds(kb):
    res = catalog.search(kb, "hanh chinh cong", limit=100)
    assert res.total > 0 and {h.kind for h in res.items} >= {"unit", "task"}
    top = res.items[0]
    assert top.kind == "unit" and "hành chính công" in top.label
    assert [h.score for h in res.items] == sorted((h.score for h in res.items), reverse=True)
    only = catalog.search(kb, "hanh chinh cong", kinds=["task"], limit=5)
    assert {h.kind for h in only.items} == {"task"} and only.total < res.total
    assert catalog.search(kb, "76/NQ-CP").items[0].id == "nq-76-2021-nq-cp"
    assert catalog.search(kb, "Ái Quốc", kinds=["plan"]).items[0].id == AI_QUOC
    assert catalog.search(kb, "  ").total == 0


def test_index_follows_writes():
    kb = KnowledgeBase.in_memory()
    seeds = sorted(SEEDS_DIR.glob("*.txt"))
    ingest_paths(kb, seeds[:1], progress=False, validate=False)
    assert catalog.list_plans(kb).total == 1
    ingest_paths(kb, seeds[1:2], progress=False, validate=False)
    assert catalog.list_plans(kb).total == 2
