"""Interactive vis-network pages for the knowledge-base graph.

Public verbs:

* ``to_network(graph, layout=..., focus=...)`` turns a ``networkx.MultiDiGraph``
  built by ``kb.query.graph`` (node attrs ``kind``, ``label``, ``level``, ``url``,
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

Node placement lives in viz/layout.py, the page templates and assets in viz/page.py.
"""
from __future__ import annotations

import re
from collections import Counter
from typing import Any

import networkx as nx
from pyvis.network import Network

from plankb.kb.text import clip
from plankb.viz import styles
from plankb.viz.layout import (
    as_text,
    effective_levels,
    jurisdictions,
    layered_positions,
    provinces,
)
from plankb.viz.page import (
    STATIC_DIR,
    STATIC_URL,
    TEMPLATE_DIR,
    render_block,
    render_page,
)

__all__ = ["to_network", "render_html", "render_fragment", "PlanKBNetwork", "BIG_GRAPH", "AUTO_CLUSTER",
           "STATIC_DIR", "STATIC_URL", "TEMPLATE_DIR", "safe_url"]

BIG_GRAPH = 300  # above this: physics off, positions precomputed in Python
AUTO_CLUSTER = 1000  # above this: the page opens clustered by province
LAYOUTS = ("auto", "hierarchical", "layered", "physics")
MAX_LABEL = 60  # characters shown on the canvas; the tooltip has the full text
MAX_TOOLTIP = 1200

# A same-site path: one leading slash, no '//' or '/\' (protocol-relative), no
# whitespace, backslash or control characters (browsers strip or fold them).
_SAFE_URL_RE = re.compile(r"^/(?![/\\])[^\s\\\x00-\x1f\x7f]*$")


class PlanKBNetwork(Network):
    """pyvis Network whose ``generate_html``/``write_html`` use the plankb template.

    ``net.write_html("g.html")`` therefore writes the same self-contained page as
    ``render_html`` instead of pyvis's CDN-loading one.
    """

    plankb: dict[str, Any]

    def generate_html(self, name: str = "index.html", local: bool = True, notebook: bool = False) -> str:
        self.html = render_page(self, title=self.heading or "Đồ thị", standalone=True, static_url=STATIC_URL)
        return self.html


# --------------------------------------------------------------------------- helpers


def safe_url(url: Any) -> str | None:
    """Return ``url`` if it is a same-site path like '/tasks/abc', else None.

    >>> safe_url("/tasks/abc"), safe_url("javascript:alert(1)"), safe_url("//evil.example")
    ('/tasks/abc', None, None)
    """
    if isinstance(url, str) and _SAFE_URL_RE.match(url):
        return url
    return None


def _tooltip(data: dict, kind_label: str, level: str | None, juris_label: str | None, url: str | None) -> str:
    head = as_text(data.get("title")) or as_text(data.get("label"))
    lines = [head.strip(), f"Loại: {kind_label}"]
    if level is not None:
        lines.append(f"Cấp: {styles.level_style(level).label}")
    if juris_label:
        lines.append(f"Địa bàn: {juris_label}")
    if url:
        lines.append("Nhấn để mở trang chi tiết")
    text = "\n".join(line for line in lines if line)
    return text if len(text) <= MAX_TOOLTIP else text[: MAX_TOOLTIP - 1] + "…"


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
    ids = {n: as_text(n) for n in graph.nodes}
    if focus is not None:
        focus_key = next((n for n, s in ids.items() if s == as_text(focus)), None)
        if focus_key is None:
            raise ValueError(f"focus node {focus!r} is not in the graph")
        focus = ids[focus_key]
    n_nodes = graph.number_of_nodes()
    big = n_nodes > BIG_GRAPH
    if layout == "auto":
        layout = "layered" if big else "hierarchical"
    elif layout == "physics" and big:
        layout = "layered"

    levels = effective_levels(graph)
    juris = jurisdictions(graph)

    # Bands: dense rank of (administrative level, kind) so national is on top.
    band_key = {
        n: (styles.level_rank(levels[n]), styles.node_kind_style(graph.nodes[n].get("kind")).rank) for n in graph.nodes
    }
    band_index = {k: i for i, k in enumerate(sorted(set(band_key.values())))}
    band_of = {n: band_index[band_key[n]] for n in graph.nodes}

    # Cluster groups: jurisdiction ("j:"), else node kind ("k:"); coarser: province ("p:").
    province = provinces(graph, juris)
    group_of: dict[Any, str] = {}
    prov_of: dict[Any, str] = {}
    groups: dict[str, dict[str, Any]] = {}
    group_rank: dict[str, tuple] = {}

    def _jgroup(prefix: str, j: Any) -> str:
        key = prefix + ids[j]
        if key not in groups:
            jd, pd = graph.nodes[j], graph.nodes[province[j]]
            groups[key] = {"label": clip(as_text(jd.get("label")) or ids[j], 40), "count": 0}
            group_rank[key] = (
                0,
                styles.level_rank(pd.get("level")),
                as_text(pd.get("label")),
                ids[province[j]],
                styles.level_rank(jd.get("level")),
                as_text(jd.get("label")),
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

    order = sorted(graph.nodes, key=lambda n: (band_of[n], group_rank[group_of[n]], as_text(graph.nodes[n].get("label")), ids[n]))
    positions = layered_positions(order, band_of, group_of, group_rank) if layout == "layered" else {}

    net = PlanKBNetwork(height="100%", width="100%", directed=True, cdn_resources="in_line")
    kinds_present: Counter[str] = Counter()
    vis_groups: dict[str, dict] = {}
    for n in order:
        data = graph.nodes[n]
        kind = data.get("kind")
        kstyle = styles.node_kind_style(kind)
        kinds_present[kind if kind in styles.NODE_KINDS else "other"] += 1
        level = levels[n]  # own level, or inferred from links (kb.query.graph levels plans only)
        url = safe_url(data.get("url"))
        j = juris.get(n)
        juris_label = as_text(graph.nodes[j].get("label")) if j is not None and j != n else None
        label = clip(as_text(data.get("label")), MAX_LABEL) or clip(ids[n], MAX_LABEL)
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
        edge = {"id": f"e{i}", "from": ids[u], "to": ids[v], "relation": as_text(rel), **styles.vis_edge_options(rel, with_label=show_edge_labels)}
        extra = as_text(data.get("title"))
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
    return render_page(net, title=title, standalone=standalone, static_url=static_url)


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
    return render_block(to_network(graph, layout=layout, focus=focus), static_url=static_url)
