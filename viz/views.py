"""Graph views of the KB shared by `plankb viz` and the web pages: kb.query.graph's networkx projection
with readable labels (`kb_graph(kb)` -> `GraphIndex`, cached per KB version) and the subgraphs
drawn for one node. The main entry point is `subgraph_for(kb, target, kind)`:

    kb_graph(kb)                     -> GraphIndex (kb.query.graph's networkx projection, dressed)
    trace_graph(kb, task_id)         -> (graph, focus, Trace)   the task's trace (kb.query.trace.trace_task)
    plan_graph(kb, plan_id)          -> (graph, focus)          a plan, its tasks, parents, legal bases, children
    unit_graph(kb, unit_id)          -> (graph, focus)          a unit, its tasks, their plans, its counterparts
    legal_graph(kb, key)             -> (graph, focus, deps)    a document and what rests on it
    overview_graph(kb, kinds=None)   -> graph                   the whole KB (optionally only some node kinds)
    subgraph_for(kb, target, kind)   -> (graph, focus, title)   any of the above, for `plankb viz`
    node_link(graph)                 -> {nodes, edges}          a graph as JSON data

Graphs are `networkx.MultiDiGraph`s in kb.query.graph's convention (node attrs kind, label, level, url;
edge attr relation), ready for `viz.network.render_fragment` / `render_html`. Unknown ids raise
KeyError.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable

import networkx as nx

from plankb.kb import catalog
from plankb.kb.query.graph import to_networkx
from plankb.kb.query.trace import Trace, legal_dependents, trace_task, unit_counterparts
from plankb.kb.text import clip
from plankb.viz.styles import edge_style, level_rank

if TYPE_CHECKING:
    from plankb.kb.store import KnowledgeBase


# ---------------------------------------------------------------- the KB graph, cached
@dataclass
class GraphIndex:
    graph: "nx.MultiDiGraph"
    by_key: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, short id) -> node (IRI)

    def node(self, kind: str, ident: str) -> str | None:
        return self.by_key.get((kind, ident))



def kb_graph(kb: "KnowledgeBase") -> GraphIndex:
    """kb.query.graph.to_networkx(kb) with an index by (kind, id); rebuilt when the KB changes."""
    return kb.cached("viz.graph", _build_index)


def _build_index(kb: "KnowledgeBase") -> GraphIndex:
    g = to_networkx(kb)
    _dress(kb, g)
    ix = GraphIndex(g)
    for n, d in g.nodes(data=True):
        if d.get("id") is not None:
            ix.by_key.setdefault((d.get("kind", ""), str(d["id"])), n)
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
            d["label"] = f"KH {ref.jurisdiction}{period}" if ref.jurisdiction else clip(ref.title or ref.id, 60)
            d["title"] = f"Kế hoạch {ref.title or ref.id}"
        elif kind == "task" and n in ix.tasks:
            t = ix.tasks[n]
            plan = ix.plans[t.plan].ref
            d["title"] = (f"Nhiệm vụ {t.path or ''}: {t.text}\n"
                          f"Kế hoạch: {plan.jurisdiction or plan.id} {plan.period_start or ''}").strip()
        elif kind == "unit" and n in ix.units:
            u = ix.units[n].summary
            d["title"] = f"{u.label}" + (f" ({u.jurisdiction})" if u.jurisdiction else "")


def _area_labels(gi: GraphIndex) -> dict[str, str]:
    """Reform-area labels in Vietnamese ('Cải cách thể chế'…), from the KB's ontology graph
    (kb.query.graph's area nodes)."""
    return {str(d["id"]): str(d["label"]) for _, d in gi.graph.nodes(data=True)
            if d.get("kind") == "area" and d.get("id") is not None and d.get("label")}


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
    rank = {r: i for i, r in enumerate(_EDGE_PRIORITY)}
    pairs: dict[tuple[str, str], list[tuple[Any, dict]]] = {}
    for u, v, k, d in g.edges(keys=True, data=True):
        pairs.setdefault((u, v), []).append((k, d))
    for (u, v), edges in pairs.items():
        if len(edges) < 2:
            continue
        edges.sort(key=lambda kd: rank.get(kd[0] if kd[0] in rank else kd[1].get("relation"), 99))
        keep_key, keep = edges[0]
        others = [d.get("title") or edge_style(d.get("relation")).label for _, d in edges[1:]]
        for k, _ in edges[1:]:
            g.remove_edge(u, v, key=k)
        g.edges[u, v, keep_key]["title"] = "; ".join(x for x in [keep.get("title"), "cũng: " + ", ".join(others)] if x)
    assert isinstance(g, nx.MultiDiGraph)


# ---------------------------------------------------------------- subgraphs
def trace_graph(kb: "KnowledgeBase", task_id: str) -> tuple["nx.MultiDiGraph", str, Trace]:
    """The task, its plan, the parent-plan tasks it implements, the parent plans, the national
    documents (kb.query.trace.trace_task's hops), with the KB's edges between them."""
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
    labels = _area_labels(gi)
    budget = max(0, max_tasks - len(own))
    for n, areas in sorted(shared.items()):
        nodes.add(n)
        title = "đơn vị tương ứng ở cấp khác · " + (", ".join(sorted(labels.get(a, a) for a in areas))
                                                   if areas else "cơ quan thường trực CCHC")
        upward = level_rank(levels[n]) < level_rank(own_level)
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
    """A legal document and what rests on it (kb.query.trace.legal_dependents): the plans citing it and
    the plans below them, the tasks naming it, and the ingested plan it is (if any)."""
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
    """The whole KB graph; with `kinds`, only nodes of those kinds (kb.query.graph kinds)."""
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



def node_link(g: "nx.MultiDiGraph") -> dict:
    """A graph as JSON data: {nodes: [{id, kind, label, level, url}], edges: [{source, target, relation}]}."""
    keep = ("kind", "label", "level", "url", "area", "title")
    nodes = [{"id": str(n), **{k: d[k] for k in keep if k in d}} for n, d in g.nodes(data=True)]
    edges = [{"source": str(u), "target": str(v), "relation": d.get("relation")} for u, v, d in g.edges(data=True)]
    return {"nodes": nodes, "edges": edges}

