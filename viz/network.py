"""Interactive vis-network pages for the knowledge-base graph.

Public verbs:

* ``to_network(graph, layout=..., focus=...)`` turns a ``networkx.MultiDiGraph``
  built by ``kb.graph`` (node attrs ``kind``, ``label``, ``level``, ``url``,
  optional ``title``; edge attr ``relation``) into a pyvis ``Network`` holding
  vis-network nodes, edges and options.
* ``render_html(graph, title=..., standalone=True)`` renders a whole Vietnamese
  page with our own Jinja2 template (pyvis's template pulls Bootstrap and
  vis-network from CDNs, pyvis issues #228/#229).
* ``render_fragment(graph, ...)`` renders only the graph block (container, legend,
  data and script tags) for embedding in a web-app page.

With ``standalone=True`` the vendored ``viz/static/vis-network.min.js`` and our
own JS/CSS are inlined, so the page loads nothing from anywhere. Otherwise the
page references ``{static_url}/vis-network.min.js`` (``/static/viz`` by default).

Document text never enters HTML or JS source: node/edge data travel as JSON in a
``<script type="application/json">`` block with ``< > &`` and U+2028/2029
escaped, and are read with ``JSON.parse``. Tooltips are plain strings (vis-network
shows them with ``innerText``); labels are canvas text.

Big graphs (more than ``BIG_GRAPH`` nodes) get positions precomputed here (a
layered block layout: one band per administrative level and node kind, one block
per jurisdiction inside a band) and physics off; above ``AUTO_CLUSTER`` nodes the
page starts clustered by province (vis-network clustering API, in
``static/plankb-graph.js``; the toolbar switches to province / jurisdiction /
node kind / none, a click opens a cluster around its position).
"""
from __future__ import annotations

import json
import math
import re
from collections import Counter, deque
from functools import lru_cache
from pathlib import Path
from typing import Any

import networkx as nx
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pyvis.network import Network

from plankb.viz import styles

__all__ = ["to_network", "render_html", "render_fragment", "PlanKBNetwork", "BIG_GRAPH", "AUTO_CLUSTER"]

BIG_GRAPH = 300  # above this: physics off, positions precomputed in Python
AUTO_CLUSTER = 1000  # above this: the page opens clustered by province
LAYOUTS = ("auto", "hierarchical", "layered", "physics")
MAX_LABEL = 60  # characters shown on the canvas; the tooltip has the full text
MAX_TOOLTIP = 1200
STATIC_URL = "/static/viz"

_HERE = Path(__file__).resolve().parent
STATIC_DIR = _HERE / "static"
TEMPLATE_DIR = _HERE / "templates"
VIS_JS = "vis-network.min.js"
APP_JS = "plankb-graph.js"
APP_CSS = "plankb-graph.css"

# A same-site path: one leading slash, no '//' or '/\' (protocol-relative), no
# whitespace, backslash or control characters (browsers strip or fold them).
_SAFE_URL_RE = re.compile(r"^/(?![/\\])[^\s\\\x00-\x1f\x7f]*$")
_LEVEL_NAMES = ("national", "province", "commune")
# Central-level document symbols: 76/NQ-CP, 282/QĐ-TTg, 137/2024/NĐ-CP, 68-NQ/TW, 03/2025/TT-VPCP, Luật …
_NATIONAL_DOC_RE = re.compile(
    r"""(?:-CP\b|-TTg\b|/TW\b|/QH\d*\b|\bTT-[A-ZĐ]+\b|/VPCP\b|^\s*(?:Luật|Bộ\s+luật|Hiến\s+pháp)\b)""",
    re.VERBOSE | re.IGNORECASE | re.MULTILINE,
)
_CITING = {"based_on", "cites", "parent_plan"}
# A node's "own" links: task/indicator -> plan, unit/plan -> jurisdiction, unit <-> task.
_OWN_LINKS = {"part_of", "measures", "in_jurisdiction", "lead", "support"}
# Relations along which a node inherits its neighbour's jurisdiction (for grouping).
_JURISDICTION_SPREAD = {"part_of", "measures", "lead", "support"}


class PlanKBNetwork(Network):
    """pyvis Network whose ``generate_html``/``write_html`` use the plankb template.

    ``net.write_html("g.html")`` therefore writes the same self-contained page as
    ``render_html`` instead of pyvis's CDN-loading one.
    """

    plankb: dict[str, Any]

    def generate_html(self, name: str = "index.html", local: bool = True, notebook: bool = False) -> str:
        self.html = _render_page(self, title=self.heading or "Đồ thị", standalone=True, static_url=STATIC_URL)
        return self.html


# --------------------------------------------------------------------------- helpers


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _short(text: str, limit: int = MAX_LABEL) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def safe_url(url: Any) -> str | None:
    """Return ``url`` if it is a same-site path like '/tasks/abc', else None.

    >>> safe_url("/tasks/abc"), safe_url("javascript:alert(1)"), safe_url("//evil.example")
    ('/tasks/abc', None, None)
    """
    if isinstance(url, str) and _SAFE_URL_RE.match(url):
        return url
    return None


def _json_for_script(obj: Any) -> str:
    """JSON safe inside <script type="application/json">: no '<', '>', '&', U+2028/9."""
    s = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        s.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _effective_levels(graph: nx.MultiDiGraph) -> dict[Any, str | None]:
    """Each node's administrative level: its own, else inferred from its neighbours.

    kb.graph sets ``level`` on plans only. A legal document with a central-level
    symbol (NQ-CP, QĐ-TTg, …/TW, Luật …) is national; one that issues or is an
    ingested plan (adopts/resolves_to) takes that plan's level; otherwise it sits
    one level above the plans citing it. Other nodes take the highest level among
    neighbours, preferring their own plan/task/jurisdiction links. Synchronous
    rounds keep the result independent of node order.
    """
    nodes = graph.nodes
    level: dict[Any, str] = {n: d["level"] for n, d in nodes(data=True) if d.get("level") in _LEVEL_NAMES}
    for n, d in nodes(data=True):
        if n not in level and d.get("kind") == "legal_document":
            if _NATIONAL_DOC_RE.search("\n".join(_text(d.get(k)) for k in ("label", "id"))):
                level[n] = "national"
    for _ in range(8):
        updates: dict[Any, str] = {}
        for n, d in nodes(data=True):
            if n in level:
                continue
            if d.get("kind") == "legal_document":
                same = [level[v] for _, v, rel in graph.out_edges(n, data="relation") if rel in ("adopts", "resolves_to") and v in level]
                if same:
                    updates[n] = min(same, key=styles.level_rank)
                    continue
                citing = [level[u] for u, _, rel in graph.in_edges(n, data="relation") if rel in _CITING and u in level]
                if citing:
                    updates[n] = _LEVEL_NAMES[max(0, min(map(styles.level_rank, citing)) - 1)]
                    continue
            near = [level[v] for _, v, rel in graph.out_edges(n, data="relation") if rel in _OWN_LINKS and v in level]
            near += [level[u] for u, _, rel in graph.in_edges(n, data="relation") if rel in _OWN_LINKS and u in level]
            if not near:
                near = [level[m] for m in (*graph.successors(n), *graph.predecessors(n)) if m in level]
            if near:
                updates[n] = min(near, key=styles.level_rank)
        if not updates:
            break
        level.update(updates)
    return {n: level.get(n) for n in nodes}


def _jurisdictions(graph: nx.MultiDiGraph) -> dict[Any, Any]:
    """Map node -> jurisdiction node (own, via in_jurisdiction, or spread along part_of/...)."""
    juris: dict[Any, Any] = {}
    seeds: list[Any] = []
    for n, data in graph.nodes(data=True):
        if data.get("kind") == "jurisdiction":
            juris[n] = n
            seeds.append(n)
    for u, v, rel in graph.edges(data="relation"):
        if rel == "in_jurisdiction" and u not in juris:
            juris[u] = v
            seeds.append(u)
    queue = deque(seeds)
    while queue:
        n = queue.popleft()
        if graph.nodes[n].get("kind") == "jurisdiction":
            continue  # a jurisdiction does not hand itself to its neighbours
        j = juris[n]
        for _, m, rel in graph.out_edges(n, data="relation"):
            if rel in _JURISDICTION_SPREAD and m not in juris and graph.nodes[m].get("kind") != "jurisdiction":
                juris[m] = j
                queue.append(m)
        for m, _, rel in graph.in_edges(n, data="relation"):
            if rel in _JURISDICTION_SPREAD and m not in juris and graph.nodes[m].get("kind") != "jurisdiction":
                juris[m] = j
                queue.append(m)
    return juris


def _provinces(graph: nx.MultiDiGraph, juris: dict[Any, Any]) -> dict[Any, Any]:
    """Map each jurisdiction node to the province it lies in (itself if none is known).

    A commune names its province through an edge to another jurisdiction
    (in_jurisdiction / part_of; kb.graph maps pk:province to in_jurisdiction);
    failing that, the jurisdiction most of its plans' parent_plan/based_on
    targets belong to.
    """
    members: dict[Any, list[Any]] = {}
    for n, j in juris.items():
        members.setdefault(j, []).append(n)
    out: dict[Any, Any] = {}
    for j in members:
        parents = sorted(
            {v for _, v, rel in graph.out_edges(j, data="relation")
             if rel in ("in_jurisdiction", "part_of") and v != j and graph.nodes[v].get("kind") == "jurisdiction"},
            key=_text,
        )
        if parents:
            out[j] = parents[0]
            continue
        votes: Counter = Counter()
        for n in members[j]:
            for _, t, rel in graph.out_edges(n, data="relation"):
                pj = juris.get(t)
                if rel in ("parent_plan", "based_on") and pj is not None and pj != j:
                    votes[pj] += 1
        out[j] = min(votes, key=lambda v: (-votes[v], _text(v))) if votes else j
    # one hop only: a province found above must not itself point further up
    return {j: (p if out.get(p, p) == p else out[p]) for j, p in out.items()}


def _tooltip(data: dict, kind_label: str, level: str | None, juris_label: str | None, url: str | None) -> str:
    head = _text(data.get("title")) or _text(data.get("label"))
    lines = [head.strip(), f"Loại: {kind_label}"]
    if level is not None:
        lines.append(f"Cấp: {styles.level_style(level).label}")
    if juris_label:
        lines.append(f"Địa bàn: {juris_label}")
    if url:
        lines.append("Nhấn để mở trang chi tiết")
    text = "\n".join(line for line in lines if line)
    return text if len(text) <= MAX_TOOLTIP else text[: MAX_TOOLTIP - 1] + "…"


def _layered_positions(
    order: list[Any], band_of: dict[Any, int], group_of: dict[Any, str], group_rank: dict[str, tuple]
) -> dict[Any, tuple[float, float]]:
    """Layered block layout: bands top to bottom; in a band one square-ish block per group.

    Blocks are shelf-packed left to right and wrap at a width that keeps the
    whole drawing roughly square. O(n log n); ~3,000 nodes take milliseconds.
    """
    xsep, ysep, gap, band_gap = 150.0, 70.0, 120.0, 220.0
    n = max(1, len(order))
    max_width = max(1600.0, math.sqrt(n) * xsep * 1.6)
    bands: dict[int, dict[str, list[Any]]] = {}
    for node in order:
        bands.setdefault(band_of[node], {}).setdefault(group_of[node], []).append(node)
    pos: dict[Any, tuple[float, float]] = {}
    y = 0.0
    for band in sorted(bands):
        groups = sorted(bands[band].items(), key=lambda kv: group_rank[kv[0]])
        shelf: list[tuple[list[Any], int, float, float]] = []  # nodes, cols, w, h
        shelves: list[list[tuple[list[Any], int, float, float]]] = [shelf]
        cursor = 0.0
        for _, members in groups:
            cols = max(1, math.ceil(math.sqrt(len(members) * 2.0)))
            cols = min(cols, max(1, int(max_width // xsep)))
            rows = math.ceil(len(members) / cols)
            w, h = cols * xsep, rows * ysep
            if shelf and cursor + w > max_width:
                shelf = []
                shelves.append(shelf)
                cursor = 0.0
            shelf.append((members, cols, w, h))
            cursor += w + gap
        for shelf in shelves:
            if not shelf:
                continue
            total = sum(w for _, _, w, _ in shelf) + gap * (len(shelf) - 1)
            x0 = -total / 2.0
            for members, cols, w, _h in shelf:
                for i, node in enumerate(members):
                    r, c = divmod(i, cols)
                    pos[node] = (round(x0 + c * xsep + xsep / 2.0, 1), round(y + r * ysep, 1))
                x0 += w + gap
            y += max(h for _, _, _, h in shelf) + gap / 2.0
        y += band_gap
    return pos


def _options(layout: str, big: bool) -> dict:
    font = {"face": "system-ui, 'Segoe UI', Roboto, 'Noto Sans', Arial, sans-serif", "size": 14}
    opts: dict[str, Any] = {
        "autoResize": True,
        "nodes": {"font": font, "widthConstraint": {"maximum": 200}},
        "edges": {
            "font": {"size": 10, "color": "#555555", "strokeWidth": 3, "align": "middle"},
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.6}},
            "color": {"highlight": "#000000", "hover": "#000000", "inherit": False},
            "selectionWidth": 2,
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 150,
            "navigationButtons": False,
            "keyboard": {"enabled": True, "bindToWindow": False},
            "multiselect": False,
        },
        "physics": {"enabled": False},
        "layout": {"improvedLayout": not big},
    }
    if layout == "hierarchical":
        opts["layout"]["hierarchical"] = {
            "enabled": True,
            "direction": "UD",
            "sortMethod": "directed",
            "levelSeparation": 130,
            "nodeSpacing": 170,
            "treeSpacing": 200,
            "shakeTowards": "roots",
        }
        opts["edges"]["smooth"] = {"enabled": True, "type": "cubicBezier", "forceDirection": "vertical", "roundness": 0.4}
    elif layout == "layered":
        opts["edges"]["smooth"] = {"enabled": False}
        opts["interaction"]["hideEdgesOnDrag"] = True
        opts["interaction"]["hideEdgesOnZoom"] = True
        opts["nodes"]["scaling"] = {"label": {"enabled": True, "drawThreshold": 7}}
    else:  # physics
        opts["physics"] = {
            "enabled": True,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -60, "springLength": 120, "avoidOverlap": 0.3},
            "stabilization": {"enabled": True, "iterations": 200, "fit": True},
        }
        opts["edges"]["smooth"] = {"enabled": True, "type": "continuous"}
    return opts


# --------------------------------------------------------------------------- public


def to_network(graph: nx.MultiDiGraph, *, layout: str = "auto", focus: str | None = None) -> PlanKBNetwork:
    """Build a pyvis Network (vis-network data + options) from the KB graph.

    ``layout``: ``"auto"`` (hierarchical up to ``BIG_GRAPH`` nodes, else layered),
    ``"hierarchical"`` (vis layout, levels national → province → commune, UD),
    ``"layered"`` (positions precomputed here, physics off) or ``"physics"``
    (force-directed; falls back to layered above ``BIG_GRAPH`` nodes).
    ``focus``: id of a node to highlight and centre; ValueError if absent.

    Node dicts carry vis fields (id, label, title, level or x/y, and ``group``
    ``"<kind>.<level>"`` whose colour/shape live in ``net.options["groups"]``)
    plus ``kind``, ``adminLevel``, ``url`` (same-site paths only) and ``ck``
    (cluster key: ``j:<jurisdiction id>``, else ``k:<kind>``). ``net.plankb`` holds the
    page metadata (layout, cluster groups, default clustering, focus, legend).
    """
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; expected one of {', '.join(LAYOUTS)}")
    ids = {n: _text(n) for n in graph.nodes}
    if focus is not None:
        focus_key = next((n for n, s in ids.items() if s == _text(focus)), None)
        if focus_key is None:
            raise ValueError(f"focus node {focus!r} is not in the graph")
        focus = ids[focus_key]
    n_nodes = graph.number_of_nodes()
    big = n_nodes > BIG_GRAPH
    if layout == "auto":
        layout = "layered" if big else "hierarchical"
    elif layout == "physics" and big:
        layout = "layered"

    levels = _effective_levels(graph)
    juris = _jurisdictions(graph)

    # Bands: dense rank of (administrative level, kind) so national is on top.
    band_key = {
        n: (styles.level_rank(levels[n]), styles.node_kind_style(graph.nodes[n].get("kind")).rank) for n in graph.nodes
    }
    band_index = {k: i for i, k in enumerate(sorted(set(band_key.values())))}
    band_of = {n: band_index[band_key[n]] for n in graph.nodes}

    # Cluster groups: jurisdiction ("j:"), else node kind ("k:"); coarser: province ("p:").
    province = _provinces(graph, juris)
    group_of: dict[Any, str] = {}
    prov_of: dict[Any, str] = {}
    groups: dict[str, dict[str, Any]] = {}
    group_rank: dict[str, tuple] = {}

    def _jgroup(prefix: str, j: Any) -> str:
        key = prefix + ids[j]
        if key not in groups:
            jd, pd = graph.nodes[j], graph.nodes[province[j]]
            groups[key] = {"label": _short(_text(jd.get("label")) or ids[j], 40), "count": 0}
            group_rank[key] = (
                0,
                styles.level_rank(pd.get("level")),
                _text(pd.get("label")),
                ids[province[j]],
                styles.level_rank(jd.get("level")),
                _text(jd.get("label")),
                ids[j],
            )
        groups[key]["count"] += 1
        return key

    for n, data in graph.nodes(data=True):
        j = juris.get(n)
        if j is not None:
            group_of[n] = _jgroup("j:", j)
            prov_of[n] = _jgroup("p:", province[j])
        else:
            kind = data.get("kind") if data.get("kind") in styles.NODE_KINDS else "other"
            key = "k:" + kind
            if key not in groups:
                ks = styles.node_kind_style(kind)
                groups[key] = {"label": ks.label, "count": 0, "color": ks.color}
                group_rank[key] = (1, ks.rank, "", "", 0, "", key)
            groups[key]["count"] += 1
            group_of[n] = prov_of[n] = key

    order = sorted(graph.nodes, key=lambda n: (band_of[n], group_rank[group_of[n]], _text(graph.nodes[n].get("label")), ids[n]))
    positions = _layered_positions(order, band_of, group_of, group_rank) if layout == "layered" else {}

    net = PlanKBNetwork(height="100%", width="100%", directed=True, cdn_resources="in_line")
    kinds_present: Counter[str] = Counter()
    vis_groups: dict[str, dict] = {}
    for n in order:
        data = graph.nodes[n]
        kind = data.get("kind")
        kstyle = styles.node_kind_style(kind)
        kinds_present[kind if kind in styles.NODE_KINDS else "other"] += 1
        level = levels[n]  # own level, or inferred from links (kb.graph levels plans only)
        url = safe_url(data.get("url"))
        j = juris.get(n)
        juris_label = _text(graph.nodes[j].get("label")) if j is not None and j != n else None
        label = _short(_text(data.get("label"))) or _short(ids[n])
        style_group = f"{kind if kind in styles.NODE_KINDS else 'other'}.{level or 'none'}"
        if style_group not in vis_groups:  # shared style per kind/level keeps the page small
            vis_groups[style_group] = styles.vis_node_options(kind, level)
        node: dict[str, Any] = {
            "id": ids[n],
            "label": label,
            "title": _tooltip(data, kstyle.label, level, juris_label, url),
            "kind": kind if kind in styles.NODE_KINDS else "other",
            "adminLevel": level,
            "url": url,
            "ck": group_of[n],
            "pk": prov_of[n],
            "group": style_group,
        }
        if layout == "hierarchical":
            node["level"] = band_of[n]
        elif layout == "layered":
            node["x"], node["y"] = positions[n]
            node["physics"] = False
        if focus is not None and ids[n] == focus:
            base = vis_groups[style_group]
            node["borderWidth"] = 5
            node["size"] = int(base["size"] * 1.6)
            node["font"] = {"size": 18, "bold": True}
            node["color"] = {**base["color"], "border": "#000000"}
        net.nodes.append(node)
        net.node_ids.append(ids[n])  # bypass pyvis add_node: its membership test is O(n)
        net.node_map[ids[n]] = node

    relations: Counter[str] = Counter()
    seen_pairs: Counter[tuple[str, str]] = Counter()
    show_edge_labels = not big
    for i, (u, v, data) in enumerate(graph.edges(data=True)):
        rel = data.get("relation")
        relations[rel if rel in styles.EDGE_RELATIONS else "other"] += 1
        edge = {"id": f"e{i}", "from": ids[u], "to": ids[v], "relation": _text(rel), **styles.vis_edge_options(rel, with_label=show_edge_labels)}
        extra = _text(data.get("title"))
        if extra:
            edge["title"] = f"{edge['title']}\n{extra}"[:MAX_TOOLTIP]
        pair = (min(ids[u], ids[v]), max(ids[u], ids[v]))
        k = seen_pairs[pair]
        seen_pairs[pair] += 1
        if k and layout != "layered":  # spread parallel edges so each stays visible
            edge["smooth"] = {"enabled": True, "type": "curvedCW" if k % 2 else "curvedCCW", "roundness": 0.15 * ((k + 1) // 2)}
        net.edges.append(edge)

    net.options = _options(layout, big)  # pyvis accepts a plain dict here
    net.options["groups"] = vis_groups
    net.plankb = {
        "layout": layout,
        "focus": focus,
        "groups": groups,
        "cluster": "province" if n_nodes > AUTO_CLUSTER else "none",
        "legend": styles.legend_items(set(kinds_present), set(relations)),
        "counts": {"nodes": n_nodes, "edges": graph.number_of_edges()},
    }
    return net


@lru_cache(maxsize=None)
def _asset(name: str) -> str:
    text = (STATIC_DIR / name).read_text(encoding="utf-8")
    if name.endswith(".js"):
        text = re.sub(r"\n//# sourceMappingURL=\S+\s*$", "\n", text)  # the .map is not vendored
    if re.search(r"</(script|style)", text, re.IGNORECASE):
        raise RuntimeError(f"{name} contains a closing script/style tag and cannot be inlined")
    return text


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _context(net: PlanKBNetwork, *, title: str, standalone: bool, static_url: str) -> dict[str, Any]:
    meta = getattr(net, "plankb", None) or {"layout": "physics", "focus": None, "groups": {}, "cluster": "none", "legend": styles.legend_items(), "counts": {"nodes": len(net.nodes), "edges": len(net.edges)}}
    nodes, edges, _heading, _h, _w, _opts = net.get_network_data()
    payload = {
        "nodes": nodes,
        "edges": edges,
        "options": net.options if isinstance(net.options, dict) else json.loads(net.options.to_json()),
        "layout": meta["layout"],
        "focus": meta["focus"],
        "cluster": meta["cluster"],
        "groups": meta["groups"],
        "kinds": {k: {"label": v.label, "color": v.color} for k, v in [*styles.NODE_KINDS.items(), ("other", styles.OTHER_KIND)]},
    }
    ctx = {
        "title": title,
        "standalone": standalone,
        "static_url": static_url.rstrip("/"),
        "data_json": _json_for_script(payload),
        "legend": meta["legend"],
        "counts": meta["counts"],
        "layout": meta["layout"],
        "cluster": meta["cluster"],
    }
    if standalone:
        ctx["vis_js"] = _asset(VIS_JS)
        ctx["app_js"] = _asset(APP_JS)
        ctx["app_css"] = _asset(APP_CSS)
    return ctx


def _render_page(net: PlanKBNetwork, *, title: str, standalone: bool, static_url: str) -> str:
    return _env().get_template("graph.html").render(**_context(net, title=title, standalone=standalone, static_url=static_url))


def render_html(
    graph: nx.MultiDiGraph,
    *,
    title: str,
    layout: str = "auto",
    focus: str | None = None,
    standalone: bool = True,
    static_url: str = STATIC_URL,
) -> str:
    """A complete Vietnamese HTML page showing ``graph``.

    ``standalone=True``: vis-network, our JS and CSS are inlined; the page has no
    external URL at all (works from file://). ``standalone=False``: the page loads
    ``{static_url}/vis-network.min.js``, ``plankb-graph.js`` and ``plankb-graph.css``
    (mount ``viz/static`` there). ``title`` is escaped.
    """
    net = to_network(graph, layout=layout, focus=focus)
    net.heading = title
    return _render_page(net, title=title, standalone=standalone, static_url=static_url)


def render_fragment(
    graph: nx.MultiDiGraph,
    *,
    layout: str = "auto",
    focus: str | None = None,
    static_url: str = STATIC_URL,
) -> str:
    """Only the graph block (toolbar, canvas, legend, data, script tags) for a web-app page.

    Scripts and the stylesheet link point at ``static_url``; one graph per page
    (fixed element ids ``plankb-graph`` / ``plankb-data``).
    """
    net = to_network(graph, layout=layout, focus=focus)
    ctx = _context(net, title="", standalone=False, static_url=static_url)
    return _env().get_template("_graph.html").render(**ctx)
