"""The HTML around a graph: the Jinja2 templates, the inlined or linked static assets, the JSON
data block (`json_for_script`), and `render_page(net, ...)`, the main entry point, which renders
a pyvis Network built by viz.network. `plans_beside_tasks` re-rows a rendered trace page."""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from pyvis.network import Network

from plankb.viz import styles

STATIC_URL = "/static/viz"

_HERE = Path(__file__).resolve().parent
STATIC_DIR = _HERE / "static"
TEMPLATE_DIR = _HERE / "templates"
VIS_JS = "vis-network.min.js"
APP_JS = "plankb-graph.js"
APP_CSS = "plankb-graph.css"


def json_for_script(obj: Any) -> str:
    """JSON safe inside <script type="application/json">: no '<', '>', '&', U+2028/9."""
    s = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        s.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


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


def page_context(net: Network, *, title: str, standalone: bool, static_url: str) -> dict[str, Any]:
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
        "data_json": json_for_script(payload),
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


def render_page(net: Network, *, title: str, standalone: bool, static_url: str) -> str:
    """The whole page (graph.html) for `net`."""
    return _env().get_template("graph.html").render(**page_context(net, title=title, standalone=standalone, static_url=static_url))


def render_block(net: Network, *, static_url: str) -> str:
    """Only the graph block (_graph.html) for `net`, its assets linked from `static_url`."""
    ctx = page_context(net, title="", standalone=False, static_url=static_url)
    return _env().get_template("_graph.html").render(**ctx)


_DATA_RE = re.compile(r'(<script type="application/json" id="plankb-data">)(.*?)(</script>)', re.S)


def plans_beside_tasks(fragment: str) -> str:
    """Move each plan to the row of its task in the hierarchical layout's data (levels renumbered):
    a trace then reads national → province (plan, task) → commune (plan, task), and the arrow from
    a task to the parent plan's task no longer runs under its own plan. Unchanged if the data
    block is not found or not hierarchical."""
    m = _DATA_RE.search(fragment)
    if not m:
        return fragment
    data = json.loads(m.group(2))
    if data.get("layout") != "hierarchical":
        return fragment
    nodes = {n["id"]: n for n in data.get("nodes", [])}
    for e in data.get("edges", []):
        t, p = nodes.get(e.get("from")), nodes.get(e.get("to"))
        if e.get("relation") == "part_of" and t and p and t.get("kind") == "task" and p.get("kind") == "plan" \
                and "level" in t:
            p["level"] = t["level"]
    rows = {lv: i for i, lv in enumerate(sorted({n["level"] for n in nodes.values() if "level" in n}))}
    for n in nodes.values():
        if "level" in n:
            n["level"] = rows[n["level"]]
    return fragment[:m.start(2)] + json_for_script(data) + fragment[m.end(2):]
