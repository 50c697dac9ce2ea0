"""plankb.viz: vis-network pages from the KB graph (no CDN, escaped text, layouts, big graphs)."""
from __future__ import annotations

import json
import re
import time
from pathlib import Path

import networkx as nx
import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyvis.network import Network

from plankb.viz import styles
from plankb.viz.network import (
    AUTO_CLUSTER,
    BIG_GRAPH,
    STATIC_DIR,
    render_fragment,
    render_html,
    safe_url,
    to_network,
)

XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = '"><img src=x onerror=alert(1)>'
KINDS = ("plan", "task", "unit", "legal_document", "indicator", "jurisdiction", "area")
RELATIONS = ("based_on", "cites", "parent_plan", "part_of", "lead", "support", "parent_task", "in_jurisdiction", "measures", "area")


def trace_graph() -> nx.MultiDiGraph:
    """A task of phường Ái Quốc traced up to NQ 76/NQ-CP, shaped like kb.query.graph output."""
    g = nx.MultiDiGraph()
    g.add_node("nq76", kind="legal_document", label="Nghị quyết 76/NQ-CP", level="national", url="/legal/76-2021-nq-cp",
               title="Nghị quyết 76/NQ-CP ngày 15/7/2021 ban hành Chương trình tổng thể cải cách hành chính nhà nước")
    g.add_node("hp-2026-2030", kind="plan", label="Kế hoạch cải cách hành chính thành phố Hải Phòng giai đoạn 2026–2030",
               level="province", url="/plans/hp-2026-2030")
    g.add_node("aiquoc-2026-2030", kind="plan", label="Kế hoạch cải cách hành chính phường Ái Quốc giai đoạn 2026 – 2030",
               level="commune", url="/plans/aiquoc-2026-2030")
    g.add_node("t-aiquoc-3", kind="task", label="Rà soát, đơn giản hóa thủ tục hành chính", level="commune",
               url="/tasks/t-aiquoc-3")
    g.add_node("u-vhxh", kind="unit", label="Phòng Văn hóa – Xã hội", level=None, url="/units/u-vhxh")
    g.add_node("j-aiquoc", kind="jurisdiction", label="Phường Ái Quốc", level=None, url="/jurisdictions/10660")
    g.add_node("j-hp", kind="jurisdiction", label="Thành phố Hải Phòng", level=None, url="/jurisdictions/31")
    g.add_edge("t-aiquoc-3", "aiquoc-2026-2030", relation="part_of")
    g.add_edge("aiquoc-2026-2030", "hp-2026-2030", relation="parent_plan")
    g.add_edge("aiquoc-2026-2030", "hp-2026-2030", relation="based_on")
    g.add_edge("hp-2026-2030", "nq76", relation="based_on")
    g.add_edge("u-vhxh", "t-aiquoc-3", relation="lead")
    g.add_edge("aiquoc-2026-2030", "j-aiquoc", relation="in_jurisdiction")
    g.add_edge("hp-2026-2030", "j-hp", relation="in_jurisdiction")
    g.add_edge("j-aiquoc", "j-hp", relation="in_jurisdiction")
    return g


def hostile_graph() -> nx.MultiDiGraph:
    g = trace_graph()
    g.nodes["t-aiquoc-3"]["label"] = XSS_SCRIPT
    g.nodes["u-vhxh"]["label"] = XSS_IMG
    g.nodes["j-aiquoc"]["label"] = XSS_IMG + XSS_SCRIPT  # reaches the cluster-group labels
    g.nodes["nq76"]["title"] = "</script><script>alert(2)</script>"
    g.nodes["aiquoc-2026-2030"]["url"] = "javascript:alert(1)"
    g.add_edge("u-vhxh", "t-aiquoc-3", relation="support", title=XSS_SCRIPT)
    return g


def synthetic_graph(n: int = 3000) -> nx.MultiDiGraph:
    """~n nodes: provinces with communes, plans, units, tasks, indicators (kb.query.graph shapes)."""
    g = nx.MultiDiGraph()
    g.add_node("nq76", kind="legal_document", label="Nghị quyết 76/NQ-CP", url="/legal/nq76")
    for a in range(6):
        g.add_node(f"area{a}", kind="area", label=f"Lĩnh vực cải cách {a + 1}", url=f"/areas/{a}")
    p = t = 0
    while g.number_of_nodes() < n:
        p += 1
        pj, pp = f"prov{p}", f"plan-prov{p}"
        g.add_node(pj, kind="jurisdiction", label=f"Tỉnh {p}")
        g.add_node(pp, kind="plan", label=f"Kế hoạch CCHC tỉnh {p} năm 2026", level="province", url=f"/plans/{pp}")
        g.add_edge(pp, pj, relation="in_jurisdiction")
        g.add_edge(pp, "nq76", relation="based_on")
        for c in range(10):
            cj, cp, u = f"com{p}-{c}", f"plan-com{p}-{c}", f"unit{p}-{c}"
            g.add_node(cj, kind="jurisdiction", label=f"Phường {c} (tỉnh {p})")
            g.add_edge(cj, pj, relation="in_jurisdiction")
            g.add_node(cp, kind="plan", label=f"Kế hoạch CCHC phường {c} năm 2026", level="commune", url=f"/plans/{cp}")
            g.add_edge(cp, cj, relation="in_jurisdiction")
            g.add_edge(cp, pp, relation="parent_plan")
            g.add_node(u, kind="unit", label="Phòng Văn hóa – Xã hội", url=f"/units/{u}")
            for _ in range(8):
                t += 1
                g.add_node(f"t{t}", kind="task", label=f"Nhiệm vụ {t}: số hóa hồ sơ, kết quả giải quyết TTHC", url=f"/tasks/t{t}")
                g.add_edge(f"t{t}", cp, relation="part_of")
                g.add_edge(u, f"t{t}", relation="lead")
                g.add_edge(f"t{t}", f"area{t % 6}", relation="area")
            g.add_node(f"i{p}-{c}", kind="indicator", label="Mức độ hài lòng đạt tối thiểu 95%")
            g.add_edge(f"i{p}-{c}", cp, relation="measures")
    return g


def data_block(html: str) -> dict:
    soup = BeautifulSoup(html, "html.parser")
    block = soup.find("script", id="plankb-data")
    assert block is not None and block.get("type") == "application/json"
    return json.loads(block.string)


def nodes_by_id(payload: dict) -> dict[str, dict]:
    return {n["id"]: n for n in payload["nodes"]}


# ----------------------------------------------------------------- styles


def test_styles_cover_every_kind_and_relation_in_vietnamese():
    assert {k: styles.NODE_KINDS[k].label for k in KINDS} == {
        "plan": "Kế hoạch", "task": "Nhiệm vụ", "unit": "Đơn vị", "legal_document": "Văn bản pháp lý",
        "indicator": "Chỉ tiêu", "jurisdiction": "Địa bàn", "area": "Lĩnh vực",
    }
    labels = {r: styles.EDGE_RELATIONS[r].label for r in RELATIONS}
    assert labels["based_on"] == "căn cứ" and labels["cites"] == "trích dẫn" and labels["lead"] == "chủ trì"
    assert labels["parent_plan"] == "kế hoạch cấp trên" and labels["support"] == "phối hợp"
    assert labels["parent_task"] == "nhiệm vụ cấp trên" and labels["part_of"] == "thuộc"
    assert len(set(labels.values())) == len(labels)
    assert styles.node_kind_style("no-such-kind") is styles.OTHER_KIND
    assert styles.edge_style(None) is styles.OTHER_RELATION


# ----------------------------------------------------------------- standalone page


def test_standalone_page_loads_nothing_from_outside():
    html = render_html(trace_graph(), title="Truy vết nhiệm vụ")
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find_all("link") == []
    assert [s for s in soup.find_all("script") if s.get("src")] == []
    for tag in soup.find_all(True):
        for attr in ("src", "href", "data", "action", "srcset"):
            assert not tag.get(attr), (tag.name, attr)
    assert not re.search(r"<(?:script|link|img|iframe)[^>]+(?:src|href)\s*=", html, re.I)
    for cdn in ("jsdelivr", "unpkg", "cdnjs", "bootstrap", "googleapis"):
        assert cdn not in html.lower()
    # vis-network is inlined
    assert "vis-network" in html and "window.plankbNetwork" in html and len(html) > 500_000


def test_data_block_round_trips_ids_and_vietnamese_labels():
    g = trace_graph()
    payload = data_block(render_html(g, title="Truy vết"))
    nodes = nodes_by_id(payload)
    assert set(nodes) == set(g.nodes)
    for n, data in g.nodes(data=True):
        assert nodes[n]["label"].rstrip("…") in data["label"] or nodes[n]["label"] == data["label"]
        assert nodes[n]["kind"] == data["kind"]
    assert nodes["aiquoc-2026-2030"]["label"].startswith("Kế hoạch cải cách hành chính phường Ái Quốc")
    assert nodes["u-vhxh"]["label"] == "Phòng Văn hóa – Xã hội"
    assert "ngày 15/7/2021" in nodes["nq76"]["title"]  # node title → tooltip text
    assert "Loại: Văn bản pháp lý" in nodes["nq76"]["title"]
    assert len(payload["edges"]) == g.number_of_edges()
    assert {e["relation"] for e in payload["edges"]} == {r for *_, r in g.edges(data="relation")}
    assert {(e["from"], e["to"]) for e in payload["edges"]} == {(u, v) for u, v in g.edges()}


def test_document_text_is_never_markup():
    g = hostile_graph()
    html = render_html(g, title=XSS_SCRIPT + XSS_IMG)
    for bad in (XSS_SCRIPT, XSS_IMG, "<img", "alert(2)</script>", "javascript:alert"):
        assert bad not in html
    block = re.search(r'<script type="application/json" id="plankb-data">(.*?)</script>', html, re.S).group(1)
    assert "<" not in block and ">" not in block and "&" not in block
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in block
    # title is HTML-escaped in <title> and <h1>
    soup = BeautifulSoup(html, "html.parser")
    assert soup.title.string == XSS_SCRIPT + XSS_IMG
    assert soup.h1.get_text() == XSS_SCRIPT + XSS_IMG
    assert len(soup.find_all("img")) == 0
    # exactly our own scripts: data block, vis-network, app
    assert len(soup.find_all("script")) == 3
    # and the text comes back intact as data
    payload = data_block(html)
    nodes = nodes_by_id(payload)
    assert nodes["t-aiquoc-3"]["label"] == XSS_SCRIPT
    assert XSS_IMG in nodes["u-vhxh"]["title"]
    assert any(XSS_IMG in grp["label"] for grp in payload["groups"].values())
    assert nodes["aiquoc-2026-2030"]["url"] is None  # javascript: URL dropped


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(min_size=1, max_size=80))
def test_any_label_survives_json_embedding(label):
    g = nx.MultiDiGraph()
    g.add_node("x", kind="task", label=label, level="commune", url="/tasks/x")
    html = render_fragment(g)
    block = re.search(r'<script type="application/json" id="plankb-data">(.*?)</script>', html, re.S).group(1)
    assert not re.search(r"[<>&\u2028\u2029]", block)
    node = json.loads(block)["nodes"][0]
    shown = " ".join(label.split()) or "x"  # blank labels fall back to the node id
    if len(shown) <= 60:
        assert node["label"] == shown
    else:
        assert node["label"].endswith("…") and shown.startswith(node["label"][:-1])


@pytest.mark.parametrize(
    "url, expected",
    [
        ("/tasks/abc", "/tasks/abc"),
        ("/plans/hp-2026#ind-3", "/plans/hp-2026#ind-3"),
        ("javascript:alert(1)", None),
        ("JaVaScRiPt:alert(1)", None),
        ("//evil.example/x", None),
        ("/\\evil.example", None),
        ("/\t/evil.example", None),
        ("https://evil.example/", None),
        ("tasks/abc", None),
        ("", None),
        (None, None),
    ],
    ids=["task", "fragment", "javascript", "mixed-case", "protocol-relative", "backslash", "tab", "absolute", "relative", "empty", "none"],
)
def test_safe_url(url, expected):
    assert safe_url(url) == expected


# ----------------------------------------------------------------- layout


def test_trace_is_hierarchical_national_on_top():
    net = to_network(trace_graph())
    assert net.plankb["layout"] == "hierarchical"
    hier = net.options["layout"]["hierarchical"]
    assert hier["enabled"] and hier["direction"] == "UD"
    lv = {n["id"]: n["level"] for n in net.nodes}
    assert lv["nq76"] < lv["hp-2026-2030"] < lv["aiquoc-2026-2030"] <= lv["t-aiquoc-3"]
    assert lv["j-hp"] < lv["j-aiquoc"]  # jurisdictions get levels from their plans


def test_levels_inferred_when_only_plans_carry_them():
    """kb.query.graph sets `level` on plans only: documents, tasks, units are placed from their links."""
    g = trace_graph()
    for n in g.nodes:
        if g.nodes[n]["kind"] != "plan":
            g.nodes[n].pop("level", None)
    g.add_node("qd1478", kind="legal_document", label="Quyết định 1478/QĐ-UBND", url="/legal/qd1478")
    g.add_edge("aiquoc-2026-2030", "qd1478", relation="based_on")
    lv = {n["id"]: n["level"] for n in to_network(g).nodes}
    assert lv["nq76"] < lv["hp-2026-2030"] < lv["aiquoc-2026-2030"] <= lv["t-aiquoc-3"]
    assert lv["nq76"] < lv["qd1478"] < lv["aiquoc-2026-2030"]  # a UBND decision cited by a commune: province row


def test_unknown_layout_and_missing_focus_are_errors():
    with pytest.raises(ValueError, match="layout"):
        to_network(trace_graph(), layout="spring")
    with pytest.raises(ValueError, match="focus"):
        to_network(trace_graph(), focus="no-such-node")


def test_focus_is_highlighted_and_passed_to_the_page():
    payload = data_block(render_html(trace_graph(), title="x", focus="t-aiquoc-3"))
    node = nodes_by_id(payload)["t-aiquoc-3"]
    assert payload["focus"] == "t-aiquoc-3" and node["borderWidth"] == 5


def test_small_physics_layout_is_allowed():
    net = to_network(trace_graph(), layout="physics")
    assert net.options["physics"]["enabled"] is True
    assert all("x" not in n and "level" not in n for n in net.nodes)


def test_big_graph_physics_off_positions_precomputed_and_fast():
    g = synthetic_graph(3000)
    assert g.number_of_nodes() >= 3000 > BIG_GRAPH
    start = time.perf_counter()
    html = render_html(g, title="Toàn bộ cơ sở tri thức")
    elapsed = time.perf_counter() - start
    assert elapsed < 2.0, f"render took {elapsed:.2f}s"
    payload = data_block(html)
    assert payload["options"]["physics"]["enabled"] is False
    assert payload["layout"] == "layered"
    assert payload["cluster"] == "province" and g.number_of_nodes() > AUTO_CLUSTER
    assert len(payload["nodes"]) == g.number_of_nodes()
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in payload["nodes"])
    assert len({(n["x"], n["y"]) for n in payload["nodes"]}) == len(payload["nodes"])  # no two nodes stacked
    y = {n["id"]: n["y"] for n in payload["nodes"]}
    assert y["nq76"] < y["plan-prov1"] < y["plan-com1-0"] < y["t1"]
    # layered: national rows above province rows above commune rows
    rank = {"national": 0, "province": 1, "commune": 2}
    plan_rows = sorted((rank[n["adminLevel"]], n["y"]) for n in payload["nodes"] if n["kind"] == "plan")
    assert [r for r, _ in plan_rows] == sorted(r for r, _ in plan_rows)
    # cluster keys: communes grouped under their province
    nodes = nodes_by_id(payload)
    assert nodes["t1"]["ck"] == "j:com1-0" and nodes["t1"]["pk"] == "p:prov1"
    assert payload["groups"]["p:prov1"]["label"] == "Tỉnh 1"
    # no edge labels on big graphs (they would be unreadable and slow)
    assert all("label" not in e for e in payload["edges"])


def test_pyvis_network_holds_the_data_and_writes_our_page(tmp_path):
    net = to_network(trace_graph())
    assert isinstance(net, Network)
    assert net.num_nodes() == 7 and net.num_edges() == 8
    assert net.get_node("nq76")["label"] == "Nghị quyết 76/NQ-CP"
    out = tmp_path / "trace.html"
    net.heading = "Truy vết"
    net.write_html(str(out))
    html = out.read_text(encoding="utf-8")
    assert "<script src=" not in html and "<link" not in html and "plankb-data" in html
    assert not (tmp_path / "lib").exists()


# ----------------------------------------------------------------- web-app mode, page text


def test_app_mode_references_static_files_only():
    html = render_html(trace_graph(), title="Truy vết", standalone=False)
    soup = BeautifulSoup(html, "html.parser")
    srcs = [s["src"] for s in soup.find_all("script") if s.get("src")]
    assert srcs == ["/static/viz/vis-network.min.js", "/static/viz/plankb-graph.js"]
    assert [link["href"] for link in soup.find_all("link")] == ["/static/viz/plankb-graph.css"]
    assert len(html) < 60_000  # the library is not inlined
    for src in srcs + ["/static/viz/plankb-graph.css"]:
        assert (STATIC_DIR / Path(src).name).is_file()


def test_fragment_embeds_in_a_page():
    html = render_fragment(trace_graph(), static_url="/assets/viz/")
    assert "<html" not in html and "<title" not in html
    assert 'src="/assets/viz/vis-network.min.js"' in html and 'id="plankb-graph"' in html
    assert data_block(html)["nodes"]


def test_page_is_vietnamese_with_legend():
    html = render_html(trace_graph(), title="Truy vết")
    soup = BeautifulSoup(html, "html.parser")
    assert soup.html["lang"] == "vi"
    assert "Chú giải" in soup.get_text() and "Nhấn vào một nút để mở trang chi tiết" in soup.get_text()
    kinds = [li.get_text(strip=True) for li in soup.select(".plankb-legend-kinds li")]
    assert kinds == ["Văn bản pháp lý", "Kế hoạch", "Nhiệm vụ", "Đơn vị", "Địa bàn"]  # only kinds present
    rels = [li.get_text(strip=True) for li in soup.select(".plankb-legend-relations li")]
    assert set(rels) == {"căn cứ", "kế hoạch cấp trên", "thuộc", "chủ trì", "thuộc địa bàn"}


def test_vendored_vis_network_and_licences():
    js = (STATIC_DIR / "vis-network.min.js").read_text(encoding="utf-8")
    assert re.search(r"@version\s+10\.\d+\.\d+", js[:600])
    assert "dual licensed" in js[:1000]
    assert "Apache License" in (STATIC_DIR / "LICENSE-vis-network-APACHE-2.0.txt").read_text(encoding="utf-8")
    assert "MIT License" in (STATIC_DIR / "LICENSE-vis-network-MIT.txt").read_text(encoding="utf-8")
    assert "</script" not in js.lower()


# ----------------------------------------------------------------- real browser (optional)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no /usr/bin/chromium")
def test_browser_standalone_page(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    path = tmp_path / "trace.html"
    path.write_text(render_html(hostile_graph(), title="Truy vết"), encoding="utf-8")
    errors: list[str] = []
    requests: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("dialog", lambda d: (errors.append("dialog: " + d.message), d.dismiss()))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(path.as_uri())
            page.wait_for_function("window.plankbReady === true", timeout=15_000)
            assert page.evaluate("window.plankbNodes.length") == 7
            assert page.evaluate("window.plankbEdges.length") == 9
            assert page.evaluate("typeof window.plankbNetwork.getPositions") == "function"
            assert page.locator("#plankb-graph canvas").count() == 1
            assert page.locator("img").count() == 0
            # a cluster round trip keeps every node
            page.select_option("#plankb-cluster", "kind")
            page.select_option("#plankb-cluster", "none")
            assert page.evaluate("Object.keys(window.plankbNetwork.getPositions()).length") == 7
        finally:
            browser.close()
    assert errors == []
    assert [u for u in requests if not u.startswith("file://")] == []
