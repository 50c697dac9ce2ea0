"""The catalog's lists and details: `list_*` filter and page the index, `get_*` return one thing.

    list_plans / get_plan, list_tasks / get_task, list_units / get_unit, list_legal / get_legal,
    list_indicators / get_indicator

Every function takes the `KnowledgeBase` first and reads `kb.catalog.index`; unknown ids raise
`KeyError`. Text filters go through `Query` (a phrase at word starts) and `name_key` (words of a name).
"""
from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any, Iterable

from plankb.kb.catalog.index import _Index, index
from plankb.kb.catalog.keys import LEVEL_ORDER, name_key
from plankb.kb.catalog.query import Query
from plankb.kb.catalog.schemas import (
    Counterpart,
    Indicator,
    LegalDetail,
    LegalRef,
    Listing,
    ParentPlan,
    PlanCitation,
    PlanDetail,
    PlanSummary,
    Section,
    SourceRef,
    T,
    TaskDetail,
    TaskNode,
    TaskSummary,
    UnitDetail,
    UnitSummary,
    fields,
)
from plankb.kb.query.source import TextReader, source_context
from plankb.kb.query.trace import unit_counterparts
from plankb.kb.text import fold

if TYPE_CHECKING:
    from plankb.kb.store import KnowledgeBase


def _page(items: list[T], limit: int, offset: int) -> Listing[T]:
    return Listing[Any](items=items[offset:offset + limit], total=len(items), limit=limit, offset=offset)


def _period(value: str | None) -> tuple[int, int] | None:
    """'2026' -> (2026, 2026) ; '2026-2030' / '2026–2030' -> (2026, 2030); ValueError otherwise."""
    if value is None or not value.strip():
        return None
    m = re.fullmatch(r"\s*(\d{4})\s*(?:[-–—/]\s*(\d{4}))?\s*", value)
    if not m:
        raise ValueError(f"period {value!r}: expected YYYY or YYYY-YYYY")
    a = int(m.group(1))
    b = int(m.group(2)) if m.group(2) else None
    return (a, b if b is not None else -1)


# ====================================================================== plans
def list_plans(kb: "KnowledgeBase", *, level: str | None = None, province: str | None = None,
               period: str | None = None, q: str | None = None, limit: int = 50, offset: int = 0
               ) -> Listing[PlanSummary]:
    """Ingested plans, by id. `province`: name (diacritics optional) or code; `period`: 'YYYY'
    (plans whose period covers the year) or 'YYYY-YYYY' (exactly that period); `q`: words in the
    id, title, number, jurisdiction or issuer."""
    ix = index(kb)
    per = _period(period)
    pkey = name_key(province) if province and province.strip() else None
    query = Query.parse(q)
    out = []
    for pl in sorted(ix.plans.values(), key=lambda p: p.ref.id):
        s = pl.summary
        if level and s.level != level:
            continue
        if pkey is not None:
            names = [s.province, s.jurisdiction if s.level == "province" else None]
            codes = {s.province_code} | ({s.jurisdiction_code} if s.level == "province" else set())
            if province.strip() not in codes and not any(n and pkey in name_key(n) for n in names):
                continue
        if per is not None:
            a, b = per
            if s.period_start is None:
                continue
            if b == -1:
                if not (s.period_start <= a <= (s.period_end or s.period_start)):
                    continue
            elif (s.period_start, s.period_end) != (a, b):
                continue
        if query and not query.matches(pl.folded):
            continue
        out.append(s)
    return _page(out, limit, offset)


def _plan_iri(ix: _Index, plan_id: str) -> str:
    iri = ix.plan_ids.get(plan_id)
    if iri is None:
        raise KeyError(plan_id)
    return iri


def _task_tree(ix: _Index, plan_iri: str) -> list[Section]:
    ids = ix.tasks_by_plan.get(plan_iri, [])
    kids: dict[str, list[str]] = {}
    roots: list[str] = []
    for iri in ids:
        parent = ix.tasks[iri].parent
        if parent and parent in ix.tasks and parent != iri:
            kids.setdefault(parent, []).append(iri)
        else:
            roots.append(iri)

    def node(iri: str, seen: frozenset = frozenset()) -> TaskNode:
        t = ix.tasks[iri]
        return TaskNode(id=t.id, path=t.path, text=t.text, area=t.area,
                        lead_units=[ix.unit_ref(u) for u in t.lead],
                        support_units=[ix.unit_ref(u) for u in t.support], deadline=t.deadline,
                        children=[node(k, seen | {iri}) for k in kids.get(iri, []) if k not in seen])

    sections: dict[str, list[str]] = {}
    for iri in roots:
        path = ix.tasks[iri].path or ""
        sections.setdefault(path.rpartition(".")[0], []).append(iri)
    out = []
    for path, members in sections.items():
        areas = {ix.tasks[m].area for m in members}
        area = areas.pop() if len(areas) == 1 else None
        out.append(Section(path=path, area=area, heading=ix.area_labels.get(area) if area else None,
                           tasks=[node(m) for m in members]))
    return out


def get_plan(kb: "KnowledgeBase", plan_id: str) -> PlanDetail:
    """One plan with its sections (tasks as a tree), indicators, legal bases, parents and children."""
    ix = index(kb)
    pl = ix.plans[_plan_iri(ix, plan_id)]

    def legal_ref(iri: str) -> LegalRef | None:
        entry = ix.legal.get(iri)
        return entry.ref if entry else None

    parents: list[ParentPlan] = []
    covered: set[str] = set()
    for ref_iri in pl.parent_refs:
        entry = ix.legal.get(ref_iri)
        if entry is None:
            continue
        target = entry.detail["target"]
        parents.append(ParentPlan(legal=entry.ref, plan=ix.plans[target].ref if target else None,
                                  method=entry.detail["method"], score=entry.detail["score"]))
        if target:
            covered.add(target)
    for parent in pl.parents:
        if parent in covered or parent not in ix.plans:
            continue
        via = next((ix.legal[b] for b in pl.based_on if b in ix.legal and ix.legal[b].detail["target"] == parent), None)
        parents.append(ParentPlan(legal=via.ref if via else None, plan=ix.plans[parent].ref,
                                  method=via.detail["method"] if via else None,
                                  score=via.detail["score"] if via else None))
    legal_bases = [r for r in (legal_ref(b) for b in pl.based_on) if r]
    units = sorted((ix.units[u].ref for u in ix.plan_units.get(pl.iri, [])), key=lambda u: fold(u.label))
    return PlanDetail(
        **fields(pl.summary),
        source=pl.source,
        adopted_by=legal_ref(pl.adopted_by) if pl.adopted_by else None,
        legal_bases=sorted(legal_bases, key=_legal_order),
        citations=sorted((r for r in (legal_ref(c) for c in pl.cites) if r), key=_legal_order),
        parents=parents,
        children=sorted((ix.plans[c].ref for c in ix.children_of.get(pl.iri, []) if c in ix.plans),
                        key=lambda p: p.id),
        sections=_task_tree(ix, pl.iri),
        indicators=[ix.indicators[i] for i in ix.indicators_by_plan.get(pl.iri, [])],
        units=units,
    )


def _legal_order(r: LegalRef) -> tuple:
    return (r.date is None, r.date or dt.date.min, r.key)


# ====================================================================== tasks
def _unit_matches(ix: _Index, unit: str) -> set[str]:
    """Unit IRIs a `unit` filter means: an exact unit id, else every unit whose name contains the words."""
    unit = unit.strip()
    if unit in ix.unit_ids:
        return {ix.unit_ids[unit]}
    key = name_key(unit)
    if key.strip() == "":
        return set()
    return {iri for iri, u in ix.units.items() if key in u.key}


def list_tasks(kb: "KnowledgeBase", *, unit: str | None = None, area: str | None = None,
               plan: str | None = None, role: str | None = None, deadline_from: dt.date | None = None,
               deadline_to: dt.date | None = None, q: str | None = None, level: str | None = None,
               limit: int = 50, offset: int = 0) -> Listing[TaskSummary]:
    """Tasks, by plan and section path.

    `unit`: a unit id or words of its name (any jurisdiction; 'phong van hoa xa hoi'); `role`:
    lead / support (with `unit`); `plan`: a plan id; `area`: an area code; `deadline_from` /
    `deadline_to`: the due date (end of the deadline's interval, else its start) lies in the
    range, tasks without a dated deadline are left out; `q`: words of the text, path or products.
    An unknown unit or plan gives an empty list (ask `get_unit`/`get_plan` to get a 404)."""
    ix = index(kb)
    query = Query.parse(q)
    deadline_from, deadline_to = _as_date(deadline_from), _as_date(deadline_to)
    if plan is not None:
        plan_iri = ix.plan_ids.get(plan)
        candidates: Iterable[tuple[str, str | None]] = ((t, None) for t in ix.tasks_by_plan.get(plan_iri or "", []))
    else:
        plan_iri = None
        candidates = ((t, None) for t in ix.tasks)
    if unit is not None and unit.strip():
        wanted = _unit_matches(ix, unit)
        roles: dict[str, str] = {}
        for u in wanted:
            for t, r in ix.unit_tasks.get(u, []):
                if role and r != role:
                    continue
                if roles.get(t) != "lead":  # lead wins when a name matches units with both roles
                    roles[t] = r
        candidates = ((t, roles[t]) for t in ix.tasks if t in roles
                      and (plan_iri is None or ix.tasks[t].plan == plan_iri) and (plan is None or plan_iri))
    out = []
    for t_iri, r in candidates:
        t = ix.tasks[t_iri]
        if area and t.area != area:
            continue
        if level and ix.plans[t.plan].ref.level != level:
            continue
        if deadline_from or deadline_to:
            due = t.deadline.due if t.deadline else None
            if due is None or (deadline_from and due < deadline_from) or (deadline_to and due > deadline_to):
                continue
        if query and not query.matches(t.folded):
            continue
        out.append((t, r))
    return Listing[TaskSummary](items=[ix.task_summary(t, r) for t, r in out[offset:offset + limit]],
                                total=len(out), limit=limit, offset=offset)


def _as_date(value: "dt.date | str | None") -> "dt.date | None":
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def get_task(kb: "KnowledgeBase", task_id: str, *, context: bool = False, context_chars: int = 300,
             read_text: TextReader | None = None) -> TaskDetail:
    """One task: its plan, units, deadline, parent and sub-tasks, and where it is in the source file.

    With `context`, the source file is read by `read_text` (if it is still at its path with the same
    sha256; `kb.catalog.source`) and `context_chars` characters either side of the task's span are
    returned."""
    ix = index(kb)
    iri = ix.task_ids.get(task_id)
    if iri is None:
        raise KeyError(task_id)
    t = ix.tasks[iri]
    pl = ix.plans[t.plan]
    children = [ix.task_ref(ix.tasks[c]) for c in ix.tasks_by_plan.get(t.plan, [])
                if ix.tasks[c].parent == iri and c != iri]
    source = SourceRef(path=pl.source.path, sha256=pl.source.sha256, start=t.start, end=t.end)
    summary = ix.task_summary(t)
    return TaskDetail(
        **fields(summary),
        origin=t.origin, leader=t.leader, products=list(t.products),
        parent=ix.task_ref(ix.tasks[t.parent]) if t.parent in ix.tasks else None,
        children=children, source=source,
        context=source_context(source, context_chars, read_text) if context else None,
    )


# ====================================================================== units
def list_units(kb: "KnowledgeBase", *, q: str | None = None, jurisdiction: str | None = None,
               level: str | None = None, limit: int = 50, offset: int = 0) -> Listing[UnitSummary]:
    """Units, by jurisdiction then name. `q`: words of the name or an alias; `jurisdiction`: words
    of the jurisdiction's name or its code; `level`: national / province / commune."""
    ix = index(kb)
    query = Query.parse(q)
    jkey = name_key(jurisdiction) if jurisdiction and jurisdiction.strip() else None
    out = []
    for u in ix.units.values():  # by level, jurisdiction, name (sorted when indexed)
        s = u.summary
        if query and not query.matches(u.folded):
            continue
        if jkey is not None and jurisdiction.strip() != s.jurisdiction_code and jkey not in name_key(s.jurisdiction or ""):
            continue
        if level and s.level != level:
            continue
        out.append(s)
    return _page(out, limit, offset)


def get_unit(kb: "KnowledgeBase", unit_id: str, *, counterparts: bool = False) -> UnitDetail:
    """One unit, the plans naming it and (with `counterparts`) the units with the same function
    at other levels (kb.query.trace.unit_counterparts)."""
    ix = index(kb)
    iri = ix.unit_ids.get(unit_id)
    if iri is None:
        raise KeyError(unit_id)
    u = ix.units[iri]
    plans = {p for p in ix.unit_plans.get(iri, [])} | {ix.tasks[t].plan for t, _ in ix.unit_tasks.get(iri, [])}
    cps = None
    if counterparts:
        cps = [Counterpart.model_validate(c) for c in unit_counterparts(kb, unit_id)]
    return UnitDetail(**fields(u.summary),
                      plans=sorted((ix.plans[p].ref for p in plans if p in ix.plans), key=lambda p: p.id),
                      counterparts=cps)


# ====================================================================== legal documents
def _legal_iri(ix: _Index, key: str) -> str:
    """By key (sameAs aliases included), else by number as printed ('76/NQ-CP') when unambiguous."""
    iri = ix.legal_keys.get(key)
    if iri is not None:
        return iri
    k = fold(key).replace(" ", "")
    hits = {e.iri for e in ix.legal.values() if e.ref.number and fold(e.ref.number).replace(" ", "") == k}
    if len(hits) == 1:
        return hits.pop()
    raise KeyError(key)


def get_legal(kb: "KnowledgeBase", key: str) -> LegalDetail:
    """A cited document: what it is, which ingested plan it resolves to, and which plans cite it how.
    `key` is its identity key ('nq-76-2021-nq-cp'), or its number when only one document has it."""
    ix = index(kb)
    e = ix.legal[_legal_iri(ix, key)]
    d = e.detail
    cited = [PlanCitation(plan=ix.plans[p].ref, relation=r) for p, r in ix.cited_by.get(e.iri, []) if p in ix.plans]
    cited.sort(key=lambda c: (LEVEL_ORDER.get(c.plan.level, 3), c.plan.id,
                              ("adopted_by", "parent_plan", "based_on", "cites").index(c.relation)))
    return LegalDetail(
        **fields(e.ref),
        symbol=d["symbol"], issuer_level=d["issuer_level"], jurisdiction=d["jurisdiction"],
        same_as=sorted(d["same_as"]), resolves_to=ix.plans[d["target"]].ref if d["target"] else None,
        link_method=d["method"], link_score=d["score"], cited_by=cited,
    )


def list_legal(kb: "KnowledgeBase", *, q: str | None = None, ingested: bool | None = None,
               limit: int = 50, offset: int = 0) -> Listing[LegalRef]:
    """Cited documents, most cited first. `ingested=False`: the missing sources."""
    ix = index(kb)
    query = Query.parse(q)
    aliases = {k for e in ix.legal.values() for k in e.detail["same_as"]}
    out = [e for e in ix.legal.values() if e.ref.key not in aliases
           and (ingested is None or e.ref.ingested == ingested) and (not query or query.matches(e.folded))]
    out.sort(key=lambda e: (-len({p for p, _ in ix.cited_by.get(e.iri, [])}), e.ref.key))
    return _page([e.ref for e in out], limit, offset)


# ====================================================================== indicators
def list_indicators(kb: "KnowledgeBase", *, plan: str | None = None, area: str | None = None,
                    q: str | None = None, limit: int = 50, offset: int = 0) -> Listing[Indicator]:
    ix = index(kb)
    query = Query.parse(q)
    if plan is not None:
        ids = ix.indicators_by_plan.get(ix.plan_ids.get(plan, ""), [])
    else:
        ids = [i for p in sorted(ix.indicators_by_plan, key=lambda p: ix.plans[p].ref.id)
               for i in ix.indicators_by_plan[p]]
    out = [ix.indicators[i] for i in ids
           if (not area or ix.indicators[i].area == area) and (not query or query.matches(ix.indicator_folded[i]))]
    return _page(out, limit, offset)


def get_indicator(kb: "KnowledgeBase", indicator_id: str) -> Indicator:
    ix = index(kb)
    return ix.indicators[indicator_id]
