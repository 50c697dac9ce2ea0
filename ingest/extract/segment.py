"""Segmentation: split a cleaned plan into its section tree and its tables.

Works on the output of `clean_text` (same offsets as the source). Every non-blank line is one of:
a table row (3+ TABs), a labelled line (roman `II.`, number `2.1.`, letter `a)`, bullet `-`/`+`/`·`),
a continuation of the previous line (starts lower-case: a page break split the sentence), or a
plain paragraph. Labelled lines nest by rank (roman < number by depth < letter < `-` < `+` < `·`);
paragraphs attach to the current section and never take children.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from plankb.ingest.extract import patterns as P
from plankb.kb.models import Section, Span

RANK_ROMAN, RANK_LETTER, RANK_PARAGRAPH = 1, 6, 99
BULLET_RANKS = {"-": 7, "–": 7, "*": 7, "+": 8, "·": 9, "•": 9}


@dataclass
class Table:
    """A block of TAB-separated rows; `rows[i]` is a list of (cell text, cell span)."""

    rows: list[list[tuple[str, Span]]] = field(default_factory=list)
    row_spans: list[Span] = field(default_factory=list)
    # Blank lines before each row (page breaks show up as blank lines inside a table).
    gaps: list[int] = field(default_factory=list)

    @property
    def span(self) -> Span:
        return Span(start=self.row_spans[0].start, end=self.row_spans[-1].end)


@dataclass
class Segmentation:
    sections: list[Section]
    tables: list[Table]
    header_end: int  # offset of the first top-level section (end of the header + basis)

    def walk(self):
        stack = list(reversed(self.sections))
        while stack:
            s = stack.pop()
            yield s
            stack.extend(reversed(s.children))


def _lines(text: str):
    pos = 0
    for raw in text.split("\n"):
        yield pos, raw
        pos += len(raw) + 1


def _is_upper_heading(h: str) -> bool:
    letters = [c for c in h if c.isalpha()]
    return len(letters) >= 4 and sum(c.isupper() for c in letters) / len(letters) > 0.8


def _classify(content: str, seen_roman: bool):
    """-> (kind, rank, label, heading_offset) or None for an unlabelled line."""
    if m := P.ROMAN_LABEL_RE.match(content):
        if _is_upper_heading(m.group("heading")) or len(m.group("label")) > 1 or m.group("label") in "IVX":
            return "roman", RANK_ROMAN, m.group("label"), m.start("heading")
    if m := P.NUMBER_LABEL_RE.match(content):
        label = m.group("label")
        rank = 2 + label.count(".")
        # "2. NHIỆM VỤ, GIẢI PHÁP" standing where a roman heading belongs (seed 002)
        if "." not in label and seen_roman and _is_upper_heading(m.group("heading")):
            rank = RANK_ROMAN
        return "number", rank, label, m.start("heading")
    if m := P.LETTER_LABEL_RE.match(content):
        return "letter", RANK_LETTER, m.group("label"), m.start("heading")
    if m := P.BULLET_LABEL_RE.match(content):
        return "bullet", BULLET_RANKS[m.group("label")], m.group("label"), m.start("heading")
    return None


def segment_text(cleaned: str) -> Segmentation:
    """Section tree and tables of a cleaned plan text."""
    roots: list[Section] = []
    stack: list[tuple[int, Section]] = []
    tables: list[Table] = []
    table: Table | None = None
    blank_run = 0
    last: Section | None = None
    header_end: int | None = None
    seen_roman = False
    counters: dict[int, dict[str, int]] = {}
    # id(section) -> body_end up to which its heading was last rebuilt by the page-break rule:
    # the next continuation line only appends its own text (rebuilding the whole heading and
    # re-reading the paragraph on every line made a long run-on paragraph quadratic).
    continued: dict[int, int] = {}

    def add_child(parent: Section | None, sec: Section) -> None:
        (parent.children if parent is not None else roots).append(sec)

    def unique_component(parent: Section | None, comp: str) -> str:
        key = id(parent)
        seen = counters.setdefault(key, {})
        seen[comp] = seen.get(comp, 0) + 1
        return comp if seen[comp] == 1 else f"{comp}({seen[comp]})"

    def ordinal(parent: Section | None) -> str:
        key = id(parent)
        seen = counters.setdefault(key, {})
        seen["#"] = seen.get("#", 0) + 1
        return str(seen["#"])

    for pos, raw in _lines(cleaned):
        stripped = raw.strip()
        if not stripped:
            blank_run += 1
            continue
        lead = len(raw) - len(raw.lstrip())
        start, end = pos + lead, pos + len(raw.rstrip())
        if raw.count("\t") >= 3:
            if table is None or blank_run > 3:
                table = Table()
                tables.append(table)
            cells, cpos = [], pos
            for cell in raw.split("\t"):
                cs = len(cell) - len(cell.lstrip())
                ce = len(cell.rstrip())
                cells.append((re.sub(r"\s+", " ", cell).strip(), Span(start=cpos + min(cs, ce), end=cpos + ce)))
                cpos += len(cell) + 1
            table.rows.append(cells)
            table.row_spans.append(Span(start=start, end=end))
            table.gaps.append(blank_run)
            blank_run = 0
            last = None
            continue
        table = None
        content = raw[lead:]
        cls = _classify(content, seen_roman)
        # A line starting in lower case (or with an opening bracket/quote) after a line that does
        # not end a sentence is the same sentence split by a page break: "…đột phá,\n\nthường xuyên."
        # "…các tổ chức chính trị - xã hội, xã hội\n\n- nghề nghiệp và cộng đồng…": a page break fell on
        # the dash of a compound; a list item never starts in lower case after an unfinished line
        if (cls is not None and cls[0] == "bullet" and cls[2] in "-–" and content[cls[3]:][:1].islower()
                and last is not None and last.kind in ("bullet", "letter", "paragraph")
                and not _ends_sentence(cleaned, last.span.start, last.body_end)):
            cls = None
            dash_join = True
        else:
            dash_join = False
        if cls is None and last is not None and (
            dash_join or content[:1].islower() or content[:1] in "(“\"" or _continues_phrase(cleaned, last, content)
        ):
            if dash_join or content[:1] not in "(“\"" or not _ends_sentence(cleaned, last.span.start, last.body_end):
                if continued.get(id(last)) == last.body_end:
                    last.heading = (last.heading + re.sub(r"\s+", " ", cleaned[last.body_end:end])).strip()
                else:
                    last.heading = re.sub(r"\s+", " ", cleaned[last.span.start + _label_len(cleaned, last) : end]).strip()
                last.body_end = end
                continued[id(last)] = end
                _extend_ancestors(stack, end)
                blank_run = 0
                continue
        blank_run = 0
        if cls is None:
            parent = stack[-1][1] if stack else None
            sec = Section(
                path=_join(parent, ordinal(parent)),
                label="",
                kind="paragraph",
                depth=len(stack),
                heading=re.sub(r"\s+", " ", content).strip(),
                span=Span(start=start, end=end),
                body_end=end,
            )
            add_child(parent, sec)
            _extend_ancestors(stack, end)
            last = sec
            continue
        kind, rank, label, hoff = cls
        if kind == "roman":
            seen_roman = True
        if rank == RANK_ROMAN and header_end is None:
            header_end = start
        while stack and stack[-1][0] >= rank:
            stack.pop()
        parent = stack[-1][1] if stack else None
        if kind in ("roman", "letter"):
            comp = unique_component(parent, label)
        elif kind == "number":
            comp = unique_component(parent, label.split(".")[-1] if parent is not None and "." in label else label)
        else:
            comp = ordinal(parent)
        sec = Section(
            path=_join(parent, comp),
            label=label,
            kind=kind,
            depth=len(stack),
            heading=re.sub(r"\s+", " ", content[hoff:]).strip(),
            span=Span(start=start, end=end),
            body_end=end,
        )
        add_child(parent, sec)
        _extend_ancestors(stack, end)
        stack.append((rank, sec))
        last = sec
    return Segmentation(sections=roots, tables=tables, header_end=header_end if header_end is not None else 0)


# Words that cannot end a phrase: a line ending in one of them stops mid-sentence ("…chủ trì, phối
# hợp với" / "…theo Nghị định số"), so the next line goes on with the same sentence even when it
# starts with a capital or a digit ("UBND xã, bảo đảm …", "118/2025/NĐ-CP ngày …").
OPEN_ENDED_WORDS = frozenset(
    "với của và hoặc số theo tại về cho các những mọi được bị là để trong ngoài đến tới từ do bởi "
    "như nhằm thuộc qua vào trên dưới giữa sau trước cùng gồm ở đối đúng kèm ngày đạt".split()
)
# A list item's line at least this long that stops without punctuation was cut, not finished.
LONG_LINE = 50
# "Phối hợp: Các phòng, ban …", "Thời gian thực hiện: Quý I/2026" (a labelled line of its own)
LABEL_LINE_RE = re.compile(r"(?<!\w)[^\W\d_]+(?: [^\W\d_]+){0,4} ?:")


def _continues_phrase(cleaned: str, last: Section, content: str) -> bool:
    """An unlabelled line starting with a capital or a digit that carries on the sentence of the
    previous line (a page break or a hard wrap split it). Never a heading in capitals ("KẾ HOẠCH")
    nor a "Label: …" line ("Phối hợp: …"). The previous line must stop mid-phrase: it ends with a
    comma or a dash, or with a word that cannot end a phrase ("phối hợp với", "Nghị định số"), or
    it is a long list item (bullet or letter) with no closing punctuation ("… triển khai áp dụng" /
    "Tiêu chuẩn TCVN ISO 18091:2020 …")."""
    if not (content[:1].isupper() or content[:1].isdigit()) or _is_upper_heading(content.split(".")[0][:60]):
        return False
    if LABEL_LINE_RE.match(content) or _is_upper_heading(last.heading):
        return False
    end = last.body_end
    while end > last.span.start and cleaned[end - 1].isspace():
        end -= 1
    line_start = max(last.span.start, cleaned.rfind("\n", 0, end) + 1)
    tail = cleaned[max(line_start, end - 40) : end]
    if not tail or tail[-1] in ".:;!?)":
        return False  # a colon opens sub-items ("… của Hội đồng nhân dân, Ủy ban nhân dân:" / "Tiếp tục rà soát …")
    if tail[-1] in ",-\u2013":
        return True
    words = tail.split()
    if words and words[-1].lower() in OPEN_ENDED_WORDS:
        return True
    return last.kind in ("bullet", "letter") and end - line_start >= LONG_LINE


def _ends_sentence(cleaned: str, start: int, end: int) -> bool:
    """cleaned[start:end] ends with . : ; ! ? or ) before any trailing whitespace (read from the end)."""
    while end > start and cleaned[end - 1].isspace():
        end -= 1
    return end > start and cleaned[end - 1] in ".:;!?)"


def _label_len(cleaned: str, sec: Section) -> int:
    """Length of the numbering label (and following spaces) at the start of a section's line."""
    if not sec.label:
        return 0
    line = cleaned[sec.span.start : sec.span.end]
    m = re.match(r"\s*(?:[IVX]{1,5}[.:]|\d{1,2}(?:\.\d{1,2}){0,3}\.?|[a-zđ]\)|[-+·•–*])\s*", line)
    return m.end() if m else 0


def _extend_ancestors(stack: list[tuple[int, Section]], end: int) -> None:
    for _, s in stack:
        if s.body_end < end:
            s.body_end = end


def _join(parent: Section | None, comp: str) -> str:
    return f"{parent.path}.{comp}" if parent is not None else comp
