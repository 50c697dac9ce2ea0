"""The example queries (ontology/queries/*.rq) on a KB whose shared nodes are described in many
graphs: they stay fast, answer as over a set of triples, and their aggregates count each thing once.

Every plan graph repeats the description of the shared nodes it mentions (cited documents,
jurisdictions, units, document types), and Oxigraph's union default graph returns such a triple
once per graph (a bag, oxigraph#1919), so a query joining two of those descriptions multiplies
rows (ontology/README.md, "Shared nodes and the union default graph"). The fixture: the 5 seeds
plus a small synthetic province (bench.synth), then every triple that is in two graphs or more copied
into PADDING more graphs, as a corpus 10-100x bigger would hold it. That changes no answer (the
same set of triples) but made the earlier versions of the queries take from 1 s to minutes here.
"""
from __future__ import annotations

import re
import time
from collections import Counter, defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest

from plankb.kb.store import PREFIXES, KnowledgeBase, to_python
from plankb.bench.synth import write_corpus
from plankb.ingest.load import ingest_paths

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "examples" / "seeds"
QUERIES = sorted((ROOT / "ontology" / "queries").glob("*.rq"))
NQ76 = "http://plankb.org/id/legal/nq-76-2021-nq-cp"
PK = "http://plankb.org/ontology#"
PADDING = 60  # extra graphs repeating every shared description
BOUND_S = 2.0  # per query; they take well under 0.3 s here (the earlier versions 1 s to minutes)


@pytest.fixture(scope="module")
def kbs(tmp_path_factory):
    """(kb, reference): the padded KB and, for comparison, a store holding each distinct triple
    once in its default graph (set semantics)."""
    corpus = tmp_path_factory.mktemp("synth")
    write_corpus(corpus, province_codes=["31"], communes=8, seed=1, docx_share=0.0)
    kb = KnowledgeBase.in_memory()
    ingest_paths(kb, [corpus / "docs"], progress=False, validate=False)
    ingest_paths(kb, [SEEDS], progress=False, validate=False)  # the seeds' Hải Phòng plan replaces the synthetic one
    graphs = defaultdict(set)
    for q in kb.store:
        graphs[ox.Triple(q.subject, q.predicate, q.object)].add(q.graph_name)
    shared = [t for t, g in graphs.items() if len(g) > 1]
    kb.store.extend([ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(f"http://example.org/padding/{i}"))
                     for i in range(PADDING) for t in shared])
    reference = ox.Store()
    reference.extend([ox.Quad(t.subject, t.predicate, t.object) for t in graphs])
    return kb, reference


def reference_select(store: ox.Store, kb: KnowledgeBase, text: str, **substitutions) -> list[dict]:
    subs = {ox.Variable(k): ox.NamedNode(v) for k, v in substitutions.items()}
    res = store.query(text, prefixes={**PREFIXES, "id": kb.base}, substitutions=subs)
    names = [v.value for v in res.variables]
    return [{n: to_python(s[n]) for n in names if s[n] is not None} for s in res]


def timed(kb: KnowledgeBase, name: str, **bindings) -> list[dict]:
    t0 = time.perf_counter()
    rows = kb.run_named_query(name, **bindings)
    elapsed = time.perf_counter() - t0
    assert elapsed < BOUND_S, f"{name}.rq took {elapsed:.1f} s on {len(rows)} rows (shared descriptions joined as a bag?)"
    return rows


def multiset(rows: list[dict]) -> list:
    return sorted(sorted((k, repr(v)) for k, v in row.items()) for row in rows)


def test_the_fixture_repeats_shared_descriptions(kbs):
    kb, _ = kbs
    copies = list(kb.store.quads_for_pattern(ox.NamedNode(NQ76), ox.NamedNode(f"{PK}citationKey"), None, None))
    assert len(copies) > PADDING
    rows = kb.select(f'SELECT (COUNT(*) AS ?n) (COUNT(DISTINCT ?l) AS ?d) WHERE {{ ?l pk:citationKey "nq-76-2021-nq-cp" }}')
    assert rows == [{"n": len(copies), "d": 1}], "the union default graph is a bag (oxigraph#1919)"


@pytest.mark.parametrize("query", QUERIES, ids=[q.stem for q in QUERIES])
def test_query_is_fast_and_answers_as_over_a_set(kbs, query):
    kb, reference = kbs
    rows = timed(kb, query.stem)
    assert rows, f"{query.name} returned nothing"
    assert multiset(rows) == multiset(reference_select(reference, kb, query.read_text()))


def _recount_tasks_by_area(kb, rows):
    distinct = kb.select("""SELECT DISTINCT ?planId ?area ?task WHERE {
        ?task a pk:Task ; pk:plan/dcterms:identifier ?planId ; pk:area/skos:notation ?area }""")
    assert {(r["planId"], r["area"]): r["tasks"] for r in rows} == Counter((r["planId"], r["area"]) for r in distinct)


def _recount_missing_sources(kb, rows):
    cites = kb.select("SELECT DISTINCT ?plan ?cited WHERE { VALUES ?rel { eli:based_on eli:cites } ?plan ?rel ?cited }")
    same = kb.select("SELECT DISTINCT ?undated ?dated WHERE { ?undated owl:sameAs ?dated }")
    alias = defaultdict(set)
    for r in same:
        alias[r["dated"]].add(r["undated"])
    ids = defaultdict(set)
    titles = defaultdict(set)
    for r in kb.select("SELECT DISTINCT ?legal ?idl WHERE { ?legal pk:ingested false ; eli:id_local ?idl }"):
        ids[r["legal"]].add(r["idl"])
    for r in kb.select("SELECT DISTINCT ?legal ?t WHERE { ?legal pk:ingested false ; eli:title ?t }"):
        titles[r["legal"]].add(str(r["t"]))
    missing = kb.select("""SELECT DISTINCT ?legal WHERE { ?legal pk:ingested false ; pk:citationKey ?key .
                           FILTER NOT EXISTS { ?legal owl:sameAs ?dated } }""")
    assert len(rows) == len({(r["legal"], r["key"]) for r in rows}) and {r["legal"] for r in rows} == {
        r["legal"] for r in missing}
    for r in rows:
        names = {r["legal"]} | alias[r["legal"]]
        assert r["citedBy"] == len({c["plan"] for c in cites if c["cited"] in names}), r
        assert r.get("idLocal") == (min(ids[r["legal"]]) if ids[r["legal"]] else None), r
        assert r.get("title") == (min(titles[r["legal"]]) if titles[r["legal"]] else None), r
    assert any(r["key"] == "nq-76-2021-nq-cp" and r["citedBy"] >= 4 for r in rows)


RECOUNTS = {
    "count_tasks_by_area": _recount_tasks_by_area,
    "list_missing_sources": _recount_missing_sources,
}


def test_every_aggregate_query_has_a_recount():
    aggregates = {q.stem for q in QUERIES if re.search(r"\b(COUNT|MIN|MAX|SUM|AVG|SAMPLE|GROUP_CONCAT)\s*\(", q.read_text())}
    assert aggregates == set(RECOUNTS)


@pytest.mark.parametrize("name", sorted(RECOUNTS))
def test_aggregates_count_each_thing_once(kbs, name):
    kb, _ = kbs
    RECOUNTS[name](kb, timed(kb, name))


def test_bound_parameters_select_the_same_rows(kbs):
    """trace_task (?task) and list_unit_tasks (?unit) with their parameter bound: the rows of the
    unbound query with that value, and as fast."""
    kb, _ = kbs
    every_task = timed(kb, "trace_task")
    task = next(r["task"] for r in every_task if r["ancestor"] != r["plan"])  # a task with a parent plan
    assert multiset(timed(kb, "trace_task", task=task)) == multiset([r for r in every_task if r["task"] == task])
    every_unit = timed(kb, "list_unit_tasks")
    unit = Counter(r["unit"] for r in every_unit).most_common(1)[0][0]
    assert multiset(timed(kb, "list_unit_tasks", unit=unit)) == multiset([r for r in every_unit if r["unit"] == unit])
