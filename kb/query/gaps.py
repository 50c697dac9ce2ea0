"""What a plan leaves out of its parent plans, and what it leaves unassigned.

`plan_gaps(kb, plan_id)` reads the alignment graph of the plan (kb.align) and its own graph:

* `parent_plans`: the parent plans it names, ingested or not;
* `missing_parent_tasks`: tasks of an ingested parent plan that no task of the plan implements
  (a parent item counts as covered when one of its sub-tasks is implemented);
* `dropped_indicators` / `weakened_indicators` / `indicator_verdicts`: kb.align's verdicts
  (adopted, strengthened, weakened, dropped, new) for every indicator pair;
* `tasks_without_lead` / `tasks_without_deadline`: the plan's tasks with no lead unit or deadline.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from plankb.kb.query.common import short
from plankb.kb.query.plans import plan_index, resolve_plans

if TYPE_CHECKING:
    from plankb.kb.store import KnowledgeBase


class GapReport(BaseModel):
    plan_id: str
    parent_plans: list[dict] = Field(default_factory=list,
                                     description="{id, label, kind (plan | legal_document), ingested, level, relation}")
    missing_parent_tasks: list[dict] = Field(default_factory=list,
                                             description="{id, path, text, area, parent_plan_id, best_child_score}")
    dropped_indicators: list[dict] = Field(default_factory=list)
    weakened_indicators: list[dict] = Field(default_factory=list)
    tasks_without_lead: list[dict] = Field(default_factory=list, description="{id, path, text, area}")
    tasks_without_deadline: list[dict] = Field(default_factory=list, description="{id, path, text, area}")
    indicator_verdicts: list[dict] = Field(default_factory=list,
                                           description="{verdict, child_id, parent_id, subject, child_value, parent_value, "
                                                       "unit, comparator, period, score}")


def _tasks(kb: "KnowledgeBase", plan_iri: str) -> list[dict]:
    rows = kb.select(f"""SELECT ?t ?id ?path ?text ?area ?enc ?s ?lead ?dl WHERE {{
        ?t a pk:Task ; pk:plan <{plan_iri}> ; dcterms:identifier ?id ; pk:text ?text .
        OPTIONAL {{ ?t pk:path ?path }} OPTIONAL {{ ?t pk:area/skos:notation ?area }}
        OPTIONAL {{ ?t pk:parentTask ?enc }} OPTIONAL {{ ?t pk:charStart ?s }}
        OPTIONAL {{ ?t pk:leadUnit ?lead }} OPTIONAL {{ ?t pk:deadlineText ?dl }} }}""")
    by: dict[str, dict] = {}
    for r in rows:
        t = by.setdefault(r["t"], {"iri": r["t"], "id": r["id"], "path": r.get("path"), "text": r["text"],
                                   "area": r.get("area"), "enclosing": r.get("enc"), "start": r.get("s", 0),
                                   "lead": False, "deadline": None})
        t["lead"] = t["lead"] or "lead" in r
        t["deadline"] = t["deadline"] or r.get("dl")
    return sorted(by.values(), key=lambda t: (t["start"], t["id"]))


def _public(t: dict) -> dict:
    return {"id": t["id"], "path": t["path"], "text": t["text"], "area": t["area"]}


def _indicator(kb: "KnowledgeBase", iri: str) -> dict:
    rows = kb.select(f"""SELECT ?id ?v ?sub ?unit ?comp ?ps ?pe ?surf WHERE {{
        <{iri}> dcterms:identifier ?id ; rdf:value ?v .
        OPTIONAL {{ <{iri}> pk:subject ?sub }} OPTIONAL {{ <{iri}> pk:measureUnit ?unit }}
        OPTIONAL {{ <{iri}> pk:comparator ?comp }} OPTIONAL {{ <{iri}> pk:periodStart ?ps ; pk:periodEnd ?pe }}
        OPTIONAL {{ <{iri}> pk:sourceText ?surf }} }}""")
    return rows[0] if rows else {}


def _indicator_rows(kb: "KnowledgeBase", plan_iri: str) -> list[dict]:
    """The plan's indicator verdicts, read with bound-subject queries (alignment, links, indicators)."""
    out = []
    for a in kb.select(f"""SELECT DISTINCT ?a ?pplan WHERE {{ ?a pk:child <{plan_iri}> ; a pk:Alignment ; pk:parent ?pp .
                           ?pp dcterms:identifier ?pplan }}"""):
        for r in kb.select(f"""SELECT DISTINCT ?l ?verdict ?score ?c ?p WHERE {{ ?l pk:alignment <{a['a']}> ; pk:verdict ?verdict .
                               OPTIONAL {{ ?l pk:score ?score }} OPTIONAL {{ ?l pk:child ?c }} OPTIONAL {{ ?l pk:parent ?p }} }}"""):
            row = {"verdict": r["verdict"], "score": r.get("score"), "pplan": a["pplan"]}
            for side, key in (("c", "c"), ("p", "p")):
                if key in r:
                    d = _indicator(kb, r[key])
                    row.update({f"{side}id": d.get("id"), f"{side}v": d.get("v"), f"{side}sub": d.get("sub"),
                                f"{side}unit": d.get("unit"), f"{side}comp": d.get("comp"), f"{side}ps": d.get("ps"),
                                f"{side}pe": d.get("pe"), f"{side}surf": d.get("surf")})
            out.append({k: v for k, v in row.items() if v is not None})
    return out


def plan_gaps(kb: "KnowledgeBase", plan_id: str) -> GapReport:
    """The gap report of one plan (KeyError for an unknown plan; a fragment of its id works too)."""
    cat = plan_index(kb)
    iris = resolve_plans(kb, plan_id)
    if len(iris) != 1:
        raise KeyError(f"{plan_id!r} matches several plans: {', '.join(cat.plans[i].id for i in iris)}")
    plan = cat.plans[iris[0]]
    report = GapReport(plan_id=plan.id)

    # parent plans: resolved (ingested) and cited only
    resolved_refs = set()
    for parent_iri, method, score, legal in plan.parents:
        p = cat.plans[parent_iri]
        resolved_refs.add(legal)
        report.parent_plans.append({"id": p.id, "label": p.label, "kind": "plan", "ingested": True, "level": p.level,
                                    "relation": "parent_plan", "method": method, "score": score,
                                    "cited_as": cat.legal[legal].key if legal in cat.legal else None})
    for l in plan.parent_refs:
        doc = cat.legal.get(l)
        if doc is None or l in resolved_refs or doc.resolves_to in cat.plans:
            continue
        report.parent_plans.append({"id": doc.key, "label": doc.label, "kind": "legal_document", "ingested": False,
                                    "level": doc.level, "relation": "parent_plan", "method": None, "score": None,
                                    "cited_as": doc.key})

    mine = _tasks(kb, plan.iri)
    report.tasks_without_lead = [_public(t) for t in mine if not t["lead"]]
    report.tasks_without_deadline = [_public(t) for t in mine if not t["deadline"]]

    # parent tasks nobody implements (an item is covered if one of its sub-tasks is)
    implemented = {r["p"] for r in kb.select(f"""SELECT DISTINCT ?p WHERE {{
        ?c pk:plan <{plan.iri}> ; pk:implements ?p }}""")}
    for parent_iri, *_ in plan.parents:
        ptasks = _tasks(kb, parent_iri)
        covered = set(implemented)
        by_iri = {t["iri"]: t for t in ptasks}
        for i in implemented:  # every enclosing item of an implemented task is covered too
            x = by_iri.get(i)
            while x and x["enclosing"] and x["enclosing"] not in covered:
                covered.add(x["enclosing"])
                x = by_iri.get(x["enclosing"])
        for t in ptasks:
            if t["iri"] not in covered:
                report.missing_parent_tasks.append({**_public(t), "parent_plan_id": cat.plans[parent_iri].id})

    for r in _indicator_rows(kb, plan.iri):
        period = lambda s, e: f"{s}-{e}" if s is not None and e is not None else None  # noqa: E731
        v = {
            "verdict": r["verdict"], "parent_plan_id": r["pplan"],
            "child_id": r.get("cid"), "parent_id": r.get("pid"),
            "subject": r.get("psub") or r.get("csub"),
            "child_value": r.get("cv"), "parent_value": r.get("pv"),
            "unit": r.get("punit") or r.get("cunit"),
            "comparator": r.get("pcomp") or r.get("ccomp"),
            "child_period": period(r.get("cps"), r.get("cpe")), "parent_period": period(r.get("pps"), r.get("ppe")),
            "child_text": r.get("csurf"), "parent_text": r.get("psurf"),
            "score": r.get("score"),
        }
        report.indicator_verdicts.append(v)
        if v["verdict"] == "dropped":
            report.dropped_indicators.append(v)
        elif v["verdict"] == "weakened":
            report.weakened_indicators.append(v)
    order = {"dropped": 0, "weakened": 1, "strengthened": 2, "adopted": 3, "new": 4}

    def natural(s: str | None) -> list:
        return [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", s or "")]

    key = lambda v: (order.get(v["verdict"], 9), natural(v["parent_id"]), natural(v["child_id"]))  # noqa: E731
    for lst in (report.indicator_verdicts, report.dropped_indicators, report.weakened_indicators):
        lst.sort(key=key)
    return report


def render_gaps(rep: GapReport) -> str:
    """Plain-text rendering (the CLI's default output)."""
    out = [f"plan {rep.plan_id}"]
    out.append("parent plans:")
    for p in rep.parent_plans or [{"id": "(none named)", "ingested": None, "label": ""}]:
        state = "" if p["ingested"] is None else (" [in the KB]" if p["ingested"] else " [NOT in the KB]")
        out.append(f"  - {p['id']}{state} {short(p.get('label') or '', 90) or ''}")
    out.append(f"parent tasks with no counterpart: {len(rep.missing_parent_tasks)}")
    for t in rep.missing_parent_tasks:
        out.append(f"  - {t['id']}: {short(t['text'], 110)}")
    out.append(f"dropped indicators: {len(rep.dropped_indicators)}")
    for v in rep.dropped_indicators:
        out.append(f"  - {v['parent_id']} ({v['parent_period'] or '?'}): {short(v['subject'] or '', 80)} "
                   f"→ {v['parent_text'] or v['parent_value']}")
    out.append(f"weakened indicators: {len(rep.weakened_indicators)}")
    for v in rep.weakened_indicators:
        out.append(f"  - {v['child_id']} {v['child_value']} < {v['parent_id']} {v['parent_value']}: "
                   f"{short(v['subject'] or '', 80)}")
    counts: dict[str, int] = {}
    for v in rep.indicator_verdicts:
        counts[v["verdict"]] = counts.get(v["verdict"], 0) + 1
    out.append("indicator verdicts: " + (", ".join(f"{k} {n}" for k, n in sorted(counts.items())) or "none"))
    out.append(f"tasks without a lead unit: {len(rep.tasks_without_lead)}")
    for t in rep.tasks_without_lead[:20]:
        out.append(f"  - {t['id']}: {short(t['text'], 100)}")
    if len(rep.tasks_without_lead) > 20:
        out.append(f"  … and {len(rep.tasks_without_lead) - 20} more")
    out.append(f"tasks without a deadline: {len(rep.tasks_without_deadline)}")
    for t in rep.tasks_without_deadline[:20]:
        out.append(f"  - {t['id']}: {short(t['text'], 100)}")
    if len(rep.tasks_without_deadline) > 20:
        out.append(f"  … and {len(rep.tasks_without_deadline) - 20} more (--format json lists all)")
    return "\n".join(out)
