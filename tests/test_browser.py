"""The pages in a real browser (headless Debian Chromium driven by Playwright; `--run-browser`).

A real server (uvicorn over `create_app`) runs in a thread on a free 127.0.0.1 port, on an
on-disk KB holding the five seeds and a hostile plan. The tests open
a task page of seed 000 (phường Ái Quốc, II.2.a), check the console stays clean, that the trace
graph holds the task, its plan, the Hải Phòng task it implements, Hải Phòng's plan and
NQ 76/NQ-CP, that hovering shows details and clicking a node opens its page; that hostile
document text never runs; that the overview opens clustered. Screenshots go to tests/artifacts/.
"""
from __future__ import annotations

import socket
import time
import urllib.request
from pathlib import Path

import pytest
from plankb.ingest.load import ingest_paths

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = ROOT / "examples" / "seeds"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
AI_QUOC = "phuong-ai-quoc-10660.cchc-2026-2030"
HAI_PHONG = "thanh-pho-hai-phong-31.cchc-2026-2030"
TASK = f"{AI_QUOC}.II.2.a"
EXPECTED = {  # url -> what it is
    f"/tasks/{TASK}": "the task",
    f"/plans/{AI_QUOC}": "its plan",
    f"/tasks/{HAI_PHONG}.II.2.a": "the Hải Phòng task it implements",
    f"/plans/{HAI_PHONG}": "Hải Phòng's plan",
    "/legal/nq-76-2021-nq-cp": "NQ 76/NQ-CP",
}
HOSTILE = """KẾ HOẠCH
Cải cách hành chính phường Hoa Sen năm 2026

II. NHIỆM VỤ
1. Cải cách thể chế
- Rà soát văn bản <script>alert(1)</script> và "><img src=x onerror=alert(1)> của phường.
- Kiểm tra văn bản "><img/src=x onerror=alert(3)> và <svg/onload=alert(4)> tại phường.
2. Cải cách thủ tục hành chính
- Công khai thủ tục hành chính công đầy đủ, kịp thời.
"""
# the hostile plan's commune does not exist: its id carries a hash of its text (ingest.extract.document.plan_id_for)
HOSTILE_TASK = __import__("plankb.ingest.extract.document", fromlist=["extract_text"]).extract_text(HOSTILE, source="h.txt").id + ".II.1.2"

NODE_POS = """(id) => {
  const net = window.plankbNetwork;
  const p = net.getPositions([id])[id];
  const d = net.canvasToDOM(p);
  const r = document.getElementById("plankb-graph").getBoundingClientRect();
  return {x: r.left + d.x, y: r.top + d.y};
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """uvicorn serving create_app over an on-disk KB (seeds + a hostile plan), in a thread."""
    import threading

    import uvicorn

    from plankb.api.app import Settings, create_app
    from plankb.kb.store import KnowledgeBase

    d = tmp_path_factory.mktemp("browser")
    hostile = d / "hoa_sen.txt"
    hostile.write_text(HOSTILE, encoding="utf-8")
    kb = KnowledgeBase.open(d / "kb")
    summary = ingest_paths(kb, [SEEDS_DIR, hostile], progress=False, validate=False)
    assert not summary.failed, summary.errors
    port = free_port()
    settings = Settings(data_dir=d / "kb", host="127.0.0.1", port=port, query_workers=1)
    srv = uvicorn.Server(uvicorn.Config(create_app(settings, kb), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, name="plankb-test-server", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(base + "/api/plans", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("server did not start")
        time.sleep(0.1)
    yield base
    srv.should_exit = True
    thread.join(10)
    kb.close()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    pg = ctx.new_page()
    pg.problems = []  # console errors, page errors, dialogs (alert() from hostile text)
    pg.on("console", lambda m: pg.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.problems.append(f"pageerror: {e}"))
    pg.on("dialog", lambda d: (pg.problems.append(f"dialog: {d.message}"), d.dismiss()))
    yield pg
    ctx.close()


def open_graph_page(page, url: str) -> None:
    page.goto(url)
    page.wait_for_function("window.plankbReady === true", timeout=10_000)
    page.locator(".graph-panel").scroll_into_view_if_needed()
    page.wait_for_timeout(200)


def test_task_page_trace_graph(server, page):
    ARTIFACTS.mkdir(exist_ok=True)
    open_graph_page(page, f"{server}/tasks/{TASK}")
    assert page.locator("h1").inner_text() == "Nhiệm vụ II.2.a"
    assert page.locator("mark#source-mark").inner_text().startswith("Đẩy mạnh thực hiện rà soát")
    nodes = page.evaluate("window.plankbNodes.get().map(n => ({id: n.id, url: n.url, kind: n.kind, label: n.label}))")
    by_url = {n["url"]: n for n in nodes}
    missing = {what for url, what in EXPECTED.items() if url not in by_url}
    assert not missing, (missing, sorted(by_url))
    assert page.locator("canvas").count() == 1
    page.screenshot(path=str(ARTIFACTS / "task_page.png"), full_page=True)
    page.locator(".graph-panel").screenshot(path=str(ARTIFACTS / "task_trace_graph.png"))

    # hover: the tooltip names the node (plain text)
    hp_task = by_url[f"/tasks/{HAI_PHONG}.II.2.a"]["id"]
    pos = page.evaluate(NODE_POS, hp_task)
    page.mouse.move(pos["x"], pos["y"])
    tip = page.locator("div.vis-tooltip")
    tip.wait_for(state="visible", timeout=5_000)
    assert "Hải Phòng" in tip.inner_text() and "Nhiệm vụ" in tip.inner_text()

    # click: the node's page opens
    hp_plan = by_url[f"/plans/{HAI_PHONG}"]["id"]
    pos = page.evaluate(NODE_POS, hp_plan)
    page.mouse.click(pos["x"], pos["y"])
    page.wait_for_url(f"{server}/plans/{HAI_PHONG}", timeout=10_000)
    assert "Hải Phòng" in page.locator("h1").inner_text()
    page.screenshot(path=str(ARTIFACTS / "plan_after_click.png"))
    assert not page.problems, page.problems


def test_hostile_text_never_runs(server, page):
    ARTIFACTS.mkdir(exist_ok=True)
    open_graph_page(page, f"{server}/tasks/{HOSTILE_TASK}")
    lead = page.locator(".task-lead").inner_text()
    assert "<img/src=x onerror=alert(3)>" in lead and "<svg/onload=alert(4)>" in lead
    assert page.evaluate("document.querySelectorAll('img, svg, [onerror], [onload]').length") == 0
    assert "<svg/onload=alert(4)>" in page.locator(".source-text mark").inner_text()  # the source line, as text
    task = page.evaluate(f"window.plankbNodes.get().find(n => n.url === '/tasks/{HOSTILE_TASK}').id")
    pos = page.evaluate(NODE_POS, task)
    page.mouse.move(pos["x"], pos["y"])
    tip = page.locator("div.vis-tooltip")
    tip.wait_for(state="visible", timeout=5_000)
    assert "<img/src=x onerror=alert(3)>" in tip.inner_text()
    assert page.evaluate("document.querySelectorAll('div.vis-tooltip *:not(br)').length") == 0  # innerText: line breaks only
    page.screenshot(path=str(ARTIFACTS / "hostile_task.png"), full_page=True)
    page.goto(f"{server}/search?q=kiem+tra+van+ban")
    assert "<img/src=x onerror=alert(3)>" in page.locator(".results").inner_text()
    assert page.evaluate("document.querySelectorAll('img, svg').length") == 0
    assert not page.problems, page.problems


def test_overview_opens_clustered(server, page):
    ARTIFACTS.mkdir(exist_ok=True)
    open_graph_page(page, f"{server}/overview")
    page.wait_for_function("document.getElementById('plankb-status').textContent.includes('cụm')", timeout=10_000)
    assert page.locator("#plankb-cluster").input_value() == "province"
    page.screenshot(path=str(ARTIFACTS / "overview.png"))
    page.goto(f"{server}/")
    assert page.locator("h1").inner_text() == "Kế hoạch cải cách hành chính nhà nước"
    page.screenshot(path=str(ARTIFACTS / "home.png"))
    page.goto(f"{server}/khong-co")
    assert page.locator("h1").inner_text() == "Không tìm thấy"
    problems = [p for p in page.problems if "404" not in p]  # the 404 itself is logged by Chromium
    assert not problems, problems
