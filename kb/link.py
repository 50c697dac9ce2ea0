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

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable

from kb.ids import IRIs, sparql_prefixes
from kb.text import fold

if TYPE_CHECKING:
    from kb.store import KnowledgeBase

MIN_TITLE_SIMILARITY = 60.0
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
class Catalog:
    plans: dict[str, PlanInfo] = field(default_factory=dict)
    legal: dict[str, LegalInfo] = field(default_factory=dict)

    def merge(self, other: "Catalog") -> "Catalog":
        self.plans.update(other.plans)
        for k, v in other.legal.items():
            mine = self.legal.get(k)
            if mine is None:
                self.legal[k] = v
            else:
                mine.cited_by |= v.cited_by
                for f in ("doc_type", "number", "symbol", "year", "date", "issuer", "level", "jurisdiction", "name"):
                    if getattr(mine, f) is None:
                        setattr(mine, f, getattr(v, f))
        return self


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


def collect(store, exclude_graphs: Iterable[str] = ()) -> Catalog:
    """Plans and cited documents from a pyoxigraph Store (all named graphs but `exclude_graphs`)."""
    excluded = set(exclude_graphs)
    prefixes = sparql_prefixes("http://unused.invalid/")
    cat = Catalog()
    for row in store.query(prefixes + PLANS_QUERY):
        g = _v(row["g"])
        if g in excluded:
            continue
        ps, pe = _v(row["ps"]), _v(row["pe"])
        iri = _v(row["plan"])
        info = cat.plans.get(iri) or PlanInfo(graph=g, iri=iri, id=_v(row["id"]), level=_v(row["level"]))
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
        cat.plans[iri] = info
    for row in store.query(prefixes + CITED_QUERY):
        if _v(row["g"]) in excluded:
            continue
        iri = _v(row["legal"])
        info = cat.legal.get(iri) or LegalInfo(iri=iri, key=_v(row["key"]))
        for f, var in (("doc_type", "type"), ("number", "number"), ("symbol", "symbol"), ("date", "date"),
                       ("issuer", "issuer"), ("level", "level"), ("jurisdiction", "jur"), ("name", "name")):
            if getattr(info, f) is None:
                setattr(info, f, _v(row[var]))
        if info.year is None and row["year"] is not None:
            info.year = int(row["year"].value)
        info.cited_by.add((_v(row["plan"]), _REL[_v(row["rel"])]))
        cat.legal[iri] = info
    return cat


# ---------------------------------------------------------------- matching
_PLACE_PREFIX_RE = re.compile(r"^(thanh pho|tinh|tp\.?|phuong|xa|dac khu)\s+")
_PERIOD_RE = re.compile(r"giai doan\s*(\d{4})\s*-\s*(\d{4})")
_YEAR_RE = re.compile(r"\bnam\s+(\d{4})\b")


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


def same_documents(cat: Catalog) -> list[tuple[str, str]]:
    """(year-less node, dated node) pairs: 'Nghị quyết số 76/NQ-CP' cited without a date in one plan
    is the 'nq-76-2021-nq-cp' another plan cites, when exactly one dated document in the KB has the
    same type, number, symbol and jurisdiction. Order-independent: recomputed over the whole KB."""
    def ident(leg: LegalInfo):
        return (fold(leg.doc_type or ""), leg.number, fold(leg.symbol or ""), place(leg.jurisdiction))

    dated: dict[tuple, set[str]] = {}
    for leg in cat.legal.values():
        if leg.number and leg.year is not None:
            dated.setdefault(ident(leg), set()).add(leg.iri)
    pairs = []
    for leg in sorted(cat.legal.values(), key=lambda x: x.key):
        if leg.number and leg.year is None:
            targets = dated.get(ident(leg), set())
            if len(targets) == 1:
                pairs.append((leg.iri, next(iter(targets))))
    return pairs


def resolve(cat: Catalog) -> LinkReport:
    """Match every cited document of the catalog against its plans."""
    rep = LinkReport()
    rep.same_as = same_documents(cat)
    plan_iris = set(cat.plans)
    for leg in sorted(cat.legal.values(), key=lambda x: x.key):
        if leg.iri in plan_iris:
            continue
        citing_plans = [cat.plans.get(c) for c, _ in sorted(leg.cited_by)]
        candidates: dict[str, tuple[str, float]] = {}
        for p in cat.plans.values():
            if any(c == p.iri and rel != "adopted_by" for c, rel in leg.cited_by):
                continue  # a plan does not cite itself
            best = None
            for citing in citing_plans or [None]:
                r = score(leg, p, citing)
                if r and (best is None or r[1] > best[1]):
                    best = r
            if best:
                candidates[p.iri] = best
        if not candidates:
            rep.missing.append(leg)
            continue
        ranked = sorted(candidates.items(), key=lambda kv: (-kv[1][1], kv[0]))
        if len(ranked) > 1 and ranked[0][1][1] - ranked[1][1][1] < AMBIGUITY_MARGIN:
            rep.warnings.append(
                f"ambiguous: {leg.key} matches {', '.join(cat.plans[i].id for i, _ in ranked[:3])}; left unresolved"
            )
            rep.missing.append(leg)
            continue
        target, (method, sc) = ranked[0]
        rep.links.append(Link(leg.iri, leg.key, target, cat.plans[target].id, method, sc))
        for child, rel in sorted(leg.cited_by):
            if rel in ("based_on", "parent") and child != target and child in cat.plans:
                if (child, target) not in rep.parent_plans:
                    rep.parent_plans.append((child, target))
    # a year-less citation of a document that resolves: its citing plans get the parent too
    targets = {l.legal: l.plan for l in rep.links}
    for a, b in rep.same_as:
        if b in targets and a not in targets:
            for child, rel in sorted(cat.legal[a].cited_by):
                if rel in ("based_on", "parent") and child != targets[b] and (child, targets[b]) not in rep.parent_plans:
                    rep.parent_plans.append((child, targets[b]))
    return rep


def link_triples(rep: LinkReport, cat: Catalog, ids: IRIs) -> list[tuple[str, str, str]]:
    from kb.rdf import A, P, iri, lit, typed

    pk = "http://plankb.org/ontology#"
    out: list[tuple[str, str, str]] = []
    resolved = {l.legal for l in rep.links}
    alias = dict(rep.same_as)
    for leg in sorted(cat.legal.values(), key=lambda x: x.key):
        if leg.iri in cat.plans:
            continue
        ingested = leg.iri in resolved or alias.get(leg.iri) in resolved
        out.append((iri(leg.iri), P["ingested"], typed(ingested)))
    for a, b in rep.same_as:
        out.append((iri(a), "<http://www.w3.org/2002/07/owl#sameAs>", iri(b)))
    for l in rep.links:
        leg = cat.legal[l.legal]
        is_decision = fold(leg.doc_type or "") != "kh"
        rel = f"<{pk}adopts>" if is_decision else f"<{pk}resolvesTo>"
        out.append((iri(l.legal), rel, iri(l.plan)))
        node = iri(ids.link(l.legal_key, l.plan_id))
        out += [
            (node, A, f"<{pk}PlanLink>"),
            (node, f"<{pk}linkSource>", iri(l.legal)),
            (node, f"<{pk}linkTarget>", iri(l.plan)),
            (node, f"<{pk}linkMethod>", lit(l.method)),
            (node, f"<{pk}linkScore>", f'"{l.score:.3f}"^^<http://www.w3.org/2001/XMLSchema#decimal>'),
        ]
    for child, parent in rep.parent_plans:
        out.append((iri(child), f"<{pk}parentPlan>", iri(parent)))
    return out


def compute(store, ids: IRIs, exclude_graphs: Iterable[str] = (), extra: Catalog | None = None) -> LinkReport:
    """Catalog of `store` (minus `exclude_graphs`, plus `extra`) -> matches and links-graph triples."""
    excluded = set(exclude_graphs) | {ids.links_graph, ids.ontology_graph}
    cat = collect(store, excluded)
    if extra is not None:
        cat.merge(extra)
    rep = resolve(cat)
    rep.triples = link_triples(rep, cat, ids)
    return rep


def replace_links_update(rep: LinkReport, ids: IRIs) -> str:
    """SPARQL Update operations that replace the links graph (to be sent in one request)."""
    body = "".join(f"{s} {p} {o} .\n" for s, p, o in rep.triples)
    g = ids.links_graph
    ops = f"DROP SILENT GRAPH <{g}>"
    if body:
        ops += f" ;\nINSERT DATA {{ GRAPH <{g}> {{\n{body}}} }}"
    return ops


def link_plans(kb: "KnowledgeBase") -> LinkReport:
    """Recompute the links graph of `kb` from its document graphs, in one transaction; then bring
    the task / indicator / unit alignments of every (child, parent) pair up to date (kb.align)."""
    rep = compute(kb.store, kb.iris)
    kb.store.update(replace_links_update(rep, kb.iris))
    kb._changed()
    rep.warnings += refresh_alignments(kb)
    return rep


def refresh_alignments(kb: "KnowledgeBase") -> list[str]:
    """Re-align the (child, parent) plan pairs whose documents changed (kb.align.align_kb).

    Alignments are derived data kept in their own graphs: a failure here is reported as a warning
    and leaves the documents and the links graph as written."""
    from kb.align import align_kb

    try:
        return align_kb(kb).warnings
    except Exception as e:  # noqa: BLE001 - derived data must not fail an ingest
        return [f"alignments not recomputed: {type(e).__name__}: {e}"]

