"""Test documents as PDF: a plan's text typeset the way a word processor exports it, and a scan of it.

`text_pdf(text, path)` typesets plain text in the reading contract of `ingest.read` (one paragraph
per line, table rows as TAB-separated cells) as an A4 PDF: DejaVu Serif 13 pt, justified, the page
number at the top of every page after the first, the header block (TAB lines among the first eight) as
a borderless two-column table, and every other run of TAB lines as a ruled table whose cells wrap
(its header row repeated on each page, as Word does for a marked header row). `<b>`/`<i>` marks
become bold/italic.

`scanned_pdf(pdf, path, dpi=150)` rasterises every page to grey and writes an image-only PDF, as a
scanner does (no text layer). Both need reportlab (a test dependency) and build in well under a
second per page; nothing binary is committed.
"""
from __future__ import annotations

import io
import re
from pathlib import Path
from xml.sax.saxutils import escape

import pypdfium2 as pdfium
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONTS = {"Serif": "DejaVuSerif.ttf", "Serif-Bold": "DejaVuSerif-Bold.ttf", "Serif-Italic": "DejaVuSerif-Italic.ttf",
         "Serif-BoldItalic": "DejaVuSerif-BoldItalic.ttf"}
HEADER_LINES = 8  # TAB lines among the first lines are the two-column header block
TITLE_RE = re.compile(r"^(?:KẾ HOẠCH|QUYẾT ĐỊNH|CHƯƠNG TRÌNH|CÔNG VĂN|THÔNG BÁO|CHỈ THỊ)\b")


def fonts_available() -> bool:
    return all((FONT_DIR / f).is_file() for f in FONTS.values())


def _register() -> None:
    if "Serif" in pdfmetrics.getRegisteredFontNames():
        return
    for name, file in FONTS.items():
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / file)))
    pdfmetrics.registerFontFamily("Serif", normal="Serif", bold="Serif-Bold", italic="Serif-Italic",
                                  boldItalic="Serif-BoldItalic")


def _markup(text: str) -> str:
    """Plain text with <b>/<i> marks -> reportlab paragraph markup."""
    parts = re.split(r"(</?[bi]>)", text)
    return "".join(p if re.fullmatch(r"</?[bi]>", p) else escape(p) for p in parts)


# What a word processor does not print: Markdown marks and conversion debris in the seed texts.
DEBRIS_RE = re.compile(r"\*\*|^#{1,6}\s+|\[bookmark:[^\]]*\]", re.M)


def _blocks(text: str) -> list[tuple[str, list]]:
    """('para', [line]) / ('header', rows) / ('table', rows) in document order."""
    blocks: list[tuple[str, list]] = []
    lines = [line for line in DEBRIS_RE.sub("", text).split("\n") if line.strip()]
    for n, line in enumerate(lines):
        if "\t" in line:
            kind = "header" if n < HEADER_LINES else "table"
            cells = line.split("\t")
            if blocks and blocks[-1][0] == kind:
                blocks[-1][1].append(cells)
            else:
                blocks.append((kind, [cells]))
        else:
            blocks.append(("para", [line]))
    return blocks


def _page_number(c: canvas.Canvas, doc) -> None:  # type: ignore[no-untyped-def]
    if doc.page > 1:
        c.setFont("Serif", 12)
        c.drawCentredString(A4[0] / 2, A4[1] - 1.2 * cm, str(doc.page))


def text_pdf(text: str, path: Path, *, size: float = 13) -> Path:
    """Typeset `text` as a word-processor PDF at `path` (see the module docstring)."""
    _register()
    body = ParagraphStyle("body", fontName="Serif", fontSize=size, leading=size * 1.3, alignment=TA_JUSTIFY,
                          firstLineIndent=1.0 * cm, spaceAfter=4)
    centred = ParagraphStyle("centred", parent=body, alignment=TA_CENTER, firstLineIndent=0)
    cell = ParagraphStyle("cell", fontName="Serif", fontSize=size - 2, leading=(size - 2) * 1.25)
    story: list = []
    for kind, rows in _blocks(text):
        if kind == "para":
            line = rows[0].strip()
            style = centred if line.isupper() or TITLE_RE.match(line) else body
            story.append(Paragraph(_markup(line), style))
        elif kind == "header":
            data = [[Paragraph(_markup(c.strip()), centred) for c in (r + [""])[:2]] for r in rows]
            story += [Table(data, colWidths=[7.5 * cm, 8.5 * cm]), Spacer(1, 6)]
        else:
            width = max(len(r) for r in rows)
            data = [[Paragraph(_markup(c.strip()), cell) for c in r + [""] * (width - len(r))] for r in rows]
            total = 16.5 * cm  # the first column (TT) narrow, the task column wide, the rest shared
            first, second = (1.1 * cm, 4.6 * cm) if width > 3 else (total / width, total / width)
            rest = (total - first - second) / max(width - 2, 1)
            widths = ([first, second] + [rest] * (width - 2))[:width]
            table = Table(data, colWidths=widths, repeatRows=1)
            table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.6, colors.black),
                                       ("VALIGN", (0, 0), (-1, -1), "TOP")]))
            story += [Spacer(1, 6), table, Spacer(1, 6)]
    doc = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=3 * cm, rightMargin=1.5 * cm,
                            topMargin=2 * cm, bottomMargin=2 * cm)
    doc.build(story, onFirstPage=lambda c, d: None, onLaterPages=_page_number)
    return path


def scanned_pdf(pdf: Path, path: Path, dpi: int = 150) -> Path:
    """An image-only copy of `pdf`: each page rendered to grey at `dpi`, no text layer."""
    src = pdfium.PdfDocument(str(pdf))
    c = canvas.Canvas(str(path), pagesize=A4)
    try:
        for page in src:
            image = page.render(scale=dpi / 72, grayscale=True).to_pil()
            buf = io.BytesIO()
            image.save(buf, format="PNG")
            buf.seek(0)
            c.drawImage(ImageReader(buf), 0, 0, width=A4[0], height=A4[1])
            c.showPage()
        c.save()
    finally:
        src.close()
    return path
