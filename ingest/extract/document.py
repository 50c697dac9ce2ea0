"""The extraction pipeline: read -> clean -> segment -> extract -> resolve -> PlanRecord.

`extract_document(path)` is the one public verb. Each stage is a module with one verb; this
module only wires them and collects warnings.
"""
from __future__ import annotations

import bisect
import hashlib
import os
import re
import time
import unicodedata
from pathlib import Path

from pydantic import BaseModel

from plankb.ingest.extract import citations as C
from plankb.ingest.extract.areas import heading_area
from plankb.ingest.extract.citations import MAX_CITATIONS
from plankb.ingest.extract.clean import clean_text
from plankb.ingest.extract.header import extract_header
from plankb.ingest.extract.indicators import (
    extract_indicators,
    is_target_section,
    stage_period,
)
from plankb.ingest.extract.segment import segment_text
from plankb.ingest.extract.tasks import extract_tasks, task_part
from plankb.ingest.extract.units import (
    UnitRegistry,
    extract_roles,
    find_units,
    fold_keep_length,
)
from plankb.ingest.read import read_document
from plankb.kb import EXTRACTOR_VERSION
from plankb.kb.errors import InputError
from plankb.kb.models import PageInfo, Period, PlanRecord, Problem, Section, Span
from plankb.kb.text import slug

# "Nơi nhận:" starts the distribution list; units named there have no role in the plan.
# (the prefix may not cross a line break: `^[\s*_]*` rescans all following blank lines from every
# line start, quadratic time on a long run of blank lines)
RECIPIENTS_RE = re.compile(r"(?im)^[^\S\n]*(?:[*_][^\S\n]*)*Nơi nhận\s*:")
# "Phụ lục II", "(Có Phụ lục chi tiết …)", "Danh mục nhiệm vụ cụ thể tại Phụ lục"
APPENDIX_REF_RE = re.compile(r"(?i)phụ lục")

# Per-document time budget (seconds): extraction of a plan takes milliseconds; a document that
# takes longer than this is refused rather than allowed to stall an ingest. It is checked after
# every stage (every stage is linear in the text: tests/test_reliability_input.py), so a slow
# document stops at the first stage boundary past the budget. Env PLANKB_TIME_BUDGET overrides it.
TIME_BUDGET_S = 30.0
# Longest text extracted as one plan (characters, after reading). Plans run to tens of thousands
# of characters; extraction costs about 5 s and 80 MB of memory per million characters, so a
# longer text (a 50 MB dump) is refused at once instead of running for minutes in gigabytes.
# Env PLANKB_MAX_CHARS overrides it.
MAX_TEXT_CHARS = 2_000_000


def _env_number(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    try:
        return float(value) if value and float(value) > 0 else default
    except ValueError:
        return default


class _Budget:
    """The per-document time budget; `check(stage)` raises InputError once it is spent."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.seconds = _env_number("PLANKB_TIME_BUDGET", TIME_BUDGET_S)
        self.deadline = time.monotonic() + self.seconds

    def check(self, stage: str) -> None:
        if time.monotonic() > self.deadline:
            raise InputError(self.source, f"extraction exceeded its time budget of {self.seconds:g} s "
                                          f"(at the {stage} stage; set PLANKB_TIME_BUDGET to change it)")


def plan_id_for(header, text: str = "") -> str:
    """'{place}.cchc-{period}[.{number}]', place = slug of the official name + its code
    ('phuong-ai-quoc-10660', 'thanh-pho-hai-phong-31', national plans 'viet-nam-vn').

    Without a resolved jurisdiction the place is the commune named in the text (or 'unknown') plus a
    short hash of the text ('hoa-sen-t3f9a0c1'): two different unresolved plans of one period must
    not share an id (the KB would replace one by the other), and one document keeps its id.
    """
    j = header.jurisdiction
    if j is not None:
        place = f"{slug(j.name)}-{(j.code or '').lower()}".rstrip("-")
    else:
        place = f"{slug(header.commune_hint or 'unknown') or 'unknown'}-t{text_hash(text)}"
    period = f"{header.period.start}-{header.period.end}" if header.period else "undated"
    if header.period and header.period.start == header.period.end:
        period = str(header.period.start)
    num = f".{slug(header.number)}" if header.number else ""
    return f"{place}.cchc-{period}{num}"


def text_hash(text: str, n: int = 8) -> str:
    """Short stable hash of a text, insensitive to Unicode normalisation and whitespace runs."""
    norm = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()
    return hashlib.sha1(norm.encode("utf-8")).hexdigest()[:n]


def _area_map(seg) -> dict[int, str]:
    """id(section) -> reform area for every section inside the task part."""
    out: dict[int, str] = {}

    def visit(sec: Section, inherited: str | None) -> None:
        area = heading_area(sec.heading) if sec.kind in ("number", "roman") else None
        area = area or inherited
        if area:
            out[id(sec)] = area
        for c in sec.children:
            visit(c, area)

    for part in task_part(seg.sections):
        for c in part.children:
            visit(c, None)
    return out


def _citations(text: str, cleaned: str, header):
    """Citation stage (ingest.extract.citations); returns (citations, legal_bases, parent_plans, adopted_by)."""
    ctx = C.CitationContext(level=header.level, province=header.province_hint, commune=header.commune_hint)
    cites = C.extract_citations(text, cleaned, ctx)
    bases = C.extract_legal_bases(text, cleaned, cites)
    parents = C.select_parent_plans(bases)
    adopted = C.extract_adopting_decision(text, cleaned, cites)
    return cites, bases, parents, adopted


def extract_text(text: str, *, source: str, sha256: str = "") -> PlanRecord:
    """Extract a PlanRecord from already-read text (used by tests and by `extract_document`)."""
    limit = int(_env_number("PLANKB_MAX_CHARS", MAX_TEXT_CHARS))
    if len(text) > limit:
        raise InputError(source, f"text too long for one plan ({len(text):,} characters > {limit:,} limit; "
                                 "set PLANKB_MAX_CHARS to change it)")
    budget = _Budget(source)
    cleaned = clean_text(text)
    folded = fold_keep_length(cleaned)
    budget.check("clean")
    seg = segment_text(cleaned)
    budget.check("segment")
    header = extract_header(text, cleaned, seg.header_end)
    plan_id = plan_id_for(header, cleaned)
    warnings: list[Problem] = []

    cites, bases, parents, adopted = _citations(text, cleaned, header)
    budget.check("citation")

    body_end = len(cleaned)
    if m := RECIPIENTS_RE.search(cleaned):
        body_end = m.start()
    registry = UnitRegistry(jurisdiction=header.jurisdiction, level=header.level)
    areas = _area_map(seg)
    roles = extract_roles(text, cleaned, folded, seg, registry, lambda s: areas.get(id(s)))
    tasks = extract_tasks(plan_id, text, cleaned, folded, seg, registry, roles)
    budget.check("task")
    find_units(text, folded, 0, body_end, registry)  # every mention, for aliases and provenance
    budget.check("unit")

    # indicators: items of target sections ("Một số chỉ tiêu", "Chỉ tiêu kết quả cần đạt được") and task items
    items: list[tuple[Section, str | None, Period | None]] = []

    def collect(sec: Section, period: Period | None, area: str | None, in_targets: bool) -> None:
        p = stage_period(sec.heading) or period
        a = areas.get(id(sec), area)
        targets = in_targets or (sec.kind in ("number", "roman") and is_target_section(sec.heading))
        if targets and sec.kind in ("letter", "bullet", "paragraph"):
            items.append((sec, a, p))
        for c in sec.children:
            collect(c, p, a, targets)

    for top in seg.sections:
        collect(top, header.period, None, False)
    task_paths = {t.path for t in tasks if t.origin == "prose"}
    listed = {id(it[0]) for it in items}
    for sec in seg.walk():
        if sec.path in task_paths and id(sec) not in listed:
            items.append((sec, areas.get(id(sec)), header.period))
            listed.add(id(sec))
    indicators = extract_indicators(plan_id, cleaned, items)
    for ind in indicators:
        ind.surface = text[ind.span.start : ind.span.end]

    if not tasks:
        msg = "no tasks found in the text"
        if APPENDIX_REF_RE.search(cleaned):
            msg += " (the plan refers to an appendix that is not in the text)"
        warnings.append(Problem(code="no_tasks", message=msg))
    for t in tasks:
        if not t.lead_units:
            warnings.append(Problem(code="task_without_lead", message=f"task {t.path} has no lead unit", span=t.span))

    if len(cites) >= MAX_CITATIONS:
        warnings.append(Problem(code="too_many_citations",
                                message=f"only the first {MAX_CITATIONS} references to other documents were read"))
    if header.jurisdiction is None:
        warnings.append(Problem(code="jurisdiction_unresolved", message="the plan's commune/province could not be resolved against the official divisions"))
    budget.check("indicator")

    return PlanRecord(
        source=source,
        sha256=sha256,
        id=plan_id,
        title=header.title,
        doc_type="KH",
        number=header.number,
        is_draft=header.is_draft,
        issuer=header.issuer,
        level=header.level,  # type: ignore[arg-type]
        jurisdiction=header.jurisdiction,
        period=header.period,
        date=header.date,
        adopted_by=adopted,
        legal_bases=bases,
        parent_plans=parents,
        citations=cites,
        sections=seg.sections,
        tasks=tasks,
        units=sorted(registry.units.values(), key=lambda u: u.mentions[0].span.start if u.mentions else 0),
        indicators=indicators,
        warnings=warnings,
        extractor_version=EXTRACTOR_VERSION,
    )


def paged(record: PlanRecord, pages: list[PageInfo], notes: list[Problem]) -> PlanRecord:
    """The record of a paged source: every span with the page it starts on, the pages, and what
    the reader could not read first among the warnings."""
    starts = [p.start for p in pages]

    def walk(value):  # type: ignore[no-untyped-def]
        if isinstance(value, Span):
            return value.model_copy(update={"page": max(1, bisect.bisect_right(starts, value.start))}) if starts else value
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, BaseModel):
            updates = {k: walk(v) for k, v in value.__dict__.items() if isinstance(v, (Span, list, BaseModel))}
            return value.model_copy(update=updates) if updates else value
        return value

    record = walk(record)
    return record.model_copy(update={"pages": pages, "warnings": notes + record.warnings})


def extract_document(path: str | Path) -> PlanRecord:
    """Read and extract one plan document. Raises InputError naming the file on bad input."""
    doc = read_document(path)
    try:
        record = extract_text(doc.text, source=str(path), sha256=doc.sha256)
    except InputError:
        raise
    except RecursionError as e:  # pathological nesting
        raise InputError(str(path), "document structure too deeply nested to extract") from e
    if not doc.pages and not doc.notes:
        return record
    notes = [Problem(code=code, message=message) for code, message in doc.notes]
    return paged(record, doc.pages, notes)
