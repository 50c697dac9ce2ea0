"""Numbered references found in the text (`typed_hits`, `bare_hits`): number, symbol, date, issuer
and title read around each match, as `Hit`s.
"""
from __future__ import annotations

import bisect
import datetime as _dt
import re
from dataclasses import dataclass

from plankb.ingest.extract.citations import patterns as P
from plankb.ingest.extract.citations.context import CitationContext
from plankb.ingest.extract.citations.issuers import explicit_issuer
from plankb.ingest.extract.citations.symbols import Symbol, party_symbol, state_symbol
from plankb.ingest.extract.citations.vocab import doc_types, type_by_alias
from plankb.kb.text import fold, squash


# ---------------------------------------------------------------- hits
@dataclass
class Hit:
    kind: str  # 'ref' | 'law'
    start: int
    end: int
    doc_type: str | None = None
    number: str | None = None
    symbol: str | None = None
    orgs: tuple[str, ...] = ()
    year: int | None = None
    date: str | None = None
    issuer: str | None = None
    issuer_level: str | None = None
    jurisdiction: str | None = None
    issuer_explicit: bool = False
    name: str | None = None
    tail: int = 0  # end of what was read after the surface (issuer, date, title)

    def completeness(self) -> int:
        return (self.date is not None) + (self.symbol is not None) + self.issuer_explicit + (self.year is not None)


def _iso(d: str, m: str, y: str) -> str | None:
    try:
        return _dt.date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


def read_date(mt: str, pos: int) -> tuple[str | None, int | None, int] | None:
    """(iso date or None for a blank draft date, year, end) for a date starting at pos."""
    m = P.DATE_RE.match(mt, pos)
    if not m:
        return None
    if m.group("y1"):
        return _iso(m.group("d1"), m.group("m1"), m.group("y1")), int(m.group("y1")), m.end()
    if m.group("y2"):
        return _iso(m.group("d2"), m.group("m2"), m.group("y2")), int(m.group("y2")), m.end()
    y = m.group("y3") or m.group("y4")
    return None, int(y), m.end()


def _read_title(mt: str, pos: int) -> str | None:
    m = P.TITLE_START_RE.match(mt, pos)
    if not m:
        return None
    s = m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
    limit = min(len(mt), s + 320)
    end = None
    for e in P.TITLE_END_RE.finditer(mt, s, limit):
        if e.group(0) == ")" and mt.count("(", s, e.start()) > mt.count(")", s, e.start()):
            continue  # closes "(CCHC)" inside the title
        end = e.start()
        break
    if end is None:
        cut = mt.rfind(" ", s, limit)
        end = cut if limit < len(mt) and cut > s else limit
    title = squash(mt[s:end]).rstrip(" ,:-–")
    return title or None


def read_after(h: Hit, mt: str, ctx: CitationContext) -> None:
    """Read the issuer, a later date and the title after a numbered reference."""
    pos = h.end
    im = P.ISSUER_RE.match(mt, pos)
    if im:
        h.issuer, h.issuer_level, h.jurisdiction = explicit_issuer(im, ctx)
        h.issuer_explicit = True
        pos = im.end()
    if h.date is None:
        d = read_date(mt, pos)
        if d and d[0]:
            h.date = d[0]
            if h.year is None:
                h.year = d[1]
            pos = d[2]
            if not im:
                im = P.ISSUER_RE.match(mt, pos)
                if im:
                    h.issuer, h.issuer_level, h.jurisdiction = explicit_issuer(im, ctx)
                    h.issuer_explicit = True
                    pos = im.end()
    h.tail = pos
    h.name = _read_title(mt, pos)


def _ref_fields(m: re.Match[str]) -> tuple[str | None, int | None, Symbol | None]:
    """(number, year printed in the number, symbol) from any branch of a document-number match."""
    g = m.groupdict()
    if g.get("p_num"):
        return g["p_num"], None, party_symbol(g["p_type"], g["p_org"])
    if g.get("y_num"):
        return g["y_num"], int(g["y_year"]), state_symbol(g["y_sym"])
    if g.get("s_num"):
        return g["s_num"], None, state_symbol(g["s_sym"])
    if g.get("b_sym") is not None:  # blank number of a draft
        return None, int(g["b_year"]) if g.get("b_year") else None, state_symbol(g["b_sym"])
    if g.get("n_num"):
        return g["n_num"], None, None
    return None, None, None


def typed_hits(mt: str) -> list[Hit]:
    hits: list[Hit] = []
    for m in P.TYPED_CITATION_RE.finditer(mt):
        word_code = type_by_alias().get(fold(m.group("type")))
        if not word_code:
            continue
        number, year, sym = _ref_fields(m)
        has_so = m.group("so") is not None
        is_party = m.group("p_num") is not None
        if sym is None:  # number without symbol
            if not has_so and doc_types()[word_code]["bare_number"] != "yes":
                continue
            doc_type = word_code
        else:
            # an official letter may come from any office ("Công văn số 789/STTTT-BCVT"), but the
            # generic "văn bản 123/ABC-XYZ" needs a known type or issuer in its symbol
            letter = word_code == "CV" and has_so and fold(m.group("type")) == "cong van"
            valid = sym.type_code is not None or bool(sym.orgs) or letter
            if not valid or (is_party and sym.type_code is None):
                continue
            if is_party or sym.type_code is None or word_code == "LUAT":
                doc_type = word_code
            else:  # the symbol is the more formal of the two: "văn bản số 12/QĐ-UBND" is a QĐ
                doc_type = sym.type_code
        h = Hit("ref", m.start(), m.end(), doc_type=doc_type, number=number,
                 symbol=sym.text if sym else None, orgs=sym.orgs if sym else (), year=year)
        d = read_date(mt, h.end)
        if d:
            h.date = d[0]
            h.year = h.year or d[1]
            h.end = d[2]
        hits.append(h)
    return hits


def _overlaps(taken: list[tuple[int, int]]):
    """A test `overlaps(start, end)` for [start, end) against the spans in `taken`, in log time
    (a linear scan per bare number was quadratic on texts made of references)."""
    spans = sorted(taken)
    starts = [s for s, _ in spans]
    reach: list[int] = []  # reach[i]: the largest end among spans[0..i]
    for _, e in spans:
        reach.append(max(e, reach[-1]) if reach else e)

    def overlaps(start: int, end: int) -> bool:
        i = bisect.bisect_left(starts, end)  # spans[:i] start before `end`
        return i > 0 and reach[i - 1] > start

    return overlaps


def bare_hits(mt: str, taken: list[tuple[int, int]]) -> list[Hit]:
    hits: list[Hit] = []
    overlaps = _overlaps(taken)
    for m in P.DOC_REF_RE.finditer(mt):
        if overlaps(m.start(), m.end()):
            continue
        line_start = mt.rfind("\n", 0, m.start()) + 1
        if P.OWN_NUMBER_PREFIX_RE.match(mt[line_start:m.start()]):
            continue  # "Số: 1478/QĐ-UBND" heads the document itself
        number, year, sym = _ref_fields(m)
        if sym is None:
            continue
        if sym.type_code:
            doc_type = sym.type_code
        elif m.group("p_num") is None and sym.orgs and "-" in (sym.text or ""):
            doc_type = "CV"
        else:
            continue
        h = Hit("ref", m.start(), m.end(), doc_type=doc_type, number=number, symbol=sym.text,
                 orgs=sym.orgs, year=year)
        d = read_date(mt, h.end)
        if d:
            h.date, h.end = d[0], d[2]
            h.year = h.year or d[1]
        hits.append(h)
    return hits
