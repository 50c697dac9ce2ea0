"""What composing a document produces: its text blocks (paragraphs, tables) and its ground truth.

Main entry point: `Truth`, the record of tasks, indicators, citations, units and mess of one document.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Para:
    text: str
    bold: bool = False
    md: str = ""  # Markdown heading marks ('##') for markdown-style documents
    bullet: bool = False  # a bullet item (docx may render it as a Word list paragraph)
    center: bool = False
    tight: bool = False  # no blank line after it in spacious layouts (header blocks)


@dataclass
class Table:
    rows: list[list[list[str]]]  # row -> cell -> items
    bold_rows: set[int] = field(default_factory=set)
    italic_rows: set[int] = field(default_factory=set)


Block = Para | Table


@dataclass
class Truth:
    tasks: list[dict] = field(default_factory=list)
    indicators: list[dict] = field(default_factory=list)
    citations: dict[str, dict] = field(default_factory=dict)
    units: dict[str, dict] = field(default_factory=dict)
    mess: set[str] = field(default_factory=set)
