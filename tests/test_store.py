"""kb.store and kb.link: atomic, idempotent ingest; shared nodes; parent-plan resolution."""
from __future__ import annotations

import gc
import os
import shutil
from datetime import date
from pathlib import Path

import pytest

import factories as F
from plankb.kb.store import KnowledgeBase
from plankb.ingest.load import IngestOutcome, IngestSummary, ingest_paths, ingest_record

needs_pipeline = pytest.mark.skipif(not F.pipeline_ready(), reason="ingest.extract.document cannot extract the seeds yet")
OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"


def dump(kb: KnowledgeBase) -> list[str]:
    import pyoxigraph as ox

    return sorted(kb.store.dump(format=ox.RdfFormat.N_QUADS).decode("utf-8").splitlines())


# ---------------------------------------------------------------- the seed KB
def test_nq76_is_one_node_cited_by_four_plans():
    kb = F.seed_kb()
    nq76 = kb.iris.legal("nq-76-2021-nq-cp")
    rows = kb.select(f"""SELECT DISTINCT ?plan WHERE {{ ?cited owl:sameAs? <{nq76}> .
                         ?plan a pk:Plan ; eli:based_on|eli:cites ?cited }}""")
    assert len(rows) >= 4
    # every other node for "76/NQ-CP" (a citation that gave no year) is declared the same document
    others = kb.select("""SELECT DISTINCT ?l WHERE { ?l eli:number "76" ; pk:symbol "NQ-CP" }""")
    for r in others:
        if r["l"] != nq76:
            assert kb.ask(f"ASK {{ <{r['l']}> owl:sameAs <{nq76}> }}")
    assert kb.select(f"SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE {{ <{nq76}> eli:title ?t }}")[0]["n"] >= 1


def test_ai_quoc_parent_plan_resolves_to_hai_phong():
    kb = F.seed_kb()
    ai_quoc = F.plan_iri_by_code(kb, "10660")
    hai_phong = F.plan_iri_by_code(kb, "31", (2026, 2030))
    assert kb.ask(f"ASK {{ <{ai_quoc}> pk:parentPlan <{hai_phong}> }}")
    qd1478 = kb.iris.legal("qd-1478-2026-qd-ubnd-hai-phong")
    link = kb.select(f"""SELECT ?method ?score WHERE {{ ?l a pk:PlanLink ; pk:linkSource <{qd1478}> ;
                         pk:linkTarget <{hai_phong}> ; pk:linkMethod ?method ; pk:linkScore ?score }}""")
    assert link and link[0]["method"] in ("metadata", "adopting-decision", "number") and link[0]["score"] >= 0.7
    assert kb.ask(f"ASK {{ <{qd1478}> pk:ingested true ; pk:adopts <{hai_phong}> }}")
    # the national plan is cited but not ingested: a missing source
    assert kb.ask(f"ASK {{ <{kb.iris.legal('qd-282-2026-qd-ttg')}> pk:ingested false }}")
    assert "qd-282-2026-qd-ttg" in {r["key"] for r in kb.missing_sources()}


def test_number_alone_is_not_identity():
    """A numbered province plan matches a citation with its number, never one of another province."""
    kb = KnowledgeBase.in_memory()
    for r in (F.bac_ninh(), F.vo_cuong(), F.bac_ninh(id="tinh-bac-ninh-copy", number="600/KH-UBND",
                                                       sha256="0" * 64, source="other.txt")):
        ingest_record(kb, r, validate=False)
    vo_cuong, bac_ninh = kb.iris.plan(F.VO_CUONG_ID), kb.iris.plan(F.BAC_NINH_ID)
    parents = {r["p"] for r in kb.select(f"SELECT ?p WHERE {{ <{vo_cuong}> pk:parentPlan ?p }}")}
    assert parents == {bac_ninh}
    method = kb.select("SELECT ?m WHERE { ?l pk:linkTarget ?t ; pk:linkMethod ?m }")
    assert [r["m"] for r in method] == ["number"]


def test_select_returns_python_values():
    rows = F.seed_kb().plans()
    assert len(rows) == (5 if F.pipeline_ready() else 4)
    n_tasks = F.seed_kb().select("SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE { ?t a pk:Task }")[0]["n"]
    assert sum(r["tasks"] for r in rows) == n_tasks
    for r in rows:
        assert isinstance(r["tasks"], int) and isinstance(r["draft"], bool)
        assert r["level"] in ("province", "commune")
    nq = F.seed_kb().select('SELECT ?d WHERE { ?l pk:citationKey "nq-76-2021-nq-cp" ; eli:date_document ?d }')
    assert {r["d"] for r in nq} == {date(2021, 7, 15)}


# ---------------------------------------------------------------- idempotence and replacement
def test_second_ingest_changes_nothing():
    kb = KnowledgeBase.in_memory()
    for r in F.all_records():
        assert ingest_record(kb, r, validate=False).status == "added"
    before = dump(kb)
    outcomes = [ingest_record(kb, r, validate=False) for r in F.all_records()]
    assert {o.status for o in outcomes} == {"unchanged"}
    assert dump(kb) == before


@needs_pipeline
def test_second_ingest_of_the_seeds_leaves_the_count_unchanged(tmp_path):
    kb = KnowledgeBase.open(tmp_path / "data")
    first = ingest_paths(kb, [F.SEEDS], progress=False)
    assert first.added == 5 and first.failed == 0
    n = kb.triple_count()
    second = ingest_paths(kb, [F.SEEDS], progress=False)
    assert second.unchanged == 5 and second.added == second.replaced == 0
    assert kb.triple_count() == n
    kb.close()
    del kb
    gc.collect()
    reopened = KnowledgeBase.open(tmp_path / "data")  # on-disk: survives reopening
    assert reopened.triple_count() == n and len(reopened.plans()) == 5


def test_changed_record_replaces_its_graph():
    kb = KnowledgeBase.in_memory()
    for r in F.all_records():
        ingest_record(kb, r, validate=False)
    old = F.ai_quoc()
    fewer = F.ai_quoc(sha256="f" * 64, tasks=old.tasks[:3], indicators=[])
    out = ingest_record(kb, fewer, validate=False)
    assert out.status == "replaced"
    tasks = kb.select(f"SELECT DISTINCT ?t WHERE {{ ?t pk:plan <{kb.iris.plan(old.id)}> }}")
    assert {r["t"] for r in tasks} == {kb.iris.task(t.id) for t in fewer.tasks}
    assert not kb.ask(f'ASK {{ ?s pk:sha256 "{old.sha256}" }}'), "nothing of the old version is left"
    assert kb.ask(f"ASK {{ <{kb.iris.plan(old.id)}> pk:parentPlan ?p }}"), "links recomputed"


@needs_pipeline
def test_changed_file_replaces_its_graph(tmp_path):
    src = tmp_path / "000.txt"
    shutil.copy(F.AI_QUOC_FILE, src)
    kb = KnowledgeBase.in_memory()
    ingest_paths(kb, [src, F.HAI_PHONG_FILE], progress=False)
    plan = F.plan_iri_by_code(kb, "10660")
    count = lambda: kb.select(f"SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE {{ ?t pk:plan <{plan}> ; a pk:Task }}")[0]["n"]
    before_tasks, before_quads = count(), kb.triple_count()
    text = src.read_text(encoding="utf-8")
    cut = text.index("[bookmark: dieu_3]3. Cải cách tổ chức")
    end = text.index("4. Cải cách chế độ công vụ")
    src.write_text(text[:cut] + text[end:], encoding="utf-8")  # drop section II.3
    summary = ingest_paths(kb, [src], progress=False)
    assert summary.replaced == 1
    from plankb.ingest.extract.document import extract_document

    new = extract_document(src)
    assert count() == len(new.tasks) < before_tasks
    stale = kb.select(f"""SELECT ?t WHERE {{ ?t pk:plan <{plan}> ; pk:path ?p FILTER(STRSTARTS(?p, "II.3.")) }}""")
    assert stale == []
    assert kb.triple_count() < before_quads
    assert kb.ask(f"ASK {{ <{plan}> pk:parentPlan ?p }}")


# ---------------------------------------------------------------- failures
def test_failure_inside_an_ingest_leaves_the_store_unchanged(monkeypatch):
    from plankb.kb import link

    kb = KnowledgeBase.in_memory()
    for r in F.all_records():
        ingest_record(kb, r, validate=False)
    before = dump(kb)
    changed = F.ai_quoc(sha256="e" * 64, tasks=F.ai_quoc().tasks[:2])

    # the update's last operation fails while being executed, after the drop and the insert
    bad = kb.iris.base + "graph/does-not-exist"
    assert link.is_complete(kb.store, kb.iris)  # so the links are updated by a delta
    monkeypatch.setattr(link.LinkDelta, "update", lambda self, ids: f"DROP GRAPH <{bad}>")
    with pytest.raises(Exception):
        ingest_record(kb, changed, validate=False)
    assert dump(kb) == before
    # the same with the links graph recomputed whole (a KB whose links graph is not complete)
    monkeypatch.setattr(link, "is_complete", lambda store, ids: False)
    monkeypatch.setattr(link, "replace_links_update", lambda rep, ids: f"DROP GRAPH <{bad}>")
    with pytest.raises(Exception):
        ingest_record(kb, changed, validate=False)
    assert dump(kb) == before

    # a failure while building the document's RDF
    from plankb.kb import rdf

    monkeypatch.undo()

    def broken(self):
        self.add("<http://x/s>", "<http://x/p>", '"half-built"')
        raise RuntimeError("boom")

    monkeypatch.setattr(rdf._Builder, "build", broken)
    with pytest.raises(RuntimeError):
        ingest_record(kb, changed, validate=False)
    assert dump(kb) == before


@needs_pipeline
def test_folder_with_a_corrupt_file(tmp_path):
    folder = tmp_path / "plans"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(F.AI_QUOC_FILE, folder / "000.txt")
    shutil.copy(F.SEEDS / "002_3a9652e7471a125e.txt", folder / "sub" / "002.txt")
    (folder / "broken.docx").write_bytes(os.urandom(2048))
    (folder / "notes.csv").write_text("ignored", encoding="utf-8")
    kb = KnowledgeBase.in_memory()
    summary = ingest_paths(kb, [folder, tmp_path / "nope.txt"], progress=False)
    assert summary.added == 2 and summary.failed == 2
    assert any("broken.docx" in e for e in summary.errors)
    assert any("nope.txt" in e for e in summary.errors)
    assert len(kb.plans()) == 2


@needs_pipeline
def test_one_extractor_crash_does_not_stop_the_batch(monkeypatch):
    import plankb.ingest.load.paths as loader  # the name the loader calls

    real = loader.extract_document

    def flaky(path):
        if Path(path).name.startswith("002"):
            raise RuntimeError("extractor bug")
        return real(path)

    monkeypatch.setattr(loader, "extract_document", flaky)
    kb = KnowledgeBase.in_memory()
    summary = ingest_paths(kb, [F.SEEDS], progress=False)
    assert summary.added == 4 and summary.failed == 1
    assert "002" in summary.errors[0] and "extractor bug" in summary.errors[0]


def test_shacl_violations_are_warnings_not_drops():
    kb = KnowledgeBase.in_memory()
    r = F.bac_ninh(jurisdiction=None)
    out = ingest_record(kb, r)
    assert out.status == "added"
    assert any(w.startswith("SHACL:") and "jurisdiction" in w for w in out.warnings)
    assert len(kb.plans()) == 1


def test_summary_counts_and_table():

    s = IngestSummary(outcomes=[IngestOutcome("a.txt", "added", "a", tasks=3, units=2, citations=4, indicators=1,
                                              warnings=["w"]),
                                IngestOutcome("b.docx", "failed", error="b.docx: not a docx")])
    assert (s.added, s.failed, s.tasks, s.units, s.citations, s.indicators) == (1, 1, 3, 2, 4, 1)
    assert s.warnings == ["a.txt: w"] and s.errors == ["b.docx: not a docx"]
    assert s.table().row_count == 3
