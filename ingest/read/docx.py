"""Render a .docx to plain text with python-docx, after a zip-bomb check (conventions: `ingest.read`).

Public verb: `render_docx(raw)`.
"""
from __future__ import annotations

import io
import re
import zipfile

from plankb.ingest.read.common import MIB, Refused, join_items, join_lines
from plankb.ingest.read.wordml import (
    MC,
    SYMBOL_BULLETS,
    Numbering,
    W,
    attr,
    int_or,
    is_on,
    numbering_element,
)

# .docx zip-bomb guards, checked on the zip directory before anything is decompressed.
DOCX_MAX_EXPANDED = 256 * MIB  # total uncompressed size of all entries
DOCX_MAX_RATIO = 100  # compression ratio above which a large entry is suspicious ...
DOCX_RATIO_MIN_SIZE = 10 * MIB  # ... when it also expands to more than this
DOCX_MAX_ENTRIES = 10_000

_CORRUPT_DOCX = "not a valid .docx (corrupt or truncated)"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_WORD_MAIN_TYPES = (b"wordprocessingml.document.main+xml", b"ms-word.document.macroEnabled.main+xml",
                    b"wordprocessingml.template.main+xml")
# Elements whose whole subtree is not part of the visible (accepted-revision) text.
_DOCX_SKIP = frozenset(W + t for t in (
    "pPr", "rPr", "del", "moveFrom", "instrText", "delText", "delInstrText", "fldChar",
    "footnoteReference", "endnoteReference", "commentReference", "annotationRef", "sectPr",
    "sdtPr", "sdtEndPr",
)) | {MC + "Fallback"}
# Block-level wrappers whose children are paragraphs and tables.
_DOCX_WRAPPERS = frozenset(W + t for t in ("customXml", "ins", "moveTo", "smartTag", "sdtContent"))


def _check_zip(raw: bytes) -> None:
    """Refuse a non-zip, a zip bomb or a zip that is not a Word document, without decompressing."""
    if raw.startswith(_OLE_MAGIC):
        raise Refused("not a valid .docx: this is an OLE2 file (a legacy .doc renamed to .docx, "
                       "or a password-protected Word document); save it as an unprotected .docx")
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            infos = zf.infolist()
            if len(infos) > DOCX_MAX_ENTRIES:
                raise Refused(f"refused: .docx has {len(infos)} zip entries (possible zip bomb)")
            total = sum(i.file_size for i in infos)
            bomb = total > DOCX_MAX_EXPANDED or any(
                i.file_size > DOCX_RATIO_MIN_SIZE and i.file_size > DOCX_MAX_RATIO * max(i.compress_size, 1)
                for i in infos
            )
            if bomb:
                raise Refused(f"refused: .docx expands to {total / MIB:.0f} MB (possible zip bomb)")
            if any(i.flag_bits & 0x1 for i in infos):
                raise Refused("not a valid .docx: its zip entries are encrypted")
            names = {i.filename for i in infos}
            if "word/document.xml" not in names:
                types = zf.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
                if not any(t in types for t in _WORD_MAIN_TYPES):
                    raise Refused("not a Word document (no word/document.xml)")
    except Refused:
        raise
    except Exception:  # BadZipFile, truncated or inconsistent directory, zlib errors ...
        raise Refused(_CORRUPT_DOCX) from None


def render_docx(raw: bytes) -> str:
    """Plain text of a .docx (see the module docstring)."""
    if not raw:
        raise Refused("empty document (0 bytes)")
    _check_zip(raw)
    try:
        import docx  # python-docx (with lxml) is loaded only when a .docx is read
        from docx.opc.exceptions import PackageNotFoundError  # with python-docx, above
    except ImportError:  # pragma: no cover - a declared dependency
        raise Refused("cannot read .docx: python-docx is not installed") from None
    try:
        document = docx.Document(io.BytesIO(raw))
        body = document.element.body
        numbering_el = numbering_element(document)
        styles_el = document.styles.element
    except PackageNotFoundError:
        raise Refused(_CORRUPT_DOCX) from None
    except ValueError as e:
        if "not a Word file" in str(e):
            raise Refused("not a Word document (the package holds another Office format)") from None
        raise Refused(_CORRUPT_DOCX) from None
    except Exception:  # XMLSyntaxError, BadZipFile, KeyError on a missing part, zlib.error ...
        raise Refused(_CORRUPT_DOCX) from None
    try:
        renderer = _DocxRenderer(Numbering(numbering_el, styles_el))
        lines: list[str] = []
        renderer.walk(body, _BodySink(lines))
    except RecursionError:
        raise Refused("not a valid .docx (content nested too deeply)") from None
    return join_lines(lines)


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
    def __init__(self, numbering: Numbering) -> None:
        self.numbering = numbering

    def walk(self, parent, sink) -> None:  # type: ignore[no-untyped-def]
        """Render the paragraphs and tables under `parent` in document order."""
        for child in parent:
            tag = child.tag
            if tag == W + "p":
                self.paragraph(child, sink)
            elif tag == W + "tbl":
                self.table(child, sink)
            elif tag == W + "sdt":
                content = child.find(W + "sdtContent")
                if content is not None:
                    self.walk(content, sink)
            elif tag in _DOCX_WRAPPERS:
                self.walk(child, sink)
            elif tag == MC + "AlternateContent":
                choice = child.find(MC + "Choice")
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
            trpr = tr.find(W + "trPr")
            if trpr is not None and trpr.find(W + "del") is not None:
                continue  # a deleted row (tracked change)
            before = min(int_or(attr(trpr.find(W + "gridBefore")) if trpr is not None else None, 0), 1000)
            after = min(int_or(attr(trpr.find(W + "gridAfter")) if trpr is not None else None, 0), 1000)
            cells = [""] * max(before, 0)
            for tc in _children(tr, "tc"):
                tcpr = tc.find(W + "tcPr")
                span = int_or(attr(tcpr.find(W + "gridSpan")) if tcpr is not None else None, 1)
                span = min(max(span, 1), 1000)
                vmerge = tcpr.find(W + "vMerge") if tcpr is not None else None
                if vmerge is not None and attr(vmerge) in (None, "continue"):
                    text = ""  # continuation of a vertically merged cell
                else:
                    cell = _CellSink()
                    self.walk(tc, cell)
                    text = join_items(cell.items)
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
        if child.tag == W + name:
            yield child
        elif child.tag == W + "sdt":
            content = child.find(W + "sdtContent")
            if content is not None:
                yield from _children(content, name)
        elif child.tag in (W + "customXml", W + "ins"):
            yield from _children(child, name)


def _inline_text(el, out: list[str], boxes: list) -> None:  # type: ignore[no-untyped-def,type-arg]
    """Visible text of a paragraph (accepted revisions); text boxes go to `boxes`."""
    for child in el:
        tag = child.tag
        if not isinstance(tag, str) or tag in _DOCX_SKIP:
            continue  # comments, processing instructions, skipped subtrees
        if tag == W + "t":
            out.append(child.text or "")
        elif tag in (W + "tab", W + "ptab"):
            out.append("\t")
        elif tag == W + "br":
            if attr(child, "type") in (None, "textWrapping"):
                out.append("\n")
        elif tag == W + "cr":
            out.append("\n")
        elif tag == W + "noBreakHyphen":
            out.append("-")
        elif tag == W + "sym":
            ch = attr(child, "char") or ""
            try:
                c = chr(int(ch, 16))
            except ValueError:
                continue
            out.append(SYMBOL_BULLETS.get(c, "" if "\uf000" <= c <= "\uf0ff" else c))
        elif tag == W + "r":
            rpr = child.find(W + "rPr")
            if rpr is not None and is_on(rpr.find(W + "vanish")):
                continue  # hidden text
            _inline_text(child, out, boxes)
        elif tag == W + "txbxContent":
            boxes.append(child)
        else:
            _inline_text(child, out, boxes)
