"""Resolve cited documents to ingested plans; the result is the named graph {base}graph/links.

A number alone is not an identity (600/QĐ-UBND exists in every province every year), and a plan
may never state its own number (seed 001 is cited by seed 000 as QĐ 1478/QĐ-UBND but its text
leaves the number blank). A cited legal document L is identified with an ingested plan P by, in
order of strength:

1. `adopting-decision`: P states the decision it is attached to and that decision's key is L's.
2. `number`: P has a number and L has the same number, symbol, year and jurisdiction.
3. `metadata`: no number to compare, but L's issuer jurisdiction, level and period (parsed from
   the citation's name: 'giai đoạn 2026-2030', 'năm 2026') agree with P's, the years fit, and the
   title similarity of L's name and P's title is high enough. Score = 0.4 + 0.6 * similarity.

Every match is recorded as a `pk:PlanLink` (method, score) and gives `L pk:resolvesTo P` (or
`pk:adopts` for a decision), `child pk:parentPlan P` for plans that cite L as legal basis or
parent plan, and `L pk:ingested true`. Cited documents that match nothing get
`pk:ingested false`: the missing sources.

A document cited without a year ('Nghị quyết số 76/NQ-CP', key 'nq-76-nq-cp') gets
`owl:sameAs` the dated node ('nq-76-2021-nq-cp') when exactly one dated document in the KB has
the same type, number, symbol and jurisdiction.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Iterable

from plankb.kb.ids import IRIs, sparql_prefixes, sparql_values
from plankb.kb.text import fold

if TYPE_CHECKING:
    from plankb.kb.store import KnowledgeBase

MIN_TITLE_SIMILARITY = 60.0
PK = "http://plankb.org/ontology#"
RDF_JSON = "http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON"
FACTS_VERSION = 1  # of Fragment.to_json; other versions are read from the graph's triples
AMBIGUITY_MARGIN = 0.05

PLANS_QUERY = """
SELECT ?g ?plan ?id ?title ?level ?number ?date ?ps ?pe ?jname ?pname ?adopted ?draft WHERE {
  GRAPH ?g {
    ?plan a pk:Plan ; dcterms:identifier ?id ; pk:level ?level .
    OPTIONAL { ?plan eli:title ?title }
    OPTIONAL { ?plan eli:id_local ?number }
    OPTIONAL { ?plan eli:date_document ?date }
    OPTIONAL { ?plan pk:isDraft ?draft }
    OPTIONAL { ?plan pk:periodStart ?ps ; pk:periodEnd ?pe }
    OPTIONAL { ?plan pk:jurisdiction ?j . ?j skos:prefLabel ?jname .
               OPTIONAL { ?j pk:province ?prov . ?prov skos:prefLabel ?pname } }
    OPTIONAL { ?plan pk:jurisdiction ?j2 . ?j2 pk:jurisdictionName ?pname }
    OPTIONAL { ?plan pk:adoptedBy ?a . ?a pk:citationKey ?adopted }
  }
}
"""

CITED_QUERY = """
SELECT ?g ?plan ?rel ?legal ?key ?type ?number ?symbol ?year ?date ?issuer ?level ?jur ?name WHERE {
  GRAPH ?g {
    VALUES ?rel { eli:based_on pk:parentPlanRef eli:cites pk:adoptedBy }
    ?plan a pk:Plan ; ?rel ?legal .
    ?legal pk:citationKey ?key .
    OPTIONAL { ?legal pk:docTypeCode ?type }
    OPTIONAL { ?legal eli:number ?number }
    OPTIONAL { ?legal pk:symbol ?symbol }
    OPTIONAL { ?legal pk:year ?year }
    OPTIONAL { ?legal eli:date_document ?date }
    OPTIONAL { ?legal pk:issuerName ?issuer }
    OPTIONAL { ?legal pk:issuerLevel ?level }
    OPTIONAL { ?legal pk:jurisdictionName ?jur }
    OPTIONAL { ?legal eli:title ?name }
  }
}
"""

_REL = {
    "http://data.europa.eu/eli/ontology#based_on": "based_on",
    "http://plankb.org/ontology#parentPlanRef": "parent",
    "http://data.europa.eu/eli/ontology#cites": "cites",
    "http://plankb.org/ontology#adoptedBy": "adopted_by",
}


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


# ---------------------------------------------------------------- reading the catalog
def _v(term) -> str | None:
    return None if term is None else term.value


def collect_fragments(store, exclude_graphs: Iterable[str] = (), graphs: Iterable[str] | None = None
                      ) -> dict[str, Fragment]:
    """Fragments read from the graphs' triples (all named graphs but `exclude_graphs`, or only
    `graphs`)."""
    excluded = set(exclude_graphs)
    only = set(graphs) if graphs is not None else None
    prefixes = sparql_prefixes("http://unused.invalid/")
    frags: dict[str, Fragment] = {}

    def frag(g: str) -> Fragment | None:
        if g in excluded or (only is not None and g not in only):
            return None
        return frags.setdefault(g, Fragment(g))

    values = sparql_values("g", only) if only is not None and len(only) <= 64 else ""
    for row in store.query(prefixes + PLANS_QUERY.replace("WHERE {\n", "WHERE {\n" + values, 1)):
        f = frag(_v(row["g"]))
        if f is None:
            continue
        ps, pe = _v(row["ps"]), _v(row["pe"])
        iri = _v(row["plan"])
        info = f.plans.get(iri) or PlanInfo(graph=f.graph, iri=iri, id=_v(row["id"]), level=_v(row["level"]))
        info.title = info.title or _v(row["title"])
        info.number = info.number or _v(row["number"])
        info.date = info.date or _v(row["date"])
        info.period = info.period or ((int(ps), int(pe)) if ps and pe else None)
        info.jurisdiction = info.jurisdiction or _v(row["jname"])
        info.province = info.province or _v(row["pname"])
        info.adopted_key = info.adopted_key or _v(row["adopted"])
        draft = _v(row["draft"])
        if draft is not None:
            info.is_draft = draft == "true"
        f.plans[iri] = info
    for row in store.query(prefixes + CITED_QUERY.replace("WHERE {\n", "WHERE {\n" + values, 1)):
        f = frag(_v(row["g"]))
        if f is None:
            continue
        iri = _v(row["legal"])
        info = f.legal.get(iri) or LegalInfo(iri=iri, key=_v(row["key"]))
        for fld, var in (("doc_type", "type"), ("number", "number"), ("symbol", "symbol"), ("date", "date"),
                         ("issuer", "issuer"), ("level", "level"), ("jurisdiction", "jur"), ("name", "name")):
            if getattr(info, fld) is None:
                setattr(info, fld, _v(row[var]))
        if info.year is None and row["year"] is not None:
            info.year = int(row["year"].value)
        info.cited_by.add((_v(row["plan"]), _REL[_v(row["rel"])]))
        f.legal[iri] = info
    return frags


FACTS_QUERY = f"""SELECT ?g ?facts WHERE {{ GRAPH ?g {{ ?g <{PK}linkFacts> ?facts }} }}"""
PLAN_GRAPHS_QUERY = f"""SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?plan a <{PK}Plan> }} }}"""


def collect(store, exclude_graphs: Iterable[str] = ()) -> Catalog:
    """The catalog of a pyoxigraph-like store (all named graphs but `exclude_graphs`).

    Each document graph carries its fragment as a `pk:linkFacts` JSON literal (written with the
    document, see `facts_quad`), so this reads one literal per document; graphs without one (written
    by an older plankb) are read from their triples."""
    excluded = set(exclude_graphs)
    frags: dict[str, Fragment] = {}
    for row in store.query(FACTS_QUERY):
        g = _v(row["g"])
        if g in excluded:
            continue
        f = Fragment.from_json(g, _v(row["facts"]))
        if f is not None:
            frags[g] = f
    plan_graphs = {_v(r["g"]) for r in store.query(PLAN_GRAPHS_QUERY)} - excluded
    rest = plan_graphs - set(frags)
    if rest:
        frags.update(collect_fragments(store, excluded, rest))
    return Catalog.from_fragments(frags[g] for g in sorted(frags))


def fragment_of(nquads: str, graph: str) -> Fragment:
    """The fragment of one document given as N-Quads (its triples in `graph`)."""
    import pyoxigraph as ox

    scratch = ox.Store()
    scratch.load(nquads, format=ox.RdfFormat.N_QUADS)
    return collect_fragments(scratch).get(graph) or Fragment(graph)


def facts_quad(frag: Fragment) -> tuple[str, str, str]:
    """(subject, predicate, object) of the `pk:linkFacts` triple stored in the fragment's graph."""
    from plankb.kb.rdf import _escape

    return f"<{frag.graph}>", f"<{PK}linkFacts>", f'"{_escape(frag.to_json())}"^^<{RDF_JSON}>'


# ---------------------------------------------------------------- matching
_PLACE_PREFIX_RE = re.compile(r"^(thanh pho|tinh|tp\.?|phuong|xa|dac khu)\s+")
_PERIOD_RE = re.compile(r"giai doan\s*(\d{4})\s*-\s*(\d{4})")
_YEAR_RE = re.compile(r"\bnam\s+(\d{4})\b")


@lru_cache(maxsize=65536)
def place(name: str | None) -> str | None:
    """'Thành phố Hải Phòng' -> 'hai phong'; 'Hải Phòng' -> 'hai phong'."""
    if not name:
        return None
    return _PLACE_PREFIX_RE.sub("", fold(name)).strip() or None


def period_of(name: str | None) -> tuple[int, int] | None:
    """Period named in a citation: 'giai đoạn 2026-2030' -> (2026, 2030); 'năm 2026' -> (2026, 2026).

    >>> period_of("Kế hoạch cải cách hành chính nhà nước trọng tâm giai đoạn 2026 – 2030 của thành phố")
    (2026, 2030)
    >>> period_of("cải cách hành chính nhà nước tỉnh Bắc Ninh năm 2026")
    (2026, 2026)
    """
    if not name:
        return None
    f = fold(name)
    m = _PERIOD_RE.search(f)
    if m:
        return int(m.group(1)), int(m.group(2))
    years = _YEAR_RE.findall(f)
    if years:
        y = int(years[-1])
        return y, y
    return None


def _title_key(text: str) -> str:
    t = fold(text)
    t = re.sub(r"\s*-\s*", "-", t)
    t = re.sub(r"^(ve viec )?(ban hanh )?(ke hoach )?", "", t)
    return t


def title_similarity(a: str | None, b: str | None) -> float:
    if not a or not b:
        return 0.0
    from rapidfuzz import fuzz

    return float(fuzz.token_set_ratio(_title_key(a), _title_key(b)))


def _citation_level(leg: LegalInfo) -> str | None:
    if leg.level:
        return leg.level
    sym = fold(leg.symbol or "")
    if "ttg" in sym or sym.endswith("cp") or "/tw" in sym:
        return "national"
    issuer = fold(leg.issuer or "")
    if "phuong" in issuer or re.search(r"\bxa\b", issuer):
        return "commune"
    if "thanh pho" in issuer or "tinh" in issuer:
        return "province"
    return None


def _citation_place(leg: LegalInfo, citing: PlanInfo | None) -> str | None:
    """Jurisdiction the citation points to: stated, or implied by the citing plan."""
    if leg.jurisdiction:
        return place(leg.jurisdiction)
    if citing is None:
        return None
    level = _citation_level(leg)
    if level == "province":
        return place(citing.province if citing.level == "commune" else citing.jurisdiction)
    if level == "commune":
        return place(citing.jurisdiction)
    return None


def _plan_place(p: PlanInfo) -> str | None:
    return place(p.jurisdiction)


def _split_number(number: str | None) -> tuple[str | None, str | None]:
    if not number or "/" not in number:
        return number, None
    n, _, sym = number.partition("/")
    return n.strip(), sym.strip()


def _year(date: str | None) -> int | None:
    return int(date[:4]) if date and date[:4].isdigit() else None


def score(leg: LegalInfo, p: PlanInfo, citing: PlanInfo | None) -> tuple[str, float] | None:
    """(method, score) if L can be the plan P (or the decision adopting it), else None."""
    if p.adopted_key and p.adopted_key == leg.key:
        return "adopting-decision", 1.0
    lplace, pplace = _citation_place(leg, citing), _plan_place(p)
    if lplace and pplace and lplace != pplace:
        return None
    is_plan_citation = fold(leg.doc_type or "") == "kh"
    num, sym = _split_number(p.number)
    if is_plan_citation and num and leg.number:
        same = (num == leg.number and fold(sym or "") == fold(leg.symbol or "")
                and (leg.year is None or _year(p.date) is None or leg.year == _year(p.date)))
        return ("number", 1.0) if same and lplace and pplace else None
    if not is_plan_citation and p.adopted_key:
        return None  # P is adopted by another, known decision
    level = _citation_level(leg)
    if level is None or level != p.level or not lplace or not pplace:
        return None
    per = period_of(leg.name)
    if per is None or p.period is None or per != p.period:
        return None
    if leg.year is not None and not (p.period[0] - 1 <= leg.year <= p.period[1]):
        return None
    if leg.date and p.date and leg.date[:10] != p.date[:10]:
        return None
    name = leg.name or ""
    if not is_plan_citation and "ke hoach" not in fold(name):
        return None  # a decision that does not issue a plan
    sim = title_similarity(name, p.title)
    if sim < MIN_TITLE_SIMILARITY:
        return None
    return "metadata", round(0.4 + 0.6 * sim / 100.0, 3)


def _ident(leg: LegalInfo) -> tuple:
    return (fold(leg.doc_type or ""), leg.number, fold(leg.symbol or ""), place(leg.jurisdiction))


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
    from plankb.kb.rdf import A, P, iri, lit, typed

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


def compute(store, ids: IRIs, exclude_graphs: Iterable[str] = ()) -> LinkReport:
    """Catalog of `store` (minus `exclude_graphs`) -> matches and links-graph triples."""
    return resolve(collect(store, set(exclude_graphs) | {ids.links_graph, ids.ontology_graph}), ids)


def complete_marker(ids: IRIs) -> tuple[str, str, str]:
    """Present in the links graph when it was computed over every document graph in the store;
    removed by any document write that does not update the links (bulk loads, `link=False`)."""
    return f"<{ids.links_graph}>", f"<{PK}linksComplete>", '"true"^^<http://www.w3.org/2001/XMLSchema#boolean>'


def clear_marker_update(ids: IRIs) -> str:
    s, p, o = complete_marker(ids)
    return f"DELETE DATA {{ GRAPH <{ids.links_graph}> {{\n{s} {p} {o} .\n}} }}"


def set_marker_update(ids: IRIs) -> str:
    s, p, o = complete_marker(ids)
    return f"INSERT DATA {{ GRAPH <{ids.links_graph}> {{\n{s} {p} {o} .\n}} }}"


def is_complete(store, ids: IRIs) -> bool:
    s, p, o = complete_marker(ids)
    return bool(store.query(f"ASK {{ GRAPH <{ids.links_graph}> {{ {s} {p} {o} }} }}"))


def replace_links_update(rep: LinkReport, ids: IRIs) -> str:
    """SPARQL Update operations that replace the links graph (to be sent in one request)."""
    body = "".join(f"{s} {p} {o} .\n" for s, p, o in [*rep.triples, complete_marker(ids)])
    g = ids.links_graph
    return f"DROP SILENT GRAPH <{g}> ;\nINSERT DATA {{ GRAPH <{g}> {{\n{body}}} }}"


# ---------------------------------------------------------------- incremental relinking
@dataclass
class LinkDelta:
    """What one change of document graphs does to the links graph."""
    delete: set[tuple[str, str, str]] = field(default_factory=set)
    insert: set[tuple[str, str, str]] = field(default_factory=set)
    affected: set[str] = field(default_factory=set)  # cited documents re-resolved
    realign: set[str] = field(default_factory=set)  # plan IRIs whose alignments must be recomputed
    warnings: list[str] = field(default_factory=list)

    def update(self, ids: IRIs) -> str:
        """SPARQL Update operations applying the delta (to be sent with the document's write)."""
        g = ids.links_graph
        ops = []
        if self.delete:
            body = "".join(f"{s} {p} {o} .\n" for s, p, o in sorted(self.delete))
            ops.append(f"DELETE DATA {{ GRAPH <{g}> {{\n{body}}} }}")
        if self.insert:
            body = "".join(f"{s} {p} {o} .\n" for s, p, o in sorted(self.insert))
            ops.append(f"INSERT DATA {{ GRAPH <{g}> {{\n{body}}} }}")
        return " ;\n".join(ops)


def relink(old: Catalog, new: Catalog, changed_plans: set[str], touched: set[str], ids: IRIs) -> LinkDelta:
    """The links-graph delta between catalogs `old` and `new`, which differ by the document graphs
    of `changed_plans` (added, removed or replaced); `touched`: cited documents whose catalog entry
    changed. Only cited documents whose match can have changed are re-resolved: those touched, those
    that `could_match` a changed plan (before or after), and their same-identity groups; then the
    parent plans of every plan citing one of them. Equal, by construction and by test, to the
    difference of `link_triples` over both catalogs; its cost follows the change, not the KB."""
    ro, rn = Resolver(old), Resolver(new)
    affected = set(touched)
    for r in (ro, rn):
        changed = [r.cat.plans[i] for i in changed_plans if i in r.cat.plans]
        if changed:
            for leg in r.cat.legal.values():
                if leg.iri not in affected and any(r.could_match(leg, p) for p in changed):
                    affected.add(leg.iri)
    for r in (ro, rn):
        for legal in list(affected):
            affected |= r.group(legal)
    delta = LinkDelta(affected=affected)
    before: set[tuple[str, str, str]] = set()
    after: set[tuple[str, str, str]] = set()
    children: set[str] = set(changed_plans)
    for r, out in ((ro, before), (rn, after)):
        for legal in affected:
            out.update(_legal_triples(r, legal, ids))
            leg = r.cat.legal.get(legal)
            if leg is not None:
                children |= {c for c, rel in leg.cited_by if rel in ("based_on", "parent")}
    for c in children:
        po, pn = ro.parents(c), rn.parents(c)
        before.update(_parent_triple(c, p) for p in po)
        after.update(_parent_triple(c, p) for p in pn)
        if c in new.plans and (po != pn or (pn | po) & changed_plans or c in changed_plans):
            delta.realign.add(c)
    delta.delete, delta.insert = before - after, after - before
    delta.warnings = sorted({w for legal in affected if (w := rn.result(legal)[1])})
    return delta


def rebuild(kb: "KnowledgeBase") -> tuple[LinkReport, int]:
    """Recompute the links graph from the documents' triples, not their `pk:linkFacts`, and rewrite
    the facts of every document whose triples say otherwise (after hand-written SPARQL Updates).
    Returns the report and the number of documents whose facts were rewritten."""
    excluded = {kb.iris.links_graph, kb.iris.ontology_graph}
    frags = collect_fragments(kb.store, excluded)
    stored = {_v(r["g"]): _v(r["facts"]) for r in kb.store.query(FACTS_QUERY)}
    ops = []
    for g in sorted(frags):
        if stored.get(g) != frags[g].to_json():
            s, p, o = facts_quad(frags[g])
            ops.append(f"DELETE WHERE {{ GRAPH <{g}> {{ <{g}> <{PK}linkFacts> ?facts }} }} ;\n"
                       f"INSERT DATA {{ GRAPH <{g}> {{\n{s} {p} {o} .\n}} }}")
    for i in range(0, len(ops), 50):
        kb.store.update(" ;\n".join(ops[i:i + 50]))
    rep = resolve(Catalog.from_fragments(frags[g] for g in sorted(frags)), kb.iris)
    kb.store.update(replace_links_update(rep, kb.iris))
    kb.mark_changed()
    return rep, len(ops)


def link_plans(kb: "KnowledgeBase") -> LinkReport:
    """Recompute the links graph of `kb` from its document graphs, in one transaction; then bring
    the task / indicator / unit alignments of every (child, parent) pair up to date (kb.align)."""
    rep = compute(kb.store, kb.iris)
    kb.store.update(replace_links_update(rep, kb.iris))
    kb.mark_changed()
    rep.warnings += refresh_alignments(kb)
    return rep


def refresh_alignments(kb: "KnowledgeBase", children: set[str] | None = None,
                       removed: Iterable[str] = ()) -> list[str]:
    """Re-align the (child, parent) plan pairs whose documents changed (kb.align.align_kb); with
    `children` (plan IRIs), only those plans' pairs; `removed`: plan ids whose alignments go.

    Alignments are derived data kept in their own graphs: a failure here is reported as a warning
    and leaves the documents and the links graph as written."""
    from plankb.kb.align import align_kb

    try:
        return align_kb(kb, children=children, removed=removed).warnings
    except Exception as e:  # noqa: BLE001 - derived data must not fail an ingest
        return [f"alignments not recomputed: {type(e).__name__}: {e}"]
