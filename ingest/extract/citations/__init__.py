"""Find references to other legal and administrative documents in a plan.

Public verbs:

- `extract_citations(text, cleaned, context)`: every reference, in text order, as `Citation`s;
- `extract_legal_bases(text, cleaned, citations)`: those in the opening "Căn cứ …" paragraphs;
- `extract_adopting_decision(text, cleaned, citations)`: the "(Kèm theo Quyết định số …)" line;
- `select_parent_plans(legal_bases)`: the bases that are higher-level plans or programmes;
- `citation_key(citation)`: the identity key (type + number + year + symbol + jurisdiction).

Matching runs on `canonical_tones(cleaned)`, which has the offsets of `text`, so a match [s, e)
gives `surface = text[s:e]`. The surface of a numbered reference is its type word, "số", the
number with its symbol and, when it follows at once, the issue date: 'Nghị quyết số 76/NQ-CP
ngày 15/7/2021'. A law cited by name runs to its year: 'Luật Cán bộ, công chức năm 2025'. The
issuer and the title after it are read but are not part of the surface.

Short re-mentions ('Nghị quyết số 76/NQ-CP của Chính phủ') take the date, year, issuer and title
of the fuller mention of the same document in the same text, so they get the same key.
"""
from __future__ import annotations

import bisect
import re

from plankb.ingest.extract.citations import patterns as P
from plankb.ingest.extract.citations.context import CitationContext
from plankb.ingest.extract.citations.hits import Hit, bare_hits, read_after, typed_hits
from plankb.ingest.extract.citations.issuers import implied_issuer
from plankb.ingest.extract.citations.laws import law_hits
from plankb.ingest.extract.citations.mentions import (
    fill_national_defaults,
    resolve_rementions,
    share_issuers,
)
from plankb.ingest.extract.citations.vocab import doc_types
from plankb.kb.models import Citation, Span
from plankb.kb.text import canonical_tones, fold, slug

__all__ = [
    "CitationContext",
    "extract_citations",
    "extract_legal_bases",
    "extract_adopting_decision",
    "select_parent_plans",
    "citation_key",
]


def _matching_text(text: str, cleaned: str) -> str:
    if len(cleaned) != len(text):
        raise ValueError("cleaned must have the length of text (use ingest.extract.clean.clean_text)")
    return _WORD_RE.sub(_canonical_word, cleaned)


_WORD_RE = re.compile(r"[^\W\d_]+")


def _canonical_word(m: re.Match[str]) -> str:
    """'hoá' -> 'hóa', 'Uỷ' -> 'Ủy' when that keeps the length (a decomposed word stays as it is)."""
    w = m.group(0)
    c = canonical_tones(w)
    return c if len(c) == len(w) else w


# ---------------------------------------------------------------- public verbs
def citation_key(c: Citation) -> str | None:
    """Identity key: type + number + year + symbol + jurisdiction (commune too for commune bodies).

    >>> citation_key(Citation(surface="x", doc_type="NQ", number="76", symbol="NQ-CP", year=2021,
    ...                       issuer_level="national", span=Span(start=0, end=1)))
    'nq-76-2021-nq-cp'
    """
    if c.doc_type == "LUAT" and c.name:  # laws by name and year, with or without their number
        return slug(c.name, max_len=120) + (f"-{c.year}" if c.year else "")
    if c.number is None:
        return None
    parts = [slug(c.doc_type or "vb"), slug(c.number)]
    if c.year:
        parts.append(str(c.year))
    if c.symbol:
        parts.append(slug(c.symbol))
    if c.jurisdiction and c.issuer_level != "national":
        parts.append(slug(c.jurisdiction))
    if c.issuer_level == "commune" and c.issuer:
        m = re.match(r"^(?:Chủ tịch\s+)?(?:Ủy ban nhân dân|Hội đồng nhân dân|(?:Ban Thường vụ\s+)?Đảng ủy)\s+(.+)$",
                     c.issuer)
        if m:
            parts.append(slug(m.group(1)))
    return "-".join(p for p in parts if p)


# References read from one document at most (in text order). A plan cites tens to a few hundred;
# re-mentions are resolved against every other mention of the same number, so a text of many
# thousands of references would take quadratic time: the references after these are not read.
MAX_CITATIONS = 2000


def extract_citations(text: str, cleaned: str, context: CitationContext | None = None) -> list[Citation]:
    """Every reference to another document in `text`, in order (see the module docstring); at most
    MAX_CITATIONS."""
    ctx = context or CitationContext()
    mt = _matching_text(text, cleaned)
    typed = typed_hits(mt)
    laws = law_hits(mt)
    taken = [(h.start, h.end) for h in typed + laws]
    hits = sorted(typed + laws + bare_hits(mt, taken), key=lambda h: (h.start, -h.end))
    kept: list[Hit] = []
    for h in hits:
        if kept and h.start < kept[-1].end:
            continue
        kept.append(h)
        if len(kept) >= MAX_CITATIONS:
            break
    for h in kept:
        if h.kind == "ref":
            read_after(h, mt, ctx)
            if not h.issuer_explicit:
                h.issuer, h.issuer_level, h.jurisdiction = implied_issuer(h.orgs, ctx)
    share_issuers(kept, mt)
    resolve_rementions(kept)
    fill_national_defaults(kept)
    out: list[Citation] = []
    for h in kept:
        c = Citation(
            surface=text[h.start:h.end],
            doc_type=h.doc_type,
            doc_type_name=doc_types().get(h.doc_type or "", {}).get("name") if h.doc_type != "LUAT" else (
                "Bộ luật" if (h.name or "").startswith("Bộ luật") else "Luật"),
            number=h.number,
            symbol=h.symbol,
            year=h.year,
            date=h.date,
            issuer=h.issuer,
            issuer_level=h.issuer_level,  # type: ignore[arg-type]
            jurisdiction=h.jurisdiction,
            name=h.name,
            span=Span(start=h.start, end=h.end),
        )
        out.append(c.model_copy(update={"key": citation_key(c)}))
    return out


def _first_heading(mt: str) -> int:
    m = P.HEADING_RE.search(mt)
    return m.start() if m else min(len(mt), 6000)


def _adopting_prefix(mt: str, c: Citation) -> bool:
    line_start = mt.rfind("\n", 0, c.span.start) + 1
    return P.ADOPTING_PREFIX_RE.search(mt[line_start:c.span.start]) is not None


def _basis_ranges(mt: str) -> list[tuple[int, int]]:
    stop = _first_heading(mt)
    ranges: list[tuple[int, int]] = []
    in_basis = False
    prev_tail = ""
    pos = 0
    while pos < stop:
        nl = mt.find("\n", pos)
        end = len(mt) if nl < 0 else nl
        line = mt[pos:end]
        stripped = line.strip()
        if P.BASIS_START_RE.match(line):
            in_basis = True
            ranges.append((pos, end))
        elif in_basis and not stripped:
            pass
        elif in_basis and prev_tail in (";", ":", ",") and (
            stripped[:1] in ("-", "+", "•", "·") or stripped[:1].islower()
            or P.TYPE_WORD_RE.match(stripped) or P.LAW_HEAD_RE.match(stripped)
        ):  # "Căn cứ:\n- Quyết định số …;" — but not "Xét đề nghị của …"
            ranges.append((pos, end))
        else:
            in_basis = False
        if stripped:
            prev_tail = stripped[-1]
        pos = end + 1
    return ranges


def extract_legal_bases(text: str, cleaned: str, citations: list[Citation]) -> list[Citation]:
    """Citations in the opening "Căn cứ …" / "Thực hiện …" / "Triển khai …" paragraph(s) before the
    first section heading, without the adopting decision and without repeats of one document."""
    mt = _matching_text(text, cleaned)
    ranges = _basis_ranges(mt)  # in text order, disjoint
    starts = [s for s, _ in ranges]
    out: list[Citation] = []
    seen: set[str] = set()
    for c in citations:
        i = bisect.bisect_right(starts, c.span.start) - 1
        if i < 0 or not c.span.start < ranges[i][1] or _adopting_prefix(mt, c):
            continue
        ident = c.key or f"{c.doc_type}|{c.number}|{c.symbol}|{fold(c.name or c.surface)}"
        if ident in seen:
            continue
        seen.add(ident)
        out.append(c)
    return out


def extract_adopting_decision(text: str, cleaned: str, citations: list[Citation]) -> Citation | None:
    """The decision the plan is attached to: "(Kèm theo Quyết định số …/QĐ-UBND ngày … của …)" or
    "Ban hành kèm theo …", before the first section heading.

    A draft leaves the number blank ("Kèm theo Quyết định số      /QĐ-UBND ngày    tháng   năm 2026"):
    that decision does not exist yet and has no identity, so the plan has no adopting decision
    (None; the draft flag says it is not adopted, and the line stays among `citations`)."""
    mt = _matching_text(text, cleaned)
    stop = _first_heading(mt)
    for c in citations:
        if c.span.start >= stop:
            break
        if _adopting_prefix(mt, c):
            return c if c.number else None
    return None


def select_parent_plans(legal_bases: list[Citation]) -> list[Citation]:
    """Legal bases that are plans or programmes the plan implements: a Kế hoạch / Chương trình, or a
    document whose title adopts one ("ban hành Kế hoạch …", "ban hành Chương trình tổng thể cải cách
    hành chính …", "Kế hoạch cải cách hành chính …")."""
    out = []
    for c in legal_bases:
        if c.doc_type in ("KH", "CTr") or (c.name and P.PARENT_PLAN_TITLE_RE.match(fold(c.name))):
            out.append(c)
    return out
