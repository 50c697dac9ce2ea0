"""Pydantic records that carry data between the pipeline stages.

read -> clean -> segment -> extract -> resolve produce a `PlanRecord`; `kb.rdf` turns it into RDF.
Every extracted item keeps a `Span` into `SourceDocument.text` (the decoded, NFC-normalised text
of the file), so `doc.text[item.span.start:item.span.end] == item.surface` holds for every item
that has a `surface`.

The JSON of a list of `PlanRecord` is the public output of `plankb extract --format json`.
"""
from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Area = Literal[
    "direction",
    "institution",
    "procedure",
    "organization",
    "civil_service",
    "public_finance",
    "digital_government",
]
AREAS: tuple[str, ...] = Area.__args__  # type: ignore[attr-defined]
Level = Literal["national", "province", "commune"]
Role = Literal["standing", "lead", "support"]


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Span(Record):
    """Character offsets [start, end) into SourceDocument.text; `page` (1-based) for paged sources (PDF)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    page: int | None = Field(None, ge=1, exclude_if=lambda v: v is None,
                             description="The page the span starts on (PDF only; left out otherwise)")


class PageInfo(Record):
    """One page of a paged source: where its text starts, and how it was read."""

    number: int = Field(ge=1)
    start: int = Field(ge=0, description="Offset in the text where the page's text starts")
    ocr_confidence: float | None = Field(None, description="Mean OCR word confidence 0-100 (scanned pages only)")


class SourceDocument(Record):
    """What a reader returns: the document as text, plus facts about the file."""

    path: str = Field(description="The path as given by the user")
    sha256: str = Field(description="sha256 of the file's bytes")
    format: Literal["text", "markdown", "html", "docx", "pdf"]
    encoding: str | None = Field(None, description="Detected text encoding (None for docx and pdf)")
    text: str = Field(description="Decoded, NFC-normalised text; spans index into it")
    size: int = Field(description="File size in bytes")
    pages: list[PageInfo] = Field(default_factory=list, description="Pages of a PDF (empty for other formats)")
    notes: list[tuple[str, str]] = Field(default_factory=list,
                                         description="(code, message) of what the reader could not read")


class Section(Record):
    """A node of the plan's section tree (I., 1., 2.1., a), bullets, Markdown headings)."""

    path: str = Field(description="Dotted path of numbering labels, e.g. 'II.2.a'")
    label: str = Field(description="Numbering label as printed: 'II', '2.1', 'a', '-' ('' for a paragraph)")
    kind: Literal["roman", "number", "letter", "bullet", "paragraph"]
    depth: int
    heading: str = Field(description="The line's text without its label")
    span: Span
    body_end: int = Field(description="Offset where this section's content ends")
    children: list[Section] = Field(default_factory=list)


class Citation(Record):
    """A reference to another legal or administrative document."""

    surface: str = Field(description="Exact source text of the reference")
    doc_type: str | None = Field(None, description="Type code: NQ, QĐ, NĐ, TT, CT, KL, KH, TB, CV, LUAT…")
    doc_type_name: str | None = Field(None, description="Type name in Vietnamese: Nghị quyết, Quyết định…")
    number: str | None = Field(None, description="Number as printed without symbol: '76', '66.7'")
    symbol: str | None = Field(None, description="Normalised symbol: 'NQ-CP', 'QĐ-TTg', 'NQ/TW'")
    year: int | None = Field(None, description="Year of the document (from the number or the date)")
    date: str | None = Field(None, description="Issue date, ISO 8601")
    issuer: str | None = Field(None, description="Issuing body as printed or implied: 'Chính phủ'")
    issuer_level: Level | None = Field(None, description="Level of the issuer")
    jurisdiction: str | None = Field(None, description="Province of a local issuer, e.g. 'Hà Nội'")
    name: str | None = Field(None, description="Name of a law cited by name, or the cited document's title")
    key: str | None = Field(None, description="Identity key (type, number, symbol, year, issuer)")
    span: Span


class Deadline(Record):
    text: str = Field(description="Deadline wording as printed")
    start: date | None = None
    end: date | None = None
    recurrence: str | None = Field(None, description="e.g. 'quarterly', 'monthly', 'annual', 'semiannual'")


class Task(Record):
    id: str = Field(description="Stable id: plan id + '.' + path")
    path: str | None = Field(None, description="Section path, e.g. 'II.2.a.1' or 'PL.I.1'")
    text: str = Field(description="Task text, cleaned of conversion debris")
    area: Area
    origin: Literal["prose", "table"] = "prose"
    parent_id: str | None = Field(None, description="Id of the enclosing task (lettered item above a bullet)")
    lead_units: list[str] = Field(default_factory=list, description="Canonical names of lead units")
    support_units: list[str] = Field(default_factory=list, description="Canonical names of supporting units")
    leader: str | None = Field(None, description="Leader in charge (table column 'Lãnh đạo … chủ trì')")
    products: list[str] = Field(default_factory=list, description="Outputs (table column 'Nội dung/sản phẩm')")
    deadline: Deadline | None = None
    span: Span


class UnitMention(Record):
    surface: str
    span: Span


class Unit(Record):
    id: str = Field(description="Unit id: jurisdiction slug + canonical-name slug")
    name: str = Field(description="Canonical name")
    aliases: list[str] = Field(default_factory=list, description="Every spelling seen for the unit")
    roles: list[Role] = Field(default_factory=list)
    areas: list[Area] = Field(default_factory=list, description="Reform areas the plan assigns to the unit")
    jurisdiction: str | None = Field(None, description="Name of the jurisdiction the unit belongs to")
    jurisdiction_code: str | None = None
    mentions: list[UnitMention] = Field(default_factory=list)


class Period(Record):
    start: int
    end: int


class Indicator(Record):
    id: str
    subject: str | None = Field(None, description="What is measured")
    value: float
    unit: str | None = Field(None, description="'%', 'cuộc', 'cấp độ', 'lần'…")
    comparator: str | None = Field(None, description="'>=', '>', '=', '<=', 'top', 'reduce_by'")
    period: Period | None = None
    area: Area | None = None
    surface: str = Field(description="Exact source text of the target: '95%', 'tối thiểu 90%'")
    sentence: str = Field(description="The sentence the target is in")
    span: Span


class Jurisdiction(Record):
    name: str = Field(description="Official name, e.g. 'Phường Ái Quốc' or 'Thành phố Hải Phòng'")
    province: str | None = Field(None, description="Province name for a commune, e.g. 'Thành phố Hải Phòng'")
    code: str | None = Field(None, description="Official code (ward code for communes, province code otherwise)")
    province_code: str | None = None
    type: str | None = Field(None, description="xã, phường, đặc khu, tỉnh, thành phố trung ương")


class Problem(Record):
    """A warning raised while extracting (not fatal)."""

    code: str
    message: str
    span: Span | None = None


class PlanRecord(Record):
    """Everything extracted from one document (the `plankb extract` JSON object)."""

    source: str = Field(description="The path as given")
    sha256: str
    id: str = Field(description="Plan id (readable, deterministic)")
    title: str | None
    doc_type: str | None = Field(description="KH for a plan")
    number: str | None = Field(description="Number with symbol if printed, e.g. '69/KH-UBND'; null in drafts")
    is_draft: bool
    issuer: str | None
    level: Level
    jurisdiction: Jurisdiction | None
    period: Period | None
    date: str | None = None
    adopted_by: Citation | None = Field(None, description="The decision the plan is attached to ('Kèm theo Quyết định…')")
    legal_bases: list[Citation] = Field(default_factory=list)
    parent_plans: list[Citation] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    sections: list[Section] = Field(default_factory=list)
    tasks: list[Task] = Field(default_factory=list)
    units: list[Unit] = Field(default_factory=list)
    indicators: list[Indicator] = Field(default_factory=list)
    warnings: list[Problem] = Field(default_factory=list)
    pages: list[PageInfo] = Field(default_factory=list, exclude_if=lambda v: not v,
                                  description="Pages of a PDF source (left out for other formats)")
    extractor_version: str = ""


Section.model_rebuild()
