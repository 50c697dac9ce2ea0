"""/sparql at scale: the result cache (keys, invalidation by writes, ETag/304, byte bound, one
evaluation for identical concurrent requests) and the queue policy (slow queries never hold
every worker, so a cheap query is answered while slow ones run)."""
from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from plankb.api.app import Settings, create_app
from plankb.api.sparql import Job, Outcome, ProcessEngine, QueryFailed, ResultCache
from plankb.kb.store import KnowledgeBase

FIXTURE = Path(__file__).parent / "fixtures" / "sparql_fixture.trig"
ID = "http://plankb.org/id/"
G = ID + "graph/ke-hoach-ai-quoc-2026-2030"
TOKEN = "secret-admin-token"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
JSON = {"Accept": "application/sparql-results+json"}
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def count(r) -> int:
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


@pytest.fixture
def kb() -> KnowledgeBase:
    kb = KnowledgeBase.in_memory()
    kb.store.load(path=str(FIXTURE))
    return kb


@pytest.fixture
def client(kb):
    with TestClient(create_app(Settings(admin_token=TOKEN), kb)) as c:
        yield c


def test_repeated_query_is_served_from_the_cache(client):
    first = client.get("/sparql", params={"query": COUNT}, headers=JSON)
    again = client.get("/sparql", params={"query": COUNT}, headers=JSON)
    assert first.headers["plankb-cache"] == "miss" and again.headers["plankb-cache"] == "hit"
    assert first.content == again.content and count(again) > 0
    assert first.headers["etag"] == again.headers["etag"] and first.headers["cache-control"] == "no-cache"
    # the same text in another format, with another dataset or over POST: its own entry / the same
    xml = client.get("/sparql", params={"query": COUNT, "format": "xml"})
    assert xml.headers["plankb-cache"] == "miss" and xml.headers["etag"] != first.headers["etag"]
    one_graph = client.get("/sparql", params={"query": COUNT, "default-graph-uri": G}, headers=JSON)
    assert one_graph.headers["plankb-cache"] == "miss" and count(one_graph) < count(first)
    posted = client.post("/sparql", content=COUNT, headers={"Content-Type": "application/sparql-query", **JSON})
    assert posted.headers["plankb-cache"] == "hit" and posted.content == first.content


def test_if_none_match_gets_304_until_the_kb_changes(client):
    first = client.get("/sparql", params={"query": COUNT}, headers=JSON)
    etag = first.headers["etag"]
    r = client.get("/sparql", params={"query": COUNT}, headers={**JSON, "If-None-Match": etag})
    assert r.status_code == 304 and r.content == b"" and r.headers["etag"] == etag
    r = client.get("/sparql", params={"query": COUNT}, headers={**JSON, "If-None-Match": 'W/"other", ' + etag})
    assert r.status_code == 304
    r = client.get("/sparql", params={"query": COUNT}, headers={**JSON, "If-None-Match": 'W/"other"'})
    assert r.status_code == 200
    u = client.post("/sparql", data={"update": f'INSERT DATA {{ GRAPH <{G}> {{ <{ID}x> <{ID}p> "mới" }} }}'},
                    headers=AUTH)
    assert u.status_code == 204, u.text
    r = client.get("/sparql", params={"query": COUNT}, headers={**JSON, "If-None-Match": etag})
    assert r.status_code == 200 and r.headers["etag"] != etag and count(r) == count(first) + 1


def test_sparql_update_invalidates_cached_answers(client):
    before = count(client.get("/sparql", params={"query": COUNT}, headers=JSON))
    assert client.get("/sparql", params={"query": COUNT}, headers=JSON).headers["plankb-cache"] == "hit"
    u = client.post("/sparql", data={"update": f'INSERT DATA {{ GRAPH <{G}> {{ <{ID}x> <{ID}p> "a", "b" }} }}'},
                    headers=AUTH)
    assert u.status_code == 204, u.text
    after = client.get("/sparql", params={"query": COUNT}, headers=JSON)
    assert after.headers["plankb-cache"] == "miss" and count(after) == before + 2
    # a refused update (no token) changes nothing and keeps the cache
    assert client.post("/sparql", data={"update": f"CLEAR GRAPH <{G}>"}).status_code == 403
    assert client.get("/sparql", params={"query": COUNT}, headers=JSON).headers["plankb-cache"] == "hit"


def test_a_write_through_the_knowledge_base_invalidates_cached_answers(client, kb):
    before = count(client.get("/sparql", params={"query": COUNT}, headers=JSON))
    kb.store.add(ox.Quad(ox.NamedNode(ID + "y"), ox.NamedNode(ID + "p"), ox.Literal("z"), ox.NamedNode(G)))
    kb.mark_changed()  # what every KnowledgeBase write (ingest_record, remove_plan…) does
    r = client.get("/sparql", params={"query": COUNT}, headers=JSON)
    assert r.headers["plankb-cache"] == "miss" and count(r) == before + 1


def test_cache_off_when_disabled_or_for_a_bare_store(kb):
    with TestClient(create_app(Settings(query_cache_bytes=0), kb)) as c:
        r = c.get("/sparql", params={"query": COUNT}, headers=JSON)
        assert r.status_code == 200 and "plankb-cache" not in r.headers and "etag" not in r.headers
        assert c.app.state.sparql.cache is None
    bare = ox.Store()
    bare.load(path=str(FIXTURE))
    with TestClient(create_app(Settings(), bare)) as c:  # may be written behind the app's back
        n = count(c.get("/sparql", params={"query": COUNT}, headers=JSON))
        bare.add(ox.Quad(ox.NamedNode(ID + "y"), ox.NamedNode(ID + "p"), ox.Literal("z"), ox.NamedNode(G)))
        assert count(c.get("/sparql", params={"query": COUNT}, headers=JSON)) == n + 1


def test_identical_concurrent_queries_are_evaluated_once(client):
    engine = client.app.state.sparql.engine
    real_run, calls = engine.run, []

    async def slow_run(job):
        calls.append(job.query)
        await asyncio.sleep(0.5)
        return await real_run(job)

    engine.run = slow_run
    try:
        with ThreadPoolExecutor(6) as pool:
            answers = list(pool.map(lambda _: client.get("/sparql", params={"query": COUNT}, headers=JSON), range(6)))
    finally:
        engine.run = real_run
    assert len(calls) == 1
    assert {a.status_code for a in answers} == {200} and len({a.content for a in answers}) == 1
    assert sorted(a.headers["plankb-cache"] for a in answers).count("miss") == 1


def test_result_cache_is_bounded_in_bytes():
    cache = ResultCache(40_000)
    body = b"x" * 5_000
    for k in range(20):
        assert cache.put(f"k{k}", Outcome(body, 1, False))
        assert cache.bytes <= 40_000
    assert len(cache) < 20 and cache.get("k0") is None and cache.get("k19") is not None
    cache.get("k13")  # recently used: kept over older ones
    cache.put("new", Outcome(body, 1, False))
    assert cache.get("k13") is not None
    assert not cache.put("huge", Outcome(b"y" * 20_000, 1, False))  # over a quarter of the budget
    assert cache.get("huge") is None


# ------------------------------------------------------------------ queue policy (worker processes)

CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture
def disk_store(tmp_path) -> tuple[ox.Store, Path]:
    path = tmp_path / "store"
    store = ox.Store(str(path))
    store.load(path=str(FIXTURE))
    g = ox.NamedNode(ID + "graph/bulk")
    p = ox.NamedNode("http://plankb.org/ontology#text")
    store.extend(ox.Quad(ox.NamedNode(f"{ID}task/bulk-{i}"), p, ox.Literal(f"Nhiệm vụ số {i}", language="vi"), g)
                 for i in range(2000))
    store.flush()
    return store, path


def _ready(engine: ProcessEngine, n: int) -> None:
    with ThreadPoolExecutor(n) as pool:
        list(pool.map(lambda _: engine._roundtrip(Job("ASK {}", "ASK", "json", 10), 30), range(n)))


def test_a_cheap_query_is_answered_while_slow_ones_hold_the_workers(disk_store):
    store, path = disk_store
    engine = ProcessEngine(store, path, timeout=3.0, workers=2)
    engine.start()
    try:
        _ready(engine, 2)
        slow = Job(CARTESIAN, "SELECT", "json", 10)
        with pytest.raises(QueryFailed) as e:  # its first run passes the deadline: now known as slow
            engine._roundtrip(slow, 3.0)
        assert e.value.kind == "timeout" and engine._is_slow(slow)
        _ready(engine, 2)  # the killed worker has been replaced
        outcomes: list[str] = []

        def run_slow() -> None:
            try:
                engine._roundtrip(slow, 3.0)
                outcomes.append("ok")
            except QueryFailed as err:
                outcomes.append(err.kind)

        threads = [threading.Thread(target=run_slow) for _ in range(3)]
        for t in threads:
            t.start()
        time.sleep(0.4)
        started = time.monotonic()
        cheap = engine._roundtrip(Job("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1", "SELECT", "json", 10), 3.0)
        took = time.monotonic() - started
        for t in threads:
            t.join()
        assert cheap.rows == 1
        assert took < 1.5, f"the cheap query waited {took:.1f} s behind slow ones"
        assert set(outcomes) <= {"timeout", "busy"} and len(outcomes) == 3
    finally:
        engine.close()
