"""Read a plan file into a `SourceDocument`: bytes -> one decoded, NFC-normalised plain text.

Public verb: `read_document(path)`. Anything that cannot be read raises `kb.errors.InputError`
with a specific reason; no other exception escapes for bad input, memory use is bounded by the
size limits below, and nothing blocks (pipes and devices are refused before they are opened).

Supported formats (by file extension, case-insensitive)
-------------------------------------------------------
* ``.txt .text`` (format "text") and ``.md .markdown`` (format "markdown"): the bytes are
  decoded as UTF-8 (with or without BOM), UTF-16/UTF-32 with a BOM, or Windows-1258 when strict
  UTF-8 fails and the result looks like Vietnamese text. The text is otherwise kept exactly as
  written: Markdown marks, HTML debris and tabs are left for `ingest.clean` and the segmenter.
* ``.html .htm`` (format "html"): decoded (BOM, else UTF-8, else the ``<meta charset>``, else
  Windows-1258) and rendered to plain text with the stdlib `html.parser`.
* ``.docx`` (format "docx"): rendered with python-docx after a zip-bomb check.
* ``.doc``, ``.pdf``, ``.odt`` and everything else are refused.

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

import codecs
import hashlib
import io
import os
import re
import stat
import unicodedata
import zipfile
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from pathlib import Path

from plankb.kb.errors import InputError
from plankb.kb.models import SourceDocument

MIB = 1024 * 1024

# Largest input file accepted (any format); the environment variable PLANKB_MAX_BYTES overrides it.
MAX_BYTES = 64 * MIB
# .docx zip-bomb guards, checked on the zip directory before anything is decompressed.
DOCX_MAX_EXPANDED = 256 * MIB  # total uncompressed size of all entries
DOCX_MAX_RATIO = 100  # compression ratio above which a large entry is suspicious ...
DOCX_RATIO_MIN_SIZE = 10 * MIB  # ... when it also expands to more than this
DOCX_MAX_ENTRIES = 10_000

TEXT_FORMATS = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown"}
HTML_SUFFIXES = (".html", ".htm")
SUPPORTED = ".txt, .md, .html, .docx"

# Characters that already mark an item as a bullet (table-cell items, HTML list items).
BULLETS = ("-", "+", "•", "·", "–", "—", "*", "▪", "◦")

_NOT_TEXT = "not UTF-8/UTF-16/Windows-1258 text"
_BINARY = "binary or garbled content, not a text document"
_CORRUPT_DOCX = "not a valid .docx (corrupt or truncated)"


class _Refused(Exception):
    """Internal: a reason to refuse the file; `read_document` adds the path."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def read_document(path: str | os.PathLike[str]) -> SourceDocument:
    """Read a .txt/.md/.html/.docx file into a `SourceDocument` (text decoded, rendered, NFC).

    Raises `InputError(path, reason)` for a missing, unreadable, unsupported, empty, binary,
    corrupt or oversized file.
    """
    given = os.fsdecode(path) if isinstance(path, (bytes, os.PathLike)) else str(path)
    try:
        return _read(given)
    except _Refused as e:
        raise InputError(given, e.reason) from None


# --------------------------------------------------------------------------- file access
def _read(given: str) -> SourceDocument:
    st = _stat(given)
    suffix = Path(given).suffix.lower()
    if suffix == ".doc":
        raise _Refused("legacy .doc is not supported; save as .docx")
    if suffix not in TEXT_FORMATS and suffix not in HTML_SUFFIXES and suffix != ".docx":
        shown = f"'{suffix}'" if suffix else "(no file extension)"
        raise _Refused(f"unsupported format {shown} (supported: {SUPPORTED})")
    limit = _max_bytes()
    if st.st_size > limit:
        raise _Refused(_too_large(st.st_size, limit))
    raw = _read_bytes(given, limit)

    encoding: str | None
    if suffix == ".docx":
        fmt = "docx"
        text, encoding = _render_docx(raw), None
    elif suffix in HTML_SUFFIXES:
        fmt = "html"
        _refuse_empty_bytes(raw)
        html, encoding = _decode_html(raw)
        _refuse_binary(html)
        text = _render_html(html)
    else:
        fmt = TEXT_FORMATS[suffix]
        _refuse_empty_bytes(raw)
        text, encoding = _decode_text(raw)
        _refuse_binary(text)
    text = _normalise(text)
    if _is_blank(text):
        detail = "only whitespace" if fmt in ("text", "markdown") else f"no text in the {fmt.upper()} body"
        raise _Refused(f"empty document ({detail})")
    return SourceDocument(
        path=given,
        sha256=hashlib.sha256(raw).hexdigest(),
        format=fmt,
        encoding=encoding,
        text=text,
        size=len(raw),
    )


def _stat(given: str) -> os.stat_result:
    try:
        st = os.stat(given)
    except (FileNotFoundError, NotADirectoryError):
        raise _Refused("file not found") from None
    except PermissionError:
        raise _Refused("permission denied") from None
    except ValueError:  # embedded NUL in the path
        raise _Refused("invalid path") from None
    except OSError as e:
        raise _Refused(f"cannot access file ({e.strerror or e})") from None
    if stat.S_ISDIR(st.st_mode):
        raise _Refused("is a directory, not a file")
    if not stat.S_ISREG(st.st_mode):
        # Never open a FIFO or device: reading it could block or never end.
        raise _Refused("not a regular file (device, pipe or socket)")
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
        raise _Refused("permission denied") from None
    except IsADirectoryError:
        raise _Refused("is a directory, not a file") from None
    except OSError as e:
        raise _Refused(f"cannot read file ({e.strerror or e})") from None
    if len(raw) > limit:
        raise _Refused(_too_large(len(raw), limit))
    return raw


# --------------------------------------------------------------------------- decoding
_BOMS = (  # UTF-32 first: its LE BOM starts with the UTF-16 LE BOM
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _refuse_empty_bytes(raw: bytes) -> None:
    if not raw:
        raise _Refused("empty document (0 bytes)")


def _decode_bom(raw: bytes) -> tuple[str, str] | None:
    """Decode text that starts with a byte-order mark; None if there is no BOM."""
    for bom, enc in _BOMS:
        if raw.startswith(bom):
            try:
                return raw[len(bom):].decode(enc.removesuffix("-sig")), enc
            except UnicodeDecodeError:
                raise _Refused(f"{_BINARY} (invalid {enc.upper().removesuffix('-SIG')} after its byte-order mark)") from None
    return None


def _decode_text(raw: bytes) -> tuple[str, str]:
    """Bytes of a plain-text file -> (text, encoding name)."""
    bom = _decode_bom(raw)
    if bom is not None:
        return bom
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    _refuse_binary_bytes(raw)
    legacy = _decode_cp1258(raw)
    if legacy is not None:
        return legacy, "cp1258"
    raise _Refused(_NOT_TEXT)


# C0 control bytes other than TAB, LF, VT, FF, CR (same in UTF-8 and every code page).
_CONTROL_BYTES = bytes(range(0, 9)) + bytes(range(14, 32)) + b"\x7f"


def _refuse_binary_bytes(raw: bytes) -> None:
    """Before guessing a legacy code page: NUL bytes or many control bytes mean binary data."""
    if b"\x00" in raw:
        raise _Refused(_BINARY)
    controls = len(raw) - len(raw.translate(None, _CONTROL_BYTES))
    if controls > max(2, len(raw) // 200):
        raise _Refused(_BINARY)


def _decode_cp1258(raw: bytes) -> str | None:
    """Windows-1258 text, or None unless the result looks like Vietnamese text."""
    try:
        text = raw.decode("cp1258")
    except UnicodeDecodeError:  # bytes undefined in cp1258
        return None
    return text if _looks_vietnamese(text) else None


def _count(pattern: re.Pattern[str], text: str) -> int:
    """Number of characters of `text` matched by a one-character `pattern` (fast on large text)."""
    return len(text) - len(pattern.sub("", text))


# Patterns match runs, so that `_count` replaces few, long matches.
_SPACE_CHAR_RE = re.compile(r"\s+")
_LETTER_CHAR_RE = re.compile(r"(?:[^\W\d_]|[\u0300-\u036f])+")  # letters and combining marks
_HIGH_CHAR_RE = re.compile(r"[^\x00-\x7f]+")
_HIGH_LETTER_RE = re.compile(r"(?:[^\W\d_\x00-\x7f]|[\u0300-\u036f])+")
_VIETNAMESE_RE = re.compile("[ăâêôơưđĂÂÊÔƠƯĐ\u0300\u0301\u0303\u0309\u0323]+")
# Control characters that do not belong in text (TAB, LF, VT, FF, CR and NEL are allowed) and U+FFFD.
_BAD_CHAR_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ufffd]+")
_SAMPLE = 1 << 20  # characters of a large text examined by the Vietnamese heuristic


def _looks_vietnamese(text: str) -> bool:
    """Letters dominate, almost no control characters, and Vietnamese letters or tone marks occur."""
    if len(text) > 2 * _SAMPLE:  # judge a large file by its beginning and its middle
        middle = len(text) // 2
        text = text[:_SAMPLE] + text[middle:middle + _SAMPLE]
    if _count(_BAD_CHAR_RE, text) * 1000 > len(text):
        return False
    visible = len(text) - _count(_SPACE_CHAR_RE, text)
    letters = _count(_LETTER_CHAR_RE, text)
    if not visible or letters * 2 < visible:
        return False
    # The non-ASCII characters must be mostly letters and tone marks, not symbols.
    high = _count(_HIGH_CHAR_RE, text)
    if high and _count(_HIGH_LETTER_RE, text) * 10 < high * 6:
        return False
    return _count(_VIETNAMESE_RE, text) * 50 >= letters


def _refuse_binary(text: str) -> None:
    """NUL characters, or more than a trace of control characters / U+FFFD, mean binary data."""
    if "\x00" in text:
        raise _Refused(_BINARY)
    if _count(_BAD_CHAR_RE, text) > max(2, len(text) // 200):
        raise _Refused(_BINARY)


_VISIBLE_RE = re.compile("[^\\s\u200b\u200c\u200d\u2060\ufeff]")  # not whitespace, not zero-width
_LINE_SEPARATOR_RE = re.compile("\r\n?|[\u2028\u2029\x85]")


def _is_blank(text: str) -> bool:
    return _VISIBLE_RE.search(text) is None


def _normalise(text: str) -> str:
    """Newlines (CRLF, CR, U+2028, U+2029, NEL) -> \\n, then Unicode NFC."""
    return unicodedata.normalize("NFC", _LINE_SEPARATOR_RE.sub("\n", text))


# --------------------------------------------------------------------------- HTML
_META_CHARSET_RE = re.compile(rb"""<meta[^>]{0,512}?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]{1,40})""", re.I)
# WHATWG: these labels mean windows-1252 in practice.
_CHARSET_ALIASES = {"iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
                    "ascii": "cp1252", "us-ascii": "cp1252", "windows-1252": "cp1252"}


def _decode_html(raw: bytes) -> tuple[str, str]:
    """HTML bytes -> (markup, encoding): BOM, else UTF-8, else <meta charset>, else Windows-1258."""
    bom = _decode_bom(raw)
    if bom is not None:
        return bom
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    _refuse_binary_bytes(raw)
    m = _META_CHARSET_RE.search(raw[:4096])
    if m:
        label = m.group(1).decode("ascii").lower()
        label = _CHARSET_ALIASES.get(label, label)
        try:
            name = codecs.lookup(label).name
            return raw.decode(name), name
        except (LookupError, UnicodeDecodeError):
            pass
    legacy = _decode_cp1258(raw)
    if legacy is not None:
        return legacy, "cp1258"
    raise _Refused(f"{_NOT_TEXT} (HTML without a usable charset)")


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
        return _format_number(n, fmt) + "."

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
        t.row.append(_join_items(t.cell))
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
        return _join_lines(self.lines)


def _render_html(markup: str) -> str:
    """Plain text of an HTML document (see the module docstring)."""
    parser = _HtmlRenderer()
    try:
        parser.feed(markup)
        return parser.render()
    except (AssertionError, ValueError, RecursionError) as e:  # html.parser is lenient; be safe
        raise _Refused(f"cannot parse HTML ({type(e).__name__})") from None


def _join_items(items: list[str]) -> str:
    """Items of one table cell on one line: several items get "- " bullets, joined by a space."""
    items = [re.sub(r"\s+", " ", i).strip() for i in items]
    items = [i for i in items if i]
    if len(items) <= 1:
        return items[0] if items else ""
    return " ".join(i if i.startswith(BULLETS) else f"- {i}" for i in items)


def _join_lines(lines: list[str]) -> str:
    """Lines -> text with at most one blank line in a row, no leading/trailing blank lines.

    Only truly empty lines count as blank: a table row of empty cells ("\\t\\t\\t") is kept.
    """
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
    return text + "\n" if text else ""


# --------------------------------------------------------------------------- number formats
_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
          (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))


def _roman(n: int) -> str:
    if n <= 0 or n >= 40000:
        return str(n)
    out = []
    for value, digits in _ROMAN:
        while n >= value:
            out.append(digits)
            n -= value
    return "".join(out)


def _letters(n: int) -> str:
    # Word's letter numbering: a..z, then aa..zz, aaa..zzz.
    if n <= 0:
        return str(n)
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def _format_number(n: int, fmt: str) -> str:
    if fmt == "lowerLetter":
        return _letters(n)
    if fmt == "upperLetter":
        return _letters(n).upper()
    if fmt == "lowerRoman":
        return _roman(n)
    if fmt == "upperRoman":
        return _roman(n).upper()
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("none", "bullet"):
        return ""
    return str(n)  # decimal and every other format


# --------------------------------------------------------------------------- .docx
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_WORD_MAIN_TYPES = (b"wordprocessingml.document.main+xml", b"ms-word.document.macroEnabled.main+xml",
                    b"wordprocessingml.template.main+xml")
# Symbol/Wingdings private-use code points Word uses as bullets.
_SYMBOL_BULLETS = {"\uf0b7": "•", "\uf0a7": "▪", "\uf0d8": "➢", "\uf0fc": "✓", "\uf076": "❖",
                   "\uf06e": "■", "\uf0a8": "◦", "\uf02d": "-", "\uf0e8": "➔", "\uf0f0": "⇨"}
# Elements whose whole subtree is not part of the visible (accepted-revision) text.
_DOCX_SKIP = frozenset(_W + t for t in (
    "pPr", "rPr", "del", "moveFrom", "instrText", "delText", "delInstrText", "fldChar",
    "footnoteReference", "endnoteReference", "commentReference", "annotationRef", "sectPr",
    "sdtPr", "sdtEndPr",
)) | {_MC + "Fallback"}
# Block-level wrappers whose children are paragraphs and tables.
_DOCX_WRAPPERS = frozenset(_W + t for t in ("customXml", "ins", "moveTo", "smartTag", "sdtContent"))


def _check_zip(raw: bytes) -> None:
    """Refuse a non-zip, a zip bomb or a zip that is not a Word document, without decompressing."""
    if raw.startswith(_OLE_MAGIC):
        raise _Refused("not a valid .docx: this is an OLE2 file (a legacy .doc renamed to .docx, "
                       "or a password-protected Word document); save it as an unprotected .docx")
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            infos = zf.infolist()
            if len(infos) > DOCX_MAX_ENTRIES:
                raise _Refused(f"refused: .docx has {len(infos)} zip entries (possible zip bomb)")
            total = sum(i.file_size for i in infos)
            bomb = total > DOCX_MAX_EXPANDED or any(
                i.file_size > DOCX_RATIO_MIN_SIZE and i.file_size > DOCX_MAX_RATIO * max(i.compress_size, 1)
                for i in infos
            )
            if bomb:
                raise _Refused(f"refused: .docx expands to {total / MIB:.0f} MB (possible zip bomb)")
            if any(i.flag_bits & 0x1 for i in infos):
                raise _Refused("not a valid .docx: its zip entries are encrypted")
            names = {i.filename for i in infos}
            if "word/document.xml" not in names:
                types = zf.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
                if not any(t in types for t in _WORD_MAIN_TYPES):
                    raise _Refused("not a Word document (no word/document.xml)")
    except _Refused:
        raise
    except Exception:  # BadZipFile, truncated or inconsistent directory, zlib errors ...
        raise _Refused(_CORRUPT_DOCX) from None


def _render_docx(raw: bytes) -> str:
    """Plain text of a .docx (see the module docstring)."""
    if not raw:
        raise _Refused("empty document (0 bytes)")
    _check_zip(raw)
    try:
        import docx  # python-docx
        from docx.opc.exceptions import PackageNotFoundError
    except ImportError:  # pragma: no cover - a declared dependency
        raise _Refused("cannot read .docx: python-docx is not installed") from None
    try:
        document = docx.Document(io.BytesIO(raw))
        body = document.element.body
        numbering_el = _numbering_element(document)
        styles_el = document.styles.element
    except PackageNotFoundError:
        raise _Refused(_CORRUPT_DOCX) from None
    except ValueError as e:
        if "not a Word file" in str(e):
            raise _Refused("not a Word document (the package holds another Office format)") from None
        raise _Refused(_CORRUPT_DOCX) from None
    except Exception:  # XMLSyntaxError, BadZipFile, KeyError on a missing part, zlib.error ...
        raise _Refused(_CORRUPT_DOCX) from None
    try:
        renderer = _DocxRenderer(_Numbering(numbering_el, styles_el))
        lines: list[str] = []
        renderer.walk(body, _BodySink(lines))
    except RecursionError:
        raise _Refused("not a valid .docx (content nested too deeply)") from None
    return _join_lines(lines)


def _numbering_element(document):  # type: ignore[no-untyped-def]
    """The <w:numbering> element, or None when the document has no numbering part."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    part = document.part
    for rel in part.rels.values():
        if rel.reltype == RT.NUMBERING and not rel.is_external:
            return rel.target_part.element
    return None


def _val(el, name: str = "val") -> str | None:  # type: ignore[no-untyped-def]
    return None if el is None else el.get(_W + name)


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _on(el) -> bool:  # type: ignore[no-untyped-def]
    """A w:ST_OnOff toggle element (<w:vanish/>, <w:isLgl w:val="0"/>)."""
    return el is not None and (_val(el) or "true") not in ("0", "false", "off")


@dataclass(frozen=True)
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = ""
    restart: int | None = None  # w:lvlRestart; None = restart after any shallower level
    is_lgl: bool = False
    pstyle: str | None = None
    hidden: bool = False


def _parse_level(lvl) -> _Level:  # type: ignore[no-untyped-def]
    rpr = lvl.find(_W + "rPr")
    restart = lvl.find(_W + "lvlRestart")
    return _Level(
        start=_int(_val(lvl.find(_W + "start")), 0),  # an omitted w:start means 0
        fmt=_val(lvl.find(_W + "numFmt")) or "decimal",
        text=_val(lvl.find(_W + "lvlText")) or "",
        restart=None if restart is None else _int(_val(restart), 1),
        is_lgl=_on(lvl.find(_W + "isLgl")),
        pstyle=_val(lvl.find(_W + "pStyle")),
        hidden=rpr is not None and _on(rpr.find(_W + "vanish")),
    )


class _Numbering:
    """Rebuilds the list labels Word displays (numbering.xml + paragraph/style numPr)."""

    def __init__(self, numbering_el, styles_el) -> None:  # type: ignore[no-untyped-def]
        self.abstracts: dict[str, dict[int, _Level]] = {}
        self.style_links: dict[str, str] = {}  # abstractNumId -> w:numStyleLink style id
        self.nums: dict[str, tuple[str, dict[int, _Level], set[int]]] = {}
        self.styles: dict[str, tuple[str | None, str | None, str | None]] = {}  # id -> basedOn, numId, ilvl
        self.default_style: str | None = None
        self.counters: dict[str, dict[int, int]] = {}  # per abstract definition (Word's rule)
        self.seen: set[tuple[str, int]] = set()
        self._resolved: dict[str, tuple[str, dict[int, _Level], set[int]] | None] = {}
        if styles_el is not None:
            for st in styles_el.iter(_W + "style"):
                if st.get(_W + "type") != "paragraph":
                    continue
                sid = st.get(_W + "styleId")
                if sid is None:
                    continue
                numpr = st.find(f"{_W}pPr/{_W}numPr")
                self.styles[sid] = (
                    _val(st.find(_W + "basedOn")),
                    _val(numpr.find(_W + "numId")) if numpr is not None else None,
                    _val(numpr.find(_W + "ilvl")) if numpr is not None else None,
                )
                if st.get(_W + "default") in ("1", "true", "on"):
                    self.default_style = sid
        if numbering_el is None:
            return
        for ab in numbering_el.iter(_W + "abstractNum"):
            aid = ab.get(_W + "abstractNumId")
            if aid is None:
                continue
            levels = {}
            for lvl in ab.iter(_W + "lvl"):
                levels[_int(lvl.get(_W + "ilvl"), 0)] = _parse_level(lvl)
            self.abstracts[aid] = levels
            link = _val(ab.find(_W + "numStyleLink"))
            if link:
                self.style_links[aid] = link
        for num in numbering_el.iter(_W + "num"):
            nid = num.get(_W + "numId")
            aid = _val(num.find(_W + "abstractNumId"))
            if nid is None or aid is None:
                continue
            overrides: dict[int, _Level] = {}
            started: set[int] = set()
            for ov in num.iter(_W + "lvlOverride"):
                ilvl = _int(ov.get(_W + "ilvl"), 0)
                lvl = ov.find(_W + "lvl")
                if lvl is not None:
                    overrides[ilvl] = _parse_level(lvl)
                so = ov.find(_W + "startOverride")
                if so is not None:
                    started.add(ilvl)
                    base = overrides.get(ilvl) or self.abstracts.get(aid, {}).get(ilvl) or _Level()
                    overrides[ilvl] = replace(base, start=_int(_val(so), base.start))
            self.nums[nid] = (aid, overrides, started)

    def _resolve(self, num_id: str, depth: int = 0) -> tuple[str, dict[int, _Level], set[int]] | None:
        """numId -> (abstract id, levels with overrides applied, levels with startOverride)."""
        if num_id in self._resolved:
            return self._resolved[num_id]
        entry = self.nums.get(num_id)
        result = None
        if entry is not None:
            aid, overrides, started = entry
            levels = dict(self.abstracts.get(aid, {}))
            link = self.style_links.get(aid)
            if not levels and link and depth < 4:  # numStyleLink: the style's list holds the levels
                linked_num = self._style_numpr(link)[0]
                linked = self._resolve(linked_num, depth + 1) if linked_num else None
                if linked is not None:
                    aid, levels = linked[0], dict(linked[1])
            levels.update(overrides)
            result = (aid, levels, started)
        self._resolved[num_id] = result
        return result

    def _style_numpr(self, style_id: str | None) -> tuple[str | None, str | None, str | None]:
        """(numId, ilvl, id of the style that set them) following w:basedOn."""
        seen = set()
        while style_id and style_id not in seen and style_id in self.styles:
            seen.add(style_id)
            based_on, num_id, ilvl = self.styles[style_id]
            if num_id is not None or ilvl is not None:
                return num_id, ilvl, style_id
            style_id = based_on
        return None, None, None

    def label(self, p) -> str:  # type: ignore[no-untyped-def]
        """The label Word shows before paragraph `p` ('' if none); advances the counters."""
        ppr = p.find(_W + "pPr")
        numpr = ppr.find(_W + "numPr") if ppr is not None else None
        p_num = _val(numpr.find(_W + "numId")) if numpr is not None else None
        p_lvl = _val(numpr.find(_W + "ilvl")) if numpr is not None else None
        style = _val(ppr.find(_W + "pStyle")) if ppr is not None else None
        s_num, s_lvl, s_style = self._style_numpr(style or self.default_style)
        num_id = p_num if p_num is not None else s_num
        if num_id is None or num_id == "0":
            return ""
        resolved = self._resolve(num_id)
        if resolved is None:
            return ""
        aid, levels, started = resolved
        if p_lvl is not None:
            ilvl = _int(p_lvl, 0)
        elif s_lvl is not None:
            ilvl = _int(s_lvl, 0)
        else:
            linked = [i for i, lv in levels.items() if lv.pstyle and lv.pstyle in (style, s_style)]
            ilvl = linked[0] if linked else 0
        lvl = levels.get(ilvl)
        if lvl is None:
            return ""
        counter = self.counters.setdefault(aid, {})
        first_use = (num_id, ilvl) not in self.seen
        self.seen.add((num_id, ilvl))
        if first_use and ilvl in started:
            counter[ilvl] = lvl.start
        elif ilvl in counter:
            counter[ilvl] += 1
        else:
            counter[ilvl] = lvl.start
        for deeper in [k for k in counter if k > ilvl]:
            restart = levels[deeper].restart if deeper in levels else None
            if restart is None or (restart > 0 and ilvl <= restart - 1):
                del counter[deeper]
        if lvl.hidden:
            return ""
        # Bullets in Symbol/Wingdings fonts are private-use code points: show a real bullet.
        text = "".join(_SYMBOL_BULLETS.get(c, "•" if "\uf000" <= c <= "\uf0ff" else c) for c in lvl.text)

        def number(m: re.Match[str]) -> str:
            j = int(m.group(1)) - 1
            lj = levels.get(j)
            if lj is None:
                return ""
            fmt = "decimal" if lvl.is_lgl and lj.fmt not in ("bullet", "none") else lj.fmt
            return _format_number(counter.get(j, lj.start), fmt)

        return re.sub(r"%([1-9])", number, text).strip()


class _BodySink:
    """Receives blocks at body level: one line per paragraph, tables framed by blank lines."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines

    def para(self, text: str) -> None:
        self.lines.append(text)

    def table(self, rows: list[str]) -> None:
        if self.lines and self.lines[-1] != "":
            self.lines.append("")
        self.lines.extend(rows)
        self.lines.append("")


class _CellSink:
    """Receives blocks inside a table cell: every non-empty paragraph is one item."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def para(self, text: str) -> None:
        text = re.sub(r"\s+", " ", text).strip()
        if text:
            self.items.append(text)

    def table(self, rows: list[str]) -> None:  # a nested table: its cells become items
        for row in rows:
            for cell in row.split("\t"):
                self.para(cell)


class _DocxRenderer:
    def __init__(self, numbering: _Numbering) -> None:
        self.numbering = numbering

    def walk(self, parent, sink) -> None:  # type: ignore[no-untyped-def]
        """Render the paragraphs and tables under `parent` in document order."""
        for child in parent:
            tag = child.tag
            if tag == _W + "p":
                self.paragraph(child, sink)
            elif tag == _W + "tbl":
                self.table(child, sink)
            elif tag == _W + "sdt":
                content = child.find(_W + "sdtContent")
                if content is not None:
                    self.walk(content, sink)
            elif tag in _DOCX_WRAPPERS:
                self.walk(child, sink)
            elif tag == _MC + "AlternateContent":
                choice = child.find(_MC + "Choice")
                if choice is not None:
                    self.walk(choice, sink)
            # sectPr, bookmarks, w:del, altChunk and unknown elements carry no body text

    def paragraph(self, p, sink) -> None:  # type: ignore[no-untyped-def]
        label = self.numbering.label(p)
        pieces: list[str] = []
        boxes: list = []  # type: ignore[type-arg]
        _inline_text(p, pieces, boxes)
        text = "".join(pieces)
        if label:
            text = label + " " + text.lstrip(" \t") if text.strip() else label
        sink.para(text)
        for box in boxes:
            self.walk(box, sink)

    def table(self, tbl, sink) -> None:  # type: ignore[no-untyped-def]
        rows = []
        for tr in _children(tbl, "tr"):
            trpr = tr.find(_W + "trPr")
            if trpr is not None and trpr.find(_W + "del") is not None:
                continue  # a deleted row (tracked change)
            before = min(_int(_val(trpr.find(_W + "gridBefore")) if trpr is not None else None, 0), 1000)
            after = min(_int(_val(trpr.find(_W + "gridAfter")) if trpr is not None else None, 0), 1000)
            cells = [""] * max(before, 0)
            for tc in _children(tr, "tc"):
                tcpr = tc.find(_W + "tcPr")
                span = _int(_val(tcpr.find(_W + "gridSpan")) if tcpr is not None else None, 1)
                span = min(max(span, 1), 1000)
                vmerge = tcpr.find(_W + "vMerge") if tcpr is not None else None
                if vmerge is not None and _val(vmerge) in (None, "continue"):
                    text = ""  # continuation of a vertically merged cell
                else:
                    cell = _CellSink()
                    self.walk(tc, cell)
                    text = _join_items(cell.items)
                cells.append(text)
                cells.extend([""] * (span - 1))
            cells.extend([""] * max(after, 0))
            if cells:
                rows.append("\t".join(cells))
        if rows:
            sink.table(rows)


def _children(parent, name: str):  # type: ignore[no-untyped-def]
    """Child w:tr / w:tc elements, also when wrapped in content controls or custom XML."""
    for child in parent:
        if child.tag == _W + name:
            yield child
        elif child.tag == _W + "sdt":
            content = child.find(_W + "sdtContent")
            if content is not None:
                yield from _children(content, name)
        elif child.tag in (_W + "customXml", _W + "ins"):
            yield from _children(child, name)


def _inline_text(el, out: list[str], boxes: list) -> None:  # type: ignore[no-untyped-def,type-arg]
    """Visible text of a paragraph (accepted revisions); text boxes go to `boxes`."""
    for child in el:
        tag = child.tag
        if not isinstance(tag, str) or tag in _DOCX_SKIP:
            continue  # comments, processing instructions, skipped subtrees
        if tag == _W + "t":
            out.append(child.text or "")
        elif tag in (_W + "tab", _W + "ptab"):
            out.append("\t")
        elif tag == _W + "br":
            if _val(child, "type") in (None, "textWrapping"):
                out.append("\n")
        elif tag == _W + "cr":
            out.append("\n")
        elif tag == _W + "noBreakHyphen":
            out.append("-")
        elif tag == _W + "sym":
            ch = _val(child, "char") or ""
            try:
                c = chr(int(ch, 16))
            except ValueError:
                continue
            out.append(_SYMBOL_BULLETS.get(c, "" if "\uf000" <= c <= "\uf0ff" else c))
        elif tag == _W + "r":
            rpr = child.find(_W + "rPr")
            if rpr is not None and _on(rpr.find(_W + "vanish")):
                continue  # hidden text
            _inline_text(child, out, boxes)
        elif tag == _W + "txbxContent":
            boxes.append(child)
        else:
            _inline_text(child, out, boxes)
