"""Read a plan file into a `SourceDocument`: bytes -> one decoded, NFC-normalised plain text.

Public verb: `read_document(path)`. Anything that cannot be read raises `kb.errors.InputError`
with a specific reason; no other exception escapes for bad input, memory use is bounded by the
size limits below, and nothing blocks (pipes and devices are refused before they are opened).

Supported formats (by file extension, case-insensitive)
-------------------------------------------------------
* ``.txt .text`` (format "text") and ``.md .markdown`` (format "markdown"): the bytes are
  decoded as UTF-8 (with or without BOM), UTF-16/UTF-32 with a BOM, or Windows-1258 when strict
  UTF-8 fails and the result looks like Vietnamese text. The text is otherwise kept exactly as
  written: Markdown marks, HTML debris and tabs are left for `ingest.extract.clean` and the segmenter.
* ``.html .htm`` (format "html"): decoded (BOM, else UTF-8, else the ``<meta charset>``, else
  Windows-1258) and rendered to plain text with the stdlib `html.parser`.
* ``.docx`` (format "docx"): rendered with python-docx after a zip-bomb check.
* ``.pdf`` (format "pdf"): the text layer read with PDFium, scanned pages OCR'd with Tesseract
  (`ingest.read.pdf`); wrapped lines rejoined into paragraphs, ruled tables into rows, page
  numbers and running headers dropped; `pages` says where each page starts, `notes` what could
  not be read (pages without text, low OCR confidence).
* ``.doc``, ``.odt`` and everything else are refused.

Rendering conventions (a contract with the segmenter; HTML and .docx follow the same rules)
-------------------------------------------------------------------------------------------
1. One line per block: a paragraph, heading (h1-h6), list item or ``<div>`` becomes its own line;
   ``<br>`` outside a table cell ends the line. HTML whitespace is collapsed, ``&nbsp;`` becomes
   a space, entities are decoded, ``<script>``, ``<style>``, ``<template>``, ``<noscript>`` and
   ``<title>`` are dropped. At most one blank line in a row; the text ends with one newline.
2. List labels are part of the line text, followed by one space. For .docx the label Word would
   display is rebuilt from numbering.xml ("1.", "a)", "II.", "1.2.", "-", "•"), with Word's
   counter rules (counters belong to the abstract numbering definition, deeper levels restart
   when a shallower level advances, ``startOverride`` restarts a list). For HTML, ``<ul><li>``
   gets "- " (unless the item already starts with a bullet or the list has
   ``list-style-type: none``) and ``<ol><li>`` gets "1.", "a.", "i." ... per its ``type``.
3. Tables: a blank line before and after the table, then one line per row, cells separated by a
   single TAB (trailing empty cells kept, so every row of a regular table has the same number of
   TABs). A cell never contains a TAB or newline: a cell with several paragraphs or list items is
   rendered on one line, each item prefixed with "- " unless it already starts with a bullet
   (``- + • · – — * ▪ ◦``), items joined by one space; a line break inside one paragraph is a space.
4. Merged cells keep column positions stable: a horizontally merged cell (``gridSpan``/
   ``colspan``) is rendered once followed by one empty cell per extra spanned column; a
   vertically merged continuation cell (``vMerge`` continue / covered by ``rowspan``) is an empty
   cell. A table nested inside a cell contributes its cell texts as items of the outer cell.
5. .docx body paragraphs keep their own tabs and soft line breaks (``w:br`` -> newline) like the
   plain-text seeds do; deleted revisions, field codes, hidden runs and VML fallbacks are
   skipped, text boxes are rendered as paragraphs after their anchor paragraph; headers,
   footers, footnotes and comments are not part of the text.

For every format the final text has ``\\r\\n``, ``\\r``, U+2028, U+2029 and U+0085 turned into
``\\n`` and is normalised to Unicode NFC, so `Span` offsets index the same string everywhere.
"""
from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from plankb.ingest.read.common import MIB, Refused
from plankb.ingest.read.decode import (
    decode_text,
    is_blank,
    normalise,
    refuse_binary,
    refuse_empty_bytes,
)
from plankb.ingest.read.docx import render_docx
from plankb.ingest.read.html import decode_html, render_html
from plankb.ingest.read.pdf import render_pdf
from plankb.kb.errors import InputError
from plankb.kb.models import PageInfo, SourceDocument

# Largest input file accepted (any format); the environment variable PLANKB_MAX_BYTES overrides it.
MAX_BYTES = 64 * MIB

TEXT_FORMATS = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown"}
HTML_SUFFIXES = (".html", ".htm")
SUPPORTED = ".txt, .md, .html, .docx, .pdf"


def read_document(path: str | os.PathLike[str]) -> SourceDocument:
    """Read a .txt/.md/.html/.docx file into a `SourceDocument` (text decoded, rendered, NFC).

    Raises `InputError(path, reason)` for a missing, unreadable, unsupported, empty, binary,
    corrupt or oversized file.
    """
    given = os.fsdecode(path) if isinstance(path, (bytes, os.PathLike)) else str(path)
    try:
        return _read(given)
    except Refused as e:
        raise InputError(given, e.reason) from None


# --------------------------------------------------------------------------- file access
def _read(given: str) -> SourceDocument:
    st = _stat(given)
    suffix = Path(given).suffix.lower()
    if suffix == ".doc":
        raise Refused("legacy .doc is not supported; save as .docx")
    if suffix not in TEXT_FORMATS and suffix not in HTML_SUFFIXES and suffix not in (".docx", ".pdf"):
        shown = f"'{suffix}'" if suffix else "(no file extension)"
        raise Refused(f"unsupported format {shown} (supported: {SUPPORTED})")
    limit = _max_bytes()
    if st.st_size > limit:
        raise Refused(_too_large(st.st_size, limit))
    raw = _read_bytes(given, limit)

    encoding: str | None
    pages: list[PageInfo] = []
    notes: list[tuple[str, str]] = []
    if suffix == ".pdf":
        fmt, encoding = "pdf", None
        refuse_empty_bytes(raw)
        pdf = render_pdf(raw)
        text, notes = pdf.text, pdf.warnings
        pages = [PageInfo(number=k + 1, start=start, ocr_confidence=pdf.ocr.get(k))
                 for k, start in enumerate(pdf.pages)]
    elif suffix == ".docx":
        fmt = "docx"
        text, encoding = render_docx(raw), None
    elif suffix in HTML_SUFFIXES:
        fmt = "html"
        refuse_empty_bytes(raw)
        html, encoding = decode_html(raw)
        refuse_binary(html)
        text = render_html(html)
    else:
        fmt = TEXT_FORMATS[suffix]
        refuse_empty_bytes(raw)
        text, encoding = decode_text(raw)
        refuse_binary(text)
    text = normalise(text)
    if is_blank(text):
        detail = "only whitespace" if fmt in ("text", "markdown") else f"no text in the {fmt.upper()} body"
        raise Refused(f"empty document ({detail})")
    return SourceDocument(
        path=given,
        sha256=hashlib.sha256(raw).hexdigest(),
        format=fmt,
        encoding=encoding,
        text=text,
        size=len(raw),
        pages=pages,
        notes=notes,
    )


def _stat(given: str) -> os.stat_result:
    try:
        st = os.stat(given)
    except (FileNotFoundError, NotADirectoryError):
        raise Refused("file not found") from None
    except PermissionError:
        raise Refused("permission denied") from None
    except ValueError:  # embedded NUL in the path
        raise Refused("invalid path") from None
    except OSError as e:
        raise Refused(f"cannot access file ({e.strerror or e})") from None
    if stat.S_ISDIR(st.st_mode):
        raise Refused("is a directory, not a file")
    if not stat.S_ISREG(st.st_mode):
        # Never open a FIFO or device: reading it could block or never end.
        raise Refused("not a regular file (device, pipe or socket)")
    return st


def _max_bytes() -> int:
    """The size limit: env PLANKB_MAX_BYTES if it is a positive integer, else MAX_BYTES."""
    env = os.environ.get("PLANKB_MAX_BYTES", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    return MAX_BYTES


def _human(n: int) -> str:
    if n >= MIB:
        return f"{n / MIB:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n} bytes"


def _too_large(size: int, limit: int) -> str:
    return f"file too large ({_human(size)} > {_human(limit)} limit; set PLANKB_MAX_BYTES to change it)"


def _read_bytes(given: str, limit: int) -> bytes:
    try:
        with open(given, "rb") as f:
            raw = f.read(limit + 1)  # the file may have grown since stat()
    except PermissionError:
        raise Refused("permission denied") from None
    except IsADirectoryError:
        raise Refused("is a directory, not a file") from None
    except OSError as e:
        raise Refused(f"cannot read file ({e.strerror or e})") from None
    if len(raw) > limit:
        raise Refused(_too_large(len(raw), limit))
    return raw
