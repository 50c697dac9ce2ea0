"""Indicator alignment: each child indicator matched to a parent one and judged (`align_indicators`).

Verdicts: `adopted` (same target), `strengthened`, `weakened` (see `compare_targets`); parent
indicators with no counterpart are `dropped`, child-only ones `new`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from plankb.kb.align.tfidf import Vectorizer, cosine, features, syllables

INDICATOR_METHOD = "subject-tfidf+unit+period"
INDICATOR_THRESHOLD = 0.45


@dataclass
class IndicatorItem:
    iri: str
    id: str
    value: float
    subject: str | None = None
    unit: str | None = None
    comparator: str | None = None
    period: tuple[int, int] | None = None
    area: str | None = None
    surface: str | None = None
    sentence: str | None = None


@dataclass
class IndicatorVerdict:
    verdict: str  # adopted | strengthened | weakened | dropped | new
    child: str | None  # IRI
    parent: str | None  # IRI
    score: float | None = None
    child_value: float | None = None
    parent_value: float | None = None
    note: str | None = None


SMALLER_IS_STRONGER = {"top", "<=", "<"}


def compare_targets(child: IndicatorItem, parent: IndicatorItem) -> str:
    """adopted / strengthened / weakened. 'reduce_by' and 'đạt' targets: bigger is stronger;
    'top' (rank) and '<=' targets: smaller is stronger.

    >>> p = IndicatorItem("p", "p", 95.0, comparator=">=")
    >>> compare_targets(IndicatorItem("c", "c", 95.0, comparator="="), p)
    'adopted'
    >>> compare_targets(IndicatorItem("c", "c", 90.0, comparator=">="), p)
    'weakened'
    >>> compare_targets(IndicatorItem("c", "c", 10.0, comparator="top"), IndicatorItem("p", "p", 15.0, comparator="top"))
    'strengthened'
    """
    if math.isclose(child.value, parent.value, rel_tol=1e-9, abs_tol=1e-9):
        return "adopted"
    comp = parent.comparator or child.comparator
    smaller = comp in SMALLER_IS_STRONGER
    stronger = child.value < parent.value if smaller else child.value > parent.value
    return "strengthened" if stronger else "weakened"


def _norm_unit(u: str | None) -> str:
    return " ".join(syllables(u)) if u else ""


def _periods_overlap(a: tuple[int, int] | None, b: tuple[int, int] | None) -> bool:
    if a is None or b is None:
        return True
    return a[0] <= b[1] and b[0] <= a[1]


def align_indicators(children: list[IndicatorItem], parents: list[IndicatorItem], *,
                     threshold: float = INDICATOR_THRESHOLD) -> list[IndicatorVerdict]:
    """One verdict per child indicator (matched or 'new') and per unmatched parent ('dropped').

    Match score = 0.5 * cosine(subjects) + 0.5 * cosine(sentences), plus 0.05 for the same
    period; only pairs with the same unit and overlapping periods; greedy one-to-one by score.
    A short subject ('đề xuất bãi bỏ 100%') leans on its sentence; two targets in one sentence
    ('đạt tối thiểu 95%, trong đó … đạt tối thiểu 90%') are told apart by their subjects.
    """
    def subj(i: IndicatorItem) -> str:
        return i.subject or i.surface or ""

    items = [*children, *parents]
    vs = Vectorizer.fit(features(subj(i)) for i in items)
    vt = Vectorizer.fit(features(i.sentence or subj(i)) for i in items)
    sv = {i.iri: vs.vector(features(subj(i))) for i in items}
    tv = {i.iri: vt.vector(features(i.sentence or subj(i))) for i in items}
    cand = []
    for c in children:
        for p in parents:
            if _norm_unit(c.unit) != _norm_unit(p.unit) or not _periods_overlap(c.period, p.period):
                continue
            s = 0.5 * cosine(sv[c.iri], sv[p.iri]) + 0.5 * cosine(tv[c.iri], tv[p.iri])
            if c.period == p.period:
                s += 0.05
            if s >= threshold:
                cand.append((round(min(s, 1.0), 4), c, p))
    cand.sort(key=lambda x: (-x[0], x[1].iri, x[2].iri))
    used_c: set[str] = set()
    used_p: set[str] = set()
    out: list[IndicatorVerdict] = []
    for s, c, p in cand:
        if c.iri in used_c or p.iri in used_p:
            continue
        used_c.add(c.iri)
        used_p.add(p.iri)
        out.append(IndicatorVerdict(compare_targets(c, p), c.iri, p.iri, s, c.value, p.value))
    for c in children:
        if c.iri not in used_c:
            out.append(IndicatorVerdict("new", c.iri, None, None, c.value, None))
    for p in parents:
        if p.iri not in used_p:
            out.append(IndicatorVerdict("dropped", None, p.iri, None, None, p.value,
                                        note="no indicator of the child plan matches (subject, unit, period)"))
    return out
