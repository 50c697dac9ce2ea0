"""Render an HTML page to plain text with the stdlib `html.parser` (conventions: `ingest.read`).

Public verb: `render_html(markup)`; `decode_html(raw)` finds its encoding.
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from plankb.ingest.read.common import (
    BULLETS,
    Refused,
    format_number,
    join_items,
    join_lines,
)
from plankb.ingest.read.decode import NOT_TEXT, decode_cp1258, decode_unicode

_META_CHARSET_RE = re.compile(rb"""<meta[^>]{0,512}?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]{1,40})""", re.I)
# WHATWG: these labels mean windows-1252 in practice.
_CHARSET_ALIASES = {"iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
                    "ascii": "cp1252", "us-ascii": "cp1252", "windows-1252": "cp1252"}


def decode_html(raw: bytes) -> tuple[str, str]:
    """HTML bytes -> (markup, encoding): BOM, else UTF-8, else <meta charset>, else Windows-1258."""
    unicode = decode_unicode(raw)
    if unicode is not None:
        return unicode
    m = _META_CHARSET_RE.search(raw[:4096])
    if m:
        label = m.group(1).decode("ascii").lower()
        label = _CHARSET_ALIASES.get(label, label)
        try:
            name = codecs.lookup(label).name
            return raw.decode(name), name
        except (LookupError, UnicodeDecodeError):
            pass
    legacy = decode_cp1258(raw)
    if legacy is not None:
        return legacy, "cp1258"
    raise Refused(f"{NOT_TEXT} (HTML without a usable charset)")


_HTML_BLOCKS = frozenset(
    "address article aside blockquote body caption center dd details dialog div dl dt fieldset "
    "figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html legend li main menu nav "
    "ol p pre section summary ul".split()
)
_HTML_SKIP = frozenset("script style template noscript title".split())
_HTML_SPACE_RE = re.compile(r"[ \t\n\r\f]+")
_LIST_NONE_RE = re.compile(r"list-style(?:-type)?\s*:\s*none", re.I)
_MAX_COLSPAN = 1000  # browsers clamp colspan at 1000 and rowspan at 65534
_MAX_ROWSPAN = 65534


def _int_attr(value: str | None, default: int, low: int, high: int) -> int:
    if value is None:
        return default
    try:
        n = int((value or "").strip())
    except ValueError:
        return default
    return min(max(n, low), high)


@dataclass
class _HtmlList:
    ordered: bool
    plain: bool  # list-style-type: none
    kind: str = "1"  # <ol type>
    next: int = 1


class _HtmlTable:
    def __init__(self) -> None:
        self.row: list[str] | None = None
        self.cell: list[str] | None = None  # items of the open cell
        self.cell_span = 1
        self.col = 0
        self.pending: dict[int, int] = {}  # column -> rows still covered by a rowspan


class _HtmlRenderer(HTMLParser):
    """Plain text from HTML per the module's rendering conventions."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.buf: list[tuple[str, bool]] = []  # (text, inside <pre>)
        self.skip: list[str] = []
        self.pre = 0
        self.lists: list[_HtmlList] = []
        self.marker: str | None = None  # label of the open <li>, applied to its first text
        self.table: _HtmlTable | None = None  # the outermost table
        self.nested = 0  # tables open inside the outermost one

    # ---- text accumulation
    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        self.buf.append((data.replace("\u00a0", " "), self.pre > 0))

    def _take(self) -> str:
        parts = [t if pre else _HTML_SPACE_RE.sub(" ", t) for t, pre in self.buf]
        self.buf = []
        return "".join(parts)

    def _flush(self) -> None:
        """End the current block: its text becomes a line, or an item of the open table cell."""
        if not self.buf:
            return
        text = self._take()
        if self.table is not None and self.table.cell is not None:
            item = re.sub(r"\s+", " ", text).strip()
            if item:
                self.table.cell.append(self._apply_marker(item))
            return
        has_pre = "\n" in text
        for line in text.split("\n"):
            line = line.rstrip() if has_pre else line.strip()
            if line:
                self.lines.append(self._apply_marker(line))
            elif has_pre:
                self.lines.append("")

    def _apply_marker(self, text: str) -> str:
        marker, self.marker = self.marker, None
        if not marker or (marker == "-" and text.startswith(BULLETS)):
            return text
        return f"{marker} {text}"

    def _line_break(self) -> None:
        if self.table is not None and self.table.cell is not None:
            self.buf.append((" ", False))  # a soft break inside a cell item
        elif any(t.strip() for t, _ in self.buf):
            self._flush()
        else:
            self.buf = []
            self.lines.append("")

    # ---- tags
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HTML_SKIP:
            self.skip.append(tag)
            return
        if self.skip:
            return
        a = dict(attrs)
        if tag == "br":
            self._line_break()
        elif tag == "table":
            self._flush()
            if self.table is None:
                self.table = _HtmlTable()
                self._blank_line()
            else:
                self.nested += 1
        elif self.table is not None and self.nested == 0 and tag in ("tr", "td", "th", "thead", "tbody", "tfoot"):
            self._table_start(tag, a)
        elif tag in ("tr", "td", "th"):  # inside a nested table, or outside any table
            self._flush()
        elif tag in ("ul", "ol"):
            self._flush()
            plain = bool(_LIST_NONE_RE.search(a.get("style") or ""))
            kind = (a.get("type") or "1").strip() or "1"
            start = _int_attr(a.get("start"), 1, -10**6, 10**6)
            self.lists.append(_HtmlList(ordered=tag == "ol", plain=plain, kind=kind, next=start))
        elif tag == "li":
            self._flush()
            self.marker = self._li_marker(a)
        elif tag == "pre":
            self._flush()
            self.pre += 1
        elif tag in _HTML_BLOCKS:
            self._flush()

    def parse_marked_section(self, i: int, report: int = 1) -> int:
        # html.parser raises AssertionError on unknown "<![keyword ...]>" sections: skip them.
        try:
            return super().parse_marked_section(i, report)
        except AssertionError:
            j = self.rawdata.find(">", i + 3)
            return -1 if j < 0 else j + 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <br/>, <hr/>, ...: no end-tag handling, a self-closing <p/> is just a boundary.
        self.handle_starttag(tag, attrs)
        if tag in _HTML_SKIP and self.skip and self.skip[-1] == tag:
            self.skip.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in _HTML_SKIP:
            if tag in self.skip:
                while self.skip.pop() != tag:
                    pass
            return
        if self.skip:
            return
        if tag == "table":
            if self.nested:
                self.nested -= 1
                self._flush()
            elif self.table is not None:
                self._end_cell()
                self._end_row()
                self.table = None
                self._blank_line()
        elif self.table is not None and self.nested == 0 and tag in ("tr", "td", "th", "thead", "tbody", "tfoot"):
            self._end_cell()
            if tag != "td" and tag != "th":
                self._end_row()
        elif tag in ("tr", "td", "th"):
            self._flush()
        elif tag in ("ul", "ol"):
            self._flush()
            self.marker = None
            if self.lists:
                self.lists.pop()
        elif tag == "pre":
            self._flush()
            self.pre = max(0, self.pre - 1)
        elif tag in _HTML_BLOCKS:
            self._flush()
            if tag == "li":
                self.marker = None  # an empty item must not label the next block

    # ---- lists
    def _li_marker(self, a: dict[str, str | None]) -> str | None:
        lst = self.lists[-1] if self.lists else _HtmlList(ordered=False, plain=False)
        if lst.plain or _LIST_NONE_RE.search(a.get("style") or ""):
            return None
        if not lst.ordered:
            return "-"
        if a.get("value") is not None:
            lst.next = _int_attr(a.get("value"), lst.next, -10**6, 10**6)
        n, lst.next = lst.next, lst.next + 1
        fmt = {"a": "lowerLetter", "A": "upperLetter", "i": "lowerRoman", "I": "upperRoman"}.get(lst.kind, "decimal")
        return format_number(n, fmt) + "."

    # ---- tables
    def _blank_line(self) -> None:
        if self.lines and self.lines[-1] != "":
            self.lines.append("")

    def _table_start(self, tag: str, a: dict[str, str | None]) -> None:
        t = self.table
        assert t is not None
        if tag in ("td", "th"):
            self._end_cell()
            if t.row is None:
                self._start_row()
            self._fill_rowspans()
            self._flush()  # stray text before the cell stays outside it
            t.cell = []
            t.cell_span = _int_attr(a.get("colspan"), 1, 1, _MAX_COLSPAN)
            rows = _int_attr(a.get("rowspan"), 1, 0, _MAX_ROWSPAN)
            if rows > 1:
                for c in range(t.col, t.col + t.cell_span):
                    t.pending[c] = rows - 1
        else:  # tr, thead, tbody, tfoot
            self._end_cell()
            self._end_row()
            if tag == "tr":
                self._start_row()

    def _start_row(self) -> None:
        t = self.table
        assert t is not None
        self._flush()
        t.row, t.col = [], 0

    def _fill_rowspans(self) -> None:
        t = self.table
        assert t is not None and t.row is not None
        while t.pending.get(t.col, 0) > 0:
            t.pending[t.col] -= 1
            t.row.append("")
            t.col += 1

    def _end_cell(self) -> None:
        t = self.table
        if t is None or t.cell is None:
            return
        self._flush()
        assert t.row is not None
        t.row.append(join_items(t.cell))
        t.row.extend([""] * (t.cell_span - 1))
        t.col += t.cell_span
        t.cell = None
        self.marker = None

    def _end_row(self) -> None:
        t = self.table
        if t is None or t.row is None:
            return
        self._end_cell()
        if t.pending:  # columns at the end of the row still covered by a rowspan
            last = max((c for c, n in t.pending.items() if n > 0), default=-1)
            while t.col <= last:
                if t.pending.get(t.col, 0) > 0:
                    t.pending[t.col] -= 1
                t.row.append("")
                t.col += 1
        if t.row:
            self.lines.append("\t".join(t.row))
        t.row = None

    def render(self) -> str:
        self.close()
        self._flush()
        if self.table is not None:
            self._end_cell()
            self._end_row()
            self.table = None
        return join_lines(self.lines)


def render_html(markup: str) -> str:
    """Plain text of an HTML document (see the module docstring)."""
    parser = _HtmlRenderer()
    try:
        parser.feed(markup)
        return parser.render()
    except (AssertionError, ValueError, RecursionError) as e:  # html.parser is lenient; be safe
        raise Refused(f"cannot parse HTML ({type(e).__name__})") from None
