"""Where the KB graph's nodes go on the page: each node's administrative level
(`effective_levels`), its jurisdiction and province (`jurisdictions`, `provinces`), and the
layered block layout used for big graphs (`layered_positions`, the main entry point)."""
from __future__ import annotations

import math
import re
from collections import Counter, deque
from typing import Any

import networkx as nx

from plankb.viz import styles

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


def as_text(value: Any) -> str:
    """str(value), '' for None: how node ids and labels are compared and shown."""
    return "" if value is None else str(value)


def effective_levels(graph: nx.MultiDiGraph) -> dict[Any, str | None]:
    """Each node's administrative level: its own, else inferred from its neighbours.

    kb.query.graph sets ``level`` on plans only. A legal document with a central-level
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
            if _NATIONAL_DOC_RE.search("\n".join(as_text(d.get(k)) for k in ("label", "id"))):
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


def jurisdictions(graph: nx.MultiDiGraph) -> dict[Any, Any]:
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


def provinces(graph: nx.MultiDiGraph, juris: dict[Any, Any]) -> dict[Any, Any]:
    """Map each jurisdiction node to the province it lies in (itself if none is known).

    A commune names its province through an edge to another jurisdiction
    (in_jurisdiction / part_of; kb.query.graph maps pk:province to in_jurisdiction);
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
            key=as_text,
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
        out[j] = min(votes, key=lambda v: (-votes[v], as_text(v))) if votes else j
    # one hop only: a province found above must not itself point further up
    return {j: (p if out.get(p, p) == p else out[p]) for j, p in out.items()}


def layered_positions(
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


