"""Plan-level facts of the KB, read lazily and cached per KB version: `plan_index(kb)` gives the
`PlanIndex` (plans with their parent plans, legal bases and citations; cited legal documents);
`resolve_plans(kb, plan)` turns a plan id, seed number or name fragment into plan IRIs."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePath
from typing import TYPE_CHECKING

from plankb.kb.ids import ELI, PK, PROV
from plankb.kb.query.common import norm_name

if TYPE_CHECKING:
    from plankb.kb.store import KnowledgeBase


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
class PlanFacts:
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


_REL = {ELI + "based_on": "bases", ELI + "cites": "cited", PK + "parentPlanRef": "parent_refs"}


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


class PlanIndex:
    """Plan-level facts, read lazily, one plan or cited document at a time (bound-subject queries,
    whose cost does not grow with the KB), and cached per KB version by `plan_index(kb)`.

    `plans[iri]` -> PlanFacts (metadata, parent plans with the PlanLink that matched them, legal
    bases, cited documents); `legal[iri]` -> LegalDoc; `plan_rows()` / `legal_index()` /
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
        self._plan_rows: list[dict] | None = None
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
    def _plan(self, iri: str) -> "PlanFacts | None":
        kb = self.kb
        if not iri.startswith(kb.iris.base + "plan/"):
            return None
        rows = kb.select(f"SELECT ?g ?id WHERE {{ GRAPH ?g {{ <{iri}> a pk:Plan ; dcterms:identifier ?id }} }}",
                         use_default_graph_as_union=False)
        if not rows:
            return None
        g, pid = sorted((r["g"], r["id"]) for r in rows)[0]
        info = PlanFacts(iri, pid)
        props: dict[str, set] = {}
        for r in kb.select(f"SELECT ?p ?o WHERE {{ GRAPH <{g}> {{ <{iri}> ?p ?o }} }}", use_default_graph_as_union=False):
            props.setdefault(r["p"], set()).add(r["o"])
        info.level = _one(props.get(PK + "level"))
        info.title = _one(props.get(ELI + "title"))
        ps, pe = _one(props.get(PK + "periodStart")), _one(props.get(PK + "periodEnd"))
        info.period = (int(ps), int(pe)) if ps is not None and pe is not None else None
        for rel, attr in _REL.items():
            setattr(info, attr, sorted({self.canon(l) for l in props.get(rel, ()) if not l.startswith(kb.iris.base + "plan/")}))
        j = _one(props.get(PK + "jurisdiction"))
        src = _one(props.get(PROV + "wasDerivedFrom"))
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
        key = _one(props.get(PK + "citationKey"))
        if key is None:
            return None
        date = _one(props.get(ELI + "date_document"))
        ing = props.get(PK + "ingested", set())
        types = sorted(self.type_labels[t] for t in props.get(ELI + "type_document", ()) if t in self.type_labels)
        res = _one(props.get(PK + "adopts", set()) | props.get(PK + "resolvesTo", set()))
        year = _one(props.get(PK + "year"))
        return LegalDoc(iri, key, _one(props.get(ELI + "id_local")), _one(props.get(PK + "docTypeCode")),
                        types[0] if types else None, _one(props.get(ELI + "title")),
                        _one(props.get(PK + "issuerLevel")), _one(props.get(PK + "jurisdictionName")),
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

    def plan_rows(self) -> list[dict]:
        """[{iri, id, title, jurisdiction, source}] of every plan (one row per plan)."""
        if self._plan_rows is None:
            by: dict[str, dict] = {}
            for r in self.kb.select("""SELECT ?p ?id ?title ?jur ?path WHERE { GRAPH ?g {
                    ?p a pk:Plan ; dcterms:identifier ?id .
                    OPTIONAL { ?p eli:title ?title } OPTIONAL { ?p pk:jurisdiction/skos:prefLabel ?jur }
                    OPTIONAL { ?p prov:wasDerivedFrom/pk:sourcePath ?path } } }""", use_default_graph_as_union=False):
                e = by.setdefault(r["p"], {"iri": r["p"], "id": r["id"], "title": None, "jurisdiction": None, "source": None})
                e["title"] = e["title"] or r.get("title")
                e["jurisdiction"] = e["jurisdiction"] or r.get("jur")
                e["source"] = e["source"] or (PurePath(r["path"]).name if r.get("path") else None)
            self._plan_rows = sorted(by.values(), key=lambda e: e["id"])
        return self._plan_rows

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


def plan_index(kb: "KnowledgeBase") -> PlanIndex:
    """The plan-level index of `kb`, new for every KB version (the KB's per-version cache)."""
    return kb.cached("query.plan_index", PlanIndex)


def resolve_plans(kb: "KnowledgeBase", plan: str) -> list[str]:
    """Plan IRIs for a plan id, a seed number ('000'), or a fragment of id / title / jurisdiction
    (diacritics optional). KeyError if none."""
    cat = plan_index(kb)
    iri = cat.plan_iri(plan) if not plan.startswith(("http://", "https://")) else (plan if plan in cat.plans else None)
    if iri:
        return [iri]
    q = norm_name(plan)
    index = cat.plan_rows()
    out = [p for p in index if p["source"] and p["source"].startswith(plan)]
    if not out and q:
        qs = q.replace(" ", "-")
        out = [p for p in index
               if qs in p["id"] or q in norm_name(p["title"] or "") or q in norm_name(p["jurisdiction"] or "")]
    if not out:
        raise KeyError(plan)
    return [p["iri"] for p in sorted(out, key=lambda p: p["id"])]
