"""A synthetic national corpus of CCHC plans with a ground-truth JSON per document (issue 7).

    plankb synth --out DIR [--provinces 34] [--communes N] [--seed S]

writes, for the national level, every province and every commune of the two-level system (real
names and codes from `vietnam-provinces`):

    DIR/docs/00-national/…            the national focus plan (adopted by QĐ 282/QĐ-TTg)
    DIR/docs/{pp}-{province}/…        per province: its yearly 2026 plan and five-year plan, and
                                      one yearly 2026 plan per commune (optionally five-year ones)
    DIR/truth/…/{file}.json           the ground truth of each document (same relative path)
    DIR/manifest.json                 every document: path, truth, level, format, style, parents

The documents imitate the five seed plans: four layouts (seed 000/001 "A": objectives, lettered
task lists and "giải pháp"; seed 002 "B": "2.x" sections and a duplicated "2." numbering; seed
003 "C": Markdown headings, per-area targets / tasks / agencies and a 7-column appendix table with
`<b>`/`<ul><li>` cells and rows split across pages; seed 004 "D": a short plan whose tasks are in
an appendix that is, or is not, attached), `.docx` for a share of them (real Word tables, some
bullets as Word list paragraphs), draft plans with blank numbers and dates, citation typos
(`282/QĐTTg`), two date styles and wrong dates, both tone-mark styles (`hoá`/`hóa`), decomposed
Unicode, `[bookmark: …]` debris, page-break blank lines inside sentences and unit-name variants.

Legal bases and parent plans are wired as in reality: commune → province (the province's yearly
plan, and its five-year plan when it was issued first) → national (QĐ 282/QĐ-TTg) → NQ 76/NQ-CP;
a five-year province plan may be printed as an unnumbered draft while its communes cite it by the
number of the decision that adopted it (seed 000 cites seed 001 that way).

Everything is deterministic: each document has its own random generator seeded with
(`seed`, document key), so a one-province corpus contains exactly the documents the national one
has for that province. The text templates live in `bench/synth/data/` (see its README).

Modules: `templates` (data files), `places` (provinces, communes), `specs` (the corpus plan),
`blocks` / `composer` / `sections` / `layouts` (composing one document), `mess`, `render`, and
`writer` (documents, truth files, manifest). Main entry point: `write_corpus`.
"""
from __future__ import annotations

from plankb.bench.synth.blocks import Block, Para, Table, Truth
from plankb.bench.synth.common import AREA_ORDER, FIVE, TRUTH_SCHEMA, YEAR
from plankb.bench.synth.composer import Composer, indicator_truth
from plankb.bench.synth.layouts import compose
from plankb.bench.synth.mess import Mess, old_tones
from plankb.bench.synth.places import Place, divisions
from plankb.bench.synth.render import render_docx, render_text
from plankb.bench.synth.sections import LETTERS, ROMAN
from plankb.bench.synth.specs import CitedDoc, Spec, national_doc, plan_corpus
from plankb.bench.synth.templates import DATA_DIR, Line, data
from plankb.bench.synth.writer import EXT, doc_path, write_corpus, write_document

__all__ = [
    "AREA_ORDER", "Block", "CitedDoc", "Composer", "DATA_DIR", "EXT", "FIVE", "LETTERS", "Line", "Mess", "Para",
    "Place", "ROMAN", "Spec", "TRUTH_SCHEMA", "Table", "Truth", "YEAR", "compose", "data", "divisions", "doc_path",
    "indicator_truth", "national_doc", "old_tones", "plan_corpus", "render_docx", "render_text", "write_corpus",
    "write_document",
]
