"""plankb.kb.store.backends: the seed KB on a real SPARQL server (Virtuoso Open Source, started on loopback by
scripts/virtuoso.sh) answers exactly as the embedded Oxigraph store; the API on it; the write
path (Graph Store Protocol and batched INSERT DATA) and the server's quirks.

The server tests are skipped, with the reason, where Virtuoso cannot be installed or started
(scripts/virtuoso.sh installs Debian's virtuoso-opensource when run as root). PLANKB_TEST_VIRTUOSO=0
skips them on purpose.
"""
from __future__ import annotations

import doctest
import json
import os
import subprocess
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from plankb.kb.store import backends
from plankb.kb.query import trace as T
from plankb.kb.store.backends import (OxigraphBackend, ResultCapReached, ServerError, SparqlServerBackend, as_backend,
                         plan_update, query_form, split_operations)
from plankb.kb.query.gaps import plan_gaps
from plankb.kb.settings import SparqlServerSettings
from plankb.kb.store import KnowledgeBase
from plankb.ingest.load import ingest_paths, remove_plan

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "examples" / "seeds"
SCRIPT = ROOT / "scripts" / "virtuoso.sh"
AI_QUOC = "phuong-ai-quoc-10660.cchc-2026-2030"
HAI_PHONG = "thanh-pho-hai-phong-31.cchc-2026-2030"
NQ76 = "http://plankb.org/id/legal/nq-76-2021-nq-cp"
XSD = "http://www.w3.org/2001/XMLSchema#"


# ---------------------------------------------------------------- without a server
def test_doctests():
    assert doctest.testmod(backends).failed == 0


def test_plankb_write_shape_becomes_graph_steps():
    body = '<http://s> <http://p> "a } b ; { c" .\n<http://s> <http://p> "x"@vi .\n'
    text = (f"DROP SILENT GRAPH <http://g/old> ;\nDROP SILENT GRAPH <http://g/1> ;\n"
            f"INSERT DATA {{ GRAPH <http://g/1> {{\n{body}}} }} ;\nINSERT DATA {{ GRAPH <http://g/2> {{\n{body}}} }}")
    steps = plan_update(text)
    assert [s[:2] for s in steps] == [("drop", "http://g/old"), ("put", "http://g/1"), ("post", "http://g/2")]
    assert len(steps[1][2]) == 2 and steps[1][2][0].object.value == "a } b ; { c"


@pytest.mark.parametrize("text", [
    "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "PREFIX pk: <http://plankb.org/ontology#> INSERT DATA { GRAPH <http://g> { <http://s> pk:p 1 } }",
    "INSERT DATA { <http://s> <http://p> <http://o> }",
    "CLEAR ALL",
], ids=["delete-where", "prefixed-names", "default-graph", "clear"])
def test_any_other_update_is_passed_through(text):
    assert plan_update(text) is None


def test_query_form_and_operations_ignore_strings_iris_and_comments():
    assert query_form('PREFIX ask: <http://x/select#> # CONSTRUCT\nDESCRIBE <http://x/ASK>') == "DESCRIBE"
    assert split_operations('INSERT DATA { GRAPH <http://g;1> { <http://s> <http://p> ";" } } ; # ;\n') == [
        'INSERT DATA { GRAPH <http://g;1> { <http://s> <http://p> ";" } } ']


def test_oxigraph_backend_is_the_store():
    kb = KnowledgeBase.in_memory()
    backend = kb.backend
    assert isinstance(backend, OxigraphBackend) and backend.store is kb.store
    before = backend.triple_count()
    backend.replace_graph("http://t/g", "<http://t/s> <http://t/p> \"1\" .")
    backend.replace_graph("http://t/g", "<http://t/s> <http://t/p> \"2\" .")
    assert backend.triple_count() == before + 1
    backend.drop_graph("http://t/g")
    assert backend.triple_count() == before


# ---------------------------------------------------------------- the server
@pytest.fixture(scope="module")
def virtuoso():
    """A throw-away Virtuoso on free loopback ports: its settings as a dict; stopped at the end."""
    if os.environ.get("PLANKB_TEST_VIRTUOSO", "1") == "0":
        pytest.skip("PLANKB_TEST_VIRTUOSO=0")
    t0 = time.perf_counter()
    try:
        run = subprocess.run(["bash", str(SCRIPT), "start"], capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as e:
        pytest.skip(f"scripts/virtuoso.sh could not run: {e}")
    if run.returncode != 0:
        reason = {3: "Virtuoso Open Source is not installed and cannot be installed here",
                  4: "Virtuoso Open Source did not start"}.get(run.returncode,
                                                               f"scripts/virtuoso.sh failed ({run.returncode})")
        pytest.skip(f"{reason}: {run.stderr.strip()[-500:]}")
    env = dict(line.split("=", 1) for line in run.stdout.split() if "=" in line)
    env["started_in"] = f"{time.perf_counter() - t0:.1f}"
    try:
        yield env
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop", env["VIRTUOSO_DIR"]], capture_output=True, timeout=60)


def server_settings(env: dict, **overrides) -> SparqlServerSettings:
    values = dict(query_url=env["PLANKB_SPARQL_QUERY"], update_url=env["PLANKB_SPARQL_UPDATE"],
                  gsp_url=env["PLANKB_SPARQL_GSP"], user=env["PLANKB_SPARQL_USER"],
                  password=env["PLANKB_SPARQL_PASSWORD"], result_cap=1_000_000, timeout=30.0)
    values.update(overrides)
    return SparqlServerSettings(**values)


@pytest.fixture(scope="module")
def kbs(virtuoso):
    """(embedded, server): the seeds ingested into each."""
    local = KnowledgeBase.in_memory()
    assert ingest_paths(local, [SEEDS], progress=False, validate=False).failed == 0
    remote = KnowledgeBase.open_server(server_settings(virtuoso))
    summary = ingest_paths(remote, [SEEDS], progress=False, validate=False)
    assert summary.failed == 0, summary.errors
    assert summary.added == 5
    yield local, remote
    remote.close()


def as_json(value):
    return json.loads(json.dumps(value, default=lambda o: o.model_dump(mode="json"), sort_keys=True))


def quads(kb: KnowledgeBase) -> set[str]:
    """Every quad as N-Quads text, ingest timestamps blanked (the two KBs were built seconds apart)."""
    out = set()
    for q in kb.store:
        o = q.object
        if q.predicate.value == "http://www.w3.org/ns/prov#generatedAtTime":
            assert isinstance(o, ox.Literal) and o.datatype.value == XSD + "dateTime"
            o = ox.Literal("T", datatype=o.datatype)
        out.add(str(ox.Quad(q.subject, q.predicate, o, q.graph_name)))
    return out


def test_the_server_holds_the_same_quads(kbs):
    local, remote = kbs
    assert isinstance(remote.store, SparqlServerBackend)
    assert remote.triple_count() == local.triple_count()
    assert [g.value for g in remote.store.named_graphs()] == sorted(g.value for g in local.store.named_graphs())
    assert quads(remote) == quads(local), "literals (lang, datatypes, Vietnamese text) round-trip"


def test_plan_list_and_task_counts_are_the_same(kbs):
    local, remote = kbs
    assert remote.plans() == local.plans()
    assert {p["id"]: p["tasks"] for p in remote.plans()} == {
        AI_QUOC: 62, "phuong-ba-dinh-4.cchc-2026": 100, "phuong-vo-cuong-9190.cchc-2026": 0,
        HAI_PHONG: 66, "xa-quyet-thang-11761.cchc-2026": 38}
    assert remote.missing_sources() == local.missing_sources()


def test_plans_citing_nq76_are_the_same(kbs):
    local, remote = kbs
    # written out as a UNION: Virtuoso answers `?cited owl:sameAs? <NQ76>` with NQ 76 alone
    citing = f"""SELECT DISTINCT ?plan WHERE {{ ?plan a pk:Plan .
                 {{ ?plan eli:based_on|eli:cites <{NQ76}> }} UNION
                 {{ ?plan eli:based_on|eli:cites ?cited . ?cited owl:sameAs <{NQ76}> }} }} ORDER BY ?plan"""
    assert remote.select(citing) == local.select(citing)
    assert len(remote.select(citing)) == 4
    assert remote.run_named_query("list_plans_citing") == local.run_named_query("list_plans_citing")
    assert as_json(T.legal_dependents(remote, "76/NQ-CP")) == as_json(T.legal_dependents(local, "76/NQ-CP"))


def test_traces_are_the_same(kbs):
    local, remote = kbs
    task = f"{AI_QUOC}.II.2.a.1"
    tr = T.trace_task(remote, task)
    assert tr.model_dump(mode="json") == T.trace_task(local, task).model_dump(mode="json")
    assert tr.hops[1].id == f"{HAI_PHONG}.II.2.a.1"
    ai_quoc = [t for t in T.all_task_ids(local) if t.startswith(AI_QUOC)]
    assert len(ai_quoc) == 62
    assert [T.trace_task(remote, t).model_dump(mode="json") for t in ai_quoc] == \
        [T.trace_task(local, t).model_dump(mode="json") for t in ai_quoc]


@pytest.mark.parametrize("name", sorted(p.stem for p in (ROOT / "ontology" / "queries").glob("*.rq")))
def test_example_queries_give_the_same_rows(kbs, name):
    """The SPARQL page's example queries (ontology/queries): the same rows; rows that tie on the
    ORDER BY keys may come in another order."""
    local, remote = kbs
    a, b = remote.run_named_query(name), local.run_named_query(name)
    key = lambda row: sorted((k, repr(v)) for k, v in row.items())  # noqa: E731
    assert len(a) == len(b) and sorted(map(key, a)) == sorted(map(key, b))


def test_find_tasks_and_gaps_are_the_same(kbs):
    local, remote = kbs
    rows = T.find_tasks(remote, unit="phong van hoa xa hoi")
    assert rows and as_json(rows) == as_json(T.find_tasks(local, unit="phong van hoa xa hoi"))
    more = T.find_tasks(remote, unit="phong van hoa xa hoi", counterparts=True)
    assert as_json(more) == as_json(T.find_tasks(local, unit="phong van hoa xa hoi", counterparts=True))
    assert plan_gaps(remote, AI_QUOC).model_dump(mode="json") == plan_gaps(local, AI_QUOC).model_dump(mode="json")


def test_reingest_is_idempotent_on_the_server(kbs):
    _, remote = kbs
    before = remote.triple_count()
    summary = ingest_paths(remote, [SEEDS], progress=False, validate=False)
    assert summary.unchanged == 5 and remote.triple_count() == before


def test_a_changed_file_replaces_its_graph_and_a_plan_can_be_removed(kbs, tmp_path):
    """A changed document (same plan id, other bytes) replaces its graph (GSP PUT) and removing a
    plan drops it, as in the embedded store; the seeds are ingested again at the end (on the
    server through the bulk path)."""
    local, remote = kbs
    src = next(SEEDS.glob("004_*.txt"))
    doc = tmp_path / src.name
    doc.write_text(src.read_text(encoding="utf-8") + "\nGhi chú thêm: bản sửa đổi.\n", encoding="utf-8")
    plan_id = "phuong-vo-cuong-9190.cchc-2026"
    try:
        for kb in (local, remote):
            assert ingest_paths(kb, [doc], progress=False, validate=False).replaced == 1
        assert quads(remote) == quads(local)
        for kb in (local, remote):
            assert remove_plan(kb, plan_id)
        assert plan_id not in {p["id"] for p in remote.plans()}
        assert quads(remote) == quads(local)
        # a parent plan: its children's links and alignments change by a delta (DELETE DATA too)
        for kb in (local, remote):
            assert remove_plan(kb, "thanh-pho-hai-phong-31.cchc-2026-2030")
        assert quads(remote) == quads(local)
    finally:  # the server through the bulk path (worker processes, Store.load -> GSP POST)
        assert ingest_paths(local, [SEEDS], progress=False, validate=False).failed == 0
        assert ingest_paths(remote, [SEEDS], progress=False, validate=False, workers=2).failed == 0
    assert quads(remote) == quads(local) and len(remote.plans()) == 5


@pytest.mark.parametrize("with_gsp", [True, False], ids=["graph-store-protocol", "insert-data-batches"])
def test_large_graphs_are_written_in_batches(virtuoso, with_gsp):
    """3,000 triples: over Virtuoso's limit for one INSERT DATA operation (about 1,200)."""
    s = server_settings(virtuoso)
    backend = SparqlServerBackend(s.query_url, s.update_url, s.gsp_url if with_gsp else None, user=s.user,
                                  password=s.password, graph_prefix="http://batch.test/", batch_bytes=64 * 1024)
    g = f"http://batch.test/graph/{'gsp' if with_gsp else 'update'}"
    nt = "".join(f'<http://batch.test/s{i}> <http://batch.test/p> "việc {i} {{;}}"@vi .\n' for i in range(3000))
    try:
        as_backend(backend).replace_graph(g, nt)
        assert backend.triple_count() == 3000
        backend.update(f"DROP SILENT GRAPH <{g}> ;\nINSERT DATA {{ GRAPH <{g}> {{\n{nt[:nt.index(chr(10)) + 1]}}} }}")
        assert backend.triple_count() == 1, "a dropped-then-inserted graph is replaced"
        row = next(iter(backend.query(f"SELECT ?o WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}")))
        assert row["o"] == ox.Literal("việc 0 {;}", language="vi")
        backend.drop_graph(g)
        assert backend.triple_count() == 0 and not backend.contains_named_graph(ox.NamedNode(g))
    finally:
        backend.close()


def test_server_quirks_are_handled(virtuoso, kbs):
    _, remote = kbs
    store = remote.store
    # booleans: Virtuoso's JSON results say "1"; the backend asks for XML, which says "true"
    assert remote.select(f"SELECT ?i WHERE {{ <{NQ76}> pk:ingested ?i }} LIMIT 1") == [{"i": False}]
    # the server's own graphs (Virtuoso's system graphs) are outside the KB
    assert not store.contains_named_graph(ox.NamedNode("http://www.openlinksw.com/schemas/virtrdf#"))
    # a result as long as the server's row limit is refused rather than passed on cut
    s = server_settings(virtuoso, result_cap=5)
    capped = SparqlServerBackend.from_settings(s, graph_prefix=remote.store.graph_prefix)
    try:
        with pytest.raises(ResultCapReached):
            capped.query("SELECT ?g WHERE { GRAPH ?g { ?s a <http://plankb.org/ontology#Plan> } }")
        assert len(list(capped.query("SELECT ?g WHERE { GRAPH ?g { ?s a <http://plankb.org/ontology#Plan> } } "
                                     "LIMIT 5"))) == 5
    finally:
        capped.close()
    with pytest.raises(SyntaxError):
        store.query("SELECT * WHERE { ?s ?p ")
    no_update = SparqlServerBackend(s.query_url)  # anonymous, no update endpoint
    try:
        with pytest.raises(ServerError):
            no_update.update("DROP SILENT GRAPH <http://batch.test/x>")
    finally:
        no_update.close()
    triples = store.query(f"CONSTRUCT {{ <{NQ76}> ?p ?o }} WHERE {{ <{NQ76}> ?p ?o }}")
    assert isinstance(triples, ox.QueryTriples) and len(list(triples)) >= 3


def test_api_on_the_server(kbs):
    from fastapi.testclient import TestClient

    from plankb.api.app import Settings, create_app

    local, remote = kbs
    with TestClient(create_app(Settings(max_rows=3), local)) as lc, \
            TestClient(create_app(Settings(max_rows=3), remote)) as rc:
        for path in ("/api/plans", f"/api/plans/{AI_QUOC}", f"/api/tasks/{AI_QUOC}.II.2.a.1",
                     "/api/legal/nq-76-2021-nq-cp"):
            r, l = rc.get(path), lc.get(path)
            assert r.status_code == l.status_code == 200, path
            assert r.json() == l.json(), path
        page = rc.get(f"/plans/{AI_QUOC}", headers={"Accept": "text/html"})
        assert page.status_code == 200 and "Ái Quốc" in page.text
        # /sparql proxies to the server with the same checks: row cap, SERVICE and FROM refusal, read-only
        q = "SELECT ?id WHERE { ?p a pk:Plan ; dcterms:identifier ?id } ORDER BY ?id"
        r, l = rc.get("/sparql", params={"query": q}), lc.get("/sparql", params={"query": q})
        assert r.status_code == 200 and r.json() == l.json()
        assert r.headers["Plankb-Truncated"] == "true" and len(r.json()["results"]["bindings"]) == 3
        nt = rc.get("/sparql", params={"query": f"CONSTRUCT WHERE {{ <{NQ76}> a ?t }}", "format": "nt"})
        assert nt.status_code == 200 and NQ76 in nt.text
        service = "ASK { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }"
        assert rc.get("/sparql", params={"query": service}).status_code == 403
        outside = "SELECT * FROM <http://www.openlinksw.com/schemas/virtrdf#> WHERE { ?s ?p ?o } LIMIT 1"
        assert rc.get("/sparql", params={"query": outside}).status_code == 400
        assert rc.post("/sparql", data={"update": "CLEAR ALL"}).status_code == 403
        bad = rc.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p "})
        assert bad.status_code == 400
