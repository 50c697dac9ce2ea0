"""Where a task comes from: `trace_task(kb, task_id)` gives the chain from a local task up to
national sources: the task's plan, the parent plan's task(s) it implements (kb.align's
`pk:TaskLink`, with score and evidence), the parent plan, its parent…, and the national documents
the plans are based on (NQ 76/NQ-CP, QĐ 282/QĐ-TTg…). Every missing hop is a named `Gap` ("parent
plan QĐ 600/QĐ-UBND of Hà Nội (2026) is not in the knowledge base"). `trace_all(kb)` traces every
task; `render_trace` prints one.

Everything is read from the KB with SPARQL. Plan-level facts (plans, their parent plans and legal
bases; kb/query/plans.py) are cached per KB version, so a trace costs a few small queries: the
task, its task links, and those of the parent tasks.

The other analyst questions live beside this module and are importable from here too:
`find_tasks` (tasks.py), `unit_counterparts` / `units_named` (units.py), `legal_dependents` /
`resolve_legal` (legal.py), `resolve_plans` (plans.py).

The JSON of `trace_all` (`plankb trace --all --format json`) is a public contract checked by
tests/tools/check_contract.py: hop kinds are task, plan, legal_document, indicator, unit,
jurisdiction or area.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from plankb.kb.align.tasks import THRESHOLD
from plankb.kb.query.common import LABEL_MAX, SEP, local_id, norm_name, short
from plankb.kb.query.legal import AmbiguousDocument, legal_dependents, resolve_legal
from plankb.kb.query.plans import (
    LegalDoc,
    PlanFacts,
    PlanIndex,
    plan_index,
    resolve_plans,
)
from plankb.kb.query.tasks import TaskRow, find_tasks
from plankb.kb.query.units import unit_counterparts, units_named
from plankb.kb.text import fold

if TYPE_CHECKING:
    from plankb.kb.store import KnowledgeBase

__all__ = [
    "AmbiguousDocument", "Evidence", "Gap", "Hop", "LABEL_MAX", "LegalDoc", "PlanFacts", "PlanIndex", "SEP",
    "TaskRow", "Trace", "all_task_ids", "find_tasks", "legal_dependents", "norm_name", "plan_index",
    "render_trace", "resolve_legal", "resolve_plans", "trace_all", "trace_task", "unit_counterparts",
    "units_named",
]


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



def _task_iri(kb: "KnowledgeBase", task_id: str) -> str:
    return task_id if task_id.startswith(("http://", "https://")) else kb.iris.task(task_id)


def _span(source: str | None, start, end) -> str | None:
    if source is None or start is None or end is None:
        return None
    return f"{source}:{start}-{end}"


def _legal_hop(doc: LegalDoc, relation: str, evidence: Evidence | None = None) -> Hop:
    return Hop(kind="legal_document", id=doc.key, label=doc.label, text=doc.title, level=doc.level,
               relation=relation, evidence=evidence, url=f"/legal/{doc.key}")


def _plan_hop(p: PlanFacts, relation: str, evidence: Evidence | None = None, score: float | None = None) -> Hop:
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
    return short(f"{path} {text}" if path else text) or text


def _docs_named_in(text: str, plan: PlanFacts, cat: PlanIndex) -> list[LegalDoc]:
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
    cat = plan_index(kb)
    t_iri = _task_iri(kb, task_id)
    rows = kb.select(TASK_QUERY % {"t": t_iri})
    if not rows:
        raise KeyError(task_id)
    r = rows[0]
    plan = cat.plans.get(r["plan"])
    if plan is None:
        raise KeyError(task_id)
    tid = local_id(kb, t_iri)
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

    national: dict[str, tuple[LegalDoc, PlanFacts]] = {}
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
                gaps.append(Gap(
                    kind="no_parent_task", node_id=local_id(kb, frontier[0][0]),
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
            hops.append(_legal_hop(doc, "cites", Evidence(method="named-in-task-text", child_text=short(r["text"], 200),
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
    lines = [f"task {t['id']}  [{t.get('level') or '?'} · {t.get('area') or '?'}]", f"  “{short(t['text'], 220)}”"]
    if t.get("source"):
        lines.append(f"  source: {t['source']}")
    for h in tr.hops:
        score = f"  score {h.score:.2f}" if h.score is not None else ""
        head = h.label if h.kind != "task" else short(h.text, 140)
        lines.append(f"  ↑ {h.relation or '':<12} {h.kind} {h.id} [{h.level or '?'}]{score}")
        if head and head != h.id:
            lines.append(f"      {head}")
        ev = h.evidence
        if ev and h.kind == "task":
            lines.append(f"      evidence ({ev.method}): “{short(ev.child_text, 120)}”")
            lines.append(f"                 ≈ “{short(ev.parent_text, 120)}”")
            if ev.source:
                lines.append(f"      at {ev.source}")
        elif ev and h.relation == "parent_plan" and ev.method not in ("citation",):
            lines.append(f"      matched by {ev.method}" + (f" ({ev.score:.2f})" if ev.score is not None else "")
                         + (f" from “{short(ev.child_text, 100)}”" if ev.child_text else ""))
    if tr.gaps:
        lines.append("  gaps:")
        for g in tr.gaps:
            lines.append(f"    - {g.message}")
            lines.append(f"      {g.message_vi}")
    return "\n".join(lines)

