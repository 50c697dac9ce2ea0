"""Read a PDF with PDFium (pypdfium2): its text layer, or Tesseract OCR for pages that have none.

Public verb: `render_pdf(raw)` -> `PdfText` (the text in the reading contract of `ingest.read`, the
offset where each page starts, and what could not be read as warnings).

Per page: the glyphs of the text layer with their boxes and the ruling lines (thin path objects)
go to `ingest.read.layout`, which rebuilds paragraphs, tables and drops page numbers. A page with
no text layer but something drawn on it is a scan: `ingest.read.ocr` reads it (in parallel, one
Tesseract process per core) and its words go through the same layout. PDFium (Apache-2.0/BSD,
maintained by Google, wheels for every platform) reads the seeds' text PDFs at ~8 ms a page with
exact Vietnamese text; the comparison with pypdf and pdfplumber promised by issue 14 is not done yet.

Refused: encrypted or corrupt files, more than `MAX_PAGES` pages (PLANKB_MAX_PAGES), a document with
no readable page.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from plankb.ingest.read import ocr
from plankb.ingest.read.common import Refused
from plankb.ingest.read.layout import Box, Page, layout_pages

MAX_PAGES = 1000  # pages read from one PDF; PLANKB_MAX_PAGES overrides
THIN = 2.0  # points: a path this thin is a ruling line
LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "st",
             "\ufb06": "st", "\u00ad": ""}


@dataclass
class PdfText:
    text: str
    pages: list[int]  # offset of each page's first character in `text`
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (code, message)
    ocr: dict[int, float] = field(default_factory=dict)  # page index -> mean OCR confidence


def _max_pages() -> int:
    env = os.environ.get("PLANKB_MAX_PAGES", "").strip()
    return int(env) if env.isdigit() and int(env) > 0 else MAX_PAGES


def _open(raw: bytes) -> pdfium.PdfDocument:
    if not raw.lstrip()[:5].startswith(b"%PDF"):
        raise Refused("not a valid PDF (no %PDF header)")
    try:
        return pdfium.PdfDocument(raw)
    except pdfium.PdfiumError as e:
        if pdfium_c.FPDF_GetLastError() == pdfium_c.FPDF_ERR_PASSWORD or "password" in str(e).lower():
            raise Refused("the PDF is password-protected (encrypted); save an unprotected copy") from None
        raise Refused("not a valid PDF (corrupt or truncated)") from None


def _glyphs(page: pdfium.PdfPage) -> list[Box]:
    textpage = page.get_textpage()
    try:
        n = textpage.count_chars()
        if n <= 0:
            return []
        text = textpage.get_text_range(0, n)
        boxes = []
        space = False
        for i, ch in enumerate(text[:n]):
            if ch.isspace() or pdfium_c.FPDFText_IsGenerated(textpage.raw, i) == 1:
                space = True
                continue
            x0, y0, x1, y1 = textpage.get_charbox(i)
            if x1 > x0 or y1 > y0:
                boxes.append(Box(LIGATURES.get(ch, ch), x0, y0, x1, y1, space_before=space))
                space = False
        return boxes
    finally:
        textpage.close()


def _rulings(page: pdfium.PdfPage) -> tuple[list, list, int]:
    """Thin path objects as horizontal and vertical lines; also the number of image objects."""
    hlines, vlines, images = [], [], 0
    for obj in page.get_objects(max_depth=3):
        if obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            images += 1
        elif obj.type == pdfium_c.FPDF_PAGEOBJ_PATH:
            left, bottom, right, top = obj.get_bounds()
            w, h = right - left, top - bottom
            if h <= THIN and w > THIN:
                hlines.append(((top + bottom) / 2, left, right))
            elif w <= THIN and h > THIN:
                vlines.append(((left + right) / 2, bottom, top))
            elif w > THIN and h > THIN:  # a rectangle: its four edges
                hlines += [(top, left, right), (bottom, left, right)]
                vlines += [(left, bottom, top), (right, bottom, top)]
    return hlines, vlines, images


def render_pdf(raw: bytes) -> PdfText:
    """The text of a PDF (see the module docstring); raises `Refused` for what cannot be read."""
    doc = _open(raw)
    try:
        count = len(doc)
        limit = _max_pages()
        if count == 0:
            raise Refused("empty document (the PDF has no pages)")
        if count > limit:
            raise Refused(f"refused: the PDF has {count} pages (limit {limit}; set PLANKB_MAX_PAGES to change it)")
        pages: list[Page | None] = []
        scans: list[int] = []
        warnings: list[tuple[str, str]] = []
        confidence: dict[int, float] = {}
        for k in range(count):
            page = doc[k]
            try:
                width, height = page.get_size()
                boxes = _glyphs(page)
                hlines, vlines, images = _rulings(page)
                if boxes:
                    pages.append(Page(width, height, boxes, hlines, vlines))
                elif images:
                    pages.append(None)
                    scans.append(k)
                else:
                    pages.append(Page(width, height, []))
                    warnings.append(("pdf_empty_page", f"page {k + 1} has no text and no image"))
            finally:
                page.close()
        if scans:
            read = ocr.ocr_pages(doc, scans)
            warnings += read.warnings
            confidence = read.confidence
            for k, page_ in read.pages.items():
                pages[k] = page_
            for k in scans:
                if pages[k] is None:
                    pages[k] = Page(0, 0, [])
    finally:
        doc.close()
    text, starts = layout_pages([p for p in pages if p is not None])
    if not text.strip():
        reason = "; ".join(m for _, m in warnings[:3])
        raise Refused(f"no text in the PDF ({reason})" if reason else "no text in the PDF")
    return PdfText(text, starts, warnings, confidence)
