"""What the HTML pages show beyond `kb.catalog`: graph views, source excerpts, home-page groups.

Read-only helpers over a `KnowledgeBase`, shared by `api.routers.pages` and `plankb viz`:

    kb_graph(kb)                     -> GraphIndex (kb.graph's networkx projection, cached per KB state)
    trace_graph(kb, task_id)         -> (graph, focus, Trace)   the task's trace (kb.trace.trace_task)
    plan_graph(kb, plan_id)          -> (graph, focus)          a plan, its tasks, parents, legal bases, children
    unit_graph(kb, unit_id)          -> (graph, focus)          a unit, its tasks, their plans, its counterparts
    legal_graph(kb, key)             -> (graph, focus)          a document and what rests on it
    overview_graph(kb, kinds=None)   -> graph                   the whole KB (optionally only some node kinds)
    subgraph_for(kb, target, kind)   -> (graph, focus, title)   any of the above, for `plankb viz`
    source_excerpt(task)             -> SourceExcerpt           the task's sentence in its source file
    highlight(text, q)               -> [(segment, matched)]    search words marked in a snippet
    plans_beside_tasks(html)         -> html                    a trace drawn with each plan on its task's row

Graphs are `networkx.MultiDiGraph`s in kb.graph's convention (node attrs kind, label, level, url;
edge attr relation), ready for `viz.network.render_fragment` / `render_html`. Unknown ids raise
KeyError. Nothing here builds HTML: the templates escape every string.
"""
from __future__ import annotations

import hashlib
import json
import re
import threading
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from plankb.kb import catalog

if TYPE_CHECKING:
    import networkx as nx

    from plankb.kb.store import KnowledgeBase
    from plankb.kb.query.trace import Trace

# ---------------------------------------------------------------- Vietnamese labels
LEVEL_LABELS = {"national": "Trung ương", "province": "Cấp tỉnh", "commune": "Cấp xã"}
LEVEL_ORDER = ("national", "province", "commune")
ROLE_LABELS = {"standing": "Cơ quan thường trực CCHC", "lead": "Chủ trì", "support": "Phối hợp"}
KIND_LABELS = {"plan": "Kế hoạch", "task": "Nhiệm vụ", "unit": "Đơn vị", "legal": "Văn bản pháp lý",
               "legal_document": "Văn bản pháp lý", "indicator": "Chỉ tiêu", "jurisdiction": "Địa bàn",
               "area": "Lĩnh vực"}
# kb.align's indicator verdicts, as a child plan treats its parent's target
VERDICT_LABELS = {"adopted": "giữ nguyên", "weakened": "giảm", "dropped": "bỏ", "strengthened": "nâng cao",
                  "new": "mới"}
RELATION_LABELS = {
    "part_of": "thuộc kế hoạch", "implements": "thực hiện nhiệm vụ cấp trên", "parent_plan": "kế hoạch cấp trên",
    "based_on": "căn cứ", "cites": "trích dẫn", "adopted_by": "ban hành kèm theo",
    "via_parent_plan": "qua kế hoạch cấp trên",
}
LINK_METHOD_LABELS = {"metadata": "khớp theo cơ quan, tên, giai đoạn, địa bàn", "number": "khớp theo số hiệu",
                      "adopting-decision": "theo quyết định ban hành kèm theo"}
ORIGIN_LABELS = {"prose": "nội dung kế hoạch", "table": "bảng phụ lục"}
RECURRENCE_LABELS = {"quarterly": "hằng quý", "monthly": "hằng tháng", "annual": "hằng năm",
                     "yearly": "hằng năm", "weekly": "hằng tuần", "semiannual": "6 tháng một lần"}
COMPARATOR_LABELS = {">=": "tối thiểu", ">": "trên", "=": "đạt", "<=": "tối đa", "<": "dưới", "top": "trong nhóm",
                     "reduce_by": "giảm"}


def area_labels() -> dict[str, str]:
    """Reform-area labels in Vietnamese (ingest/vocab), 'Cải cách thể chế'…"""
    from plankb.ingest.extract.areas import area_labels as labels

    return labels()


# ---------------------------------------------------------------- the KB graph, cached
@dataclass
class GraphIndex:
    graph: "nx.MultiDiGraph"
    by_key: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, short id) -> node (IRI)

    def node(self, kind: str, ident: str) -> str | None:
        return self.by_key.get((kind, ident))


_cache: "weakref.WeakKeyDictionary[Any, tuple[Any, GraphIndex]]" = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def kb_graph(kb: "KnowledgeBase") -> GraphIndex:
    """kb.graph.to_networkx(kb) with an index by (kind, id); rebuilt when the KB changes."""
    from plankb.kb.query.graph import to_networkx

    version = getattr(kb, "_version", None)
    with _lock:
        hit = _cache.get(kb)
        if hit is not None and hit[0] == version:
            return hit[1]
        g = to_networkx(kb)
        _dress(kb, g)
        ix = GraphIndex(g)
        for n, d in g.nodes(data=True):
            if d.get("id") is not None:
                ix.by_key.setdefault((d.get("kind", ""), str(d["id"])), n)
        _cache[kb] = (version, ix)
        return ix


def _dress(kb: "KnowledgeBase", g: "nx.MultiDiGraph") -> None:
    """Labels for reading the graph: plans by place and period ('KH Phường Ái Quốc 2026–2030',
    their titles all start alike), the full task text and its plan in the task tooltips."""
    ix = catalog.index(kb)
    for n, d in g.nodes(data=True):
        kind = d.get("kind")
        if kind == "plan" and n in ix.plans:
            ref = ix.plans[n].ref
            period = "" if ref.period_start is None else (
                f" {ref.period_start}" if ref.period_end in (None, ref.period_start) else f" {ref.period_start}–{ref.period_end}")
            d["label"] = f"KH {ref.jurisdiction}{period}" if ref.jurisdiction else _clip(ref.title or ref.id, 60)
            d["title"] = f"Kế hoạch {ref.title or ref.id}"
        elif kind == "task" and n in ix.tasks:
            t = ix.tasks[n]
            plan = ix.plans[t.plan].ref
            d["title"] = (f"Nhiệm vụ {t.path or ''}: {t.text}\n"
                          f"Kế hoạch: {plan.jurisdiction or plan.id} {plan.period_start or ''}").strip()
        elif kind == "unit" and n in ix.units:
            u = ix.units[n].summary
            d["title"] = f"{u.label}" + (f" ({u.jurisdiction})" if u.jurisdiction else "")


def _clip(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _sub(gi: GraphIndex, nodes: Iterable[str]) -> "nx.MultiDiGraph":
    """The induced subgraph on `nodes` (a copy: callers add edges)."""
    return gi.graph.subgraph([n for n in nodes if n in gi.graph]).copy()


def _task_iris(kb: "KnowledgeBase", gi: GraphIndex, ids: Iterable[str]) -> list[str]:
    return [n for n in (gi.node("task", i) for i in ids) if n]


def _add_implements(kb: "KnowledgeBase", g: "nx.MultiDiGraph") -> None:
    """Edges child task -> the parent-plan task it implements (kb.align's pk:implements), drawn
    with viz's 'nhiệm vụ cấp trên' style."""
    tasks = [n for n, d in g.nodes(data=True) if d.get("kind") == "task"]
    if len(tasks) < 2:
        return
    values = " ".join(f"<{t}>" for t in tasks)
    rows = kb.select(f"""SELECT DISTINCT ?c ?p (MAX(?sc) AS ?score) WHERE {{ VALUES ?c {{ {values} }} ?c pk:implements ?p .
        OPTIONAL {{ ?l a pk:TaskLink ; pk:child ?c ; pk:parent ?p ; pk:score ?sc }} }} GROUP BY ?c ?p""")
    for r in rows:
        if r["p"] in g and not g.has_edge(r["c"], r["p"], key="implements"):
            score = r.get("score")
            title = "thực hiện nhiệm vụ cấp trên" + (f" (điểm tương đồng {float(score):.2f})" if score is not None else "")
            g.add_edge(r["c"], r["p"], key="implements", relation="parent_task", title=title)


_EDGE_PRIORITY = ("parent_plan", "parent_task", "part_of", "based_on", "adopts", "resolves_to", "lead", "support",
                  "counterpart", "cites")


def _one_edge_per_pair(g: "nx.MultiDiGraph") -> None:
    """Keep the strongest relation between two nodes (a plan both based on and citing NQ 76
    draws one arrow); the others are named in the edge's tooltip."""
    import networkx as nx

    rank = {r: i for i, r in enumerate(_EDGE_PRIORITY)}
    pairs: dict[tuple[str, str], list[tuple[Any, dict]]] = {}
    for u, v, k, d in g.edges(keys=True, data=True):
        pairs.setdefault((u, v), []).append((k, d))
    for (u, v), edges in pairs.items():
        if len(edges) < 2:
            continue
        edges.sort(key=lambda kd: rank.get(kd[0] if kd[0] in rank else kd[1].get("relation"), 99))
        from plankb.viz.styles import edge_style

        keep_key, keep = edges[0]
        others = [d.get("title") or edge_style(d.get("relation")).label for _, d in edges[1:]]
        for k, _ in edges[1:]:
            g.remove_edge(u, v, key=k)
        g.edges[u, v, keep_key]["title"] = "; ".join(x for x in [keep.get("title"), "cũng: " + ", ".join(others)] if x)
    assert isinstance(g, nx.MultiDiGraph)


# ---------------------------------------------------------------- subgraphs
def trace_graph(kb: "KnowledgeBase", task_id: str) -> tuple["nx.MultiDiGraph", str, "Trace"]:
    """The task, its plan, the parent-plan tasks it implements, the parent plans, the national
    documents (kb.trace.trace_task's hops), with the KB's edges between them."""
    from plankb.kb.query.trace import trace_task

    tr = trace_task(kb, task_id)
    gi = kb_graph(kb)
    focus = gi.node("task", task_id)
    if focus is None:
        raise KeyError(task_id)
    nodes = {focus}
    for h in tr.hops:
        n = gi.node(h.kind, h.id)
        if n:
            nodes.add(n)
    g = _sub(gi, nodes)
    _add_implements(kb, g)
    _one_edge_per_pair(g)
    return g, focus, tr


def plan_graph(kb: "KnowledgeBase", plan_id: str, *, max_tasks: int = 150) -> tuple["nx.MultiDiGraph", str]:
    """A plan with its tasks (top-level ones first, at most `max_tasks`), its legal bases and
    other citations, its parent plans, the decision adopting it and the plans implementing it."""
    gi = kb_graph(kb)
    focus = gi.node("plan", plan_id)
    if focus is None:
        raise KeyError(plan_id)
    g0 = gi.graph
    nodes = {focus}
    tasks = [u for u, _, d in g0.in_edges(focus, data=True) if d.get("relation") == "part_of"
             and g0.nodes[u].get("kind") == "task"]
    tasks.sort(key=lambda t: catalog.path_key(str(g0.nodes[t].get("label", "")).split(" ", 1)[0]))
    top = [t for t in tasks if not any(d.get("relation") == "parent_task" for _, _, d in g0.out_edges(t, data=True))]
    rest = [t for t in tasks if t not in top]
    nodes.update((top + rest)[:max_tasks])
    for _, v, d in g0.out_edges(focus, data=True):  # legal bases, citations, parent plans
        if d.get("relation") in ("based_on", "cites", "parent_plan"):
            nodes.add(v)
    for u, _, d in g0.in_edges(focus, data=True):  # adopting decision, children plans
        if d.get("relation") in ("adopts", "resolves_to", "parent_plan"):
            nodes.add(u)
    g = _sub(gi, nodes)
    # a sub-task hangs from its enclosing task only: the plan's tasks draw as a tree, not a star
    for t in [n for n, d in g.nodes(data=True) if d.get("kind") == "task"]:
        if any(d.get("relation") == "parent_task" for _, _, d in g.out_edges(t, data=True)):
            for k in [k for _, v, k, d in g.out_edges(t, keys=True, data=True)
                      if v == focus and d.get("relation") == "part_of"]:
                g.remove_edge(t, focus, key=k)
    _one_edge_per_pair(g)
    return g, focus


def unit_graph(kb: "KnowledgeBase", unit_id: str, *, max_tasks: int = 80) -> tuple["nx.MultiDiGraph", str]:
    """A unit, the tasks it leads or supports and their plans, and its counterparts at other levels
    with their tasks in the shared reform areas (edges 'counterpart')."""
    from plankb.kb.query.trace import unit_counterparts

    gi = kb_graph(kb)
    focus = gi.node("unit", unit_id)
    if focus is None:
        raise KeyError(unit_id)
    g0 = gi.graph

    def tasks_of(unit: str, areas: set[str] | None = None) -> list[str]:
        out = [t for t, _, d in g0.in_edges(unit, data=True) if d.get("relation") in ("lead", "support")
               and g0.nodes[t].get("kind") == "task"
               and (areas is None or g0.nodes[t].get("area") in areas)]
        return sorted(out)

    nodes = {focus}
    own = tasks_of(focus)[:max_tasks]
    nodes.update(own)
    counterpart_edges: list[tuple[str, str, str]] = []
    shared: dict[str, set[str]] = {}
    levels: dict[str, str | None] = {}
    try:
        cps = unit_counterparts(kb, unit_id)
    except KeyError:
        cps = []
    for c in cps:
        n = gi.node("unit", c["unit_id"])
        if n is None:
            continue
        shared.setdefault(n, set())
        levels[n] = c.get("level")
        if c.get("area"):
            shared[n].add(c["area"])
    own_level = catalog.get_unit(kb, unit_id).level
    rank = {lv: i for i, lv in enumerate(LEVEL_ORDER)}
    labels = area_labels()
    budget = max(0, max_tasks - len(own))
    for n, areas in sorted(shared.items()):
        nodes.add(n)
        title = "đơn vị tương ứng ở cấp khác · " + (", ".join(sorted(labels.get(a, a) for a in areas))
                                                   if areas else "cơ quan thường trực CCHC")
        upward = rank.get(levels[n] or "", 9) < rank.get(own_level or "", 9)
        counterpart_edges.append((focus, n, title) if upward else (n, focus, title))  # lower level -> upper
        theirs = tasks_of(n, areas or None)[: min(budget, 25)]
        budget -= len(theirs)
        nodes.update(theirs)
    for t in list(nodes):
        if g0.nodes[t].get("kind") == "task":
            nodes.update(v for _, v, d in g0.out_edges(t, data=True) if d.get("relation") == "part_of")
    g = _sub(gi, nodes)
    for u, v, title in counterpart_edges:
        g.add_edge(u, v, key="counterpart", relation="counterpart", title=title)
    _add_implements(kb, g)
    return g, focus


def legal_graph(kb: "KnowledgeBase", key: str) -> tuple["nx.MultiDiGraph", str, dict]:
    """A legal document and what rests on it (kb.trace.legal_dependents): the plans citing it and
    the plans below them, the tasks naming it, and the ingested plan it is (if any)."""
    from plankb.kb.query.trace import legal_dependents

    doc = catalog.get_legal(kb, key)
    deps = legal_dependents(kb, doc.key)
    gi = kb_graph(kb)
    focus = gi.node("legal_document", doc.key)
    if focus is None:
        raise KeyError(key)
    nodes = {focus}
    for p in deps["plans"]:
        n = gi.node("plan", p["id"])
        if n:
            nodes.add(n)
    if doc.resolves_to:
        n = gi.node("plan", doc.resolves_to.id)
        if n:
            nodes.add(n)
    nodes.update(_task_iris(kb, gi, deps["citing_tasks"][:40]))
    g = _sub(gi, nodes)
    _one_edge_per_pair(g)
    return g, focus, deps


def overview_graph(kb: "KnowledgeBase", kinds: Iterable[str] | None = None) -> "nx.MultiDiGraph":
    """The whole KB graph; with `kinds`, only nodes of those kinds (kb.graph kinds)."""
    gi = kb_graph(kb)
    if not kinds:
        return gi.graph
    keep = set(kinds)
    return gi.graph.subgraph([n for n, d in gi.graph.nodes(data=True) if d.get("kind") in keep]).copy()


def resolve_target(kb: "KnowledgeBase", target: str, kind: str | None = None) -> tuple[str, str]:
    """(kind, id) of TARGET: a task id, plan id, unit id or legal key / number ('76/NQ-CP').
    `kind` (task, plan, unit, legal) restricts the lookup. KeyError when nothing matches."""
    ix = catalog.index(kb)
    order = [kind] if kind else ["task", "plan", "unit", "legal"]
    for k in order:
        if k == "task" and target in ix.task_ids:
            return "task", target
        if k == "plan" and target in ix.plan_ids:
            return "plan", target
        if k == "unit" and target in ix.unit_ids:
            return "unit", target
        if k == "legal":
            try:
                return "legal", catalog.get_legal(kb, target).key
            except KeyError:
                pass
    raise KeyError(target)


def subgraph_for(kb: "KnowledgeBase", target: str, kind: str | None = None) -> tuple["nx.MultiDiGraph", str, str]:
    """(graph, focus node, Vietnamese title) for `plankb viz`: a task's trace, a plan with its
    tasks/parents/legal bases, a unit's tasks and counterparts, a legal document's dependents."""
    kind, ident = resolve_target(kb, target, kind)
    if kind == "task":
        g, focus, _ = trace_graph(kb, ident)
        t = catalog.get_task(kb, ident)
        return g, focus, f"Truy vết nhiệm vụ {t.path or ''} – {t.plan.jurisdiction or t.plan.id}".replace("  ", " ")
    if kind == "plan":
        g, focus = plan_graph(kb, ident)
        p = catalog.get_plan(kb, ident)
        return g, focus, f"Kế hoạch {p.title or p.id}"
    if kind == "unit":
        g, focus = unit_graph(kb, ident)
        u = catalog.get_unit(kb, ident)
        return g, focus, f"Đơn vị {u.label}" + (f" ({u.jurisdiction})" if u.jurisdiction else "")
    g, focus, _ = legal_graph(kb, ident)
    d = catalog.get_legal(kb, ident)
    return g, focus, f"Lược đồ {d.label}"


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
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return fragment[:m.start(2)] + text + fragment[m.end(2):]


def node_link(g: "nx.MultiDiGraph") -> dict:
    """A graph as JSON data: {nodes: [{id, kind, label, level, url}], edges: [{source, target, relation}]}."""
    keep = ("kind", "label", "level", "url", "area", "title")
    nodes = [{"id": str(n), **{k: d[k] for k in keep if k in d}} for n, d in g.nodes(data=True)]
    edges = [{"source": str(u), "target": str(v), "relation": d.get("relation")} for u, v, d in g.edges(data=True)]
    return {"nodes": nodes, "edges": edges}


# ---------------------------------------------------------------- source excerpt
@dataclass
class SourceExcerpt:
    """The task's span in its source file, split for display: `before` · [`span_before` · **`mark`** ·
    `span_after`] · `after`. `available` False: `reason` says why (file gone, changed, no span)."""

    available: bool
    reason: str | None = None
    path: str | None = None
    before: str = ""
    span_before: str = ""
    mark: str = ""
    span_after: str = ""
    after: str = ""
    start: int | None = None
    end: int | None = None


def _last_lines(text: str, n: int) -> str:
    parts = text.split("\n")
    out = "\n".join(parts[-n:]) if len(parts) > n else text
    return out if len(out) <= 400 else "…" + out[-400:]


def _first_lines(text: str, n: int) -> str:
    parts = text.split("\n")
    out = "\n".join(parts[:n]) if len(parts) > n else text
    return out if len(out) <= 400 else out[:400] + "…"


def _readable(text: str) -> str:
    from plankb.ingest.extract.clean import clean_text

    return re.sub(r" {2,}", " ", clean_text(text))


def source_excerpt(task: "catalog.TaskDetail", chars: int = 600) -> SourceExcerpt:
    """Read the task's source file (only if it is still at its path with the same sha256) and cut
    the sentence out with a few lines of context around it; the task's own text is `mark`."""
    src = task.source
    if not src.path:
        return SourceExcerpt(False, "Kế hoạch không ghi đường dẫn tệp nguồn.")
    if src.start is None or src.end is None:
        return SourceExcerpt(False, "Nhiệm vụ không có vị trí trong tệp nguồn.", path=src.path)
    path = Path(src.path)
    if not path.is_file():
        return SourceExcerpt(False, "Tệp nguồn không còn ở đường dẫn đã nạp.", path=src.path)
    try:
        if src.sha256 and hashlib.sha256(path.read_bytes()).hexdigest() != src.sha256:
            return SourceExcerpt(False, "Tệp nguồn đã thay đổi kể từ khi nạp (mã sha256 khác).", path=src.path)
    except OSError:
        return SourceExcerpt(False, "Không đọc được tệp nguồn.", path=src.path)
    ctx = catalog.source_context(src, chars)
    if ctx is None:
        return SourceExcerpt(False, "Không đọc được đoạn văn bản nguồn.", path=src.path)
    # as the extractor read it: conversion debris (<i>…</i>, **bold**, [bookmark: …]) blanked
    ctx = catalog.SourceContext(before=_readable(ctx.before), text=_readable(ctx.text), after=_readable(ctx.after))
    span = ctx.text
    needle = " ".join(task.text.split())
    i = span.find(task.text)
    length = len(task.text)
    if i < 0 and needle:  # whitespace differs (line breaks inside the sentence): match on words
        folded, idx = catalog.fold_map(span)
        j = folded.find(catalog.fold(needle))
        if j >= 0:
            i, k = idx[j], idx[min(j + len(catalog.fold(needle)), len(idx)) - 1] + 1
            length = k - i
    if i < 0:
        return SourceExcerpt(True, path=src.path, before=_last_lines(ctx.before, 3), mark=span,
                             after=_first_lines(ctx.after, 3), start=src.start, end=src.end)
    return SourceExcerpt(True, path=src.path, before=_last_lines(ctx.before, 3), span_before=span[:i],
                         mark=span[i:i + length], span_after=span[i + length:], after=_first_lines(ctx.after, 3),
                         start=src.start, end=src.end)


# ---------------------------------------------------------------- search highlighting
def highlight(text: str, q: str | None) -> list[tuple[str, bool]]:
    """`text` cut into (segment, is_match) pieces where words of `q` start (diacritics ignored),
    for the template to wrap matches in <mark> (each segment is escaped there)."""
    import re

    if not q or not text:
        return [(text, False)]
    words = [w for w in re.findall(r"\w+", catalog.fold(q)) if w]
    if not words:
        return [(text, False)]
    folded, idx = catalog.fold_map(text)
    hits: list[tuple[int, int]] = []
    for w in words:
        for m in re.finditer(r"(?<!\w)" + re.escape(w), folded):
            a = idx[m.start()]
            b = idx[m.end() - 1] + 1
            hits.append((a, b))
    if not hits:
        return [(text, False)]
    hits.sort()
    merged: list[list[int]] = []
    for a, b in hits:
        gap = text[merged[-1][1]:a] if merged else ""
        if merged and (a <= merged[-1][1] or (len(gap) <= 2 and not re.search(r"\w", gap))):  # 'hành chính công', '76/NQ-CP': one mark
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    out, pos = [], 0
    for a, b in merged:
        if a > pos:
            out.append((text[pos:a], False))
        out.append((text[a:b], True))
        pos = b
    if pos < len(text):
        out.append((text[pos:], False))
    return out


# ---------------------------------------------------------------- home page
@dataclass
class ProvinceGroup:
    name: str
    code: str | None
    plans: list[Any]


@dataclass
class LevelGroup:
    level: str
    label: str
    provinces: list[ProvinceGroup]

    @property
    def count(self) -> int:
        return sum(len(p.plans) for p in self.provinces)


def plans_by_level(kb: "KnowledgeBase") -> list[LevelGroup]:
    """Plans grouped by level (national, province, commune), then by province, with counts."""
    plans = catalog.list_plans(kb, limit=100_000).items
    out = []
    for level in LEVEL_ORDER:
        provs: dict[str, ProvinceGroup] = {}
        for p in plans:
            if p.level != level:
                continue
            name = p.province or p.jurisdiction or ("Trung ương" if level == "national" else "Chưa xác định")
            grp = provs.setdefault(name, ProvinceGroup(name, p.province_code, []))
            grp.plans.append(p)
        if provs:
            groups = sorted(provs.values(), key=lambda g: catalog.fold(g.name))
            for grp in groups:
                grp.plans.sort(key=lambda p: (catalog.fold(p.jurisdiction or ""), -(p.period_start or 0), p.id))
            out.append(LevelGroup(level, LEVEL_LABELS[level], groups))
    return out


def counts(kb: "KnowledgeBase") -> dict[str, int]:
    ix = catalog.index(kb)
    aliases = {k for e in ix.legal.values() for k in e.detail["same_as"]}
    return {"plans": len(ix.plans), "tasks": len(ix.tasks), "units": len(ix.units),
            "legal": sum(1 for e in ix.legal.values() if e.ref.key not in aliases),
            "indicators": len(ix.indicators),
            "missing": sum(1 for e in ix.legal.values() if e.ref.key not in aliases and not e.ref.ingested)}


def recent_documents(kb: "KnowledgeBase", n: int = 10) -> list[dict]:
    """The most recent dated documents: ingested plans and cited documents, newest first."""
    rows: list[dict] = []
    for p in catalog.list_plans(kb, limit=100_000).items:
        if p.date:
            rows.append({"date": p.date, "label": " ".join(x for x in ("Kế hoạch", p.number) if x),
                         "title": p.title, "url": p.url, "kind": "plan", "ingested": True})
    for d in catalog.list_legal(kb, limit=100_000).items:
        if d.date:
            rows.append({"date": d.date, "label": d.label, "title": d.title, "url": d.url, "kind": "legal",
                         "ingested": d.ingested, "issuer": d.issuer})
    rows.sort(key=lambda r: (r["date"], r["label"]), reverse=True)
    return rows[:n]
