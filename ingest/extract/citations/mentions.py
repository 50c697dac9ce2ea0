"""Mentions of one document completed from each other: shared issuers, short re-mentions taking
the fuller mention's date and title, national documents' known defaults.
"""
from __future__ import annotations

from plankb.ingest.extract.citations.hits import Hit
from plankb.ingest.extract.citations.vocab import national_documents
from plankb.kb.text import fold


def share_issuers(hits: list[Hit], mt: str) -> None:
    """'Nghị quyết số 68-NQ/TW … và Nghị quyết số 79-NQ/TW … của Bộ Chính trị': 68 is Bộ Chính trị's too."""
    for i in range(len(hits) - 2, -1, -1):
        h, n = hits[i], hits[i + 1]
        if h.kind != "ref" or h.issuer_explicit or not n.issuer_explicit or not h.orgs or h.orgs != n.orgs:
            continue
        gap = fold(mt[h.tail:n.start])
        if gap in {"va", ",", ";", ", va", "hoac"}:
            h.issuer, h.issuer_level, h.jurisdiction = n.issuer, n.issuer_level, n.jurisdiction
            h.issuer_explicit = True


def resolve_rementions(hits: list[Hit]) -> None:
    refs = [h for h in hits if h.kind == "ref" and h.number]
    groups: dict[tuple[str | None, str | None], list[Hit]] = {}  # candidates share type and number
    for h in refs:
        groups.setdefault((h.doc_type, h.number), []).append(h)
    for h in refs:
        group = groups[(h.doc_type, h.number)]
        if len(group) < 2 or h.completeness() == 4:
            continue  # nothing to take from
        cands = [
            g for g in group
            if g is not h and g.doc_type == h.doc_type and g.number == h.number
            and (h.symbol is None or g.symbol == h.symbol)
            and (not h.issuer_explicit or not g.issuer_explicit or g.jurisdiction == h.jurisdiction)
            and (h.year is None or g.year is None or g.year == h.year)
            and g.completeness() > h.completeness()
        ]
        if not cands:
            continue
        best = max(g.completeness() for g in cands)
        cands = [g for g in cands if g.completeness() == best]
        before = [g for g in cands if g.start < h.start]
        src = before[-1] if before else cands[0]
        if h.date is None:
            h.date = src.date
        if h.year is None:
            h.year = src.year
        if h.symbol is None:
            h.symbol, h.orgs = src.symbol, src.orgs
        if not h.issuer_explicit and src.issuer:
            h.issuer, h.issuer_level, h.jurisdiction = src.issuer, src.issuer_level, src.jurisdiction
        if h.name is None:
            h.name = src.name
    # laws: a later mention without year takes the year of an earlier one with the same name
    laws = [h for h in hits if h.kind == "law"]
    for i, h in enumerate(laws):
        if h.year is None:
            for g in reversed(laws[:i]):
                if g.year and fold(g.name or "") == fold(h.name or ""):
                    h.year = g.year
                    break


def fill_national_defaults(hits: list[Hit]) -> None:
    """A national reference printed without date or year ('Nghị quyết số 76/NQ-CP' in seed 003) is
    the well-known document of `vocab/national_documents.csv`, so it gets the same identity key."""
    for h in hits:
        if h.kind != "ref" or h.year is not None or h.issuer_level != "national" or not h.number or not h.symbol:
            continue
        row = national_documents().get((h.doc_type or "", h.number.lstrip("0") or "0", h.symbol))
        if row is None:
            continue
        h.year = int(row["year"])
        h.date = h.date or row["date"] or None
        if not h.issuer_explicit or not h.issuer:
            h.issuer = row["issuer"]
        h.name = h.name or row["name"] or None
