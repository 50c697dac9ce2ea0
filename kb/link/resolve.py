"""Resolution over one catalog: which plan each cited document is (`resolve`, the main entry point).

The `Resolver` indexes the catalog's plans and caches each cited document's match, alias
(`owl:sameAs`) and each plan's parents; `_legal_triples` / `link_triples` turn its answers into the
links graph's triples.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from plankb.kb.ids import PK, IRIs
from plankb.kb.link.catalog import Catalog, LegalInfo, PlanInfo
from plankb.kb.link.match import (
    _citation_level,
    _citation_place,
    _ident,
    _plan_place,
    _split_number,
    score,
)
from plankb.kb.terms import A, P, iri, lit, typed
from plankb.kb.text import fold

AMBIGUITY_MARGIN = 0.05


@dataclass
class Link:
    legal: str
    legal_key: str
    plan: str
    plan_id: str
    method: str
    score: float


@dataclass
class LinkReport:
    links: list[Link] = field(default_factory=list)
    parent_plans: list[tuple[str, str]] = field(default_factory=list)  # (child IRI, parent IRI)
    missing: list[LegalInfo] = field(default_factory=list)
    same_as: list[tuple[str, str]] = field(default_factory=list)  # (year-less node, dated node)
    warnings: list[str] = field(default_factory=list)
    triples: list[tuple[str, str, str]] = field(default_factory=list)


def same_documents(cat: Catalog, r: "Resolver | None" = None) -> list[tuple[str, str]]:
    """(year-less node, dated node) pairs: 'Nghị quyết số 76/NQ-CP' cited without a date in one plan
    is the 'nq-76-2021-nq-cp' another plan cites, when exactly one dated document in the KB has the
    same type, number, symbol and jurisdiction. Order-independent: recomputed over the whole KB."""
    r = r or Resolver(cat)
    return [(leg.iri, r.alias(leg.iri)) for leg in sorted(cat.legal.values(), key=lambda x: x.key)
            if r.alias(leg.iri)]


class Resolver:
    """The matching rules over one catalog, indexed: a cited document is scored only against the
    plans that can match it (the plan it adopts, plans with its number, plans of its level in one
    of its places: every other plan scores None in `score`), once per distinct citing place."""

    def __init__(self, cat: Catalog):
        self.cat = cat
        self.by_adopted: dict[str, list[PlanInfo]] = {}
        self.by_number: dict[str, list[PlanInfo]] = {}
        self.by_level_place: dict[tuple, list[PlanInfo]] = {}
        for p in cat.plans.values():
            if p.adopted_key:
                self.by_adopted.setdefault(p.adopted_key, []).append(p)
            num, _ = _split_number(p.number)
            if num:
                self.by_number.setdefault(num, []).append(p)
            self.by_level_place.setdefault((p.level, _plan_place(p)), []).append(p)
        self._contexts: dict[str, dict[str | None, PlanInfo | None]] = {}
        self._results: dict[str, tuple[Link | None, str | None]] = {}
        self._idents: dict[tuple, set[str]] | None = None

    def contexts(self, leg: LegalInfo) -> dict[str | None, PlanInfo | None]:
        """Distinct places the citations of `leg` point to -> the first citing plan (IRI order)."""
        ctx = self._contexts.get(leg.iri)
        if ctx is None:
            ctx = {}
            for c, _ in sorted(leg.cited_by) or [(None, None)]:
                citing = self.cat.plans.get(c) if c else None
                ctx.setdefault(_citation_place(leg, citing), citing)
            self._contexts[leg.iri] = ctx
        return ctx

    def pool(self, leg: LegalInfo) -> dict[str, PlanInfo]:
        pool = {p.iri: p for p in self.by_adopted.get(leg.key, [])}
        if fold(leg.doc_type or "") == "kh" and leg.number:
            pool.update((p.iri, p) for p in self.by_number.get(leg.number, []))
        level = _citation_level(leg)
        for pl in self.contexts(leg):
            if pl:
                pool.update((p.iri, p) for p in self.by_level_place.get((level, pl), []))
        return pool

    def could_match(self, leg: LegalInfo, p: PlanInfo) -> bool:
        """Whether `p` is in `pool(leg)` (computed from p's side)."""
        if p.adopted_key and p.adopted_key == leg.key:
            return True
        if fold(leg.doc_type or "") == "kh" and leg.number and _split_number(p.number)[0] == leg.number:
            return True
        pp = _plan_place(p)
        return bool(pp) and p.level == _citation_level(leg) and pp in self.contexts(leg)

    def result(self, legal_iri: str) -> tuple[Link | None, str | None]:
        """(link or None, 'ambiguous' warning or None) for one cited document."""
        if legal_iri in self._results:
            return self._results[legal_iri]
        leg = self.cat.legal.get(legal_iri)
        out: tuple[Link | None, str | None] = (None, None)
        if leg is not None and legal_iri not in self.cat.plans:
            self_citers = {c for c, rel in leg.cited_by if rel != "adopted_by"}
            # a plan that lists its own adopting decision among its citations ("Kèm theo Quyết định
            # số 5256/QĐ-UBND" is both its pk:adoptedBy and an eli:cites) does not cite itself
            self_citers -= {c for c, rel in leg.cited_by if rel == "adopted_by"}
            contexts = list(self.contexts(leg).values())
            candidates: dict[str, tuple[str, float]] = {}
            for p in self.pool(leg).values():
                if p.iri in self_citers:
                    continue
                best = None
                for citing in contexts:
                    r = score(leg, p, citing)
                    if r and (best is None or r[1] > best[1]):
                        best = r
                if best:
                    candidates[p.iri] = best
            ranked = sorted(candidates.items(), key=lambda kv: (-kv[1][1], kv[0]))
            if len(ranked) > 1 and ranked[0][1][1] - ranked[1][1][1] < AMBIGUITY_MARGIN:
                out = (None, f"ambiguous: {leg.key} matches "
                             f"{', '.join(self.cat.plans[i].id for i, _ in ranked[:3])}; left unresolved")
            elif ranked:
                target, (method, sc) = ranked[0]
                out = (Link(leg.iri, leg.key, target, self.cat.plans[target].id, method, sc), None)
        self._results[legal_iri] = out
        return out

    def target(self, legal_iri: str) -> str | None:
        link = self.result(legal_iri)[0]
        return link.plan if link else None

    def idents(self) -> dict[tuple, set[str]]:
        if self._idents is None:
            self._idents = {}
            for leg in self.cat.legal.values():
                if leg.number:
                    self._idents.setdefault(_ident(leg), set()).add(leg.iri)
        return self._idents

    def alias(self, legal_iri: str) -> str | None:
        """The dated node a year-less cited document is the same as (see `same_documents`)."""
        leg = self.cat.legal.get(legal_iri)
        if leg is None or not leg.number or leg.year is not None:
            return None
        dated = [i for i in self.idents().get(_ident(leg), ()) if self.cat.legal[i].year is not None]
        return dated[0] if len(dated) == 1 else None

    def group(self, legal_iri: str) -> set[str]:
        """Cited documents whose same-as relations depend on each other (same identity but year)."""
        leg = self.cat.legal.get(legal_iri)
        return set(self.idents().get(_ident(leg), ())) if leg is not None and leg.number else set()

    def parents(self, child: str) -> set[str]:
        """Parent plans of a plan: the plans its legal bases and parent-plan references resolve to
        (a year-less reference through the dated document it is the same as)."""
        if child not in self.cat.plans:
            return set()
        out = set()
        for legal, rel in self.cat.citations_of(child):
            if rel not in ("based_on", "parent"):
                continue
            t = self.target(legal)
            if t is None and (a := self.alias(legal)) is not None:
                t = self.target(a)
            if t is not None and t != child:
                out.add(t)
        return out


def resolve(cat: Catalog, ids: IRIs | None = None) -> LinkReport:
    """Match every cited document of the catalog against its plans; with `ids`, also the triples
    of the links graph (`rep.triples`)."""
    rep = LinkReport()
    r = Resolver(cat)
    rep.same_as = same_documents(cat, r)
    children: set[str] = set()
    for leg in sorted(cat.legal.values(), key=lambda x: x.key):
        if leg.iri in cat.plans:
            continue
        link, warning = r.result(leg.iri)
        if warning:
            rep.warnings.append(warning)
        if link is None:
            rep.missing.append(leg)
            continue
        rep.links.append(link)
    for leg in cat.legal.values():
        children |= {c for c, rel in leg.cited_by if rel in ("based_on", "parent")}
    rep.parent_plans = sorted((c, p) for c in children for p in r.parents(c))
    if ids is not None:
        rep.triples = link_triples(rep, r, ids)
    return rep


def _legal_triples(r: Resolver, legal_iri: str, ids: IRIs) -> list[tuple[str, str, str]]:
    """The links-graph triples about one cited document: pk:ingested, owl:sameAs, and its match."""
    cat = r.cat
    leg = cat.legal.get(legal_iri)
    if leg is None or legal_iri in cat.plans:
        return []
    link = r.result(legal_iri)[0]
    alias = r.alias(legal_iri)
    ingested = link is not None or (alias is not None and r.result(alias)[0] is not None)
    out = [(iri(leg.iri), P["ingested"], typed(ingested))]
    if alias is not None:
        out.append((iri(leg.iri), "<http://www.w3.org/2002/07/owl#sameAs>", iri(alias)))
    if link is not None:
        is_decision = fold(leg.doc_type or "") != "kh"
        rel = f"<{PK}adopts>" if is_decision else f"<{PK}resolvesTo>"
        out.append((iri(link.legal), rel, iri(link.plan)))
        node = iri(ids.link(link.legal_key, link.plan_id))
        out += [
            (node, A, f"<{PK}PlanLink>"),
            (node, f"<{PK}linkSource>", iri(link.legal)),
            (node, f"<{PK}linkTarget>", iri(link.plan)),
            (node, f"<{PK}linkMethod>", lit(link.method)),
            (node, f"<{PK}linkScore>", f'"{link.score:.3f}"^^<http://www.w3.org/2001/XMLSchema#decimal>'),
        ]
    return out


def _parent_triple(child: str, parent: str) -> tuple[str, str, str]:
    return f"<{child}>", f"<{PK}parentPlan>", f"<{parent}>"


def link_triples(rep: LinkReport, r: Resolver, ids: IRIs) -> list[tuple[str, str, str]]:
    """Every triple of the links graph for the resolver's catalog (`rep`: its resolution)."""
    out: list[tuple[str, str, str]] = []
    for leg in sorted(r.cat.legal.values(), key=lambda x: x.key):
        out += _legal_triples(r, leg.iri, ids)
    out += [_parent_triple(c, p) for c, p in rep.parent_plans]
    return out
