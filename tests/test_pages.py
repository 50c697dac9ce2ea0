"""The HTML pages (api.routers.pages): every page answers with its h1, Vietnamese labels, a JSON
twin (Link header and <link rel=alternate>) that answers, a strict CSP and no inline script;
document text is escaped everywhere (pages, search, graph data); 404s are HTML for browsers and
problem+json for API clients; `plankb viz` writes a standalone page.

One in-memory KB for the session: the five seeds, a hostile plan (its task text carries
`<script>` and `"><img onerror>`), and a plan whose source file was deleted after ingest.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from plankb.api.app import Settings, create_app
from plankb.kb.store import KnowledgeBase
from plankb.ingest.load import ingest_paths, ingest_record

SEEDS_DIR = Path(__file__).resolve().parent.parent / "examples" / "seeds"
AI_QUOC = "phuong-ai-quoc-10660.cchc-2026-2030"
HAI_PHONG = "thanh-pho-hai-phong-31.cchc-2026-2030"
TASK = f"{AI_QUOC}.II.2.a"  # "Đẩy mạnh thực hiện rà soát, cắt giảm, đơn giản hóa đối với thủ tục hành chính."
HP_TASK = f"{HAI_PHONG}.II.2.a"  # the Hải Phòng task it implements
VAN_HOA = "phuong-ai-quoc-10660.phong-van-hoa-xa-hoi"
NQ76 = "nq-76-2021-nq-cp"
HTML = {"accept": "text/html,application/xhtml+xml"}

XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = '"><img src=x onerror=alert(1)>'
XSS_TITLE = "Cải cách hành chính phường Hoa Sen năm 2026 <script>alert(2)</script>"
HOSTILE_PLAN = f"""ỦY BAN NHÂN DÂN
PHƯỜNG HOA SEN
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc

KẾ HOẠCH
Cải cách hành chính phường Hoa Sen năm 2026

Căn cứ Nghị quyết số 76/NQ-CP ngày 15/7/2021 của Chính phủ ban hành Chương trình tổng thể cải cách hành chính nhà nước giai đoạn 2021-2030;

I. MỤC ĐÍCH, YÊU CẦU
Nâng cao hiệu quả cải cách hành chính.

II. NHIỆM VỤ
1. Cải cách thể chế
- Rà soát văn bản {XSS_SCRIPT} và {XSS_IMG} của phường.
- Kiểm tra văn bản "><img/src=x onerror=alert(3)> và <svg/onload=alert(4)> tại phường.
2. Cải cách thủ tục hành chính
- Công khai thủ tục hành chính công đầy đủ, kịp thời.
"""
# the hostile plan's commune does not exist: its id carries a hash of its text (ingest.extract.document.plan_id_for)
HOSTILE_ID = __import__("plankb.ingest.extract.document", fromlist=["extract_text"]).extract_text(HOSTILE_PLAN, source="h.txt").id
GONE_PLAN = HOSTILE_PLAN.replace("HOA SEN", "SEN HỒNG").replace("Hoa Sen", "Sen Hồng").replace(XSS_SCRIPT, "") \
    .replace(XSS_IMG, "").replace('"><img/src=x onerror=alert(3)> và <svg/onload=alert(4)>', "")


# ================================================================ fixtures
@pytest.fixture(scope="session")
def plan_files(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("pages")
    hostile, gone = d / "hoa_sen.txt", d / "sen_hong.txt"
    hostile.write_text(HOSTILE_PLAN, encoding="utf-8")
    gone.write_text(GONE_PLAN, encoding="utf-8")
    return {"hostile": hostile, "gone": gone}


@pytest.fixture(scope="session")
def kb(plan_files) -> KnowledgeBase:
    from plankb.ingest.extract.document import extract_document

    kb = KnowledgeBase.in_memory()
    summary = ingest_paths(kb, [SEEDS_DIR, plan_files["gone"]], progress=False, validate=False)
    assert not summary.failed, summary.errors
    plan_files["gone"].unlink()  # its tasks' source context is no longer available
    # The cleaner blanks HTML tags (conversion debris), so `<script>` never reaches a task from a
    # text file; `<img/src=x onerror=…>` does. Put the raw payloads into the record as well, so the
    # stored task text and title carry them verbatim.
    rec = extract_document(plan_files["hostile"])
    tasks = list(rec.tasks)
    tasks[0] = tasks[0].model_copy(update={"text": f"Rà soát văn bản {XSS_SCRIPT} và {XSS_IMG} của phường."})
    rec = rec.model_copy(update={"tasks": tasks, "title": XSS_TITLE})
    ingest_record(kb, rec, validate=False)
    return kb


@pytest.fixture(scope="session")
def client(kb):
    with TestClient(create_app(Settings(query_workers=1), kb)) as c:
        yield c


@pytest.fixture(scope="session")
def hostile(kb) -> dict[str, str]:
    from plankb.kb import catalog

    plan = next(p for p in catalog.list_plans(kb, limit=100).items if "hoa-sen" in p.id)
    tasks = catalog.list_tasks(kb, plan=plan.id).items
    return {"plan": plan.id, "task": tasks[0].id, "task2": tasks[1].id}


@pytest.fixture(scope="session")
def gone_task(kb) -> str:
    from plankb.kb import catalog

    plan = next(p for p in catalog.list_plans(kb, limit=100).items if "sen-hong" in p.id)
    return catalog.list_tasks(kb, plan=plan.id).items[0].id


def page(client, url: str, status: int = 200) -> BeautifulSoup:
    """GET an HTML page; check status, type, CSP, the JSON twin (header and <link>), no inline script."""
    r = client.get(url, headers=HTML)
    assert r.status_code == status, (url, r.status_code, r.text[:500])
    assert r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    script_src = re.search(r"script-src ([^;]*)", csp).group(1)
    assert script_src.strip() == "'self'", csp
    assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    soup = BeautifulSoup(r.text, "html.parser")
    alt = soup.find("link", rel="alternate", type="application/json")
    assert alt is not None and alt["href"].startswith("/api/"), url
    assert r.headers["link"] == f'<{alt["href"]}>; rel="alternate"; type="application/json"'
    for s in soup.find_all("script"):
        # scripts come from our origin; the only inline blocks are non-executed JSON data
        assert s.get("src", "").startswith("/static/") or s.get("type") == "application/json", s
    for tag in soup.find_all(True):
        assert not any(a.lower().startswith("on") for a in tag.attrs), tag
    assert soup.html["lang"] == "vi"
    soup.twin = alt["href"]  # type: ignore[attr-defined]
    return soup


def h1(soup: BeautifulSoup) -> str:
    return " ".join(soup.h1.get_text().split())


def text(soup: BeautifulSoup) -> str:
    return " ".join(soup.get_text(" ").split())


def graph_data(soup: BeautifulSoup) -> dict:
    block = soup.find("script", id="plankb-data", type="application/json")
    assert block is not None
    return json.loads(block.string)


def twin_ok(client, soup) -> dict:
    r = client.get(soup.twin)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json"), (soup.twin, r.text[:300])
    return r.json()


# ================================================================ home and search
def test_home_lists_plans_by_level_and_province(client):
    soup = page(client, "/")
    assert h1(soup) == "Kế hoạch cải cách hành chính nhà nước"
    assert soup.twin == "/api/plans"
    assert len(twin_ok(client, soup)["items"]) >= 5
    levels = [" ".join(h.get_text().split()) for h in soup.select(".level-group > h3")]
    assert any(lv.startswith("Cấp tỉnh") for lv in levels) and any(lv.startswith("Cấp xã") for lv in levels)
    provinces = {(g["id"], " ".join(s.select_one(".prov-name").get_text().split())): s.select_one(".count").get_text()
                 for g in soup.select(".level-group") for s in g.select("details.province > summary")}
    # Hải Phòng's own plan under Cấp tỉnh; phường Ái Quốc's and xã Quyết Thắng's under Cấp xã
    assert provinces[("province", "Thành phố Hải Phòng")] == "1"
    assert provinces[("commune", "Thành phố Hải Phòng")] == "2"
    assert provinces[("commune", "Thành phố Hà Nội")] == "1"
    hrefs = {a["href"] for a in soup.find_all("a", href=True)}
    assert f"/plans/{AI_QUOC}" in hrefs and "/sparql" in hrefs and "/overview" in hrefs
    form = soup.find("form", action="/search")
    assert form is not None and form.find("input", attrs={"name": "q"}) is not None
    assert "Văn bản mới nhất" in text(soup)


def test_search_without_diacritics(client):
    soup = page(client, "/search?q=hanh+chinh+cong")
    assert h1(soup) == "Tìm kiếm"
    assert soup.twin == "/api/search?q=hanh+chinh+cong"
    assert twin_ok(client, soup)["total"] > 0
    marks = {m.get_text().lower() for m in soup.select(".results mark")}
    assert "hành chính công" in marks
    links = [a["href"] for a in soup.select(".result-title")]
    assert any(h.startswith("/units/") for h in links) and any(h.startswith("/tasks/") for h in links)
    kinds = {c.get_text() for c in soup.select(".result .chip.kind")}
    assert kinds <= {"Kế hoạch", "Nhiệm vụ", "Đơn vị", "Văn bản pháp lý", "Chỉ tiêu"}


def test_search_kind_filter_and_paging(client):
    soup = page(client, "/search?q=thu+tuc&kind=task")
    assert {c.get_text() for c in soup.select(".result .chip.kind")} == {"Nhiệm vụ"}
    nxt = soup.select_one(".pager a")
    assert nxt is not None and "offset=20" in nxt["href"]
    page(client, nxt["href"])
    empty = page(client, "/search?q=zzqqxx")
    assert "Không tìm thấy kết quả" in text(empty)
    blank = page(client, "/search")
    assert blank.twin == "/api/plans" and not blank.select(".result")


# ================================================================ plan
def test_plan_page(client):
    soup = page(client, f"/plans/{AI_QUOC}")
    assert h1(soup).startswith("Kế hoạch Cải cách hành chính") and "Ái Quốc" in h1(soup)
    assert soup.twin == f"/api/plans/{AI_QUOC}"
    assert twin_ok(client, soup)["id"] == AI_QUOC
    crumbs = [" ".join(li.get_text().split()) for li in soup.select(".crumbs li")]
    assert crumbs[0] == "Trang chủ" and crumbs[1] == "Cấp xã" and "Ái Quốc" in crumbs[-1]
    body = text(soup)
    for label in ("Thông tin chung", "Căn cứ", "Kế hoạch cấp trên", "Kế hoạch cấp dưới", "Nhiệm vụ", "Chỉ tiêu",
                  "Khoảng trống", "Cải cách thể chế", "Cải cách thủ tục hành chính", "Chủ trì", "Giai đoạn"):
        assert label in body, label
    legal = {a["href"] for a in soup.select("#legal a")}
    assert f"/legal/{NQ76}" in legal
    assert f"/plans/{HAI_PHONG}" in {a["href"] for a in soup.select("#parents a")}
    assert soup.find(id=TASK) is not None and soup.find("a", href=f"/tasks/{quote(TASK, safe='')}")
    verdicts = {v.get_text() for v in soup.select("#indicators .verdict")}
    assert "giữ nguyên" in verdicts  # Ái Quốc keeps Hải Phòng's 95% satisfaction target
    assert "bỏ" in {v.get_text() for v in soup.select("#gaps .verdict")}  # and drops its data-governance targets
    nodes = graph_data(soup)["nodes"]
    assert {n["url"] for n in nodes} >= {f"/plans/{AI_QUOC}", f"/plans/{HAI_PHONG}", f"/legal/{NQ76}"}


def test_parent_plan_lists_its_children(client):
    soup = page(client, f"/plans/{HAI_PHONG}")
    children = {a["href"] for a in soup.select("#parents a")}
    assert f"/plans/{AI_QUOC}" in children
    assert "không có kế hoạch cấp trên để so sánh" in text(soup)


# ================================================================ task
def test_task_page_with_source_and_trace(client):
    soup = page(client, f"/tasks/{TASK}")
    assert h1(soup) == "Nhiệm vụ II.2.a"
    assert soup.twin == f"/api/tasks/{quote(TASK, safe='')}"
    assert twin_ok(client, soup)["id"] == TASK
    body = text(soup)
    for label in ("Kế hoạch", "Lĩnh vực", "Cải cách thủ tục hành chính", "Chủ trì", "Phối hợp", "Thời hạn",
                  "Trích văn bản nguồn", "Truy vết nhiệm vụ", "Nhiệm vụ con"):
        assert label in body, label
    mark = soup.find("mark", id="source-mark")
    assert mark is not None and mark.get_text() == "Đẩy mạnh thực hiện rà soát, cắt giảm, đơn giản hóa đối với thủ tục hành chính."
    context = soup.select_one(".source-text").get_text()
    assert "2. Cải cách thủ tục hành chính" in context  # the surrounding source text
    assert "/units/phuong-ai-quoc-10660.trung-tam-phuc-vu-hanh-chinh-cong" in {a["href"] for a in soup.select("#facts a")}
    trace_links = {a["href"] for a in soup.select("table.trace a")}
    assert {f"/tasks/{HP_TASK}", f"/plans/{HAI_PHONG}", f"/legal/{NQ76}"} <= trace_links
    data = graph_data(soup)
    urls = {n["url"] for n in data["nodes"]}
    assert {f"/tasks/{TASK}", f"/plans/{AI_QUOC}", f"/tasks/{HP_TASK}", f"/plans/{HAI_PHONG}", f"/legal/{NQ76}"} <= urls
    assert data["layout"] == "hierarchical"
    levels = {n["url"]: n["level"] for n in data["nodes"]}
    # national on top, then Hải Phòng's plan beside its task, then Ái Quốc's plan beside the task
    assert levels[f"/legal/{NQ76}"] < levels[f"/plans/{HAI_PHONG}"] < levels[f"/plans/{AI_QUOC}"]
    assert levels[f"/plans/{HAI_PHONG}"] == levels[f"/tasks/{HP_TASK}"]
    assert levels[f"/plans/{AI_QUOC}"] == levels[f"/tasks/{TASK}"]
    # the Hải Phòng task is reached from the Ái Quốc task (kb.align's implements link)
    ids = {n["url"]: n["id"] for n in data["nodes"]}
    assert any(e["from"] == ids[f"/tasks/{TASK}"] and e["to"] == ids[f"/tasks/{HP_TASK}"] for e in data["edges"])
    # graph assets are served from /static/viz
    for src in [s["src"] for s in soup.find_all("script", src=True)]:
        assert client.get(src).status_code == 200, src


def test_task_without_source_file_shows_text_only(client, gone_task):
    soup = page(client, f"/tasks/{gone_task}")
    notice = soup.select_one("#source .notice")
    assert notice is not None and "Tệp nguồn không còn" in notice.get_text()
    assert soup.find("mark", id="source-mark") is None
    assert soup.select_one("#source blockquote").get_text().strip()


def test_source_excerpt_checks_the_file(kb, tmp_path):
    from plankb.api.pages_data import source_excerpt
    from plankb.kb import catalog

    task = catalog.get_task(kb, TASK)
    ex = source_excerpt(task)
    assert ex.available and ex.mark == task.text and "2. Cải cách thủ tục hành chính" in ex.before
    copy = tmp_path / "copy.txt"
    copy.write_bytes(Path(task.source.path).read_bytes() + b"\n")
    changed = task.model_copy(update={"source": task.source.model_copy(update={"path": str(copy)})})
    assert not source_excerpt(changed).available and "sha256" in source_excerpt(changed).reason


# ================================================================ unit
def test_unit_page(client):
    soup = page(client, f"/units/{VAN_HOA}")
    assert h1(soup) == "Phòng Văn hóa - Xã hội"
    assert soup.twin == f"/api/units/{VAN_HOA}"
    twin_ok(client, soup)
    body = text(soup)
    for label in ("Đơn vị tương ứng ở cấp khác", "Nhiệm vụ của đơn vị", "Vai trò", "Cơ quan thường trực CCHC",
                  "Chủ trì", "Lĩnh vực", "Đồ thị đơn vị"):
        assert label in body, label
    assert "/units/thanh-pho-hai-phong-31.so-noi-vu" in {a["href"] for a in soup.select("#counterparts a")}
    assert len(soup.select("#tasks tbody tr")) >= 20
    data = graph_data(soup)
    by_url = {n["url"]: n for n in data["nodes"]}
    assert f"/units/{VAN_HOA}" in by_url and "/units/thanh-pho-hai-phong-31.so-noi-vu" in by_url
    assert any(e["relation"] == "counterpart" for e in data["edges"])
    units = page(client, "/units")
    assert h1(units) == "Đơn vị" and f"/units/{VAN_HOA}" in {a["href"] for a in units.find_all("a", href=True)}


# ================================================================ legal
def test_legal_page_with_diagram(client):
    soup = page(client, f"/legal/{NQ76}")
    assert h1(soup) == "Nghị quyết 76/NQ-CP"
    assert soup.twin == f"/api/legal/{NQ76}"
    assert twin_ok(client, soup)["key"] == NQ76
    body = text(soup)
    for label in ("Thông tin văn bản", "Lược đồ văn bản", "Văn bản căn cứ", "Lấy làm kế hoạch cấp trên", "Chính phủ",
                  "15/07/2021", "chưa có"):
        assert label in body, label
    cited_by = {a["href"] for a in soup.select(".schema a")}
    assert {f"/plans/{AI_QUOC}", f"/plans/{HAI_PHONG}"} <= cited_by
    urls = {n["url"] for n in graph_data(soup)["nodes"]}
    assert {f"/legal/{NQ76}", f"/plans/{AI_QUOC}", f"/plans/{HAI_PHONG}"} <= urls
    # by number as printed, and an ingested parent plan's adopting decision
    assert h1(page(client, "/legal/76/NQ-CP")) == "Nghị quyết 76/NQ-CP"
    qd = page(client, "/legal/qd-1478-2026-qd-ubnd-hai-phong")
    assert f"/plans/{HAI_PHONG}" in {a["href"] for a in qd.select("#facts a")}
    listing = page(client, "/legal?ingested=false")
    assert h1(listing) == "Văn bản pháp lý" and listing.twin == "/api/legal?ingested=false"
    twin_ok(client, listing)


# ================================================================ overview and /api/graph
def test_overview(client):
    soup = page(client, "/overview")
    assert h1(soup) == "Tổng quan cơ sở tri thức"
    assert soup.twin.startswith("/api/graph?")
    data = graph_data(soup)
    kinds = {n["kind"] for n in data["nodes"]}
    assert {"plan", "task", "unit", "legal_document"} <= kinds and "area" not in kinds
    assert soup.find(attrs={"data-plankb-cluster": "province"}) is not None
    api = twin_ok(client, soup)
    assert len(api["nodes"]) == len(data["nodes"]) and api["edges"]
    plans_only = client.get("/api/graph?kind=plan&kind=legal_document").json()
    assert {n["kind"] for n in plans_only["nodes"]} == {"plan", "legal_document"}


# ================================================================ escaping
def assert_escaped(client, url: str) -> BeautifulSoup:
    r = client.get(url, headers=HTML)
    assert r.status_code == 200
    raw = r.text
    assert "<script>alert" not in raw and "<img src=x" not in raw and "<img/src" not in raw and "<svg" not in raw
    soup = page(client, url)
    assert not soup.find_all("img") and not soup.find_all("svg")
    return soup


def test_hostile_text_is_escaped_on_plan_page(client, hostile):
    soup = assert_escaped(client, f"/plans/{hostile['plan']}")
    body = soup.get_text()
    assert XSS_SCRIPT in body and XSS_IMG in body and "<script>alert(2)</script>" in h1(soup)
    assert "<img/src=x onerror=alert(3)>" in body  # kept by the cleaner, shown as text
    labels = " ".join(n["title"] + n["label"] for n in graph_data(soup)["nodes"])
    assert XSS_SCRIPT in labels


def test_hostile_text_is_escaped_on_task_page(client, hostile):
    soup = assert_escaped(client, f"/tasks/{hostile['task']}")
    assert XSS_SCRIPT in soup.select_one(".task-lead").get_text()
    assert XSS_IMG in soup.select_one(".task-lead").get_text()
    source = soup.select_one(".source-text").get_text()  # the source as the extractor read it (tags blanked)
    assert "Rà soát văn bản alert(1) và \"> của phường." in source and "<img/src=x onerror=alert(3)>" in source
    nodes = graph_data(soup)["nodes"]
    assert any(XSS_SCRIPT in n["label"] or XSS_SCRIPT in n["title"] for n in nodes)
    block = soup.find("script", id="plankb-data").string
    assert "<" not in block and ">" not in block  # JSON data block: \u003c, never a tag
    soup2 = assert_escaped(client, f"/tasks/{hostile['task2']}")
    assert "<svg/onload=alert(4)>" in soup2.get_text()


def test_hostile_text_is_escaped_in_search_and_graph_api(client, hostile):
    soup = assert_escaped(client, "/search?q=ra+soat+van+ban+alert")
    assert any(XSS_SCRIPT in r.get_text() for r in soup.select(".result"))
    soup = assert_escaped(client, "/search?q=" + quote(XSS_SCRIPT))
    assert XSS_SCRIPT in soup.find("input", id="search-q")["value"]
    assert_escaped(client, "/")
    assert_escaped(client, "/overview")
    assert_escaped(client, f"/legal/{NQ76}")
    api = client.get("/api/graph").json()
    assert any(XSS_SCRIPT in (n.get("label", "") + n.get("title", "")) for n in api["nodes"])


# ================================================================ errors
@pytest.mark.parametrize("url", ["/plans/khong-co", "/tasks/khong-co", "/units/khong-co", "/legal/khong-co",
                                 "/khong-co-trang-nay"])
def test_not_found_is_vietnamese_html_for_browsers(client, url):
    soup = page(client, url, status=404)
    assert h1(soup) == "Không tìm thấy"
    assert "khong-co" in text(soup)


def test_not_found_is_problem_json_for_api_clients(client):
    r = client.get("/plans/khong-co", headers={"accept": "application/json"})
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["status"] == 404
    r = client.get("/api/plans/khong-co", headers=HTML)
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")


def test_internal_links_resolve(client):
    """Every same-site link of the main pages answers (a sample of the task links)."""
    seen: set[str] = set()
    for url in ("/", f"/plans/{AI_QUOC}", f"/tasks/{TASK}", f"/units/{VAN_HOA}", f"/legal/{NQ76}"):
        soup = BeautifulSoup(client.get(url, headers=HTML).text, "html.parser")
        for a in soup.find_all("a", href=True):
            h = a["href"].split("#")[0]
            if h.startswith("/") and not h.startswith(("/sparql", "/docs")):
                seen.add(h)
    tasks = sorted(h for h in seen if h.startswith("/tasks/"))
    for h in sorted(h for h in seen if not h.startswith("/tasks/")) + tasks[:15]:
        assert client.get(h, headers=HTML).status_code == 200, h


# ================================================================ plankb viz
def test_viz_command_writes_a_standalone_page(tmp_path, plan_files):
    from typer.testing import CliRunner

    from plankb.api.cli import app

    data = tmp_path / "kb"
    runner = CliRunner()
    r = runner.invoke(app, ["ingest", str(plan_files["hostile"]), "--data-dir", str(data), "--no-progress"])
    assert r.exit_code == 0, r.output
    out = tmp_path / "trace.html"
    r = runner.invoke(app, ["viz", f"{HOSTILE_ID}.II.1.2", "-o", str(out), "--data-dir", str(data)])
    assert r.exit_code == 0, r.output
    html = out.read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    assert not soup.find_all("script", src=True) and not soup.find_all("link", href=True)  # all inlined
    assert "<img/src" not in html and "<svg/onload" not in html
    nodes = json.loads(soup.find("script", id="plankb-data").string)["nodes"]
    assert any("<img/src=x onerror=alert(3)>" in n["label"] + n["title"] for n in nodes)
    assert all(n.get("url") is None for n in nodes)  # --no-links (default): nothing to open from file://
    for target, kind in ((HOSTILE_ID, "plan"), ("76/NQ-CP", "legal")):
        r = runner.invoke(app, ["viz", target, "-o", str(tmp_path / f"{kind}.html"), "--data-dir", str(data)])
        assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["viz", "khong-co", "-o", str(tmp_path / "x.html"), "--data-dir", str(data)])
    assert r.exit_code == 1 and "khong-co" in r.output


def test_viz_subgraphs(kb):
    from plankb.api.pages_data import subgraph_for

    g, focus, title = subgraph_for(kb, VAN_HOA)
    assert g.nodes[focus]["kind"] == "unit" and title.startswith("Đơn vị Phòng Văn hóa")
    g, focus, title = subgraph_for(kb, AI_QUOC, "plan")
    kinds = {d["kind"] for _, d in g.nodes(data=True)}
    assert {"plan", "task", "legal_document"} <= kinds and title.startswith("Kế hoạch")
    g, focus, title = subgraph_for(kb, TASK)
    assert title.startswith("Truy vết nhiệm vụ II.2.a")
    with pytest.raises(KeyError):
        subgraph_for(kb, AI_QUOC, "unit")
