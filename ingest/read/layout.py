"""Page layout: positioned glyphs (a PDF's text layer, or OCR'd words) -> the reading contract's text.

Public verb: `layout_pages(pages)` -> (text, page_starts). Each `Page` holds `Box`es (a glyph or a
word with its box, in PDF points, y upwards) and the ruling lines drawn on it. Per page:

1. **Tables** are rebuilt from the rulings: the horizontal and vertical lines that touch form a
   grid; every box inside it goes to its cell; a cell's wrapped lines are joined with a space; a
   row is one line of TAB-separated cells, a merged cell followed by empty cells for the columns
   it spans (as for .docx). A table whose first row on a new page has an empty first cell
   continues the row split by the page break: its cells are appended to the previous row's; a
   repeated header row at the top of a continuation page is dropped.
2. **Running headers and footers** go: a line in the top or bottom margin that is a page number
   ('12', '- 12 -', 'Trang 12', '12/30'), or the same text in the same margin on most pages.
3. **Lines** are boxes that share a baseline band, left to right; a gap of a third of the text
   height is a space, a gap of three heights (a two-column header block) is a TAB.
4. **Paragraphs**: a line wrapped inside a paragraph is joined to the next with a space, also
   across a page break. A paragraph ends where the next line starts with a heading or list label
   ("II.", "2.1.", "a)", "-", "+", "•"), is indented (first-line indent), follows a larger vertical
   gap, or where the line is short (ends well before the right margin) or centred.
"""
from __future__ import annotations

import re
import statistics
import unicodedata
from dataclasses import dataclass, field

# A line that starts a new item: "I.", "IV.", "1.", "2.1.", "1)", "a)", "đ)", "-", "+", "•", "*",
# "Điều 3.", "Chương II", "Phụ lục".
LABEL_START_RE = re.compile(
    r"^(?:[IVXLC]{1,6}\.|\d{1,3}(?:\.\d{1,3}){0,3}[.)]|[a-zđ][)\.]\s|[-+•–—*▪◦·]\s|"
    r"(?:Điều|Chương|Mục|Phần|Phụ lục)\s+[\dIVXLC]+|PHỤ LỤC)")
# Page numbers in the margins: "12", "- 12 -", "Trang 12", "12/30", "Trang 3/12".
PAGE_NUMBER_RE = re.compile(r"^[-–\s]*(?:[Tt]rang )?\d{1,4}(?:/\d{1,4})?[-–\s]*$")  # linear: no adjacent \s*
MARGIN_SHARE = 0.08  # top and bottom bands of the page where running headers and footers sit
SPACE_GAP = 0.45  # gap between boxes, in text heights, that is a space (besides the text layer's own) ...
TAB_GAP = 3.0  # ... and a column gap (TAB)
SHORT_LINE = 0.12  # a line ending this share of the text width before the right margin ends a paragraph
INDENT = 0.035  # a line starting this share of the text width right of the left margin is indented
PARA_GAP = 1.4  # a baseline distance this many times the usual one separates paragraphs
SNAP = 2.0  # points: ruling coordinates closer than this are the same grid line
# A token broken at the end of a line (a narrow table cell breaks inside a word): joined again
# without a space. "tháng 1" + "2/2026" (a date), "152/2017/NĐ-" + "CP", "số 15/" + "2023/TT-BNV".
BROKEN_TOKEN_RES = (
    (re.compile(r"(?<![\d/])\d{1,2}$"), re.compile(r"^\d{1,2}/\d")),
    (re.compile(r"\w[/-]$"), re.compile(r"^\w")),
    (re.compile(r"\w$"), re.compile(r"^[/-]\w")),
)


@dataclass(frozen=True)
class Box:
    """A glyph or a word and its box (PDF points, origin bottom left); `conf` is OCR confidence 0-100."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    conf: float | None = None
    space_before: bool = False  # the text layer has a space between this glyph and the one before


@dataclass
class Page:
    width: float
    height: float
    boxes: list[Box]
    hlines: list[tuple[float, float, float]] = field(default_factory=list)  # (y, x0, x1)
    vlines: list[tuple[float, float, float]] = field(default_factory=list)  # (x, y0, y1)


@dataclass
class Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def height(self) -> float:
        return self.top - self.bottom


@dataclass
class Table:
    rows: list[list[str]]
    top: float
    bottom: float


def join_wrapped(a: str, b: str) -> str:
    """Two lines of one paragraph or cell: a space between them unless a token was broken."""
    if any(end.search(a) and start.search(b) for end, start in BROKEN_TOKEN_RES):
        return a + b
    return f"{a} {b}" if a and b else a or b


# --------------------------------------------------------------------------- lines
def _lines(boxes: list[Box]) -> list[Line]:
    """Boxes -> lines, top to bottom, each left to right with spaces and TABs from the gaps."""
    order = sorted(boxes, key=lambda b: (-(b.y0 + b.y1) / 2, b.x0))
    bands: list[list[Box]] = []
    lo = hi = 0.0  # the vertical extent of the current band
    for b in order:
        overlap = min(hi, b.y1) - max(lo, b.y0)
        if bands and overlap >= 0.5 * min(hi - lo, b.y1 - b.y0):
            bands[-1].append(b)
            lo, hi = min(lo, b.y0), max(hi, b.y1)
            continue
        bands.append([b])
        lo, hi = b.y0, b.y1
    out = []
    for band in bands:
        band.sort(key=lambda b: b.x0)
        height = statistics.median(b.y1 - b.y0 for b in band) or 1.0
        parts: list[str] = []
        prev: Box | None = None
        for b in band:
            if prev is not None:
                gap = b.x0 - prev.x1
                if gap > TAB_GAP * height:
                    parts.append("\t")
                elif (b.space_before or gap > SPACE_GAP * height) and not parts[-1].endswith(" "):
                    parts.append(" ")
            parts.append(b.text)
            prev = b
        text = unicodedata.normalize("NFC", "".join(parts).strip(" "))  # offsets stay valid after the reader's NFC
        if text:
            out.append(Line(text, band[0].x0, max(b.x1 for b in band), max(b.y1 for b in band),
                            min(b.y0 for b in band)))
    return out


# --------------------------------------------------------------------------- tables
def _snap(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > SNAP:
            out.append(v)
    return out


def _grids(page: Page) -> list[tuple[list[float], list[float], list[tuple[float, float, float]]]]:
    """(column xs, row ys top-down, vertical segments) of each ruled grid on the page."""
    hs = [h for h in page.hlines if h[2] - h[1] > 5]
    vs = [v for v in page.vlines if v[2] - v[1] > 5]
    if len(hs) < 2 or len(vs) < 2:
        return []
    # group horizontals into grids: a vertical touching two horizontals links them
    parent = list(range(len(hs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    touching: dict[int, list[int]] = {}
    for vi, (x, y0, y1) in enumerate(vs):
        hit = [i for i, (y, a, b) in enumerate(hs) if a - SNAP <= x <= b + SNAP and y0 - SNAP <= y <= y1 + SNAP]
        for i in hit[1:]:
            parent[find(i)] = find(hit[0])
        if hit:
            touching[vi] = hit
    groups: dict[int, list[int]] = {}
    for i in range(len(hs)):
        groups.setdefault(find(i), []).append(i)
    grids = []
    for members in groups.values():
        if len(members) < 2:
            continue
        root = find(members[0])
        gv = [vs[vi] for vi, hit in touching.items() if find(hit[0]) == root]
        if len(gv) < 2:
            continue
        ys = _snap([hs[i][0] for i in members])[::-1]
        xs = _snap([v[0] for v in gv])
        if len(ys) >= 2 and len(xs) >= 2:
            grids.append((xs, ys, gv))
    return grids


def _cell_rows(xs: list[float], ys: list[float], vsegs, boxes: list[Box]) -> list[list[str]]:
    """The grid's rows: boxes to cells, merged cells as a cell and empty cells after it."""
    cells: dict[tuple[int, int], list[Box]] = {}
    for b in boxes:
        cx, cy = (b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2
        r = next((i for i in range(len(ys) - 1) if ys[i + 1] <= cy <= ys[i]), None)
        c = next((j for j in range(len(xs) - 1) if xs[j] <= cx <= xs[j + 1]), None)
        if r is not None and c is not None:
            cells.setdefault((r, c), []).append(b)
    rows = []
    for r in range(len(ys) - 1):
        mid = (ys[r] + ys[r + 1]) / 2
        bounds = [0] + [j for j in range(1, len(xs) - 1)
                        if any(abs(x - xs[j]) <= SNAP and y0 - SNAP <= mid <= y1 + SNAP for x, y0, y1 in vsegs)]
        bounds.append(len(xs) - 1)
        row: list[str] = []
        for a, b in zip(bounds, bounds[1:]):
            content = [bx for c in range(a, b) for bx in cells.get((r, c), [])]
            text = ""
            for line in _lines(content):
                text = join_wrapped(text, line.text.replace("\t", " "))
            row.append(text)
            row.extend([""] * (b - a - 1))
        rows.append(row)
    return rows


# --------------------------------------------------------------------------- one page
@dataclass
class PageLayout:
    blocks: list[Line | Table]
    left: float
    right: float


def _is_margin_text(line: Line, page: Page) -> bool:
    band = page.height * MARGIN_SHARE
    return line.bottom >= page.height - band or line.top <= band


def layout_page(page: Page) -> PageLayout:
    """One page -> its blocks (lines and tables) top to bottom, page numbers dropped."""
    tables: list[Table] = []
    rest = list(page.boxes)
    for xs, ys, vsegs in _grids(page):
        inside = [b for b in rest if xs[0] <= (b.x0 + b.x1) / 2 <= xs[-1] and ys[-1] <= (b.y0 + b.y1) / 2 <= ys[0]]
        if not inside:
            continue
        keep = set(map(id, inside))
        rest = [b for b in rest if id(b) not in keep]
        tables.append(Table(_cell_rows(xs, ys, vsegs, inside), ys[0], ys[-1]))
    lines = [ln for ln in _lines(rest) if not (_is_margin_text(ln, page) and PAGE_NUMBER_RE.match(ln.text))]
    body = [ln for ln in lines if "\t" not in ln.text] or lines
    left = _quantile([ln.x0 for ln in body], 0.1) if body else 0.0
    right = _quantile([ln.x1 for ln in body], 0.9) if body else page.width
    blocks: list[Line | Table] = sorted([*lines, *tables], key=lambda b: -b.top)
    return PageLayout(blocks, left, right)


def _quantile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


# --------------------------------------------------------------------------- the document
def _drop_running(layouts: list[PageLayout], pages: list[Page]) -> None:
    """Remove text repeated in the same margin on most pages (running headers and footers)."""
    if len(layouts) < 3:
        return
    seen: dict[str, int] = {}
    for lay, page in zip(layouts, pages):
        for key in {re.sub(r"\d+", "#", b.text) for b in lay.blocks if isinstance(b, Line) and _is_margin_text(b, page)}:
            seen[key] = seen.get(key, 0) + 1
    running = {k for k, n in seen.items() if n >= max(3, len(layouts) // 2)}
    for lay, page in zip(layouts, pages):
        lay.blocks = [b for b in lay.blocks if not (isinstance(b, Line) and _is_margin_text(b, page)
                                                    and re.sub(r"\d+", "#", b.text) in running)]


def _ends_paragraph(prev: Line, nxt: Line, lay: PageLayout, nxt_lay: PageLayout, step: float | None) -> bool:
    width = max(lay.right - lay.left, 1.0)
    if "\t" in prev.text or "\t" in nxt.text or LABEL_START_RE.match(nxt.text):
        return True
    if prev.x1 < lay.right - SHORT_LINE * width:
        return True  # a short line: the paragraph's last, a heading, or a centred line
    if prev.x0 > lay.left + 0.1 * width:
        return True  # centred or right-aligned
    if abs((nxt.x0 - nxt_lay.left) - (nxt_lay.right - nxt.x1)) < 0.05 * width and nxt.x0 > nxt_lay.left:
        return False  # the rest of a centred heading whose first line filled the width
    if nxt.x0 > nxt_lay.left + INDENT * width:
        return True  # first-line indent of the next paragraph
    return step is not None and lay is nxt_lay and (prev.bottom - nxt.bottom) > PARA_GAP * step


def layout_pages(pages: list[Page]) -> tuple[str, list[int]]:
    """Pages -> (text in the reading contract, offset where each page's text starts)."""
    layouts = [layout_page(p) for p in pages]
    _drop_running(layouts, pages)
    steps = [a.bottom - b.bottom for lay in layouts for a, b in zip(lay.blocks, lay.blocks[1:])
             if isinstance(a, Line) and isinstance(b, Line) and 0 < a.bottom - b.bottom < 3 * a.height]
    step = statistics.median(steps) if steps else None
    out: list[str] = []  # finished lines of the text
    starts: list[int] = []
    length = 0  # characters in out, joined by "\n"
    prev: tuple[Line, PageLayout] | None = None
    last_table: Table | None = None
    for lay in layouts:
        starts.append(length)
        for block in lay.blocks:
            if isinstance(block, Table):
                rows = block.rows
                if last_table is not None and prev is None and rows:
                    if rows[0] == last_table.rows[0]:
                        rows = rows[1:]  # the header row repeated on the continuation page
                    if rows and not rows[0][0].strip() and out and "\t" in out[-1]:
                        merged = _merge_rows(out[-1].split("\t"), rows[0])
                        length += len(merged) - len(out[-1])
                        out[-1] = merged
                        rows = rows[1:]
                text_rows = ["\t".join(r) for r in rows]
                if text_rows:
                    if out and out[-1] != "" and last_table is None:
                        out.append("")
                        length += 1
                    for r in text_rows:
                        out.append(r)
                        length += len(r) + 1
                last_table = block  # its rows as drawn, for the continuation page
                prev = None
                continue
            if last_table is not None:
                out.append("")
                length += 1
                last_table = None
            if prev is not None and not _ends_paragraph(prev[0], block, prev[1], lay, step):
                joined = join_wrapped(out[-1], block.text)
                length += len(joined) - len(out[-1])
                out[-1] = joined
            else:
                out.append(block.text)
                length += len(block.text) + 1
            prev = (block, lay)
    text = "\n".join(out).strip("\n")
    return (text + "\n" if text else ""), starts


def _merge_rows(a: list[str], b: list[str]) -> str:
    """A table row split by a page break: each cell continued by the next page's cell."""
    n = max(len(a), len(b))
    a, b = a + [""] * (n - len(a)), b + [""] * (n - len(b))
    return "\t".join((x + " " + y).strip() for x, y in zip(a, b))
