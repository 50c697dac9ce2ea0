"""What rests on a legal document: `legal_dependents(kb, doc)` lists the plans citing it (and the
plans below them) and their tasks; `resolve_legal(kb, doc)` reads DOC as a key
('nq-76-2021-nq-cp') or a human form ('76/NQ-CP', 'NQ 76'), raising `AmbiguousDocument` when
several documents match."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from plankb.kb.query.common import local_id
from plankb.kb.query.plans import plan_index
from plankb.kb.query.tasks import TaskRow, sort_key, task_rows, to_row
from plankb.kb.text import fold

if TYPE_CHECKING:
    from plankb.kb.store import KnowledgeBase


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
    cat = plan_index(kb)
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
        raise AmbiguousDocument(doc, [cat.legal[c].key if c in cat.legal else local_id(kb, c) for c in cands])
    return cands[0]


def legal_dependents(kb: "KnowledgeBase", doc: str) -> dict:
    """Everything that rests on a legal document: the plans citing it (based_on, parent_plan,
    cites, adopted_by), the plans below those (relation 'via_parent_plan'), and their tasks.

    {document: {...}, plans: [{id, label, level, jurisdiction, relation, via}], tasks: [TaskRow…],
     citing_tasks: [ids of tasks whose text names the document]}. KeyError if unknown."""
    cat = plan_index(kb)
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
        rows = sorted((r for i in plans for r in task_rows(kb, f"?t pk:plan <{i}> .")), key=lambda r: sort_key(cat, r))
        tasks = [to_row(cat, r) for r in rows]
    needle = fold(document.get("id_local") or "") if document.get("id_local") else None
    citing = [t.id for t in tasks if needle and "/" in needle and needle in fold(t.text)]
    return {"document": document, "plans": list(plans.values()), "tasks": tasks, "citing_tasks": citing}
