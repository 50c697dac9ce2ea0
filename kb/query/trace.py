"""Questions over the knowledge base: where a task comes from, who does what, what rests on a law.

* `trace_task(kb, task_id)`: the chain from a local task up to national sources: the task's plan,
  the parent plan's task(s) it implements (kb.align's `pk:TaskLink`, with score and evidence), the
  parent plan, its parent…, and the national documents the plans are based on (NQ 76/NQ-CP,
  QĐ 282/QĐ-TTg…). Every missing hop is a named `Gap` ("parent plan QĐ 600/QĐ-UBND of Hà Nội
  (2026) is not in the knowledge base"). `trace_all(kb)` traces every task.
* `find_tasks(kb, plan=…, unit=…, counterparts=…, area=…, q=…)`: task rows; unit names match
  with or without diacritics, in either tone style, by canonical name or alias (skos:altLabel).
* `unit_counterparts(kb, unit_id)`: units holding the same role for the same area one level up
  or down (kb.align's `pk:UnitLink`).
* `legal_dependents(kb, doc)`: the plans citing a legal document (and the plans below them) and
  their tasks; DOC is a key ('nq-76-2021-nq-cp') or a human form ('76/NQ-CP', 'NQ 76').

Everything is read from the KB with SPARQL. Plan-level facts (plans, their parent plans and
legal bases) are cached per KB state (`KnowledgeBase._version`), so a trace costs a few small
queries: the task, its task links, and those of the parent tasks.

The JSON of `trace_all` (`plankb trace --all --format json`) is a public contract checked by
tests/tools/check_contract.py: hop kinds are task, plan, legal_document, indicator, unit,
jurisdiction or area.
"""
from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from plankb.kb.text import canonical_tones, fold

if TYPE_CHECKING:
    from plankb.kb.store import KnowledgeBase

SEP = "\u001f"
LABEL_MAX = 100


# ---------------------------------------------------------------- public models
class Evidence(BaseModel):
    method: str = Field(description="How the hop was established: the alignment method, 'adopting-decision', 'legal-basis'…")
    score: float | None = Field(None, description="Similarity or match score, 0..1")
    child_text: str | None = Field(None, description="The sentence of the lower node that supports the hop")
    parent_text: str | None = Field(None, description="The sentence of the upper node that supports the hop")
    source: str | None = Field(None, description="Source file and character span of the upper node: '001_….txt:7572-7971'")


class Hop(BaseModel):
    kind: str = Field(description="task, plan, legal_document, indicator, unit, jurisdiction or area")
    id: str
    label: str | None = None
    text: str | None = None
    level: str | None = Field(None, description="national, province or commune")
    relation: str | None = Field(None, description="part_of, implements, parent_plan, based_on, cites")
    score: float | None = None
    evidence: Evidence | None = None
    url: str | None = Field(None, description="UI path: /tasks/{id}, /plans/{id}, /legal/{key}")


class Gap(BaseModel):
    kind: str = Field(description="parent_plan_not_ingested, no_parent_task, no_parent_plan, no_national_document, unknown_plan")
    node_id: str | None = None
    message: str
    message_vi: str


class Trace(BaseModel):
    task: dict = Field(description="{id, text, path, area, plan_id, plan_label, level, source}")
    hops: list[Hop] = Field(default_factory=list)
    gaps: list[Gap] = Field(default_factory=list)


class TaskRow(BaseModel):
    id: str
    path: str | None = None
    text: str
    area: str | None = None
    plan_id: str
    plan_label: str | None = None
    level: str | None = None
    jurisdiction: str | None = None
    lead_units: list[str] = Field(default_factory=list)
    support_units: list[str] = Field(default_factory=list)
    deadline: str | None = None
    role: str | None = Field(None, description="lead / support when filtered by unit")
    via_counterpart: str | None = Field(None, description="The unit asked for, when the task is its counterpart's")


# ---------------------------------------------------------------- plan-level cache
@dataclass
class LegalDoc:
    iri: str
    key: str
    id_local: str | None = None
    type_code: str | None = None
    type_label: str | None = None
    title: str | None = None
    level: str | None = None
    jurisdiction: str | None = None
    year: int | None = None
    date: str | None = None
    ingested: bool | None = None
    resolves_to: str | None = None  # plan IRI

    @property
    def label(self) -> str:
        head = " ".join(x for x in (self.type_label, f"số {self.id_local}" if self.id_local else None) if x)
        if not head:
            head = self.title or self.key
        extra = ", ".join(str(x) for x in (self.jurisdiction, self.year) if x)
        return f"{head} ({extra})" if extra else head

    @property
    def short(self) -> str:
        """'QĐ 600/QĐ-UBND of Hà Nội (2026)': how a gap names it."""
        num = self.id_local or self.title or self.key
        out = f"{self.type_code} {num}" if self.type_code and self.id_local and self.type_code != "LUAT" else num
        if self.jurisdiction:
            out += f" of {self.jurisdiction}"
        if self.year:
            out += f" ({self.year})"
        return out

    @property
    def short_vi(self) -> str:
        num = self.id_local or self.key
        out = f"{self.type_label} số {num}" if self.type_label and self.id_local else num
        if self.jurisdiction:
            out += f" của {self.jurisdiction}"
        if self.year:
            out += f" ({self.year})"
        return out


@dataclass
class PlanInfo:
    iri: str
    id: str
    level: str | None = None
    title: str | None = None
    jurisdiction: str | None = None
    period: tuple[int, int] | None = None
    source: str | None = None
    parents: list[tuple[str, str | None, float | None, str | None]] = field(default_factory=list)
    # (parent plan IRI, link method, link score, legal IRI cited)
    parent_refs: list[str] = field(default_factory=list)  # legal IRIs cited as parent plan
    bases: list[str] = field(default_factory=list)  # legal IRIs (eli:based_on)
    cited: list[str] = field(default_factory=list)  # legal IRIs (eli:cites)

    @property
    def label(self) -> str:
        return self.title or self.id


_PK = "http://plankb.org/ontology#"
_ELI = "http://data.europa.eu/eli/ontology#"
_DCT = "http://purl.org/dc/terms/"
_PROV = "http://www.w3.org/ns/prov#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_REL = {_ELI + "based_on": "bases", _ELI + "cites": "cited", _PK + "parentPlanRef": "parent_refs"}


def _one(values) -> object | None:
    xs = sorted(values or (), key=lambda v: (len(str(v)), str(v)))
    return xs[0] if xs else None


class _Lazy:
    """A read-only mapping filled one key at a time by `fetch` (None: not there)."""

    def __init__(self, fetch):
        self._fetch = fetch
        self._data: dict[str, object] = {}

    def get(self, key, default=None):
        if key is None:
            return default
        if key not in self._data:
            self._data[key] = self._fetch(key)
        v = self._data[key]
        return default if v is None else v

    def __contains__(self, key) -> bool:
        return self.get(key) is not None

    def __getitem__(self, key):
        v = self.get(key)
        if v is None:
            raise KeyError(key)
        return v


class Catalog:
    """Plan-level facts, read lazily, one plan or cited document at a time (bound-subject queries,
    whose cost does not grow with the KB), and cached per KB state by `catalog(kb)`.

    `plans[iri]` -> PlanInfo (metadata, parent plans with the PlanLink that matched them, legal
    bases, cited documents); `legal[iri]` -> LegalDoc; `plan_index()` / `legal_index()` /
    `children()` are the KB-wide lists that fragment search and `legal_dependents` need."""

    def __init__(self, kb: "KnowledgeBase"):
        self.kb = kb
        self.plans = _Lazy(self._plan)
        self.legal = _Lazy(self._legal)
        self.same_as: dict[str, str] = {r["a"]: r["b"] for r in kb.select(
            f"SELECT DISTINCT ?a ?b WHERE {{ GRAPH <{kb.iris.links_graph}> {{ ?a owl:sameAs ?b }} }}",
            use_default_graph_as_union=False)}
        onto = kb.iris.ontology_graph
        self.area_labels: dict[str, str] = {}
        self.type_labels: dict[str, str] = {}
        for r in kb.select(f"""SELECT ?c ?k ?code ?label WHERE {{ GRAPH <{onto}> {{
                ?c a ?k ; skos:notation ?code ; skos:prefLabel ?label FILTER(lang(?label) = "vi")
                VALUES ?k {{ pk:ReformArea pk:DocumentType }} }} }}""", use_default_graph_as_union=False):
            if r["k"].endswith("ReformArea"):
                self.area_labels[r["code"]] = r["label"]
            else:
                self.type_labels[r["c"]] = r["label"]
        self._programmes: set[str] | None = None
        self._plan_index: list[dict] | None = None
        self._legal_index: dict[str, "LegalDoc"] | None = None
        self._children: dict[str, list[str]] | None = None

    def canon(self, legal_iri: str) -> str:
        return self.same_as.get(legal_iri, legal_iri)

    def plan_iri(self, plan_id: str) -> str | None:
        iri = self.kb.iris.plan(plan_id)
        return iri if iri in self.plans else None

    def legal_iri(self, key: str) -> str | None:
        iri = self.kb.iris.legal(key)
        return iri if iri in self.legal else None

    # ------------------------------------------------------------ one node
    def _plan(self, iri: str) -> "PlanInfo | None":
        kb = self.kb
        if not iri.startswith(kb.iris.base + "plan/"):
            return None
        rows = kb.select(f"SELECT ?g ?id WHERE {{ GRAPH ?g {{ <{iri}> a pk:Plan ; dcterms:identifier ?id }} }}",
                         use_default_graph_as_union=False)
        if not rows:
            return None
        g, pid = sorted((r["g"], r["id"]) for r in rows)[0]
        info = PlanInfo(iri, pid)
        props: dict[str, set] = {}
        for r in kb.select(f"SELECT ?p ?o WHERE {{ GRAPH <{g}> {{ <{iri}> ?p ?o }} }}", use_default_graph_as_union=False):
            props.setdefault(r["p"], set()).add(r["o"])
        info.level = _one(props.get(_PK + "level"))
        info.title = _one(props.get(_ELI + "title"))
        ps, pe = _one(props.get(_PK + "periodStart")), _one(props.get(_PK + "periodEnd"))
        info.period = (int(ps), int(pe)) if ps is not None and pe is not None else None
        for rel, attr in _REL.items():
            setattr(info, attr, sorted({self.canon(l) for l in props.get(rel, ()) if not l.startswith(kb.iris.base + "plan/")}))
        j = _one(props.get(_PK + "jurisdiction"))
        src = _one(props.get(_PROV + "wasDerivedFrom"))
        for r in kb.select(f"""SELECT ?jl ?path WHERE {{ GRAPH <{g}> {{
                OPTIONAL {{ <{j}> skos:prefLabel ?jl }} OPTIONAL {{ <{src}> pk:sourcePath ?path }} }} }}""",
                           use_default_graph_as_union=False) if j and src else []:
            info.jurisdiction = info.jurisdiction or r.get("jl")
            info.source = info.source or (PurePath(r["path"]).name if r.get("path") else None)
        links = kb.iris.links_graph
        for r in kb.select(f"""SELECT ?pp ?legal ?m ?s WHERE {{ GRAPH <{links}> {{ <{iri}> pk:parentPlan ?pp .
                OPTIONAL {{ ?k pk:linkTarget ?pp ; pk:linkSource ?legal ; pk:linkMethod ?m ; pk:linkScore ?s }} }} }}""",
                           use_default_graph_as_union=False):
            legal = self.canon(r["legal"]) if r.get("legal") else None
            if legal is not None and legal not in info.parent_refs and legal not in info.bases:
                legal = None  # a link found for another plan citing the same document
            entry = (r["pp"], r.get("m") if legal else None, float(r["s"]) if legal and "s" in r else None, legal)
            old = next((x for x in info.parents if x[0] == r["pp"]), None)
            if old is None or (old[3] is None and legal is not None):
                if old:
                    info.parents.remove(old)
                info.parents.append(entry)
        info.parents.sort(key=lambda x: (x[0], x[3] or ""))
        return info

    def _legal(self, iri: str) -> "LegalDoc | None":
        kb = self.kb
        if not iri.startswith(kb.iris.base + "legal/"):
            return None
        props: dict[str, set] = {}
        for r in kb.select(f"SELECT DISTINCT ?p ?o WHERE {{ <{iri}> ?p ?o }}"):
            props.setdefault(r["p"], set()).add(r["o"])
        key = _one(props.get(_PK + "citationKey"))
        if key is None:
            return None
        date = _one(props.get(_ELI + "date_document"))
        ing = props.get(_PK + "ingested", set())
        types = sorted(self.type_labels[t] for t in props.get(_ELI + "type_document", ()) if t in self.type_labels)
        res = _one(props.get(_PK + "adopts", set()) | props.get(_PK + "resolvesTo", set()))
        year = _one(props.get(_PK + "year"))
        return LegalDoc(iri, key, _one(props.get(_ELI + "id_local")), _one(props.get(_PK + "docTypeCode")),
                        types[0] if types else None, _one(props.get(_ELI + "title")),
                        _one(props.get(_PK + "issuerLevel")), _one(props.get(_PK + "jurisdictionName")),
                        int(year) if year is not None else None, str(date) if date else None,
                        (True in ing) if ing else None, res)

    # ------------------------------------------------------------ KB-wide lists
    @property
    def programmes(self) -> set[str]:
        """National documents some plan names as its parent plan (NQ 76/NQ-CP, QĐ 282/QĐ-TTg)."""
        if self._programmes is None:
            rows = self.kb.select("""SELECT DISTINCT ?l WHERE { GRAPH ?g { ?p a pk:Plan ; pk:parentPlanRef ?l .
                                     ?l pk:issuerLevel "national" } }""", use_default_graph_as_union=False)
            self._programmes = {self.canon(r["l"]) for r in rows}
        return self._programmes

    def plan_index(self) -> list[dict]:
        """[{iri, id, title, jurisdiction, source}] of every plan (one row per plan)."""
        if self._plan_index is None:
            by: dict[str, dict] = {}
            for r in self.kb.select("""SELECT ?p ?id ?title ?jur ?path WHERE { GRAPH ?g {
                    ?p a pk:Plan ; dcterms:identifier ?id .
                    OPTIONAL { ?p eli:title ?title } OPTIONAL { ?p pk:jurisdiction/skos:prefLabel ?jur }
                    OPTIONAL { ?p prov:wasDerivedFrom/pk:sourcePath ?path } } }""", use_default_graph_as_union=False):
                e = by.setdefault(r["p"], {"iri": r["p"], "id": r["id"], "title": None, "jurisdiction": None, "source": None})
                e["title"] = e["title"] or r.get("title")
                e["jurisdiction"] = e["jurisdiction"] or r.get("jur")
                e["source"] = e["source"] or (PurePath(r["path"]).name if r.get("path") else None)
            self._plan_index = sorted(by.values(), key=lambda e: e["id"])
        return self._plan_index

    def legal_index(self) -> dict[str, "LegalDoc"]:
        """Every cited document (for number / name look-ups): {IRI: LegalDoc}, light fields only."""
        if self._legal_index is None:
            vals: dict[str, dict[str, set]] = {}
            fields = {"key": "pk:citationKey", "idl": "eli:id_local", "jur": "pk:jurisdictionName", "year": "pk:year"}
            union = " UNION ".join(f'{{ ?l {p} ?v BIND("{f}" AS ?f) }}' for f, p in fields.items())
            for r in self.kb.select(f"SELECT DISTINCT ?l ?f ?v WHERE {{ GRAPH ?g {{ ?l pk:citationKey ?k . {union} }} }}",
                                    use_default_graph_as_union=False):
                vals.setdefault(r["l"], {}).setdefault(r["f"], set()).add(r["v"])
            out = {}
            for l, d in vals.items():
                year = _one(d.get("year"))
                out[l] = LegalDoc(l, _one(d.get("key")), _one(d.get("idl")), jurisdiction=_one(d.get("jur")),
                                  year=int(year) if year is not None else None)
            self._legal_index = out
        return self._legal_index

    def children(self) -> dict[str, list[str]]:
        """{parent plan IRI: child plan IRIs} (pk:parentPlan in the links graph)."""
        if self._children is None:
            out: dict[str, list[str]] = {}
            for r in self.kb.select(f"""SELECT DISTINCT ?c ?p WHERE {{ GRAPH <{self.kb.iris.links_graph}> {{
                    ?c pk:parentPlan ?p }} }}""", use_default_graph_as_union=False):
                out.setdefault(r["p"], []).append(r["c"])
            self._children = {k: sorted(v) for k, v in out.items()}
        return self._children

    def resolving_to(self, plan_iri: str) -> list[str]:
        """Cited documents identified with this ingested plan (pk:resolvesTo / pk:adopts)."""
        rows = self.kb.select(f"""SELECT DISTINCT ?l WHERE {{ GRAPH <{self.kb.iris.links_graph}> {{
            ?l pk:resolvesTo|pk:adopts <{plan_iri}> }} }}""", use_default_graph_as_union=False)
        return sorted(self.canon(r["l"]) for r in rows)


_CACHE: "weakref.WeakKeyDictionary[object, tuple[int, Catalog]]" = weakref.WeakKeyDictionary()
_EXTRA: "weakref.WeakKeyDictionary[object, dict[str, tuple[int, object]]]" = weakref.WeakKeyDictionary()


def _cached(kb: "KnowledgeBase", name: str, build):
    """`build(kb)`, computed once per KB state (KnowledgeBase._version) and name."""
    version = getattr(kb, "_version", 0)
    slot = _EXTRA.setdefault(kb, {})
    hit = slot.get(name)
    if hit is None or hit[0] != version:
        hit = slot[name] = (version, build(kb))
    return hit[1]


def catalog(kb: "KnowledgeBase") -> Catalog:
    """The plan-level catalog of `kb`, new for every KB state (KnowledgeBase._version)."""
    version = getattr(kb, "_version", 0)
    hit = _CACHE.get(kb)
    if hit and hit[0] == version:
        return hit[1]
    cat = Catalog(kb)
    _CACHE[kb] = (version, cat)
    return cat


# ---------------------------------------------------------------- helpers
def _short(text: str | None, n: int = LABEL_MAX) -> str | None:
    if text is None:
        return None
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _local(kb: "KnowledgeBase", iri: str) -> str:
    k = kb.iris.kind_and_id(iri)
    return k[1] if k else iri


def _task_iri(kb: "KnowledgeBase", task_id: str) -> str:
    return task_id if task_id.startswith(("http://", "https://")) else kb.iris.task(task_id)


def _lit(value: str) -> str:
    from plankb.kb.rdf import lit

    return lit(value)


def _span(source: str | None, start, end) -> str | None:
    if source is None or start is None or end is None:
        return None
    return f"{source}:{start}-{end}"


def _legal_hop(doc: LegalDoc, relation: str, evidence: Evidence | None = None) -> Hop:
    return Hop(kind="legal_document", id=doc.key, label=doc.label, text=doc.title, level=doc.level,
               relation=relation, evidence=evidence, url=f"/legal/{doc.key}")


def _plan_hop(p: PlanInfo, relation: str, evidence: Evidence | None = None, score: float | None = None) -> Hop:
    return Hop(kind="plan", id=p.id, label=p.label, level=p.level, relation=relation, score=score,
               evidence=evidence, url=f"/plans/{p.id}")


# ---------------------------------------------------------------- trace
# The task IRI is written into the query (not bound with VALUES, which Oxigraph joins after
# evaluating the rest: a scan of every task).
TASK_QUERY = """SELECT ?text ?path ?area ?plan ?s ?e ?best ?bestScore WHERE {
  <%(t)s> a pk:Task ; pk:text ?text ; pk:plan ?plan .
  OPTIONAL { <%(t)s> pk:path ?path } OPTIONAL { <%(t)s> pk:area/skos:notation ?area }
  OPTIONAL { <%(t)s> pk:charStart ?s ; pk:charEnd ?e }
  OPTIONAL { <%(t)s> pk:bestCandidate ?best ; pk:bestCandidateScore ?bestScore }
}"""

LINKS_QUERY = """SELECT ?p ?score ?method ?rank ?ce ?pe WHERE {
  ?l pk:child <%(c)s> ; pk:parent ?p ; pk:score ?score ; pk:method ?method .
  OPTIONAL { ?l pk:rank ?rank } OPTIONAL { ?l pk:childEvidence ?ce } OPTIONAL { ?l pk:parentEvidence ?pe }
}"""

PARENT_TASK_QUERY = """SELECT ?pid ?ptext ?ppath ?pplan ?s ?e WHERE {
  <%(p)s> dcterms:identifier ?pid ; pk:text ?ptext ; pk:plan ?pplan .
  OPTIONAL { <%(p)s> pk:path ?ppath } OPTIONAL { <%(p)s> pk:charStart ?s ; pk:charEnd ?e }
}"""


def _links_of(kb: "KnowledgeBase", child_iri: str) -> list[dict]:
    """The pk:TaskLinks of a task with their parent tasks (two bound-subject queries: a join in one
    query lets Oxigraph start from every task when the child has no link)."""
    out = []
    for x in kb.select(LINKS_QUERY % {"c": child_iri}):
        p = kb.select(PARENT_TASK_QUERY % {"p": x["p"]})
        if p:
            out.append({**x, **p[0]})
    out.sort(key=lambda x: (x.get("rank", 99), -float(x["score"]), x["p"]))
    return out


def _task_label(path: str | None, text: str) -> str:
    return _short(f"{path} {text}" if path else text) or text


def _docs_named_in(text: str, plan: PlanInfo, cat: Catalog) -> list[LegalDoc]:
    """Legal documents of the plan whose number ('66.7/2025/NQ-CP') the task text prints."""
    f = fold(text)
    out = []
    for l in [*plan.bases, *plan.cited]:
        doc = cat.legal.get(l)
        if doc and doc.id_local and "/" in doc.id_local and fold(doc.id_local) in f and doc not in out:
            out.append(doc)
    return out


def trace_task(kb: "KnowledgeBase", task_id: str) -> Trace:
    """The chain from a task up to national documents, with evidence and named gaps.

    Raises KeyError for an unknown task id."""
    cat = catalog(kb)
    t_iri = _task_iri(kb, task_id)
    rows = kb.select(TASK_QUERY % {"t": t_iri})
    if not rows:
        raise KeyError(task_id)
    r = rows[0]
    plan = cat.plans.get(r["plan"])
    if plan is None:
        raise KeyError(task_id)
    tid = _local(kb, t_iri)
    trace = Trace(task={
        "id": tid, "text": r["text"], "path": r.get("path"), "area": r.get("area"),
        "plan_id": plan.id, "plan_label": plan.label, "level": plan.level,
        "source": _span(plan.source, r.get("s"), r.get("e")),
    })
    hops, gaps = trace.hops, trace.gaps
    misses = {}
    for x in rows:
        if "best" in x:
            misses[x["best"]] = float(x["bestScore"])
    hops.append(_plan_hop(plan, "part_of", Evidence(method="task-of-plan", source=_span(plan.source, r.get("s"), r.get("e")))))

    national: dict[str, tuple[LegalDoc, PlanInfo]] = {}
    seen_plans = {plan.iri}
    frontier = [(t_iri, r["text"])]  # tasks of the current plan whose parent tasks we look for
    current = plan
    while True:
        for l in current.bases:
            doc = cat.legal.get(l)
            if doc and doc.level == "national" and l not in national:
                national[l] = (doc, current)
        resolved = [p for p in current.parents if p[0] in cat.plans and p[0] not in seen_plans]
        # cited parent plans that are not in the KB (national programmes are sources, not gaps)
        for l in current.parent_refs:
            doc = cat.legal.get(l)
            if doc is None or doc.resolves_to in cat.plans or any(p[3] == l for p in current.parents):
                continue
            if doc.level == "national":
                national.setdefault(l, (doc, current))
                continue
            hops.append(_legal_hop(doc, "parent_plan", Evidence(method="citation", child_text=current.label,
                                                                parent_text=doc.title)))
            gaps.append(Gap(
                kind="parent_plan_not_ingested", node_id=doc.key,
                message=f"parent plan {doc.short} is not in the knowledge base",
                message_vi=f"kế hoạch cấp trên {doc.short_vi} chưa có trong cơ sở tri thức"))
        if not resolved:
            if not current.parent_refs and current.level != "national" and not any(
                    cat.legal.get(l) and cat.legal[l].level == "national" for l in current.bases):
                gaps.append(Gap(kind="no_parent_plan", node_id=current.id,
                                message=f"plan {current.id} names no parent plan",
                                message_vi=f"kế hoạch {current.id} không nêu kế hoạch cấp trên"))
            break
        next_frontier: list[tuple[str, str]] = []
        link_rows = [x for i, _ in frontier for x in _links_of(kb, i)]
        for parent_iri, method, score, legal in resolved:
            parent = cat.plans[parent_iri]
            mine = [x for x in link_rows if x["pplan"] == parent_iri]
            for x in mine:
                ev = Evidence(method=x["method"], score=float(x["score"]), child_text=x.get("ce"),
                              parent_text=x.get("pe"), source=_span(parent.source, x.get("s"), x.get("e")))
                if any(h.kind == "task" and h.id == x["pid"] for h in hops):
                    continue
                hops.append(Hop(kind="task", id=x["pid"], label=_task_label(x.get("ppath"), x["ptext"]), text=x["ptext"],
                                level=parent.level, relation="implements", score=float(x["score"]), evidence=ev,
                                url=f"/tasks/{x['pid']}"))
                next_frontier.append((x["p"], x["ptext"]))
            if not mine and frontier:
                best = None
                if current is plan:
                    cands = [(s, b) for b, s in misses.items()]
                    best = max(cands) if cands else None
                detail = f" (best candidate scores {best[0]:.2f}, below the threshold)" if best else ""
                from plankb.kb.align import THRESHOLD

                gaps.append(Gap(
                    kind="no_parent_task", node_id=_local(kb, frontier[0][0]),
                    message=f"no task of parent plan {parent.id} matches this task at the alignment threshold "
                            f"{THRESHOLD}{detail}",
                    message_vi=f"không tìm thấy nhiệm vụ tương ứng trong kế hoạch cấp trên {parent.id} "
                               f"(ngưỡng {THRESHOLD}{f', điểm cao nhất {best[0]:.2f}' if best else ''})"))
            doc = cat.legal.get(legal) if legal else None
            ev = Evidence(method=method or "parent-plan", score=score,
                          child_text=(doc.label + (f": {doc.title}" if doc.title else "")) if doc else current.label,
                          parent_text=parent.label)
            hops.append(_plan_hop(parent, "parent_plan", ev, score))
            seen_plans.add(parent_iri)
        frontier = next_frontier
        current = cat.plans[resolved[0][0]]
        if len(resolved) > 1:  # several ingested parents: follow each one's bases too
            for p in resolved[1:]:
                for l in cat.plans[p[0]].bases:
                    doc = cat.legal.get(l)
                    if doc and doc.level == "national":
                        national.setdefault(l, (doc, cat.plans[p[0]]))
    for l, (doc, via) in sorted(national.items(), key=lambda kv: (kv[1][0].key)):
        hops.append(_legal_hop(doc, "based_on", Evidence(method="legal-basis", child_text=via.label,
                                                         parent_text=doc.title)))
    # national programmes (documents some plan of the KB names as its parent plan) that the plan
    # cites without naming them as its basis: Ba Đình cites NQ 76/NQ-CP in its text
    for l in plan.cited:
        if l in cat.programmes and l not in national:
            doc = cat.legal[l]
            national[l] = (doc, plan)
            hops.append(_legal_hop(doc, "cites", Evidence(method="cited-programme", child_text=plan.label,
                                                          parent_text=doc.title)))
    for doc in _docs_named_in(r["text"], plan, cat):
        if not any(h.kind == "legal_document" and h.id == doc.key for h in hops):
            hops.append(_legal_hop(doc, "cites", Evidence(method="named-in-task-text", child_text=_short(r["text"], 200),
                                                          parent_text=doc.title)))
    if not national:
        last = next((h for h in reversed(hops) if h.kind == "plan"), None)
        gaps.append(Gap(kind="no_national_document", node_id=last.id if last else plan.id,
                        message="the chain reaches no national document (its parent plans are not in the knowledge base"
                                " and the plan cites no national basis)",
                        message_vi="chuỗi không đến được văn bản cấp trung ương (kế hoạch cấp trên chưa có trong cơ sở "
                                   "tri thức và kế hoạch không nêu căn cứ cấp trung ương)"))
    return trace


def all_task_ids(kb: "KnowledgeBase") -> list[str]:
    rows = kb.select("""SELECT DISTINCT ?id ?pid ?s WHERE { ?t a pk:Task ; dcterms:identifier ?id ; pk:plan/dcterms:identifier ?pid
                        OPTIONAL { ?t pk:charStart ?s } }""")
    rows.sort(key=lambda r: (r["pid"], r.get("s", 0), r["id"]))
    return [r["id"] for r in rows]


def trace_all(kb: "KnowledgeBase") -> list[Trace]:
    """Every task's trace, plans in id order, tasks in document order."""
    return [trace_task(kb, t) for t in all_task_ids(kb)]


def render_trace(tr: Trace) -> str:
    """Plain-text rendering (the CLI's default output)."""
    t = tr.task
    lines = [f"task {t['id']}  [{t.get('level') or '?'} · {t.get('area') or '?'}]", f"  “{_short(t['text'], 220)}”"]
    if t.get("source"):
        lines.append(f"  source: {t['source']}")
    for h in tr.hops:
        score = f"  score {h.score:.2f}" if h.score is not None else ""
        head = h.label if h.kind != "task" else _short(h.text, 140)
        lines.append(f"  ↑ {h.relation or '':<12} {h.kind} {h.id} [{h.level or '?'}]{score}")
        if head and head != h.id:
            lines.append(f"      {head}")
        ev = h.evidence
        if ev and h.kind == "task":
            lines.append(f"      evidence ({ev.method}): “{_short(ev.child_text, 120)}”")
            lines.append(f"                 ≈ “{_short(ev.parent_text, 120)}”")
            if ev.source:
                lines.append(f"      at {ev.source}")
        elif ev and h.relation == "parent_plan" and ev.method not in ("citation",):
            lines.append(f"      matched by {ev.method}" + (f" ({ev.score:.2f})" if ev.score is not None else "")
                         + (f" from “{_short(ev.child_text, 100)}”" if ev.child_text else ""))
    if tr.gaps:
        lines.append("  gaps:")
        for g in tr.gaps:
            lines.append(f"    - {g.message}")
            lines.append(f"      {g.message_vi}")
    return "\n".join(lines)


# ---------------------------------------------------------------- names
def norm_name(name: str) -> str:
    """Unit names compared without diacritics, tone style, case, dashes or punctuation.

    >>> norm_name("Phòng Văn hoá – Xã hội") == norm_name("phong van hoa-xa hoi")
    True
    """
    return " ".join(re.findall(r"[a-z0-9]+", fold(canonical_tones(name))))


def units_named(kb: "KnowledgeBase", name: str) -> list[dict]:
    """Units whose id, name or alias matches `name`: exact (normalised) first, else containing it.

    Returns [{iri, id, name, jurisdiction}]; several when the name exists in several jurisdictions."""
    by_unit = _cached(kb, "units", _unit_index)
    q = norm_name(name)
    raw = name.strip()
    exact = [u for u in by_unit.values() if raw in (u["id"], u["iri"]) or q in u["norms"]]
    if not exact and q:
        exact = [u for u in by_unit.values() if any(q in n for n in u["norms"])]
    return sorted(({k: v for k, v in u.items() if k != "norms"} for u in exact), key=lambda u: u["iri"])


def _unit_index(kb: "KnowledgeBase") -> dict[str, dict]:
    """Every unit with its normalised names and aliases (per graph: no union duplicates)."""
    rows = kb.select("""SELECT ?u ?id ?label ?alt ?jur WHERE { GRAPH ?g { ?u a org:OrganizationalUnit ; skos:prefLabel ?label .
        OPTIONAL { ?u dcterms:identifier ?id } OPTIONAL { ?u skos:altLabel ?alt }
        OPTIONAL { ?u pk:jurisdiction ?j . ?j skos:prefLabel ?jur } } }""", use_default_graph_as_union=False)
    by_unit: dict[str, dict] = {}
    for r in rows:
        u = by_unit.setdefault(r["u"], {"iri": r["u"], "id": None, "names": set(), "labels": set(),
                                        "name": None, "jurisdiction": None})
        u["id"] = u["id"] or r.get("id")
        u["jurisdiction"] = u["jurisdiction"] or r.get("jur")
        u["names"].add(r["label"])
        u["labels"] |= {r["label"], r["alt"]} if r.get("alt") else {r["label"]}
    for u in by_unit.values():
        u["id"] = u["id"] or _local(kb, u["iri"])
        u["name"] = sorted(u.pop("names"))[0]
        u["norms"] = {norm_name(l) for l in u.pop("labels")}
    return by_unit


def unit_counterparts(kb: "KnowledgeBase", unit_id: str) -> list[dict]:
    """Units holding the same role for the same reform area one level up or down.

    [{unit_id, name, jurisdiction, level, role, area}], one row per (counterpart, role, area);
    area is None for the standing agency. KeyError for an unknown unit."""
    iri = unit_id if unit_id.startswith(("http://", "https://")) else kb.iris.unit(unit_id)
    if not kb.ask(f"ASK {{ <{iri}> a org:OrganizationalUnit }}"):
        found = units_named(kb, unit_id)
        if len(found) != 1:
            raise KeyError(unit_id)
        iri = found[0]["iri"]
    rows = kb.select(f"""SELECT DISTINCT ?other ?role ?area WHERE {{
        {{ ?l a pk:UnitLink ; pk:child <{iri}> ; pk:parent ?other }} UNION {{ ?l a pk:UnitLink ; pk:parent <{iri}> ; pk:child ?other }}
        ?l pk:sharedRole ?r . ?r skos:notation ?role .
        OPTIONAL {{ ?l pk:area ?a . ?a skos:notation ?area }} }}""")
    info = _unit_info(kb, {r["other"] for r in rows})
    out = []
    for r in rows:
        u = info.get(r["other"], {})
        area = r.get("area") if r["role"] == "lead" else None
        row = {"unit_id": u.get("id") or _local(kb, r["other"]), "name": u.get("name"), "jurisdiction": u.get("jurisdiction"),
               "level": u.get("level"), "role": r["role"], "area": area}
        if row not in out:
            out.append(row)
    return sorted(out, key=lambda x: (x["level"] or "", x["unit_id"], x["role"], x["area"] or ""))


def _unit_info(kb: "KnowledgeBase", iris: set[str]) -> dict[str, dict]:
    if not iris:
        return {}
    out: dict[str, dict] = {}
    for u in sorted(iris):
        for r in kb.select(f"""SELECT (MIN(STR(?n)) AS ?name) (MIN(?i) AS ?id) (MIN(STR(?j)) AS ?jur) (MIN(?lv) AS ?level) WHERE {{
                <{u}> skos:prefLabel ?n . OPTIONAL {{ <{u}> dcterms:identifier ?i }}
                OPTIONAL {{ <{u}> pk:jurisdiction ?jj . ?jj skos:prefLabel ?j .
                           OPTIONAL {{ ?plan pk:jurisdiction ?jj ; a pk:Plan ; pk:level ?lv }} }} }}"""):
            out[u] = {"id": r.get("id") or _local(kb, u), "name": r.get("name"), "jurisdiction": r.get("jur"),
                      "level": r.get("level")}
    return out


def _counterpart_edges(kb: "KnowledgeBase") -> dict[str, set[str]]:
    adj: dict[str, set[str]] = {}
    for r in kb.select("SELECT DISTINCT ?a ?b WHERE { ?a pk:counterpart ?b }"):
        adj.setdefault(r["a"], set()).add(r["b"])
        adj.setdefault(r["b"], set()).add(r["a"])
    return adj


def _counterpart_closure(kb: "KnowledgeBase", start: set[str]) -> dict[str, str]:
    """{counterpart IRI: the start unit it was reached from}, across any number of levels."""
    adj = _cached(kb, "counterparts", _counterpart_edges)
    out: dict[str, str] = {}
    for s in sorted(start):
        todo = [s]
        seen = {s}
        while todo:
            x = todo.pop()
            for y in sorted(adj.get(x, ())):
                if y not in seen:
                    seen.add(y)
                    todo.append(y)
                    if y not in start:
                        out.setdefault(y, s)
    return out


# ---------------------------------------------------------------- tasks
TASKS_QUERY = """SELECT ?t ?id ?path ?text ?area ?plan ?s ?dl
    (GROUP_CONCAT(DISTINCT ?leadName; separator="\u001f") AS ?leads)
    (GROUP_CONCAT(DISTINCT ?supName; separator="\u001f") AS ?sups) WHERE {
  %s
  ?t a pk:Task ; dcterms:identifier ?id ; pk:text ?text ; pk:plan ?plan .
  OPTIONAL { ?t pk:path ?path } OPTIONAL { ?t pk:area/skos:notation ?area }
  OPTIONAL { ?t pk:charStart ?s } OPTIONAL { ?t pk:deadlineText ?dl }
  OPTIONAL { ?t pk:leadUnit/skos:prefLabel ?leadName }
  OPTIONAL { ?t pk:supportUnit/skos:prefLabel ?supName }
} GROUP BY ?t ?id ?path ?text ?area ?plan ?s ?dl"""


def resolve_plans(kb: "KnowledgeBase", plan: str) -> list[str]:
    """Plan IRIs for a plan id, a seed number ('000'), or a fragment of id / title / jurisdiction
    (diacritics optional). KeyError if none."""
    cat = catalog(kb)
    iri = cat.plan_iri(plan) if not plan.startswith(("http://", "https://")) else (plan if plan in cat.plans else None)
    if iri:
        return [iri]
    q = norm_name(plan)
    index = cat.plan_index()
    out = [p for p in index if p["source"] and p["source"].startswith(plan)]
    if not out and q:
        qs = q.replace(" ", "-")
        out = [p for p in index
               if qs in p["id"] or q in norm_name(p["title"] or "") or q in norm_name(p["jurisdiction"] or "")]
    if not out:
        raise KeyError(plan)
    return [p["iri"] for p in sorted(out, key=lambda p: p["id"])]


def _area_code(cat: Catalog, area: str) -> str:
    if area in cat.area_labels:
        return area
    q = norm_name(area)
    for code, label in cat.area_labels.items():
        if q and (q == norm_name(code) or q in norm_name(label)):
            return code
    raise KeyError(area)


def _rows(kb: "KnowledgeBase", cat: Catalog, restriction: str) -> list[dict]:
    return kb.select(TASKS_QUERY % restriction)


def _to_row(cat: Catalog, r: dict, **extra) -> TaskRow:
    p = cat.plans.get(r["plan"])
    split = lambda s: sorted(x for x in (s or "").split(SEP) if x)
    return TaskRow(id=r["id"], path=r.get("path"), text=r["text"], area=r.get("area"), plan_id=p.id if p else r["plan"],
                   plan_label=p.label if p else None, level=p.level if p else None,
                   jurisdiction=p.jurisdiction if p else None, lead_units=split(r.get("leads")),
                   support_units=split(r.get("sups")), deadline=r.get("dl"), **extra)


def _sort_key(cat: Catalog, r: dict):
    p = cat.plans.get(r["plan"])
    return (p.id if p else r["plan"], r.get("s", 0), r["id"])


def find_tasks(kb: "KnowledgeBase", *, plan: str | None = None, unit: str | None = None, counterparts: bool = False,
               area: str | None = None, q: str | None = None) -> list[TaskRow]:
    """Tasks with ids (what `trace_task` takes), filtered by plan, unit (lead or support), area and
    text (`q`: whole syllables in this order, ignoring diacritics, tone style, case and
    punctuation: 'mot cua lien thong' finds 'một cửa, một cửa liên thông'). With `counterparts`, the tasks of the unit's counterparts at other levels are added
    (`via_counterpart` names the unit asked for). KeyError for an unknown plan, unit or area."""
    cat = catalog(kb)
    plan_iris = resolve_plans(kb, plan) if plan else None
    area_code = _area_code(cat, area) if area else None
    rows: list[tuple[dict, dict]] = []
    if unit:
        units = units_named(kb, unit)
        if not units:
            raise KeyError(unit)
        by_iri = {u["iri"]: u for u in units}
        targets = {u["iri"]: None for u in units}
        if counterparts:
            closure = _counterpart_closure(kb, set(by_iri))
            targets.update({c: by_iri[s]["name"] for c, s in closure.items()})
        # 1. which tasks, in which role (cheap bound queries per unit); 2. their rows, plan by plan
        found: dict[str, dict] = {}
        plans_of: dict[str, set[str]] = {}
        for u, via in sorted(targets.items(), key=lambda kv: (kv[1] is not None, kv[0])):
            for role, prop in (("lead", "pk:leadUnit"), ("support", "pk:supportUnit")):
                for r in kb.select(f"SELECT DISTINCT ?t ?plan WHERE {{ ?t {prop} <{u}> ; pk:plan ?plan }}"):
                    prev = found.get(r["t"])
                    # a direct role beats one through a counterpart; lead beats support
                    if prev is None or (prev["via_counterpart"] == via and role == "lead" and prev["role"] == "support"):
                        found[r["t"]] = {"role": role, "via_counterpart": via}
                    plans_of.setdefault(r["plan"], set()).add(r["t"])
        for p in sorted(plans_of):
            if plan_iris and p not in plan_iris:
                continue
            rows += [(r, found[r["t"]]) for r in _rows(kb, cat, f"?t pk:plan <{p}> .") if r["t"] in plans_of[p]]
    elif plan_iris:
        rows = [(r, {}) for p in plan_iris for r in _rows(kb, cat, f"?t pk:plan <{p}> .")]
    else:
        rows = [(r, {}) for r in _rows(kb, cat, "")]
    qn = norm_name(q) if q else None
    out = []
    for r, extra in sorted(rows, key=lambda x: _sort_key(cat, x[0])):
        if plan_iris and r["plan"] not in plan_iris:
            continue
        if area_code and r.get("area") != area_code:
            continue
        if qn and f" {qn} " not in f" {norm_name(r['text'])} ":
            continue
        out.append(_to_row(cat, r, **extra))
    return out


# ---------------------------------------------------------------- legal documents
_TYPE_WORDS = {
    "nghi quyet": "nq", "quyet dinh": "qd", "nghi dinh": "nd", "thong tu": "tt", "chi thi": "ct",
    "ket luan": "kl", "ke hoach": "kh", "thong bao": "tb", "cong van": "cv", "luat": "luat",
}


class AmbiguousDocument(KeyError):
    """More than one document matches; `candidates` lists their keys."""

    def __init__(self, doc: str, candidates: list[str]):
        super().__init__(f"{doc!r} matches several documents: {', '.join(candidates)}")
        self.candidates = candidates


def resolve_legal(kb: "KnowledgeBase", doc: str) -> str:
    """Legal-document IRI for a key ('nq-76-2021-nq-cp'), a number ('76/NQ-CP', '282/QĐTTg'), a
    human form ('NQ 76', 'Nghị quyết 76', 'QĐ 600 Hà Nội') or an ingested plan id. Year-less
    nodes resolve to the dated one they are owl:sameAs. KeyError if none, AmbiguousDocument if several."""
    cat = catalog(kb)
    d = doc.strip()
    if d.startswith(("http://", "https://")):
        if d in cat.legal:
            return cat.canon(d)
        if d in cat.plans:
            cited = cat.resolving_to(d)
            return cited[0] if cited else d
        raise KeyError(doc)
    if "/" not in d and " " not in d:
        l = cat.legal_iri(d)
        if l:
            return cat.canon(l)
        p = cat.plan_iri(d)
        if p:  # an ingested plan: the document it is cited as, or the plan itself
            cited = cat.resolving_to(p)
            return cited[0] if cited else p
    f = fold(d)
    for words, code in _TYPE_WORDS.items():
        f = re.sub(rf"\b{words}\b", f" {code} ", f)
    f = re.sub(r"\b(so|ngay|cua)\b", " ", f)
    numbers = re.findall(r"\d+(?:\.\d+)?", f)
    tokens = set(re.findall(r"[a-z]+", f))
    if not numbers:
        cands = [l for l, x in cat.legal_index().items() if x.key.startswith(re.sub(r"[^a-z0-9]+", "-", f).strip("-"))]
    else:
        num = numbers[0]
        years = {int(n) for n in numbers[1:] if len(n) == 4}
        cands = []
        for l, x in cat.legal_index().items():
            # letters compared without separators: '282/QĐTTg' is qd-282-2026-qd-ttg
            compact = re.sub(r"[^a-z0-9]", "", x.key + fold(x.jurisdiction or ""))
            xnum = (x.id_local or "").split("/")[0].split("-")[0]
            if xnum != num and not re.search(rf"(^|-){re.escape(num.replace('.', '-'))}(-|$)", x.key):
                continue
            if not all(tok in compact for tok in tokens):
                continue
            if years and x.year not in years:
                continue
            cands.append(l)
    cands = sorted({cat.canon(c) for c in cands})
    if not cands:
        raise KeyError(doc)
    if len(cands) > 1:
        raise AmbiguousDocument(doc, [cat.legal[c].key if c in cat.legal else _local(kb, c) for c in cands])
    return cands[0]


def legal_dependents(kb: "KnowledgeBase", doc: str) -> dict:
    """Everything that rests on a legal document: the plans citing it (based_on, parent_plan,
    cites, adopted_by), the plans below those (relation 'via_parent_plan'), and their tasks.

    {document: {...}, plans: [{id, label, level, jurisdiction, relation, via}], tasks: [TaskRow…],
     citing_tasks: [ids of tasks whose text names the document]}. KeyError if unknown."""
    cat = catalog(kb)
    iri = resolve_legal(kb, doc)
    aliases = [iri, *[a for a, b in cat.same_as.items() if b == iri]]
    if iri in cat.plans:  # an ingested plan asked for directly
        p = cat.plans[iri]
        document = {"key": p.id, "iri": iri, "label": p.label, "title": p.title, "level": p.level,
                    "jurisdiction": p.jurisdiction, "ingested": True, "resolves_to": p.id, "same_as": []}
        target_plan = iri
    else:
        x = cat.legal[iri]
        target_plan = x.resolves_to if x.resolves_to in cat.plans else None
        document = {"key": x.key, "iri": iri, "id_local": x.id_local, "label": x.label, "title": x.title,
                    "level": x.level, "jurisdiction": x.jurisdiction, "year": x.year, "date": x.date,
                    "ingested": bool(x.ingested or target_plan), "url": f"/legal/{x.key}",
                    "resolves_to": cat.plans[target_plan].id if target_plan else None,
                    "same_as": [cat.legal[a].key for a in aliases[1:] if a in cat.legal]}
    direct: dict[str, str] = {}
    order = {"parent_plan": 0, "based_on": 1, "adopted_by": 2, "cites": 3}
    names = {"based_on": "based_on", "cites": "cites", "parentPlanRef": "parent_plan", "adoptedBy": "adopted_by"}
    for a in aliases:
        for r in kb.select(f"SELECT DISTINCT ?p ?rel WHERE {{ ?p ?rel <{a}> . ?p a pk:Plan }}"):
            rel = names.get(r["rel"].rsplit("#", 1)[-1].rsplit("/", 1)[-1])
            if rel is None or r["p"] == target_plan:
                continue
            if r["p"] not in direct or order[rel] < order[direct[r["p"]]]:
                direct[r["p"]] = rel
    children = cat.children()
    plans: dict[str, dict] = {}
    for i, rel in sorted(direct.items(), key=lambda kv: cat.plans[kv[0]].id):
        p = cat.plans[i]
        plans[i] = {"id": p.id, "label": p.label, "level": p.level, "jurisdiction": p.jurisdiction, "relation": rel,
                    "via": None, "url": f"/plans/{p.id}"}
    todo = sorted(set(direct) | ({target_plan} if target_plan else set()))
    while todo:
        i = todo.pop(0)
        for c in sorted(children.get(i, [])):
            if c not in plans and c != target_plan:
                p = cat.plans[c]
                plans[c] = {"id": p.id, "label": p.label, "level": p.level, "jurisdiction": p.jurisdiction,
                            "relation": "via_parent_plan", "via": cat.plans[i].id, "url": f"/plans/{p.id}"}
                todo.append(c)
    tasks: list[TaskRow] = []
    if plans:
        rows = sorted((r for i in plans for r in _rows(kb, cat, f"?t pk:plan <{i}> .")), key=lambda r: _sort_key(cat, r))
        tasks = [_to_row(cat, r) for r in rows]
    needle = fold(document.get("id_local") or "") if document.get("id_local") else None
    citing = [t.id for t in tasks if needle and "/" in needle and needle in fold(t.text)]
    return {"document": document, "plans": list(plans.values()), "tasks": tasks, "citing_tasks": citing}
