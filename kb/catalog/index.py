"""The catalog's in-memory index of one KB version: `index(kb)`, the main entry point.

Everything the catalog shows is read from the KB once per KB version, with a few SPARQL queries
over the union of graphs (`KnowledgeBase.cached("catalog.index", …)`: rebuilt after any write).
`_build` reads, in order: reform areas, jurisdictions, link resolutions, plans, units, tasks, the
units each plan names, cited legal documents and their citations, then indicators.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pyoxigraph import Literal as OxLiteral
from pyoxigraph import NamedNode

from plankb.kb.catalog.keys import LEVEL_ORDER, name_key, num_suffix, path_key
from plankb.kb.catalog.schemas import (
    Deadline,
    Indicator,
    LegalRef,
    PlanRef,
    PlanSummary,
    SourceRef,
    TaskRef,
    TaskSummary,
    UnitRef,
    UnitSummary,
    fields,
)
from plankb.kb.ids import PK, PREFIXES
from plankb.kb.models import AREAS
from plankb.kb.store import to_python
from plankb.kb.text import fold

if TYPE_CHECKING:
    from plankb.kb.store import KnowledgeBase

ELI = PREFIXES["eli"]
SKOS = PREFIXES["skos"]
DCT = PREFIXES["dcterms"]
PROV = PREFIXES["prov"]
RDF = PREFIXES["rdf"]
CACHE_NAME = "catalog.index"


@dataclass
class _Task:
    iri: str
    id: str
    plan: str  # plan IRI
    text: str
    path: str | None
    area: str
    origin: str | None
    parent: str | None
    lead: list[str]
    support: list[str]
    leader: str | None
    products: list[str]
    deadline: Deadline | None
    start: int | None
    end: int | None
    folded: str = ""


@dataclass
class _Plan:
    iri: str
    summary: PlanSummary
    ref: PlanRef
    source: SourceRef
    adopted_by: str | None
    based_on: list[str]
    parent_refs: list[str]
    cites: list[str]
    parents: list[str]
    folded: str = ""


@dataclass
class _Unit:
    iri: str
    summary: UnitSummary
    ref: UnitRef
    key: str  # name_key of the label and aliases, joined
    folded: str = ""


@dataclass
class _Legal:
    iri: str
    detail: dict[str, Any]
    ref: LegalRef
    folded: str = ""


@dataclass
class _Index:
    """Everything the catalog shows, read from the KB once per KB version."""

    iris: Any
    area_labels: dict[str, str] = field(default_factory=dict)
    plans: dict[str, _Plan] = field(default_factory=dict)  # by IRI
    plan_ids: dict[str, str] = field(default_factory=dict)  # id -> IRI
    tasks: dict[str, _Task] = field(default_factory=dict)  # by IRI
    task_ids: dict[str, str] = field(default_factory=dict)
    tasks_by_plan: dict[str, list[str]] = field(default_factory=dict)
    children_of: dict[str, list[str]] = field(default_factory=dict)
    units: dict[str, _Unit] = field(default_factory=dict)
    unit_ids: dict[str, str] = field(default_factory=dict)
    unit_tasks: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # unit IRI -> [(task IRI, role)]
    unit_plans: dict[str, list[str]] = field(default_factory=dict)
    plan_units: dict[str, list[str]] = field(default_factory=dict)
    legal: dict[str, _Legal] = field(default_factory=dict)  # by IRI (plans excluded)
    legal_keys: dict[str, str] = field(default_factory=dict)  # key -> IRI (sameAs aliases included)
    cited_by: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # legal IRI -> [(plan IRI, relation)]
    indicators: dict[str, Indicator] = field(default_factory=dict)  # by id
    indicator_folded: dict[str, str] = field(default_factory=dict)
    indicators_by_plan: dict[str, list[str]] = field(default_factory=dict)

    # ------------------------------------------------------------ refs
    def unit_ref(self, iri: str) -> UnitRef:
        u = self.units.get(iri)
        if u is not None:
            return u.ref
        ident = (self.iris.kind_and_id(iri) or ("unit", iri))[1]
        return UnitRef(id=ident, label=ident)

    def task_ref(self, t: _Task) -> TaskRef:
        return TaskRef(id=t.id, path=t.path, text=t.text, plan_id=self.plans[t.plan].ref.id)

    def task_summary(self, t: _Task, role: str | None = None) -> TaskSummary:
        return TaskSummary(
            id=t.id, path=t.path, text=t.text, area=t.area, area_label=self.area_labels.get(t.area, t.area),
            plan=self.plans[t.plan].ref, lead_units=[self.unit_ref(u) for u in t.lead],
            support_units=[self.unit_ref(u) for u in t.support], deadline=t.deadline, role=role,
        )


def _describe(kb: "KnowledgeBase", cls: str) -> dict[str, dict[str, list]]:
    """{subject IRI: {predicate IRI: [values]}} for every instance of `cls` (each value once)."""
    out: dict[str, dict[str, list]] = {}
    # The subjects first, then their triples: over the union of graphs a description repeated in
    # k graphs (a legal document cited by k plans) gives k rows per triple, where the plain
    # join `?s a cls ; ?p ?o` gave k² (minutes at country scale).
    query = f"SELECT DISTINCT ?s ?p ?o WHERE {{ {{ SELECT DISTINCT ?s WHERE {{ ?s a {cls} }} }} ?s ?p ?o }}"
    for sol in kb.query(query):
        s, p, o = sol[0], sol[1], sol[2]
        props = out.get(s.value)
        if props is None:
            props = out[s.value] = {}
        vals = props.get(p.value)
        if vals is None:
            vals = props[p.value] = []
        # IRIs and language-tagged strings are their own value; other literals go through to_python
        v = o.value if isinstance(o, NamedNode) or (isinstance(o, OxLiteral) and o.language) else to_python(o)
        if v not in vals:
            vals.append(v)
    for props in out.values():
        for vals in props.values():
            vals.sort(key=lambda v: (str(type(v)), str(v)))
    return out


def _one(props: dict[str, list], pred: str, default=None):
    vals = props.get(pred)
    return vals[0] if vals else default


def index(kb: "KnowledgeBase") -> _Index:
    """The catalog's index of `kb`, rebuilt when the KB has changed since it was built."""
    return kb.cached(CACHE_NAME, _build)


# ------------------------------------------------------------ building
_ROLE_ORDER = ("standing", "lead", "support")


class _Reader:
    """What the parts of a build share: the KB, its IRIs, its jurisdictions, the area codes."""

    def __init__(self, kb: "KnowledgeBase"):
        self.kb = kb
        self.iris = kb.iris
        self.jur = _describe(kb, "pk:Jurisdiction")
        self.area_of = {kb.iris.area(code): code for code in AREAS}

    def short(self, iri: str | None) -> str | None:
        if iri is None:
            return None
        k = self.iris.kind_and_id(iri)
        return k[1] if k else iri

    def jur_props(self, j: str | None) -> dict[str, list]:
        return self.jur.get(j or "", {})

    def jur_label(self, j: str | None) -> str | None:
        return _one(self.jur_props(j), SKOS + "prefLabel") if j else None

    def jur_level(self, j: str | None) -> str | None:
        if not j or j not in self.jur:
            return None
        props = self.jur[j]
        if _one(props, PK + "code") == "VN":
            return "national"
        return "commune" if props.get(PK + "province") else "province"


def _build(kb: "KnowledgeBase") -> _Index:
    ix = _Index(iris=kb.iris)
    r = _Reader(kb)
    _add_area_labels(ix, kb)
    _add_plans(ix, r)
    _add_units(ix, r)
    _add_tasks(ix, r)
    _order_and_count(ix)
    _add_plan_units(ix, kb)
    _add_legal(ix, r)
    _add_indicators(ix, r)
    return ix


def _add_area_labels(ix: _Index, kb: "KnowledgeBase") -> None:
    """Reform-area labels in Vietnamese, from the ontology graph."""
    for row in kb.select("""SELECT DISTINCT ?code ?label WHERE { ?a a pk:ReformArea ; skos:notation ?code ;
                           skos:prefLabel ?label FILTER(lang(?label) = "vi") }"""):
        ix.area_labels[row["code"]] = row["label"]


# plans
def _add_plans(ix: _Index, r: _Reader) -> None:
    sources = _describe(r.kb, "pk:SourceFile")
    for iri, p in _describe(r.kb, "pk:Plan").items():
        pl = _plan_entry(r, iri, p, sources)
        ix.plans[iri] = pl
        ix.plan_ids[pl.ref.id] = iri
    for iri, pl in ix.plans.items():
        for parent in pl.parents:
            ix.children_of.setdefault(parent, []).append(iri)


def _province(r: _Reader, jp: dict[str, list], jl: str | None, level: str) -> tuple[str | None, str | None]:
    """(province name, province code) of a plan's jurisdiction (its own for a province plan)."""
    province_iri = _one(jp, PK + "province")
    if province_iri:
        return r.jur_label(province_iri), _one(r.jur_props(province_iri), PK + "code")
    if level == "province":
        return jl, _one(jp, PK + "code")
    return _one(jp, PK + "jurisdictionName"), None


def _plan_entry(r: _Reader, iri: str, p: dict[str, list], sources: dict[str, dict[str, list]]) -> _Plan:
    pid = _one(p, DCT + "identifier") or r.short(iri)
    j = _one(p, PK + "jurisdiction")
    jl = r.jur_label(j)
    jp = r.jur_props(j)
    level = _one(p, PK + "level", "commune")
    province, province_code = _province(r, jp, jl, level)
    ref = PlanRef(id=pid, title=_one(p, ELI + "title"), level=level, jurisdiction=jl,
                  period_start=_one(p, PK + "periodStart"), period_end=_one(p, PK + "periodEnd"))
    sp = sources.get(_one(p, PROV + "wasDerivedFrom") or "", {})
    summary = PlanSummary(
        **fields(ref), number=_one(p, ELI + "id_local"),
        is_draft=bool(_one(p, PK + "isDraft", False)), date=_one(p, ELI + "date_document"),
        issuer=_one(p, PK + "issuerName"), jurisdiction_code=_one(jp, PK + "code"), province=province,
        province_code=province_code,
    )
    return _Plan(
        iri=iri, summary=summary, ref=ref,
        source=SourceRef(path=_one(sp, PK + "sourcePath"), sha256=_one(sp, PK + "sha256")),
        adopted_by=_one(p, PK + "adoptedBy"), based_on=p.get(ELI + "based_on", []),
        parent_refs=p.get(PK + "parentPlanRef", []), cites=p.get(ELI + "cites", []),
        parents=p.get(PK + "parentPlan", []),
        folded=fold(" ".join(str(x) for x in (pid, ref.title, summary.number, jl, province, summary.issuer) if x)),
    )


# units
def _add_units(ix: _Index, r: _Reader) -> None:
    for iri, u in _describe(r.kb, "org:OrganizationalUnit").items():
        unit = _unit_entry(r, iri, u)
        ix.units[iri] = unit
        ix.unit_ids[unit.ref.id] = iri


def _unit_entry(r: _Reader, iri: str, u: dict[str, list]) -> _Unit:
    uid = _one(u, DCT + "identifier") or r.short(iri)
    label = _one(u, SKOS + "prefLabel") or uid
    j = _one(u, PK + "jurisdiction")
    aliases = [a for a in u.get(SKOS + "altLabel", []) if a != label]
    aliases += [a for a in u.get(SKOS + "prefLabel", []) if a != label and a not in aliases]
    ref = UnitRef(id=uid, label=label, jurisdiction=r.jur_label(j))
    summary = UnitSummary(
        id=uid, label=label, jurisdiction=ref.jurisdiction, aliases=aliases,
        jurisdiction_code=_one(r.jur_props(j), PK + "code"), level=r.jur_level(j),
        roles=sorted({r.short(x) or x for x in u.get(PK + "role", [])},
                     key=lambda x: _ROLE_ORDER.index(x) if x in _ROLE_ORDER else 9),
        areas=[r.area_of[a] for a in u.get(PK + "area", []) if a in r.area_of],
    )
    return _Unit(iri=iri, summary=summary, ref=ref,
                 key="|".join(name_key(x) for x in [label, *aliases, uid.replace("-", " ")]),
                 folded=fold(" ".join([label, *aliases, ref.jurisdiction or ""])))


def _add_plan_units(ix: _Index, kb: "KnowledgeBase") -> None:
    """The units each plan names (described in the plan's graph)."""
    graph_plan = {kb.iris.graph(pl.ref.id): pl.iri for pl in ix.plans.values()}
    for row in kb.select("SELECT DISTINCT ?g ?u WHERE { GRAPH ?g { ?u a org:OrganizationalUnit } }",
                         use_default_graph_as_union=False):
        plan = graph_plan.get(row["g"])
        if plan and row["u"] in ix.units:
            ix.unit_plans.setdefault(row["u"], []).append(plan)
            ix.plan_units.setdefault(plan, []).append(row["u"])


# tasks
def _add_tasks(ix: _Index, r: _Reader) -> None:
    for iri, t in _describe(r.kb, "pk:Task").items():
        if _one(t, PK + "plan") not in ix.plans:
            continue
        task = _task_entry(r, iri, t)
        ix.tasks[iri] = task
        ix.task_ids[task.id] = iri


def _task_entry(r: _Reader, iri: str, t: dict[str, list]) -> _Task:
    dl_text = _one(t, PK + "deadlineText")
    deadline = Deadline(text=dl_text, start=_one(t, PK + "deadlineStart"), end=_one(t, PK + "deadlineEnd"),
                        recurrence=_one(t, PK + "recurrence")) if dl_text else None
    task = _Task(
        iri=iri, id=_one(t, DCT + "identifier") or r.short(iri), plan=_one(t, PK + "plan"),
        text=_one(t, PK + "text", ""), path=_one(t, PK + "path"),
        area=r.area_of.get(_one(t, PK + "area", ""), "direction"),
        origin=_one(t, PK + "origin"), parent=_one(t, PK + "parentTask"),
        lead=sorted(t.get(PK + "leadUnit", [])), support=sorted(t.get(PK + "supportUnit", [])),
        leader=_one(t, PK + "leader"), products=t.get(PK + "product", []), deadline=deadline,
        start=_one(t, PK + "charStart"), end=_one(t, PK + "charEnd"),
    )
    task.folded = fold(" ".join([task.path or "", task.text, *task.products]))
    return task


def _order_and_count(ix: _Index) -> None:
    """Tasks by plan and section path, units by level, jurisdiction and name; task counts."""
    order = sorted(ix.tasks.values(), key=lambda t: (ix.plans[t.plan].ref.id, path_key(t.path), t.id))
    ix.tasks = {t.iri: t for t in order}
    for t in order:
        ix.tasks_by_plan.setdefault(t.plan, []).append(t.iri)
        for u in t.lead:
            ix.unit_tasks.setdefault(u, []).append((t.iri, "lead"))
        for u in t.support:
            ix.unit_tasks.setdefault(u, []).append((t.iri, "support"))
    ix.units = dict(sorted(ix.units.items(), key=lambda kv: (
        LEVEL_ORDER.get(kv[1].summary.level, 3), fold(kv[1].summary.jurisdiction or ""), fold(kv[1].summary.label),
        kv[1].summary.id)))
    for iri, u in ix.units.items():
        roles = [r for _, r in ix.unit_tasks.get(iri, [])]
        u.summary = u.summary.model_copy(update={"lead_count": roles.count("lead"),
                                                 "support_count": roles.count("support")})
    for pl in ix.plans.values():
        pl.summary = pl.summary.model_copy(update={"task_count": len(ix.tasks_by_plan.get(pl.iri, []))})


# legal documents (cited; ingested plans themselves are not listed here)
def _add_legal(ix: _Index, r: _Reader) -> None:
    link_of = _link_resolutions(r.kb)
    same_as = {row["a"]: row["b"] for row in r.kb.select("SELECT DISTINCT ?a ?b WHERE { ?a owl:sameAs ?b }")}
    for iri, d in _describe(r.kb, "eli:LegalResource").items():
        if iri in ix.plans or not d.get(PK + "citationKey"):
            continue
        entry = _legal_entry(ix, iri, d, link_of)
        ix.legal[iri] = entry
        ix.legal_keys[entry.ref.key] = iri
    for a, b in same_as.items():
        if a in ix.legal and b in ix.legal:
            ix.legal[b].detail["same_as"].append(ix.legal[a].ref.key)
            ix.legal_keys[ix.legal[a].ref.key] = b
    _add_citations(ix, same_as)


def _link_resolutions(kb: "KnowledgeBase") -> dict[tuple[str, str], tuple[str | None, float | None]]:
    """{(cited document, plan it resolves to): (method, score)}, from the links graph."""
    link_of: dict[tuple[str, str], tuple[str | None, float | None]] = {}
    for props in _describe(kb, "pk:PlanLink").values():
        s, t = _one(props, PK + "linkSource"), _one(props, PK + "linkTarget")
        if s and t:
            link_of[(s, t)] = (_one(props, PK + "linkMethod"), _one(props, PK + "linkScore"))
    return link_of


def _legal_entry(ix: _Index, iri: str, d: dict[str, list],
                 link_of: dict[tuple[str, str], tuple[str | None, float | None]]) -> _Legal:
    target = _one(d, PK + "adopts") or _one(d, PK + "resolvesTo")
    if target not in ix.plans:
        target = None
    method, score = link_of.get((iri, target), (None, None)) if target else (None, None)
    ingested = _one(d, PK + "ingested")
    ref = LegalRef(
        key=_one(d, PK + "citationKey"), number=_one(d, ELI + "id_local"), doc_type=_one(d, PK + "docTypeCode"),
        title=_one(d, ELI + "title"), issuer=_one(d, PK + "issuerName"), date=_one(d, ELI + "date_document"),
        year=_one(d, PK + "year"), ingested=bool(ingested) if ingested is not None else target is not None,
        plan_id=ix.plans[target].ref.id if target else None,
    )
    detail = dict(symbol=_one(d, PK + "symbol"), issuer_level=_one(d, PK + "issuerLevel"),
                  jurisdiction=_one(d, PK + "jurisdictionName"), target=target, method=method, score=score,
                  same_as=[])
    return _Legal(iri=iri, detail=detail, ref=ref, folded=fold(" ".join(
        str(x) for x in (ref.key, ref.number, ref.title, ref.issuer, ref.label) if x)))


def _add_citations(ix: _Index, same_as: dict[str, str]) -> None:
    """`cited_by`: for each cited document, the plans citing it and how (sameAs aliases merged)."""
    for pl in ix.plans.values():
        rels: list[tuple[str, str]] = []
        if pl.adopted_by:
            rels.append((pl.adopted_by, "adopted_by"))
        rels += [(x, "parent_plan") for x in pl.parent_refs]
        rels += [(x, "based_on") for x in pl.based_on if x not in pl.parent_refs]
        rels += [(x, "cites") for x in pl.cites]
        for legal_iri, rel in rels:
            legal_iri = same_as.get(legal_iri, legal_iri)
            entry = (pl.iri, rel)
            lst = ix.cited_by.setdefault(legal_iri, [])
            if entry not in lst:
                lst.append(entry)


# indicators
def _add_indicators(ix: _Index, r: _Reader) -> None:
    for iri, d in _describe(r.kb, "pk:Indicator").items():
        plan = _one(d, PK + "plan")
        if plan not in ix.plans:
            continue
        ind = Indicator(
            id=_one(d, DCT + "identifier") or r.short(iri), plan_id=ix.plans[plan].ref.id,
            subject=_one(d, PK + "subject"), value=float(_one(d, RDF + "value", 0.0)), unit=_one(d, PK + "measureUnit"),
            comparator=_one(d, PK + "comparator"), period_start=_one(d, PK + "periodStart"),
            period_end=_one(d, PK + "periodEnd"), area=r.area_of.get(_one(d, PK + "area", "")),
            text=_one(d, PK + "sourceText"), sentence=_one(d, PK + "sentence"),
        )
        ix.indicators[ind.id] = ind
        ix.indicator_folded[ind.id] = fold(" ".join(x for x in (ind.subject, ind.text, ind.sentence) if x))
        ix.indicators_by_plan.setdefault(plan, []).append(ind.id)
    for plan, ids in ix.indicators_by_plan.items():
        ids.sort(key=lambda i: (num_suffix(i), i))
        pl = ix.plans[plan]
        pl.summary = pl.summary.model_copy(update={"indicator_count": len(ids)})
