"""Tasks of a plan, a unit or an area: `find_tasks(kb, plan=…, unit=…, counterparts=…, area=…, q=…)`
gives `TaskRow`s (unit names match with or without diacritics, in either tone style, by canonical
name or alias). `task_rows` / `to_row` / `sort_key` read and order the rows for legal.py too."""
from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from plankb.kb.query.common import SEP, norm_name
from plankb.kb.query.plans import PlanIndex, plan_index, resolve_plans
from plankb.kb.query.units import counterpart_closure, units_named

if TYPE_CHECKING:
    from plankb.kb.store import KnowledgeBase


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


def _area_code(cat: PlanIndex, area: str) -> str:
    if area in cat.area_labels:
        return area
    q = norm_name(area)
    for code, label in cat.area_labels.items():
        if q and (q == norm_name(code) or q in norm_name(label)):
            return code
    raise KeyError(area)


def task_rows(kb: "KnowledgeBase", restriction: str) -> list[dict]:
    """TASKS_QUERY's rows for a restriction of ?t ('?t pk:plan <…> .'; '': every task)."""
    return kb.select(TASKS_QUERY % restriction)


def to_row(cat: PlanIndex, r: dict, **extra) -> TaskRow:
    p = cat.plans.get(r["plan"])
    split = lambda s: sorted(x for x in (s or "").split(SEP) if x)
    return TaskRow(id=r["id"], path=r.get("path"), text=r["text"], area=r.get("area"), plan_id=p.id if p else r["plan"],
                   plan_label=p.label if p else None, level=p.level if p else None,
                   jurisdiction=p.jurisdiction if p else None, lead_units=split(r.get("leads")),
                   support_units=split(r.get("sups")), deadline=r.get("dl"), **extra)


def sort_key(cat: PlanIndex, r: dict):
    p = cat.plans.get(r["plan"])
    return (p.id if p else r["plan"], r.get("s", 0), r["id"])


def find_tasks(kb: "KnowledgeBase", *, plan: str | None = None, unit: str | None = None, counterparts: bool = False,
               area: str | None = None, q: str | None = None) -> list[TaskRow]:
    """Tasks with ids (what `trace_task` takes), filtered by plan, unit (lead or support), area and
    text (`q`: whole syllables in this order, ignoring diacritics, tone style, case and
    punctuation: 'mot cua lien thong' finds 'một cửa, một cửa liên thông'). With `counterparts`, the tasks of the unit's counterparts at other levels are added
    (`via_counterpart` names the unit asked for). KeyError for an unknown plan, unit or area."""
    cat = plan_index(kb)
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
            closure = counterpart_closure(kb, set(by_iri))
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
            rows += [(r, found[r["t"]]) for r in task_rows(kb, f"?t pk:plan <{p}> .") if r["t"] in plans_of[p]]
    elif plan_iris:
        rows = [(r, {}) for p in plan_iris for r in task_rows(kb, f"?t pk:plan <{p}> .")]
    else:
        rows = [(r, {}) for r in task_rows(kb, "")]
    qn = norm_name(q) if q else None
    out = []
    for r, extra in sorted(rows, key=lambda x: sort_key(cat, x[0])):
        if plan_iris and r["plan"] not in plan_iris:
            continue
        if area_code and r.get("area") != area_code:
            continue
        if qn and f" {qn} " not in f" {norm_name(r['text'])} ":
            continue
        out.append(to_row(cat, r, **extra))
    return out

