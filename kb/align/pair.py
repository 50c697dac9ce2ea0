"""One (child, parent) pair: both plans read from the KB (`load_plan`) and aligned (`align_pair`).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from plankb.kb.align.indicators import IndicatorItem, IndicatorVerdict, align_indicators
from plankb.kb.align.tasks import TaskItem, TaskMatch, align_tasks
from plankb.kb.align.units import UnitItem, UnitPair, unit_pairs

if TYPE_CHECKING:
    from plankb.kb.store import KnowledgeBase


@dataclass
class PlanData:
    iri: str
    id: str
    graph: str
    sha256: str | None
    tasks: list[TaskItem]
    indicators: list[IndicatorItem]
    units: list[UnitItem]
    _df: tuple[Counter, int] | None = None

    @property
    def doc_freq(self) -> tuple[Counter, int]:
        if self._df is None:
            df: Counter = Counter()
            for t in self.tasks:
                df.update(t.feats.keys())
            self._df = (df, len(self.tasks))
        return self._df


def _area_code(kb: "KnowledgeBase", iri: str | None) -> str | None:
    if not iri:
        return None
    k = kb.iris.kind_and_id(iri)
    return k[1] if k and k[0] == "area" else iri.rsplit("/", 1)[-1]


def _role_code(kb: "KnowledgeBase", iri: str) -> str:
    k = kb.iris.kind_and_id(iri)
    return k[1] if k and k[0] == "role" else iri.rsplit("/", 1)[-1]


def load_plan(kb: "KnowledgeBase", plan_iri: str) -> PlanData:
    """Tasks, indicators and units of one plan, read from its own named graph."""
    rows = kb.select(f"""SELECT ?g ?id ?sha WHERE {{ GRAPH ?g {{ <{plan_iri}> a pk:Plan ; dcterms:identifier ?id .
        OPTIONAL {{ <{plan_iri}> prov:wasDerivedFrom/pk:sha256 ?sha }} }} }}""", use_default_graph_as_union=False)
    if not rows:
        raise KeyError(plan_iri)
    g, pid, sha = rows[0]["g"], rows[0]["id"], rows[0].get("sha")
    tasks = []
    for r in kb.select(f"""SELECT ?t ?id ?text ?path ?area ?enc WHERE {{ GRAPH <{g}> {{
            ?t a pk:Task ; pk:plan <{plan_iri}> ; dcterms:identifier ?id ; pk:text ?text .
            OPTIONAL {{ ?t pk:path ?path }} OPTIONAL {{ ?t pk:area ?area }} OPTIONAL {{ ?t pk:parentTask ?enc }} }} }}
            ORDER BY ?id""", use_default_graph_as_union=False):
        tasks.append(TaskItem(r["t"], r["id"], r["text"], _area_code(kb, r.get("area")), r.get("path"), r.get("enc")))
    inds = []
    for r in kb.select(f"""SELECT ?i ?id ?v ?subject ?unit ?comp ?ps ?pe ?area ?surface ?sentence WHERE {{ GRAPH <{g}> {{
            ?i a pk:Indicator ; pk:plan <{plan_iri}> ; dcterms:identifier ?id ; rdf:value ?v .
            OPTIONAL {{ ?i pk:subject ?subject }} OPTIONAL {{ ?i pk:measureUnit ?unit }}
            OPTIONAL {{ ?i pk:comparator ?comp }} OPTIONAL {{ ?i pk:periodStart ?ps ; pk:periodEnd ?pe }}
            OPTIONAL {{ ?i pk:area ?area }} OPTIONAL {{ ?i pk:sourceText ?surface }} OPTIONAL {{ ?i pk:sentence ?sentence }} }} }}
            ORDER BY ?id""", use_default_graph_as_union=False):
        period = (int(r["ps"]), int(r["pe"])) if "ps" in r and "pe" in r else None
        inds.append(IndicatorItem(r["i"], r["id"], float(r["v"]), r.get("subject"), r.get("unit"), r.get("comp"),
                                  period, _area_code(kb, r.get("area")), r.get("surface"), r.get("sentence")))
    units: dict[str, UnitItem] = {}
    for r in kb.select(f"""SELECT ?u ?name ?role ?area WHERE {{ GRAPH <{g}> {{
            ?u a org:OrganizationalUnit ; skos:prefLabel ?name .
            OPTIONAL {{ ?u pk:role ?role }} OPTIONAL {{ ?u pk:area ?area }} }} }}""", use_default_graph_as_union=False):
        u = units.setdefault(r["u"], UnitItem(r["u"], r["name"]))
        if "role" in r:
            u.roles.add(_role_code(kb, r["role"]))
        if "area" in r:
            u.areas.add(_area_code(kb, r["area"]))
    return PlanData(plan_iri, pid, g, sha, tasks, inds, sorted(units.values(), key=lambda u: u.iri))


# ---------------------------------------------------------------- the alignment of one pair
@dataclass
class PairAlignment:
    child: PlanData
    parent: PlanData
    tasks: list[TaskMatch]
    indicators: list[IndicatorVerdict]
    units: list[UnitPair]
    misses: dict[str, tuple[float, str]] = field(default_factory=dict)


def align_pair(child: PlanData, parent: PlanData) -> PairAlignment:
    misses: dict[str, tuple[float, str]] = {}
    tasks = align_tasks(child.tasks, parent.tasks, parent_df=parent.doc_freq, misses=misses)
    return PairAlignment(child, parent, tasks, align_indicators(child.indicators, parent.indicators),
                         unit_pairs(child.units, parent.units), misses)
