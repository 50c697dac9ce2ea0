"""The ontology, the shapes and the example queries: they parse, agree with the code, and run."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import OWL, RDF, SKOS

import factories as F
from plankb.kb.models import AREAS

ONTOLOGY = Path(__file__).resolve().parent.parent / "ontology"
PK = rdflib.Namespace("http://plankb.org/ontology#")
QUERIES = sorted((ONTOLOGY / "queries").glob("*.rq"))


@pytest.fixture(scope="module")
def onto() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY / "plankb.ttl")


def test_ontology_and_shapes_parse(onto):
    import pyoxigraph as ox

    assert (rdflib.URIRef("http://plankb.org/ontology"), RDF.type, OWL.Ontology) in onto
    shapes = rdflib.Graph().parse(ONTOLOGY / "shapes.ttl")
    assert len(shapes) > 50
    assert len(list(ox.parse(path=str(ONTOLOGY / "plankb.ttl")))) == len(onto)


def test_area_scheme_matches_models(onto):
    scheme = rdflib.URIRef("http://plankb.org/id/area-scheme")
    concepts = set(onto.subjects(SKOS.inScheme, scheme))
    codes = {str(onto.value(c, SKOS.notation)) for c in concepts}
    assert codes == set(AREAS)
    for c in concepts:
        assert str(c) == f"http://plankb.org/id/area/{onto.value(c, SKOS.notation)}"
        langs = {l.language for l in onto.objects(c, SKOS.prefLabel)}
        assert langs == {"vi", "en"}
    vi = {str(l) for c in concepts for l in onto.objects(c, SKOS.prefLabel) if l.language == "vi"}
    assert "Cải cách thủ tục hành chính" in vi and "Công tác chỉ đạo, điều hành" in vi


def test_every_pk_term_the_code_writes_is_declared(onto):
    from plankb.kb import rdf

    used = {t.strip("<>") for t in [*rdf.P.values(), *rdf.C.values()] if t.startswith(f"<{PK}")}
    link_src = "".join(f.read_text() for f in (Path(rdf.__file__).parent / "link").glob("*.py"))
    link_terms = set(re.findall(r"\{pk\}(\w+)", link_src))
    used |= {f"{PK}{t}" for t in link_terms}
    declared = {str(s) for s in onto.subjects(RDF.type, None) if str(s).startswith(str(PK))}
    assert used - declared == set()


def test_shapes_use_declared_terms(onto):
    text = (ONTOLOGY / "shapes.ttl").read_text()
    declared = {str(s)[len(PK):] for s in onto.subjects(RDF.type, None) if str(s).startswith(str(PK))}
    used = set(re.findall(r"\bpk:(\w+)", text))
    assert used - declared == set()


def test_shacl_conforms_on_seed_kb():
    kb = F.seed_kb()
    assert kb.validate() == []


def test_readme_lists_every_query():
    readme = (ONTOLOGY / "README.md").read_text()
    assert len(QUERIES) >= 4
    for q in QUERIES:
        assert re.fullmatch(r"[a-z]+_[a-z_]+\.rq", q.name), q.name
        assert f"queries/{q.name}" in readme
        assert q.read_text().startswith("#"), f"{q.name} needs a comment saying what it answers"


@pytest.mark.parametrize("query", QUERIES, ids=[q.stem for q in QUERIES])
def test_query_runs_on_seed_kb(query):
    kb = F.seed_kb()
    rows = kb.select(query.read_text())
    assert rows, f"{query.name} returned nothing"
    check = CHECKS.get(query.stem)
    if check:
        check(kb, rows)


def _trace(kb, rows):
    ai_quoc = F.plan_iri_by_code(kb, "10660")
    mine = [r for r in rows if r["plan"] == ai_quoc]
    assert mine
    bases = {r.get("basisId") for r in mine}
    assert "76/NQ-CP" in bases
    assert "282/QĐ-TTg" in bases, "the city plan's basis is reached through pk:parentPlan"
    assert any(r["ancestorLevel"] == "province" for r in mine)


def _citing(kb, rows):
    assert len({r["plan"] for r in rows}) >= 4
    assert {r["idLocal"] for r in rows} == {"76/NQ-CP"}


def _indicators(kb, rows):
    assert all(isinstance(r["value"], float) for r in rows)
    assert any(r["value"] == 95.0 for r in rows)


def _unit_tasks(kb, rows):
    assert {r["role"] for r in rows} <= {"lead", "support"}
    assert any("Văn hóa" in r["unitLabel"] or "Văn hoá" in r["unitLabel"] for r in rows)


def _missing(kb, rows):
    keys = {r["key"] for r in rows}
    assert "nq-76-2021-nq-cp" in keys
    assert not any(k.startswith("qd-1478") for k in keys), "QĐ 1478 resolves to the Hải Phòng plan"


def _areas(kb, rows):
    assert {r["area"] for r in rows} <= set(AREAS)


def _lineage(kb, rows):
    ai_quoc = F.plan_iri_by_code(kb, "10660")
    hai_phong = F.plan_iri_by_code(kb, "31", (2026, 2030))
    ids = {r["planId"]: r for r in rows if "parent" in r}
    assert any(r["parent"] == hai_phong and r["method"] in ("metadata", "number", "adopting-decision")
               for r in ids.values())
    assert ai_quoc


CHECKS = {
    "trace_task": _trace,
    "list_plans_citing": _citing,
    "list_indicators_by_period": _indicators,
    "list_unit_tasks": _unit_tasks,
    "list_missing_sources": _missing,
    "count_tasks_by_area": _areas,
    "trace_plan_lineage": _lineage,
}
