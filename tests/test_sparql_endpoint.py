"""The /sparql endpoint: protocol, formats, named graphs, refusals, limits, the page.

In-process tests use `with TestClient(create_app(...)) as c:` on an in-memory store (thread
mode). The `server` fixture runs a real uvicorn on a free 127.0.0.1 port over an on-disk store
(worker-process mode) for SPARQLWrapper and for the timeout-under-concurrency test.
"""
from __future__ import annotations

import csv
import io
import json
import re
import socket
import threading
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import rdflib
import uvicorn
from fastapi.testclient import TestClient
from SPARQLWrapper import JSON, POST, POSTDIRECTLY, RDFXML, TURTLE, XML, SPARQLWrapper

from plankb.api.app import Settings, create_app
from plankb.api.sparql import analyze_query

FIXTURE = Path(__file__).parent / "fixtures" / "sparql_fixture.trig"
ID = "http://plankb.org/id/"
G_AI_QUOC = ID + "graph/ke-hoach-ai-quoc-2026-2030"
G_VO_CUONG = ID + "graph/ke-hoach-vo-cuong-2026"
G_LINKS = ID + "graph/links"
SRX = "{http://www.w3.org/2005/sparql-results#}"
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")

PLANS_CITING_76 = """
PREFIX eli: <http://data.europa.eu/eli/ontology#>
SELECT DISTINCT ?plan ?label WHERE {
  ?plan eli:based_on ?doc ; rdfs:label ?label .
  ?doc eli:id_local "76/NQ-CP" .
} ORDER BY ?plan
"""
LABELS_CONSTRUCT = "CONSTRUCT { ?s rdfs:label ?l } WHERE { GRAPH <%s> { ?s rdfs:label ?l } }" % G_AI_QUOC
CARTESIAN_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
CARTESIAN_ALL = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def load_fixture(store: ox.Store) -> ox.Store:
    store.load(path=str(FIXTURE))
    return store


@pytest.fixture
def store() -> ox.Store:
    return load_fixture(ox.Store())


@pytest.fixture
def client(store):
    with TestClient(create_app(Settings(), kb=store)) as c:
        yield c


def select(client, query, **kw):
    r = client.get("/sparql", params={"query": query}, **kw)
    assert r.status_code == 200, r.text
    return r


def rows(response) -> list[dict[str, str]]:
    data = response.json()
    return [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]


def problem(response, status: int, slug: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert {"type", "title", "status", "detail"} <= body.keys()
    assert body["status"] == status
    assert "Traceback" not in response.text
    if slug:
        assert body["type"].endswith("/" + slug)
    return body


# ------------------------------------------------------------------ protocol and formats

def test_get_post_form_and_post_query_agree(client):
    a = client.get("/sparql", params={"query": PLANS_CITING_76})
    b = client.post("/sparql", data={"query": PLANS_CITING_76})
    c = client.post("/sparql", content=PLANS_CITING_76.encode(), headers={"Content-Type": "application/sparql-query"})
    assert a.status_code == b.status_code == c.status_code == 200
    assert a.headers["content-type"] == "application/sparql-results+json"
    assert rows(a) == rows(b) == rows(c)
    assert [r["plan"] for r in rows(a)] == [ID + "plan/ke-hoach-ai-quoc-2026-2030", ID + "plan/ke-hoach-vo-cuong-2026"]
    assert rows(a)[0]["label"] == "Kế hoạch cải cách hành chính phường Ái Quốc giai đoạn 2026 – 2030"


def test_json_results_match_oxigraph_serializer(client, store):
    query = "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?s ?p ?o"
    ours = select(client, query).json()
    theirs = json.loads(store.query(query).serialize(format=ox.QueryResultsFormat.JSON))
    assert ours == theirs
    assert len(ours["results"]["bindings"]) == len(store)


def test_select_xml(client):
    r = select(client, PLANS_CITING_76, headers={"Accept": "application/sparql-results+xml"})
    assert r.headers["content-type"] == "application/sparql-results+xml"
    root = ET.fromstring(r.content)
    assert [v.get("name") for v in root.iter(SRX + "variable")] == ["plan", "label"]
    results = root.findall(f"{SRX}results/{SRX}result")
    assert len(results) == 2
    literal = results[1].find(f"{SRX}binding[@name='label']/{SRX}literal")
    assert literal.text == "Kế hoạch cải cách hành chính năm 2026 của phường Võ Cường"
    assert literal.get("{http://www.w3.org/XML/1998/namespace}lang") == "vi"


def test_select_csv(client):
    r = select(client, PLANS_CITING_76, headers={"Accept": "text/csv"})
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    table = list(csv.reader(io.StringIO(r.text)))
    assert table[0] == ["plan", "label"]
    assert table[2] == [ID + "plan/ke-hoach-vo-cuong-2026", "Kế hoạch cải cách hành chính năm 2026 của phường Võ Cường"]


def test_select_tsv(client):
    q = 'SELECT ?doc ?n WHERE { ?doc eli:id_local ?n FILTER(?n = "1478/QĐ-UBND") } LIMIT 1'
    r = select(client, q, headers={"Accept": "text/tab-separated-values"})
    lines = r.text.rstrip("\n").split("\n")
    assert lines[0] == "?doc\t?n"
    assert lines[1] == f'<{ID}legal/qd-1478-2026-qd-ubnd>\t"1478/QĐ-UBND"'


@pytest.mark.parametrize("accept, body", [
    ("application/sparql-results+json", lambda t: json.loads(t)["boolean"]),
    ("application/sparql-results+xml", lambda t: ET.fromstring(t).find(SRX + "boolean").text == "true"),
    ("text/csv", lambda t: t == "true"),
])
def test_ask(client, accept, body):
    r = select(client, 'ASK { ?d eli:id_local "76/NQ-CP" }', headers={"Accept": accept})
    assert body(r.text) is True


@pytest.mark.parametrize("accept, rdflib_format", [
    ("text/turtle", "turtle"),
    ("application/n-triples", "nt"),
    ("application/ld+json", "json-ld"),
    ("application/rdf+xml", "xml"),
    ("application/n-quads", "nquads"),
    ("application/trig", "trig"),
])
def test_construct_formats_parse_back(client, accept, rdflib_format):
    r = select(client, LABELS_CONSTRUCT, headers={"Accept": accept})
    assert r.headers["content-type"].split(";")[0] == accept
    g = rdflib.Dataset() if rdflib_format in ("nquads", "trig") else rdflib.Graph()
    g.parse(data=r.text, format=rdflib_format)
    labels = {str(o) for _, _, o in g.triples((None, rdflib.RDFS.label, None))}
    assert labels == {"Kế hoạch cải cách hành chính phường Ái Quốc giai đoạn 2026 – 2030",
                      "Nghị quyết số 76/NQ-CP", "Quyết định số 1478/QĐ-UBND"}


def test_describe_defaults_to_turtle(client):
    r = select(client, f"DESCRIBE <{ID}legal/kh-69-2025-kh-ubnd>")
    assert r.headers["content-type"] == "text/turtle; charset=utf-8"
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    assert (rdflib.URIRef(ID + "legal/kh-69-2025-kh-ubnd"), rdflib.URIRef("http://data.europa.eu/eli/ontology#id_local"),
            rdflib.Literal("69/KH-UBND")) in g


def test_format_parameter_overrides_accept(client):
    r = client.get("/sparql", params={"query": PLANS_CITING_76, "format": "csv"},
                   headers={"Accept": "application/sparql-results+xml"})
    assert r.headers["content-type"].startswith("text/csv")
    r = client.get("/sparql", params={"query": LABELS_CONSTRUCT, "format": "jsonld"})
    assert r.headers["content-type"] == "application/ld+json"


@pytest.mark.parametrize("query, accept", [
    (PLANS_CITING_76, "text/turtle"),
    (LABELS_CONSTRUCT, "text/csv"),
    (PLANS_CITING_76, "image/png, application/pdf;q=0.5"),
])
def test_406_lists_acceptable_types(client, query, accept):
    body = problem(client.get("/sparql", params={"query": query}, headers={"Accept": accept}), 406, "not-acceptable")
    assert body["acceptable"]
    for media_type in body["acceptable"]:
        assert media_type in body["detail"]


# ------------------------------------------------------------------ named graphs and datasets

def test_named_graphs_and_union_default_graph(client):
    graphs = {r["g"] for r in rows(select(client, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"))}
    assert graphs == {G_AI_QUOC, G_VO_CUONG, G_LINKS}
    # default graph = union: a pattern joining two graphs (plan in one, ingested flag in links)
    q = 'SELECT DISTINCT ?doc WHERE { ?plan eli:based_on ?doc . ?doc pk:ingested false } ORDER BY ?doc'
    assert len(rows(select(client, q))) == 3


def test_from_existing_graph_restricts_the_default_graph(client):
    q = f"SELECT DISTINCT ?plan FROM <{G_VO_CUONG}> WHERE {{ ?plan a pk:Plan }}"
    assert [r["plan"] for r in rows(select(client, q))] == [ID + "plan/ke-hoach-vo-cuong-2026"]
    q = f"PREFIX g: <{ID}graph/>\nSELECT ?g (COUNT(*) AS ?n) FROM NAMED g:links WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g"
    assert rows(select(client, q)) == [{"g": G_LINKS, "n": "3"}]
    r = client.get("/sparql", params={"query": "SELECT DISTINCT ?plan WHERE { ?plan a pk:Plan }",
                                      "default-graph-uri": G_AI_QUOC})
    assert [b["plan"] for b in rows(r)] == [ID + "plan/ke-hoach-ai-quoc-2026-2030"]


@pytest.mark.parametrize("query, params", [
    ("SELECT * FROM <http://example.org/x> WHERE { ?s ?p ?o }", {}),
    ("SELECT * FROM NAMED <http://example.org/x> WHERE { GRAPH ?g { ?s ?p ?o } }", {}),
    ("PREFIX ex: <http://example.org/>\nselect * # FROM <%s>\nfrom ex:x where { ?s ?p ?o }" % G_LINKS, {}),
    ("BASE <http://example.org/>\nSELECT * FROM <x> WHERE { ?s ?p ?o }", {}),
    ("SELECT * FROM nope:x WHERE { ?s ?p ?o }", {}),
    ("SELECT * WHERE { ?s ?p ?o }", {"default-graph-uri": "http://example.org/x"}),
    ("SELECT * WHERE { ?s ?p ?o }", {"named-graph-uri": "http://127.0.0.1:1/"}),
])
def test_from_outside_the_store_is_refused(client, query, params):
    body = problem(client.get("/sparql", params={"query": query, **params}), 400, "unknown-graph")
    assert "fetched" in body["detail"] or "prefix" in body["detail"]


SERVICE_QUERIES = [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }",
    "select * where { service silent <http://127.0.0.1:1/> { ?s ?p ?o } }",
    "SELECT * WHERE { ?x ?y ?z . SeRvIcE<http://127.0.0.1:1/>{ ?s ?p ?o } }",
    "PREFIX ex: <http://127.0.0.1:1/>\nSELECT * WHERE { # comment }\n SERVICE ex:sparql { ?s ?p ?o } }",
    "SELECT * WHERE { BIND(<http://127.0.0.1:1/> AS ?e) SERVICE ?e { ?s ?p ?o } }",
    "ASK { ?a ?b ?c FILTER(?a<?b)SERVICE?x#>\n{ ?s ?p ?o } }",
    "ASK { ?a ?b ?c FILTER(?a<?b)SERVICE#>\n<http://127.0.0.1:1/> { ?s ?p ?o } }",
]
NOT_SERVICE_QUERIES = [
    "SELECT * WHERE { ?s ?p 'SERVICE <http://127.0.0.1:1/>' }",
    'SELECT * WHERE { ?s ?p """\nSERVICE <http://x/> { }\n""" }',
    "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://127.0.0.1:1/> { }",
    "PREFIX service: <http://x/>\nSELECT ?service WHERE { ?service service:p <http://x/service#a> }",
    "SELECT * WHERE { ?s <http://example.org/web-service#endpoint> ?o }",
]


@pytest.mark.parametrize("query", SERVICE_QUERIES)
def test_analyze_finds_service(query):
    assert analyze_query(query).uses_service


@pytest.mark.parametrize("query", NOT_SERVICE_QUERIES)
def test_analyze_ignores_service_in_strings_comments_names(query):
    assert not analyze_query(query).uses_service


@pytest.mark.parametrize("query", SERVICE_QUERIES)
def test_service_is_refused(client, query):
    body = problem(client.get("/sparql", params={"query": query}), 403, "service-refused")
    assert "SERVICE" in body["detail"]


def test_harmless_service_lookalikes_run(client):
    for query in NOT_SERVICE_QUERIES:
        assert client.get("/sparql", params={"query": query}).status_code == 200, query


# ------------------------------------------------------------------ updates

UPDATE = f'INSERT DATA {{ GRAPH <{ID}graph/test> {{ <{ID}plan/x> <http://www.w3.org/2000/01/rdf-schema#label> "Kế hoạch thử" }} }}'


@pytest.mark.parametrize("kwargs", [
    {"data": {"update": UPDATE}},
    {"content": UPDATE.encode(), "headers": {"Content-Type": "application/sparql-update"}},
    {"data": {"update": "LOAD <http://127.0.0.1:1/data.ttl>"}},
    {"data": {"update": "CLEAR ALL"}},
])
def test_updates_are_refused_when_read_only(client, store, kwargs):
    size = len(store)
    body = problem(client.post("/sparql", **kwargs), 403, "read-only")
    assert "read-only" in body["detail"]
    assert len(store) == size


def test_update_sent_as_query_is_rejected(client):
    problem(client.get("/sparql", params={"query": "CLEAR ALL"}), 400)
    problem(client.get("/sparql", params={"update": "CLEAR ALL"}), 403)


def test_update_needs_the_admin_token(store):
    with TestClient(create_app(Settings(admin_token="bí-mật"), kb=store)) as c:
        assert c.post("/sparql", data={"update": UPDATE}).status_code == 403
        r = c.post("/sparql", data={"update": UPDATE}, headers={"Authorization": "Bearer wrong"})
        problem(r, 403)
        assert r.headers["www-authenticate"].startswith("Bearer")
        r = c.post("/sparql", content=UPDATE.encode(), headers={"Content-Type": "application/sparql-update",
                                                                 "Authorization": "Bearer bí-mật".encode()})
        assert r.status_code == 204, r.text
        assert select(c, f'ASK {{ GRAPH <{ID}graph/test> {{ ?s rdfs:label "Kế hoạch thử" }} }}').json()["boolean"]
        problem(c.get("/sparql", params={"update": UPDATE}, headers={"Authorization": "Bearer bí-mật".encode()}), 400)
        r = c.post("/sparql", data={"update": "LOAD <http://127.0.0.1:1/x.ttl>"},
                   headers={"Authorization": "Bearer bí-mật".encode()})
        problem(r, 400)  # oxigraph refuses port 1; a real URL would be fetched for the admin
        r = c.post("/sparql", data={"update": "INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }"},
                   headers={"Authorization": "Bearer bí-mật".encode()})
        problem(r, 403, "service-refused")
        sd = rdflib.Graph().parse(data=c.get("/sparql", headers={"Accept": "text/turtle"}).text, format="turtle")
        assert (None, SD.supportedLanguage, SD.SPARQL11Update) in sd


# ------------------------------------------------------------------ errors and limits

def test_problem_details(client):
    body = problem(client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"}), 400, "malformed-query")
    assert "error" in body["detail"].lower()
    problem(client.get("/sparql", params={"query": "hello"}), 400, "malformed-query")
    problem(client.get("/sparql", params={"query": ["ASK {}", "ASK {}"]}), 400)
    problem(client.post("/sparql", data={"query": "ASK {}", "update": "CLEAR ALL"}), 400)
    problem(client.post("/sparql", content=b"ASK {}", headers={"Content-Type": "text/plain"}), 415)
    problem(client.get("/no-such-page"), 404)
    problem(client.put("/sparql"), 405)


def test_query_size_limit(store):
    with TestClient(create_app(Settings(max_query_bytes=1000), kb=store)) as c:
        big = "ASK { ?s ?p '" + "x" * 1000 + "' }"
        problem(c.get("/sparql", params={"query": big}), 413, "query-too-large")
        problem(c.post("/sparql", data={"query": big}), 413)
        problem(c.post("/sparql", content=big.encode(), headers={"Content-Type": "application/sparql-query"}), 413)
        assert c.post("/sparql", data={"query": "ASK { ?s ?p 'x' }"}).status_code == 200


def test_row_cap_truncates_and_says_so(store):
    with TestClient(create_app(Settings(max_rows=5), kb=store)) as c:
        r = select(c, "SELECT * WHERE { ?s ?p ?o }")
        assert len(r.json()["results"]["bindings"]) == 5
        assert r.headers["plankb-truncated"] == "true" and r.headers["plankb-row-limit"] == "5"
        r = select(c, "SELECT * WHERE { ?s ?p ?o } LIMIT 3")
        assert "plankb-truncated" not in r.headers
        r = select(c, "CONSTRUCT WHERE { ?s ?p ?o }", headers={"Accept": "application/n-triples"})
        assert len(r.text.strip().splitlines()) == 5 and r.headers["plankb-truncated"] == "true"
        started = time.monotonic()
        r = select(c, CARTESIAN_ALL, headers={"Accept": "text/csv"})  # 47^3 rows, cut at 5
        assert len(r.text.strip().splitlines()) == 6 and time.monotonic() - started < 2


def bulk_store(store: ox.Store, n: int = 3000) -> ox.Store:
    g = ox.NamedNode(ID + "graph/bulk")
    p = ox.NamedNode("http://plankb.org/ontology#text")
    store.extend(ox.Quad(ox.NamedNode(f"{ID}task/bulk-{i}"), p, ox.Literal(f"Nhiệm vụ số {i}", language="vi"), g)
                 for i in range(n))
    return store


def test_thread_mode_timeout_stops_a_streaming_cartesian_product(store):
    """In-memory store: the deadline is checked between result rows (see api.sparql docstring)."""
    with TestClient(create_app(Settings(query_timeout=0.5, max_rows=10**9), kb=bulk_store(store, 1000))) as c:
        started = time.monotonic()
        body = problem(c.get("/sparql", params={"query": CARTESIAN_ALL}), 503, "query-timeout")
        assert time.monotonic() - started < 3
        assert "0.5 s" in body["detail"]
        assert select(c, "ASK { ?s ?p ?o }").json()["boolean"]


# ------------------------------------------------------------------ service description and page

@pytest.mark.parametrize("accept, fmt", [
    (None, "turtle"), ("*/*", "turtle"), ("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
    ("application/n-triples", "nt"), ("application/rdf+xml", "xml"),
])
def test_service_description(client, accept, fmt):
    r = client.get("/sparql", headers={"Accept": accept} if accept else {})
    assert r.status_code == 200
    g = rdflib.Graph().parse(data=r.text, format=fmt)
    service = rdflib.URIRef("http://testserver/sparql")
    assert (service, rdflib.RDF.type, SD.Service) in g
    assert (service, SD.endpoint, service) in g
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in g
    assert (service, SD.supportedLanguage, SD.SPARQL11Update) not in g
    assert (service, SD.resultFormat, rdflib.URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON")) in g
    assert {str(o) for o in g.objects(None, SD.name)} == {G_AI_QUOC, G_VO_CUONG, G_LINKS}


ASSET_RE = re.compile(r"<(script|link|img|iframe)\b[^>]*?\b(src|href)\s*=\s*[\"']?([^\"' >]+)", re.IGNORECASE)


def test_html_page_is_self_contained(store, tmp_path):
    (tmp_path / "citing_plans.rq").write_text(
        "# Kế hoạch căn cứ Nghị quyết 76/NQ-CP\n# </script><script>alert(1)</script>\n" + PLANS_CITING_76,
        encoding="utf-8")
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    with TestClient(create_app(Settings(examples_dir=tmp_path), kb=store)) as c:
        r = c.get("/sparql", headers={"Accept": browser})
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        html = r.text
        for label in ("Truy vấn SPARQL", "Chạy truy vấn", "Kết quả", "Ví dụ", "Kế hoạch căn cứ Nghị quyết 76/NQ-CP"):
            assert label in html
        assets = ASSET_RE.findall(html)
        assert {a[2] for a in assets} >= {"/static/codemirror/codemirror.js", "/static/codemirror/mode/sparql/sparql.js",
                                          "/static/codemirror/codemirror.css", "/static/sparql.js", "/static/sparql.css"}
        for _, _, url in assets:
            assert url.startswith("/static/") or url == "data:,", url
            assert "http" not in url and "//" not in url, url
        assets = [a for a in assets if a[2].startswith("/static/")]
        assert "<script>alert(1)</script>" not in html  # example text stays JSON-escaped
        assert "default-src 'self'" in r.headers["content-security-policy"]
        for _, _, url in assets:
            asset = c.get(url)
            assert asset.status_code == 200 and asset.content, url
            assert not re.search(r"""(src|href)\s*=\s*["']https?://""", asset.text)
        # a query in the URL opens the page with the query filled in, escaped
        r = c.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p '</textarea><b>x</b>' }"},
                  headers={"Accept": browser})
        assert "&lt;/textarea&gt;&lt;b&gt;x&lt;/b&gt;" in r.text and 'data-autorun="true"' in r.text


def test_page_js_never_uses_inner_html():
    js = (Path(__file__).parent.parent / "api" / "static" / "sparql.js").read_text(encoding="utf-8")
    assert "innerHTML" not in js.replace("never innerHTML", "") and "textContent" in js


def test_create_app_opens_the_knowledge_base_on_disk(tmp_path):
    with TestClient(create_app(Settings(data_dir=tmp_path, query_workers=1))) as c:
        assert c.app.state.sparql.engine.mode == "process"
        r = select(c, "ASK { GRAPH ?g { ?s a owl:Class } }")
        assert r.json()["boolean"] is True


# ------------------------------------------------------------------ real server: SPARQLWrapper, timeouts

@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("kb")
    disk = bulk_store(load_fixture(ox.Store(str(data_dir / "store"))))
    settings = Settings(data_dir=data_dir, query_timeout=1.5, admin_token="khoá-quản-trị", query_workers=2)
    app = create_app(settings, kb=disk)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not srv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}/sparql"
    assert app.state.sparql.engine.mode == "process"
    with ThreadPoolExecutor(2) as pool:  # warm both workers up
        list(pool.map(lambda _: httpx.get(url, params={"query": "ASK {}"}, timeout=20), range(2)))
    yield url
    srv.should_exit = True
    thread.join(timeout=10)
    sock.close()


def wrapper(url: str, query: str, fmt: str, method: str = "GET") -> SPARQLWrapper:
    sw = SPARQLWrapper(url)
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    if method != "GET":
        sw.setMethod(POST)
        if method == "POSTDIRECTLY":
            sw.setRequestMethod(POSTDIRECTLY)
    return sw


@pytest.mark.parametrize("method", ["GET", "POST", "POSTDIRECTLY"])
def test_sparqlwrapper_select_json(server, method):
    result = wrapper(server, PLANS_CITING_76, JSON, method).query().convert()
    assert [b["label"]["value"] for b in result["results"]["bindings"]] == [
        "Kế hoạch cải cách hành chính phường Ái Quốc giai đoạn 2026 – 2030",
        "Kế hoạch cải cách hành chính năm 2026 của phường Võ Cường"]


def test_sparqlwrapper_select_xml_ask_construct(server):
    doc = wrapper(server, PLANS_CITING_76, XML, "POST").query().convert()
    assert len(doc.getElementsByTagName("result")) == 2
    assert wrapper(server, 'ASK { ?d eli:id_local "76/NQ-CP" }', JSON).query().convert()["boolean"] is True
    assert wrapper(server, 'ASK { ?d eli:id_local "99/NQ-CP" }', XML).query().convert().getElementsByTagName(
        "boolean")[0].firstChild.data == "false"
    g = wrapper(server, LABELS_CONSTRUCT, RDFXML).query().convert()
    assert isinstance(g, rdflib.Graph) and len(g) == 3
    ttl = wrapper(server, LABELS_CONSTRUCT, TURTLE).query().convert()
    assert len(rdflib.Graph().parse(data=ttl, format="turtle")) == 3


def test_sparqlwrapper_update_with_token(server):
    sw = SPARQLWrapper(server)
    sw.setMethod(POST)
    sw.addCustomHttpHeader("Authorization", "Bearer khoá-quản-trị".encode().decode("latin-1"))
    sw.setQuery(UPDATE)
    assert sw.query().response.status == 204
    # workers were restarted on the new state and see the inserted triple
    assert wrapper(server, f'ASK {{ <{ID}plan/x> rdfs:label "Kế hoạch thử" }}', JSON).query().convert()["boolean"]
    r = httpx.post(server, data={"update": UPDATE.replace("INSERT", "DELETE")})
    problem(r, 403, "read-only")


def test_timeout_cuts_a_cartesian_product_while_others_are_served(server):
    with ThreadPoolExecutor(1) as pool:
        started = time.monotonic()
        slow = pool.submit(httpx.get, server, params={"query": CARTESIAN_COUNT}, timeout=30)
        time.sleep(0.3)
        fast_started = time.monotonic()
        fast = httpx.get(server, params={"query": PLANS_CITING_76}, timeout=30)
        fast_elapsed = time.monotonic() - fast_started
        assert fast.status_code == 200 and len(rows(fast)) == 2
        assert fast_elapsed < 1.0
        assert not slow.done()
        r = slow.result()
        elapsed = time.monotonic() - started
    body = problem(r, 503, "query-timeout")
    assert "1.5 s" in body["detail"]
    assert 1.4 < elapsed < 5
    # the killed worker is replaced: two queries at once still work
    with ThreadPoolExecutor(2) as pool:
        again = list(pool.map(lambda _: httpx.get(server, params={"query": PLANS_CITING_76}, timeout=30), range(2)))
    assert [a.status_code for a in again] == [200, 200]


def test_real_server_refuses_service_and_foreign_from(server):
    problem(httpx.get(server, params={"query": SERVICE_QUERIES[0]}), 403, "service-refused")
    problem(httpx.get(server, params={"query": "SELECT * FROM <http://example.org/x> WHERE { ?s ?p ?o }"}), 400,
            "unknown-graph")
    r = httpx.get(server, params={"query": CARTESIAN_ALL}, headers={"Accept": "text/csv"}, timeout=30)
    assert r.status_code == 200 and r.headers["plankb-truncated"] == "true"
    assert len(r.text.strip().splitlines()) == 10_001


@pytest.mark.browser
def test_query_page_in_a_browser(store, tmp_path):
    """Headless Chromium (Debian's /usr/bin/chromium): run a query, see the table, no outside requests."""
    playwright = pytest.importorskip("playwright.sync_api")
    (tmp_path / "citing_plans.rq").write_text("# Kế hoạch căn cứ NQ 76/NQ-CP\n" + PLANS_CITING_76, encoding="utf-8")
    app = create_app(Settings(examples_dir=tmp_path), kb=store)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    srv = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not srv.started:
        time.sleep(0.05)
    errors, outside = [], []
    try:
        with playwright.sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            page = browser.new_page()
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: None if r.url.startswith(base) or r.url.startswith("data:")
                    else outside.append(r.url))
            page.goto(base + "/sparql")
            page.wait_for_selector(".CodeMirror")
            page.click("button.example")
            page.click("#run")
            page.wait_for_selector("table.results-table")
            cells = page.locator("table.results-table tbody tr").all_inner_texts()
            browser.close()
    finally:
        srv.should_exit = True
        thread.join(timeout=10)
    assert errors == [] and outside == []
    assert len(cells) == 2 and "Võ Cường" in cells[0] + cells[1]
