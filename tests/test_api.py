"""The REST API (/api/...): the three analyst questions, lists and filters, errors as
problem+json, pagination, /docs served offline, a valid /openapi.json, speed.

Every test goes through `with TestClient(create_app(settings, kb)) as c:` (the lifespan runs)
on one in-memory KB of the five seeds, shared by the session and never written to.
"""
from __future__ import annotations

import re
import socket
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from plankb.api.app import Settings, create_app
from plankb.kb.store import KnowledgeBase
from plankb.kb.text import fold
from plankb.ingest.load import ingest_paths

SEEDS_DIR = Path(__file__).resolve().parent.parent / "examples" / "seeds"
STATIC = Path(__file__).resolve().parent.parent / "api" / "static"
AI_QUOC = "phuong-ai-quoc-10660.cchc-2026-2030"
HAI_PHONG = "thanh-pho-hai-phong-31.cchc-2026-2030"
VAN_HOA_AI_QUOC = "phuong-ai-quoc-10660.phong-van-hoa-xa-hoi"
PROBLEM = "application/problem+json"


@pytest.fixture(scope="session")
def seed_kb() -> KnowledgeBase:
    kb = KnowledgeBase.in_memory()
    summary = ingest_paths(kb, [SEEDS_DIR], progress=False, validate=False)
    assert not summary.failed, summary.errors
    return kb


@pytest.fixture(scope="session")
def client(seed_kb):
    with TestClient(create_app(Settings(query_workers=1), seed_kb)) as c:
        yield c


def ok(response) -> dict:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status and body["title"] and body["type"]
    assert "Traceback" not in response.text and 'File "' not in response.text
    return body


def all_items(client, url: str, **params) -> list[dict]:
    """Every item of a paged list, following `next`."""
    page = ok(client.get(url, params={**params, "limit": 7}))
    items = list(page["items"])
    while page["next"]:
        page = ok(client.get(page["next"]))
        items += page["items"]
    assert len(items) == page["total"]
    return items


# ================================================================ analyst question 1: trace a ward task
def test_trace_a_ward_task_to_national_sources(client):
    task_id = f"{AI_QUOC}.II.2.a"  # "Đẩy mạnh thực hiện rà soát, cắt giảm, đơn giản hóa … thủ tục hành chính"
    trace = ok(client.get(f"/api/tasks/{task_id}/trace"))
    assert trace["task"]["id"] == task_id
    hops = trace["hops"]
    levels = [h["level"] for h in hops]
    # up through the Hải Phòng plan to national documents (NQ 76/NQ-CP at least)
    assert "province" in levels and "national" in levels, levels
    # the Hải Phòng task it implements, with the evidence of the match
    parent = next(h for h in hops if h["kind"] == "task" and h["level"] == "province")
    assert parent["id"].startswith(HAI_PHONG) and parent["relation"] == "implements"
    assert parent["evidence"]["child_text"] and parent["url"] == f"/tasks/{parent['id']}"
    assert any(h["kind"] == "plan" and h["id"] == HAI_PHONG for h in hops)
    national_ids = " ".join(h["id"] for h in hops if h["level"] == "national")
    assert "nq-76-2021-nq-cp" in national_ids
    # a hop from task to parent task carries its evidence
    assert any(h["evidence"] and h["evidence"]["method"] and h["evidence"]["parent_text"] for h in hops)
    # the task's own page links to the trace
    task = ok(client.get(f"/api/tasks/{task_id}"))
    assert task["plan"]["id"] == AI_QUOC and task["url"] == f"/tasks/{task_id}"


def test_trace_unknown_task(client):
    problem(client.get(f"/api/tasks/{AI_QUOC}.IX.9/trace"), 404)


# ================================================================ analyst question 2: a unit's tasks
def test_every_task_of_a_unit_named_without_diacritics(client):
    items = all_items(client, "/api/tasks", unit="phong van hoa xa hoi")
    plans = {t["plan"]["id"] for t in items}
    assert len(plans) >= 3 and AI_QUOC in plans
    for t in items:
        units = t["lead_units"] if t["role"] == "lead" else t["support_units"]
        assert any("phong van hoa" in fold(u["label"]) for u in units), t["id"]
    # the same with the name as printed
    printed = ok(client.get("/api/tasks", params={"unit": "Phòng Văn hoá – Xã hội", "limit": 1}))
    assert printed["total"] == len(items)


def test_a_units_tasks_across_levels_with_counterparts(client):
    own = all_items(client, f"/api/units/{VAN_HOA_AI_QUOC}/tasks")
    assert own and {t["plan_id"] for t in own} == {AI_QUOC}
    assert all(not t["via_counterpart"] for t in own)
    wider = all_items(client, f"/api/units/{VAN_HOA_AI_QUOC}/tasks", counterparts="true")
    assert len(wider) > len(own)
    across = [t for t in wider if t["via_counterpart"]]
    assert across and {t["level"] for t in across} & {"province", "national"}
    unit = ok(client.get(f"/api/units/{VAN_HOA_AI_QUOC}", params={"counterparts": "true"}))
    standing = [c for c in unit["counterparts"] if c["role"] == "standing"]
    assert [c["name"] for c in standing] == ["Sở Nội vụ"] and standing[0]["level"] == "province"
    assert ok(client.get(f"/api/units/{VAN_HOA_AI_QUOC}"))["counterparts"] is None


# ================================================================ analyst question 3: what a local plan dropped
def test_what_a_local_plan_dropped_or_weakened(client):
    gaps = ok(client.get(f"/api/plans/{AI_QUOC}/gaps"))
    assert gaps["plan_id"] == AI_QUOC
    assert HAI_PHONG in str(gaps["parent_plans"])
    # Ái Quốc keeps Hải Phòng's satisfaction target but drops its data-governance level targets
    assert gaps["dropped_indicators"], gaps
    assert any("du lieu" in fold(str(d)) for d in gaps["dropped_indicators"])
    assert isinstance(gaps["missing_parent_tasks"], list) and isinstance(gaps["weakened_indicators"], list)
    assert gaps["indicator_verdicts"]


def test_gaps_unknown_plan(client):
    problem(client.get("/api/plans/no-such-plan/gaps"), 404)


# ================================================================ plans
def test_plans_list_and_filters(client):
    plans = ok(client.get("/api/plans"))
    assert plans["total"] == 5 and plans["next"] is None
    assert {p["id"] for p in plans["items"]} >= {AI_QUOC, HAI_PHONG}
    communes = ok(client.get("/api/plans", params={"level": "commune", "province": "hai phong"}))
    assert {p["id"] for p in communes["items"]} == {AI_QUOC, "xa-quyet-thang-11761.cchc-2026"}
    period = ok(client.get("/api/plans", params={"period": "2026-2030"}))
    assert {p["id"] for p in period["items"]} == {AI_QUOC, HAI_PHONG}


def test_one_plan(client):
    plan = ok(client.get(f"/api/plans/{AI_QUOC}"))
    assert plan["id"] == AI_QUOC and plan["level"] == "commune"
    assert plan["sections"][0]["tasks"][0]["children"], "sections hold the task tree"
    assert plan["indicators"] and plan["legal_bases"]
    assert [p["plan"]["id"] for p in plan["parents"] if p["plan"]] == [HAI_PHONG]
    assert any(not p["plan"] and p["legal"]["key"] == "nq-76-2021-nq-cp" for p in plan["parents"]) or \
        any(b["key"] == "nq-76-2021-nq-cp" for b in plan["legal_bases"])
    parent = ok(client.get(f"/api/plans/{HAI_PHONG}"))
    assert [c["id"] for c in parent["children"]] == [AI_QUOC]


# ================================================================ tasks
def test_tasks_filters(client):
    proc = ok(client.get("/api/tasks", params={"plan": AI_QUOC, "area": "procedure", "limit": 500}))
    assert proc["total"] > 0 and all(t["area"] == "procedure" and t["plan"]["id"] == AI_QUOC for t in proc["items"])
    text = ok(client.get("/api/tasks", params={"q": "hanh chinh cong", "limit": 500}))
    assert text["total"] > 0 and any("hành chính công" in t["text"] for t in text["items"])
    dated = ok(client.get("/api/tasks", params={"deadline_from": "2026-01-01", "deadline_to": "2026-06-30",
                                                "limit": 500}))
    assert dated["total"] > 0
    for t in dated["items"]:
        due = t["deadline"]["end"] or t["deadline"]["start"]
        assert "2026-01-01" <= due <= "2026-06-30"


@pytest.mark.parametrize("task_id", [f"{AI_QUOC}.II.1.a.1", f"{AI_QUOC}.II.1.dd"], ids=["nested", "letter-dd"])
def test_task_ids_with_dots(client, task_id):
    task = ok(client.get(f"/api/tasks/{task_id}"))
    assert task["id"] == task_id and task["source"]["start"] is not None
    assert ok(client.get(f"/api/tasks/{quote(task_id, safe='')}"))["id"] == task_id


def test_task_with_source_context(client, monkeypatch):
    monkeypatch.chdir(SEEDS_DIR.parent.parent)
    task = ok(client.get(f"/api/tasks/{AI_QUOC}.II.1.a.1", params={"context": "true"}))
    assert task["context"] and fold(task["text"])[:30] in fold(task["context"]["text"])


# ================================================================ units, legal, search
def test_units(client):
    units = all_items(client, "/api/units", q="van hoa xa hoi")
    assert VAN_HOA_AI_QUOC in {u["id"] for u in units}
    unit = ok(client.get(f"/api/units/{VAN_HOA_AI_QUOC}"))
    assert unit["label"] == "Phòng Văn hóa - Xã hội" and unit["jurisdiction"] == "Phường Ái Quốc"
    assert unit["tasks_url"] == f"/api/units/{VAN_HOA_AI_QUOC}/tasks"


def test_legal_document_and_dependents(client):
    nq76 = ok(client.get("/api/legal/nq-76-2021-nq-cp"))
    assert nq76["number"] == "76/NQ-CP" and len(nq76["cited_by"]) >= 3 and nq76["ingested"] is False
    assert ok(client.get("/api/legal/76/NQ-CP"))["key"] == "nq-76-2021-nq-cp"  # number with a slash
    deps = ok(client.get("/api/legal/nq-76-2021-nq-cp/dependents"))
    assert deps["document"]["key"] == "nq-76-2021-nq-cp"
    assert {p["id"] for p in deps["plans"]} >= {AI_QUOC, HAI_PHONG} and deps["tasks"]
    assert ok(client.get("/api/legal/76/NQ-CP/dependents")) == deps
    missing = ok(client.get("/api/legal", params={"ingested": "false"}))
    assert missing["items"][0]["key"] == "nq-76-2021-nq-cp"


def test_search_everything_without_diacritics(client):
    res = ok(client.get("/api/search", params={"q": "hanh chinh cong", "limit": 50}))
    assert res["total"] > 0
    top = res["items"][0]
    assert "hành chính công" in top["label"] and top["url"].startswith("/") and top["api_url"].startswith("/api/")
    kinds = {h["kind"] for h in all_items(client, "/api/search", q="hai phong")}
    assert {"plan", "unit", "legal"} <= kinds
    tasks = ok(client.get("/api/search", params=[("q", "hanh chinh cong"), ("kind", "task")]))
    assert {h["kind"] for h in tasks["items"]} == {"task"}
    for hit in res["items"][:5]:  # every hit's api_url answers
        ok(client.get(hit["api_url"]))


def test_indicators(client):
    inds = ok(client.get("/api/indicators", params={"plan": AI_QUOC, "limit": 500}))
    assert inds["total"] > 0
    first = inds["items"][0]
    assert ok(client.get(first["api_url"]))["id"] == first["id"]


# ================================================================ pagination
def test_pagination(client):
    full = ok(client.get("/api/tasks", params={"limit": 500}))
    page = ok(client.get("/api/tasks", params={"limit": 10, "offset": 20, "area": "procedure"}))
    area = [t["id"] for t in full["items"] if t["area"] == "procedure"]
    assert page["total"] == len(area) and [t["id"] for t in page["items"]] == area[20:30]
    assert page["limit"] == 10 and page["offset"] == 20
    nxt = page["next"]
    assert nxt.startswith("/api/tasks?") and "offset=30" in nxt and "area=procedure" in nxt
    assert [t["id"] for t in ok(client.get(nxt))["items"]] == area[30:40]
    last = ok(client.get("/api/tasks", params={"limit": 10, "offset": full["total"] - 1}))
    assert len(last["items"]) == 1 and last["next"] is None
    assert ok(client.get("/api/tasks", params={"offset": 10_000}))["items"] == []


# ================================================================ errors
@pytest.mark.parametrize("url", [
    "/api/plans/no-such-plan", f"/api/tasks/{AI_QUOC}.IX.9", "/api/units/nobody", "/api/units/nobody/tasks",
    "/api/legal/nq-0-1900-nq-cp", "/api/legal/nq-0-1900-nq-cp/dependents", "/api/indicators/none", "/api/nothing",
])
def test_unknown_ids_are_404_problems(client, url):
    body = problem(client.get(url), 404)
    assert body["instance"] == url


@pytest.mark.parametrize("url, params, parameter", [
    ("/api/plans", {"level": "district"}, "level"),
    ("/api/plans", {"period": "soon"}, "period"),
    ("/api/tasks", {"area": "everything"}, "area"),
    ("/api/tasks", {"deadline_from": "2026-13-01"}, "deadline_from"),
    ("/api/tasks", {"limit": 0}, "limit"),
    ("/api/tasks", {"offset": -1}, "offset"),
    ("/api/units", {"limit": 100_000}, "limit"),
    ("/api/search", {}, "q"),
    ("/api/search", {"q": "x", "kind": "people"}, "kind"),
])
def test_invalid_parameters_are_422_problems(client, url, params, parameter):
    body = problem(client.get(url, params=params), 422)
    assert parameter in body["detail"] and body["errors"][0]["parameter"].startswith(parameter)


def test_method_not_allowed_is_a_problem(client):
    problem(client.post("/api/plans"), 405)


# ================================================================ docs and OpenAPI
def test_docs_are_served_offline(client):
    r = client.get("/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), "the page loads nothing from another host"
    assert "validatorUrl" in html and '"validatorUrl": null' in html
    for asset in re.findall(r"""(?:src|href)=["']([^"']+)""", html):
        got = client.get(asset)
        assert got.status_code == 200 and len(got.content) > 0, asset
    assert client.get("/redoc").status_code == 404


@pytest.mark.browser
def test_docs_in_a_browser(seed_kb):
    """Headless Chromium (Debian's /usr/bin/chromium): Swagger UI renders every operation, runs one,
    and nothing is fetched from another host."""
    playwright = pytest.importorskip("playwright.sync_api")
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    srv = uvicorn.Server(uvicorn.Config(create_app(Settings(), seed_kb), log_level="warning"))
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
            page.goto(base + "/docs")
            page.wait_for_selector(".opblock")
            operations = page.locator(".opblock").count()
            page.locator(".opblock-summary", has_text="List plans").first.click()
            page.locator("button.try-out__btn").first.click()
            page.locator("button.execute").first.click()
            page.wait_for_selector(".live-responses-table tbody .response-col_status")
            status = page.locator(".live-responses-table tbody .response-col_status").first.inner_text()
            browser.close()
    finally:
        srv.should_exit = True
        thread.join(5)
    assert operations >= 14 and status.strip() == "200"
    assert errors == [] and outside == []


def test_vendored_swagger_ui():
    folder = STATIC / "swagger"
    assert {"swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "VENDORED.md"} <= {p.name for p in folder.iterdir()}
    assert "Apache License" in (folder / "LICENSE").read_text()


def test_openapi_is_valid(client):
    spec = ok(client.get("/openapi.json"))
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    for route in ("/api/plans", "/api/plans/{plan_id}", "/api/plans/{plan_id}/gaps", "/api/tasks",
                  "/api/tasks/{task_id}", "/api/tasks/{task_id}/trace", "/api/units", "/api/units/{unit_id}",
                  "/api/units/{unit_id}/tasks", "/api/legal/{key}", "/api/legal/{key}/dependents", "/api/search"):
        assert "get" in paths[route], route
        responses = paths[route]["get"]["responses"]
        assert "200" in responses and PROBLEM in responses["404"]["content"], route
    schemas = spec["components"]["schemas"]
    assert "Problem" in schemas and "PlanDetail" in schemas
    # every $ref resolves
    refs = set(re.findall(r'"#/components/schemas/([^"]+)"', str(spec).replace("'", '"')))
    assert refs <= set(schemas), refs - set(schemas)
    try:
        from openapi_spec_validator import validate
    except ImportError:
        return
    validate(spec)


# ================================================================ speed
@pytest.mark.parametrize("url", [
    "/api/plans", "/api/tasks", "/api/tasks?unit=phong%20van%20hoa%20xa%20hoi", "/api/tasks?q=hanh%20chinh%20cong",
    "/api/units", "/api/legal", "/api/indicators", "/api/search?q=hanh%20chinh%20cong",
    f"/api/units/{VAN_HOA_AI_QUOC}/tasks?counterparts=true",
])
def test_list_endpoints_are_fast(client, url):
    ok(client.get(url))  # warm
    t0 = time.perf_counter()
    ok(client.get(url))
    assert time.perf_counter() - t0 < 0.1, url
