"""Task alignment: the parent task(s) each child task implements (`align_tasks`).

TF-IDF similarity of the tasks' texts within one reform area, with a context rule for sub-tasks
and a cross-area fallback; each link carries its evidence (`best_sentence_pair`).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from plankb.kb.align.tfidf import Vectorizer, cosine, features, sentences

TASK_METHOD = "tfidf-syllable-1-2gram-cosine"

# Thresholds chosen on seed 000 (phường Ái Quốc) -> 001 (Hải Phòng) against the manual alignment
# tests/golden/alignment_000_001.json. With the gold parents of each child task removed, the best
# remaining same-area candidate ("impostor", what a ward-only task would match) scores at most
# 0.42; true pairs score 0.46 and up except five rewritten or merged items (0.21-0.34). THRESHOLD
# sits between the two; below it no link is made.
THRESHOLD = 0.44
# Sub-tasks of an item whose parent counterpart is known need less evidence (see align_tasks).
CONTEXT_THRESHOLD = 0.20
# A second (third…) parent task is linked when its score is within this margin of the best one.
CLOSE_MARGIN = 0.10
# A child task with no same-area candidate may link across areas at this factor of its score.
CROSS_AREA_FACTOR = 0.85


@dataclass
class TaskItem:
    iri: str
    id: str
    text: str
    area: str | None
    path: str | None = None
    enclosing: str | None = None  # IRI of the enclosing task in the same plan
    feats: Counter = field(default_factory=Counter, repr=False)

    def __post_init__(self):
        if not self.feats:
            self.feats = features(self.text)


@dataclass
class TaskMatch:
    child: str  # IRI
    parent: str  # IRI
    score: float
    rank: int
    method: str
    child_evidence: str
    parent_evidence: str


def best_sentence_pair(child: str, parent: str, vec: Vectorizer) -> tuple[str, str, float]:
    """The most similar (child sentence, parent sentence) pair: the evidence of a link."""
    cs, ps = sentences(child), sentences(parent)
    if len(cs) == 1 and len(ps) == 1:
        return cs[0], ps[0], 1.0
    cv = [vec.text_vector(s) for s in cs]
    pv = [vec.text_vector(s) for s in ps]
    best = (cs[0], ps[0], -1.0)
    for i, a in enumerate(cv):
        for j, b in enumerate(pv):
            s = cosine(a, b)
            if s > best[2]:
                best = (cs[i], ps[j], s)
    return best


def _subtree(parents: list[TaskItem]) -> dict[str, set[str]]:
    """{task IRI: IRIs of its descendants} within one plan (pk:parentTask chains)."""
    children: dict[str, list[str]] = {}
    for p in parents:
        if p.enclosing:
            children.setdefault(p.enclosing, []).append(p.iri)
    out: dict[str, set[str]] = {}

    def walk(i: str) -> set[str]:
        if i not in out:
            out[i] = set()
            for k in children.get(i, []):
                out[i] |= {k} | walk(k)
        return out[i]

    for p in parents:
        walk(p.iri)
    return out


def _depth(t: TaskItem) -> int:
    return (t.path or "").count(".")


def align_tasks(children: list[TaskItem], parents: list[TaskItem], *, threshold: float = THRESHOLD,
                context_threshold: float = CONTEXT_THRESHOLD, margin: float = CLOSE_MARGIN,
                parent_df: tuple[Counter, int] | None = None,
                misses: dict[str, tuple[float, str]] | None = None) -> list[TaskMatch]:
    """Child task -> parent task(s) it implements.

    Score = cosine of TF-IDF vectors of folded syllable unigrams + bigrams (sublinear tf, idf over
    the tasks of both plans). Candidates are the parent tasks of the same reform area. The best
    candidate at or above `threshold` is linked, plus every other candidate within `margin` of it
    (1-to-many, for merged items). If none reaches the threshold:

    * context: when the child's enclosing task implements parent task X, X's sub-tasks need only
      `context_threshold` (a ward's rewritten sub-bullet under a copied item);
    * cross-area: a candidate of another area is accepted at `CROSS_AREA_FACTOR` of its score
      (an extractor may misfile an item).

    `misses`, if given, receives {child IRI: (best same-area score, parent IRI)} for every child
    task left without a link (the evidence of a "no parent task" gap).
    """
    if not children or not parents:
        return []
    if parent_df is None:
        df = Counter()
        for p in parents:
            df.update(p.feats.keys())
        parent_df = (df, len(parents))
    df = Counter(parent_df[0])
    for c in children:
        df.update(c.feats.keys())
    vec = Vectorizer(df, parent_df[1] + len(children))
    pvecs = {p.iri: vec.vector(p.feats) for p in parents}
    subtree = _subtree(parents)
    linked: dict[str, list[str]] = {}
    out: list[TaskMatch] = []
    # enclosing tasks first: their links are the context of their sub-tasks
    for c in sorted(children, key=lambda t: (_depth(t), t.path or "", t.iri)):
        cvec = vec.vector(c.feats)
        same = sorted(((cosine(cvec, pvecs[p.iri]), p) for p in parents
                       if c.area is None or p.area is None or c.area == p.area), key=lambda x: (-x[0], x[1].iri))
        method = TASK_METHOD
        pool = [x for x in same if x[0] >= threshold]
        if not pool and c.enclosing in linked:
            ctx = set().union(*(subtree.get(x, set()) for x in linked[c.enclosing]))
            pool = [x for x in same if x[1].iri in ctx and x[0] >= context_threshold]
            method = TASK_METHOD + "+context"
        if not pool:
            other = ((cosine(cvec, pvecs[p.iri]) * CROSS_AREA_FACTOR, p) for p in parents
                     if c.area is not None and p.area is not None and c.area != p.area)
            pool = sorted((x for x in other if x[0] >= threshold), key=lambda x: (-x[0], x[1].iri))
            method = TASK_METHOD + "+cross-area"
        if not pool:
            if misses is not None and same:
                misses[c.iri] = (round(same[0][0], 4), same[0][1].iri)
            continue
        top = pool[0][0]
        rank = 0
        for s, p in pool:
            if s < top - margin:
                break
            rank += 1
            ce, pe, _ = best_sentence_pair(c.text, p.text, vec)
            out.append(TaskMatch(c.iri, p.iri, round(s, 4), rank, method, ce, pe))
            linked.setdefault(c.iri, []).append(p.iri)
    order = {c.iri: i for i, c in enumerate(children)}
    out.sort(key=lambda m: (order[m.child], m.rank))
    return out
