"""The catalog the linker works on: plans and cited documents, per document graph and merged.

A `Fragment` is what one document graph contributes (its plans, the documents it cites); a
`Catalog` merges the fragments of a set of graphs (main entry point: `Catalog.from_fragments`,
then `Catalog.add` / `Catalog.remove` for one changed graph).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Iterable

FACTS_VERSION = 1  # of Fragment.to_json; other versions are read from the graph's triples


@dataclass
class PlanInfo:
    graph: str
    iri: str
    id: str
    level: str
    title: str | None = None
    number: str | None = None
    date: str | None = None
    period: tuple[int, int] | None = None
    jurisdiction: str | None = None
    province: str | None = None
    adopted_key: str | None = None
    is_draft: bool | None = None


LEGAL_FIELDS = ("doc_type", "number", "symbol", "year", "date", "issuer", "level", "jurisdiction", "name")


@dataclass
class LegalInfo:
    iri: str
    key: str
    doc_type: str | None = None
    number: str | None = None
    symbol: str | None = None
    year: int | None = None
    date: str | None = None
    issuer: str | None = None
    level: str | None = None
    jurisdiction: str | None = None
    name: str | None = None
    cited_by: set[tuple[str, str]] = field(default_factory=set)  # (plan IRI, relation)


@dataclass
class Fragment:
    """What one document graph contributes to the catalog: its plan(s) and the documents it cites
    (as described in that graph; `cited_by` holds only this graph's plans)."""
    graph: str
    plans: dict[str, PlanInfo] = field(default_factory=dict)
    legal: dict[str, LegalInfo] = field(default_factory=dict)

    def to_json(self) -> str:
        def plan(p: PlanInfo) -> dict:
            d = {k: v for k, v in vars(p).items() if v is not None and k != "graph"}
            if p.period:
                d["period"] = list(p.period)
            return d

        def legal(l: LegalInfo) -> dict:
            d = {k: v for k, v in vars(l).items() if v is not None and k != "cited_by"}
            d["cited_by"] = sorted(l.cited_by)
            return d

        return json.dumps({"v": FACTS_VERSION, "plans": [plan(p) for _, p in sorted(self.plans.items())],
                           "legal": [legal(l) for _, l in sorted(self.legal.items())]},
                          ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, graph: str, text: str) -> "Fragment | None":
        """None when the text is not facts of this version (the caller reads the graph instead)."""
        try:
            d = json.loads(text)
            if d.get("v") != FACTS_VERSION:
                return None
            frag = cls(graph)
            for p in d["plans"]:
                p = dict(p)
                if "period" in p:
                    p["period"] = tuple(p["period"])
                info = PlanInfo(graph=graph, **p)
                frag.plans[info.iri] = info
            for l in d["legal"]:
                l = dict(l)
                l["cited_by"] = {tuple(x) for x in l["cited_by"]}
                info = LegalInfo(**l)
                frag.legal[info.iri] = info
            return frag
        except (ValueError, TypeError, KeyError):
            return None


def _most_common(values: list) -> object:
    """The value most descriptions agree on; ties go to the first (descriptions in graph order)."""
    best, count = None, 0
    seen: dict = {}
    for v in values:
        seen[v] = seen.get(v, 0) + 1
    for v in values:
        if seen[v] > count:
            best, count = v, seen[v]
    return best


class Catalog:
    """Plans and cited documents of a set of document graphs (`Fragment`s).

    A cited document is described once per citing graph; its merged description takes, field by
    field, the value most graphs agree on (ties: the first graph in IRI order), so the catalog does
    not depend on the order graphs were added or read. Graphs can be added and removed; `copy()`
    is cheap (merged entries are replaced, never changed in place)."""

    def __init__(self) -> None:
        self.fragments: dict[str, Fragment] = {}
        self.plans: dict[str, PlanInfo] = {}
        self.legal: dict[str, LegalInfo] = {}
        self._legal_graphs: dict[str, set[str]] = {}
        self._plan_graphs: dict[str, set[str]] = {}

    @classmethod
    def from_fragments(cls, fragments: Iterable[Fragment]) -> "Catalog":
        cat = cls()
        for f in fragments:
            cat._index(f)
        cat._remerge_plans(set(cat._plan_graphs))
        cat._remerge_legal(set(cat._legal_graphs))
        return cat

    def copy(self) -> "Catalog":
        c = Catalog()
        c.fragments, c.plans, c.legal = dict(self.fragments), dict(self.plans), dict(self.legal)
        c._legal_graphs = {k: set(v) for k, v in self._legal_graphs.items()}
        c._plan_graphs = {k: set(v) for k, v in self._plan_graphs.items()}
        return c

    def add(self, frag: Fragment) -> set[str]:
        """Add (or replace) one graph's fragment; returns the cited documents whose entry changed."""
        touched = self.remove(frag.graph) if frag.graph in self.fragments else set()
        self._index(frag)
        self._remerge_plans(set(frag.plans))
        self._remerge_legal(set(frag.legal))
        return touched | set(frag.legal)

    def _index(self, frag: Fragment) -> None:
        self.fragments[frag.graph] = frag
        for i in frag.plans:
            self._plan_graphs.setdefault(i, set()).add(frag.graph)
        for i in frag.legal:
            self._legal_graphs.setdefault(i, set()).add(frag.graph)

    def remove(self, graph: str) -> set[str]:
        frag = self.fragments.pop(graph, None)
        if frag is None:
            return set()
        for i in frag.plans:
            self._plan_graphs.get(i, set()).discard(graph)
        for i in frag.legal:
            self._legal_graphs.get(i, set()).discard(graph)
        self._remerge_plans(set(frag.plans))
        self._remerge_legal(set(frag.legal))
        return set(frag.legal)

    def citations_of(self, plan_iri: str) -> list[tuple[str, str]]:
        """(cited document IRI, relation) of a plan."""
        p = self.plans.get(plan_iri)
        frag = self.fragments.get(p.graph) if p else None
        if frag is None:
            return []
        return sorted((l.iri, rel) for l in frag.legal.values() for c, rel in l.cited_by if c == plan_iri)

    def _remerge_plans(self, iris: set[str]) -> None:
        self._remerge(iris, self._plan_graphs, self.plans, lambda i, graphs: self.fragments[graphs[0]].plans[i])

    def _remerge_legal(self, iris: set[str]) -> None:
        self._remerge(iris, self._legal_graphs, self.legal, self._merged_legal)

    def _remerge(self, iris: set[str], graphs_of: dict[str, set[str]], entries: dict, merge) -> None:
        """Recompute the entries of `iris` from the fragments (graphs in IRI order) that hold them."""
        for i in iris:
            graphs = sorted(graphs_of.get(i, ()))
            if not graphs:
                graphs_of.pop(i, None)
                entries.pop(i, None)
            else:
                entries[i] = merge(i, graphs)

    def _merged_legal(self, i: str, graphs: list[str]) -> LegalInfo:
        descs = [self.fragments[g].legal[i] for g in graphs]
        if len(descs) == 1:
            return LegalInfo(**{**vars(descs[0]), "cited_by": set(descs[0].cited_by)})
        merged = LegalInfo(iri=i, key=descs[0].key)
        for f in LEGAL_FIELDS:
            vals = [getattr(d, f) for d in descs if getattr(d, f) is not None]
            if vals:
                setattr(merged, f, _most_common(vals))
        for d in descs:
            merged.cited_by |= d.cited_by
        return merged
