"""The server under load and abuse (issue 8, last section), against a real `plankb serve`.

One server process for the module, on a free loopback port, over an on-disk knowledge base
(the seeds, with seed 002's first task carrying HTML and JavaScript), an admin token and a
2-second query deadline, so SPARQL runs in the killable worker processes as in production:

* the OpenAPI schema fuzzed with Schemathesis: no 5xx;
* SPARQL abuse (updates, LOAD, SERVICE and FROM to outside addresses, deep property paths,
  cartesian products, 1 MB and tokenizer-adversarial queries) is refused or cut off at the
  deadline, while a client asking ordinary questions is still answered;
* a short load (32 concurrent clients, ~5 s) with zero errors; `scripts/stress.sh` runs it for
  60 s (PLANKB_LOAD_SECONDS) and the fuzzers longer (PLANKB_SCHEMATHESIS_EXAMPLES);
* no path traversal through /static, /static/viz or the task pages' source excerpts;
* document text is escaped on every page and graph;
* the default bind address is loopback, and nothing writes without the token.
"""
from __future__ import annotations

import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "examples" / "seeds").glob("*.txt"))
PLANKB = [sys.executable, "-m", "plankb.api.cli"]
TOKEN = "reliability-admin-token"
TIMEOUT_S = 1.0

HOSTILE = ('<script>alert(1)</script> "><img src=x onerror=alert(2)> <img/src=x onerror=alert(3)> '
           '"><svg/onload=alert(4)> </textarea><script>alert(5)</script> javascript:alert(6) {{7*7}} ${8*8}')
HOSTILE_MARKERS = ("<script>alert", "<img", "<svg", "</textarea><script")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env_for(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANKB_")}
    env.update({"PLANKB_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}, **extra)
    return env


def hostile_plan(tmp: Path) -> Path:
    """Seed 002 with HTML and JavaScript in the text of its first task."""
    seed = next(p for p in SEEDS if p.name.startswith("002"))
    text = seed.read_text(encoding="utf-8")
    anchor = "- Ban hành đầy đủ, kịp thời"
    assert anchor in text
    out = tmp / "002_hostile.txt"
    out.write_text(text.replace(anchor, f"- Ban hành {HOSTILE} đầy đủ, kịp thời", 1), encoding="utf-8")
    return out


def start_server(data_dir: Path, port: int, **env: str) -> subprocess.Popen:
    proc = subprocess.Popen([*PLANKB, "serve", "--no-seeds", "--port", str(port)], cwd=ROOT,
                            env=env_for(data_dir, **env), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"plankb serve exited: {proc.stderr.read().decode(errors='replace')[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/plans", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("plankb serve did not start within 60 s")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("served")
    docs = tmp / "docs"
    docs.mkdir()
    for p in SEEDS:
        if not p.name.startswith("002"):
            shutil.copy(p, docs / p.name)
    hostile_plan(docs)
    data = tmp / "kb"
    r = subprocess.run([*PLANKB, "ingest", str(docs), "--no-progress", "--json"], cwd=ROOT, env=env_for(data),
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    port = free_port()
    proc = start_server(data, port, PLANKB_ADMIN_TOKEN=TOKEN, PLANKB_QUERY_TIMEOUT=str(TIMEOUT_S))
    base = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=base, timeout=30) as c:
        plans = c.get("/api/plans", params={"limit": 100}).json()["items"]
        hostile_id = next(p["id"] for p in plans if "quyet-thang" in p["id"])
        tasks = c.get("/api/tasks", params={"plan": hostile_id, "limit": 500}).json()["items"]
        task = next(t for t in tasks if "alert(1)" in t["text"])
        for _ in range(3):  # warm the SPARQL workers up
            c.get("/sparql", params={"query": "ASK {}"})
    yield {"base": base, "proc": proc, "data": data, "docs": docs, "plan": hostile_id, "task": task["id"],
           "plans": [p["id"] for p in plans], "tasks": [t["id"] for t in tasks]}
    stop_server(proc)


# ================================================================ binding and writes
def test_binds_to_loopback_by_default(monkeypatch):
    import inspect

    from plankb.api.app import Settings
    from plankb.api.cli import serving as cli

    monkeypatch.delenv("PLANKB_HOST", raising=False)
    assert Settings().host == "127.0.0.1" and Settings.from_env().host == "127.0.0.1"
    assert inspect.signature(cli.serve).parameters["host"].default.default == "127.0.0.1"
    source = inspect.getsource(cli._default)  # bare `plankb` serves on loopback too
    assert 'host="127.0.0.1"' in source


def test_only_sparql_accepts_writes_and_only_with_the_token(server):
    """Every path of the OpenAPI schema and every page refuses POST/PUT/DELETE/PATCH, except /sparql
    POST, where an update needs the admin token (queries are read-only)."""
    base = server["base"]
    schema = httpx.get(base + "/openapi.json", timeout=30).json()
    ids = {"plan_id": server["plan"], "task_id": server["task"], "unit_id": "x", "key": "x", "id": "x"}
    paths = {re.sub(r"\{(\w+)(?::path)?\}", lambda m: ids.get(m.group(1), "x"), p) for p in schema["paths"]}
    paths |= {"/", "/search", "/overview", "/units", "/legal", f"/plans/{server['plan']}",
              f"/tasks/{server['task']}", "/static/ui/plankb.css", "/docs", "/openapi.json"}
    writable = []
    for path in sorted(paths):
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            r = httpx.request(method, base + path, timeout=30)
            if r.status_code not in (404, 405):
                writable.append((path, method, r.status_code))
    assert [(p, m) for p, m, _ in writable] == [("/sparql", "POST")], writable
    url = base + "/sparql"
    update = 'INSERT DATA { GRAPH <http://plankb.org/id/graph/x> { <http://x/a> <http://x/b> "c" } }'
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"},
                    {"Authorization": f"Bearer {TOKEN}x"}):
        r = httpx.post(url, data={"update": update}, headers=headers, timeout=30)
        assert r.status_code == 403 and r.headers["content-type"] == "application/problem+json"
    ask = 'ASK { <http://x/a> <http://x/b> "c" }'
    assert httpx.get(url, params={"query": ask}, timeout=30).json()["boolean"] is False


# ================================================================ Schemathesis
def test_openapi_schema_fuzz_gives_no_server_error(server):
    schemathesis = pytest.importorskip("schemathesis")
    from hypothesis import HealthCheck, given, settings

    examples = int(os.environ.get("PLANKB_SCHEMATHESIS_EXAMPLES", "12"))
    schema = schemathesis.openapi.from_url(server["base"] + "/openapi.json")
    failures: list[str] = []
    calls = 0
    for result in schema.get_all_operations():
        op = result.ok()

        @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=op.as_strategy())
        def run(case):
            nonlocal calls
            calls += 1
            response = case.call(base_url=server["base"], timeout=30)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} {case.query} -> {response.status_code}: "
                                f"{response.text[:300]}")

        run()
    assert calls >= 20
    assert not failures, "\n".join(failures[:10])


# ================================================================ SPARQL abuse
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
DEEP_PATH = "SELECT (COUNT(*) AS ?n) WHERE { ?s (<http://x/p>|!<http://x/q>)*/(^!<http://x/r>)*/(!<http://x/t>)* ?o }"
DEEP_NESTED_PATH = "SELECT * WHERE { ?s " + "(" * 2000 + "<http://x/p>" + ")*" * 2000 + " ?o }"
ABUSE = [  # (name, method, params/data, statuses a refusal may have)
    ("update-as-query", "GET", {"query": "DROP ALL"}, {400}),
    ("update-no-token", "POST", {"update": "DROP ALL"}, {403}),
    ("load-no-token", "POST", {"update": "LOAD <http://127.0.0.1:1/x.ttl>"}, {403}),
    ("service", "GET", {"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"}, {403}),
    ("service-hidden", "GET", {"query": "SELECT * WHERE { FILTER(1<2)SERVICE?x#>\n{ ?s ?p ?o } }"}, {400, 403}),
    ("from-outside", "GET", {"query": "SELECT * FROM <http://127.0.0.1:1/g> WHERE { ?s ?p ?o }"}, {400}),
    ("from-named-outside", "GET", {"query": "SELECT * FROM NAMED <file:///etc/passwd> WHERE { GRAPH ?g { ?s ?p ?o } }"}, {400}),
    ("default-graph-uri", "GET", {"query": "ASK {}", "default-graph-uri": "http://169.254.169.254/"}, {400}),
    ("cartesian", "GET", {"query": CARTESIAN}, {503}),
    ("deep-path", "GET", {"query": DEEP_PATH}, {200, 503}),
    ("deep-nested-path", "GET", {"query": DEEP_NESTED_PATH}, {400, 503}),
    ("one-megabyte", "POST", {"query": "SELECT * WHERE { ?s ?p ?o } #" + "x" * (1 << 20)}, {413}),
    ("tokenizer-nq", "POST", {"query": "SELECT * WHERE { ?s ?p ?o } " + "NQ-" * 80_000}, {400}),
    ("tokenizer-dots", "POST", {"query": "ASK { " + "a." * 120_000 + " }"}, {400}),
    ("garbage", "POST", {"query": "\x00\x01 SELECT \ud7ff" + "{" * 5000}, {400}),
]


def _send(base: str, method: str, params: dict) -> httpx.Response:
    if method == "GET":
        return httpx.get(base + "/sparql", params=params, timeout=60)
    return httpx.post(base + "/sparql", data=params, timeout=60)


@pytest.mark.parametrize("name, method, params, statuses", ABUSE, ids=[a[0] for a in ABUSE])
def test_sparql_abuse_is_refused_or_cut_off(server, name, method, params, statuses):
    started = time.monotonic()
    r = _send(server["base"], method, params)
    elapsed = time.monotonic() - started
    assert r.status_code in statuses, (r.status_code, r.text[:300])
    if r.status_code >= 400:
        assert r.headers["content-type"] == "application/problem+json"
        assert "Traceback" not in r.text
    assert elapsed < TIMEOUT_S + 10, elapsed
    # the server is still answering ordinary questions
    assert httpx.get(server["base"] + "/api/plans", timeout=30).status_code == 200


def test_abuse_in_parallel_while_others_are_served(server):
    """Heavy queries from four clients at once; a fifth asks ordinary questions and is answered,
    each within the deadline plus a margin (the heavy ones are killed at the deadline)."""
    base = server["base"]
    heavy = [("GET", {"query": CARTESIAN}), ("GET", {"query": DEEP_PATH}),
             ("POST", {"query": "ASK { " + "a." * 120_000 + " }"}), ("GET", {"query": CARTESIAN})]
    stop = threading.Event()
    light: list[float] = []
    errors: list[str] = []

    def ordinary() -> None:
        with httpx.Client(base_url=base, timeout=30) as c:
            while not stop.is_set():
                t = time.monotonic()
                for url in ("/api/plans", f"/api/tasks/{server['task']}", f"/plans/{server['plan']}"):
                    r = c.get(url)
                    if r.status_code != 200:
                        errors.append(f"{url}: {r.status_code}")
                light.append(time.monotonic() - t)

    watcher = threading.Thread(target=ordinary)
    watcher.start()
    try:
        with ThreadPoolExecutor(len(heavy)) as pool:
            results = list(pool.map(lambda a: _send(base, *a), heavy))
    finally:
        stop.set()
        watcher.join(timeout=60)
    assert all(r.status_code in (200, 400, 503) for r in results), [r.status_code for r in results]
    assert not errors, errors[:5]
    assert light and max(light) < TIMEOUT_S + 8, max(light)


def test_tokenizer_is_linear_on_adversarial_queries():
    """analyze_query runs on the event loop before any worker: 128 KB of near-prefixed-names, dots,
    escapes or unterminated strings must take well under a second or two, not minutes."""
    from plankb.api.sparql import analyze_query

    units = ["NQ-", "a.", "?a-", "a:\\", "<a", "'\\'", "_:a.", "a b."]
    slow = {}
    for u in units:
        q = (u * (131_072 // len(u) + 1))[:131_072]
        t = time.perf_counter()
        analyze_query(q)
        slow[u] = time.perf_counter() - t
    assert max(slow.values()) < 2.0, slow


# ================================================================ load
def _percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def run_load(base: str, plan: str, task: str, seconds: float, clients: int = 32) -> dict:
    """`clients` threads, each with its own keep-alive connection, cycling through pages, the REST API
    and small SPARQL queries for `seconds`. Returns counts, errors and latency percentiles (ms)."""
    urls = ["/", "/api/plans", f"/api/plans/{plan}", f"/api/tasks/{task}", "/api/tasks?limit=50",
            f"/plans/{plan}", f"/tasks/{task}", "/search?q=cai+cach", "/api/search?q=thu+tuc", "/units",
            "/sparql?query=" + quote("SELECT ?p WHERE { ?p a pk:Plan } LIMIT 10"),
            "/sparql?query=" + quote("ASK { ?s ?p ?o }"), "/static/ui/plankb.css"]
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(i: int) -> None:
        rnd = random.Random(i)
        mine, bad = [], []
        with httpx.Client(base_url=base, timeout=30, headers={"Accept": "*/*"}) as c:
            while time.monotonic() < deadline:
                url = rnd.choice(urls)
                t = time.perf_counter()
                try:
                    r = c.get(url)
                    ok = r.status_code == 200
                    detail = f"{url}: {r.status_code}"
                except httpx.HTTPError as e:
                    ok, detail = False, f"{url}: {type(e).__name__}"
                mine.append(time.perf_counter() - t)
                if not ok:
                    bad.append(detail)
        with lock:
            latencies.extend(mine)
            errors.extend(bad)

    started = time.monotonic()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, range(clients)))
    wall = time.monotonic() - started
    ms = [x * 1000 for x in latencies]
    return {"clients": clients, "seconds": round(wall, 1), "requests": len(ms), "errors": len(errors),
            "error_samples": errors[:5], "rps": round(len(ms) / wall, 1),
            "p50_ms": round(statistics.median(ms), 1), "p90_ms": round(_percentile(ms, 90), 1),
            "p99_ms": round(_percentile(ms, 99), 1), "max_ms": round(max(ms), 1)}


def test_load_32_clients_without_errors(server):
    seconds = float(os.environ.get("PLANKB_LOAD_SECONDS", "5"))
    report = run_load(server["base"], server["plan"], server["task"], seconds)
    print("\nload:", json.dumps(report))
    out = os.environ.get("PLANKB_LOAD_REPORT")
    if out:
        Path(out).write_text(json.dumps(report, indent=1), encoding="utf-8")
    assert report["errors"] == 0, report["error_samples"]
    assert report["requests"] >= 32


# ================================================================ path traversal
def raw_get(base: str, target: str) -> tuple[int, bytes]:
    """GET with the request target sent as is (HTTP clients normalise '..' and '%2e%2e')."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as s:
        s.sendall(f"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode("latin-1"))
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0
    return status, body


SECRETS = (b"root:x:0:0", b"[project]", b"PLANKB_ADMIN_TOKEN", b"def create_app", b"\"pid\"")
TRAVERSALS = [
    "/static/../../pyproject.toml", "/static/..%2f..%2fpyproject.toml", "/static/%2e%2e/%2e%2e/pyproject.toml",
    "/static/%2e%2e%2f%2e%2e%2fapp.py", "/static/..%5c..%5capp.py", "/static/%252e%252e/%252e%252e/pyproject.toml",
    "/static/viz/../../app.py", "/static/viz/..%2f..%2f..%2fpyproject.toml", "/static/viz/%2e%2e/%2e%2e/app.py",
    "/static/ui/../../../../../../etc/passwd", "/static//etc/passwd", "/static/%2fetc%2fpasswd",
    "/static/ui/plankb.css%00.py", "/static/viz/..;/..;/app.py", "/static/....//....//app.py",
    "/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/plans/..%2f..%2f..%2fetc%2fpasswd",
    "/tasks/..%2f..%2fpyproject.toml", "/legal/../../../../etc/passwd", "/legal/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/api/tasks/..%2f..%2f..%2fetc%2fpasswd", "/static/viz/..%252f..%252fapp.py",
]


@pytest.mark.parametrize("target", TRAVERSALS)
def test_no_path_traversal(server, target):
    status, body = raw_get(server["base"], target)
    assert status in (400, 404, 405, 422), (status, body[:200])
    assert not any(s in body for s in SECRETS), body[:300]


def test_static_files_are_still_served(server):
    for target in ("/static/ui/plankb.css", "/static/viz/plankb-graph.js"):
        status, body = raw_get(server["base"], target)
        assert status == 200 and body


def test_source_excerpt_reads_only_the_recorded_file_with_its_sha256(server, tmp_path):
    """The task page reads the source file recorded at ingest, and only while its sha256 still
    matches: point the recorded path at another file (admin update) and nothing of it is shown."""
    from plankb.kb import catalog

    base = server["base"]
    page = httpx.get(f"{base}/tasks/{server['task']}", timeout=30).text
    assert "kịp thời" in page  # the excerpt from the real file
    secret = tmp_path / "secret.txt"
    secret.write_text("KẾ HOẠCH\nBÍ MẬT-XYZ-123 " * 50, encoding="utf-8")
    path_query = f"""SELECT ?src ?path WHERE {{ ?plan a pk:Plan ; dcterms:identifier "{server['plan']}" ;
        prov:wasDerivedFrom ?src . ?src pk:sourcePath ?path }}"""
    rows = httpx.get(base + "/sparql", params={"query": path_query}, timeout=30).json()["results"]["bindings"]
    src, old = rows[0]["src"]["value"], rows[0]["path"]["value"]
    update = f"""DELETE {{ GRAPH ?g {{ <{src}> pk:sourcePath ?p }} }} INSERT {{ GRAPH ?g {{ <{src}> pk:sourcePath ?new }} }}
        WHERE {{ GRAPH ?g {{ <{src}> pk:sourcePath ?p }} BIND(?NEW AS ?new) }}"""
    headers = {"Authorization": f"Bearer {TOKEN}"}
    try:
        for target in (str(secret), str(secret.parent / ".." / secret.parent.name / "secret.txt"), "/etc/passwd"):
            r = httpx.post(base + "/sparql", data={"update": update.replace("?NEW", json.dumps(target))},
                           headers=headers, timeout=30)
            assert r.status_code == 204, r.text
            page = httpx.get(f"{base}/tasks/{server['task']}", timeout=30).text
            assert "BÍ MẬT-XYZ-123" not in page and "root:x:0" not in page
            api = httpx.get(f"{base}/api/tasks/{server['task']}", params={"context": "true"}, timeout=30)
            assert api.status_code in (200, 422) and "BÍ MẬT" not in api.text
    finally:
        httpx.post(base + "/sparql", data={"update": update.replace("?NEW", json.dumps(old))}, headers=headers,
                   timeout=30)
    assert catalog.source_context(catalog.SourceRef(path=str(secret), sha256="0" * 64, start=0, end=5)) is None


# ================================================================ escaping
PAGES = ["/", "/search?q=ban+hanh+alert", "/search?q=" + quote(HOSTILE), "/overview", "/units", "/legal"]


def _assert_no_markup(body: str, where: str) -> None:
    for marker in HOSTILE_MARKERS:
        assert marker not in body, (where, marker, body[max(0, body.find(marker) - 200):body.find(marker) + 200])


def test_document_text_is_escaped_on_every_page_and_graph(server):
    base = server["base"]
    urls = [*PAGES, f"/plans/{server['plan']}", f"/tasks/{server['task']}"]
    units = httpx.get(base + "/api/units", params={"limit": 5}, timeout=30).json()["items"]
    urls += [f"/units/{u['id']}" for u in units[:3]]
    seen_text = False
    for url in urls:
        r = httpx.get(base + url, headers={"Accept": "text/html"}, timeout=30)
        assert r.status_code == 200, (url, r.status_code)
        _assert_no_markup(r.text, url)
        seen_text |= "alert(1)" in r.text
    assert seen_text  # the hostile words are there, as text
    graph = httpx.get(base + "/api/graph", timeout=30)
    assert graph.status_code == 200 and "alert(1)" in graph.text  # JSON: strings, never markup
    assert graph.headers["content-type"].startswith("application/json")


def test_standalone_graph_page_escapes_document_text(server, tmp_path):
    """`plankb viz` of the hostile task (read-only snapshot while the server holds the store)."""
    out = tmp_path / "task.html"
    r = subprocess.run([*PLANKB, "viz", server["task"], "-o", str(out)], cwd=ROOT, env=env_for(server["data"]),
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    html = out.read_text(encoding="utf-8")
    assert "alert(1)" in html
    _assert_no_markup(html, "plankb viz")
