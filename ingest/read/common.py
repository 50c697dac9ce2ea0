"""What the readers share: the refusal they raise, bullet marks and how lines are joined."""
from __future__ import annotations

import re

from plankb.kb.text import int_to_roman

MIB = 1024 * 1024

# Characters that already mark an item as a bullet (table-cell items, HTML list items).
BULLETS = ("-", "+", "•", "·", "–", "—", "*", "▪", "◦")


class Refused(Exception):
    """A reason to refuse the file; `read_document` raises it as `InputError` with the path."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def join_items(items: list[str]) -> str:
    """Items of one table cell on one line: several items get "- " bullets, joined by a space."""
    items = [re.sub(r"\s+", " ", i).strip() for i in items]
    items = [i for i in items if i]
    if len(items) <= 1:
        return items[0] if items else ""
    return " ".join(i if i.startswith(BULLETS) else f"- {i}" for i in items)


def join_lines(lines: list[str]) -> str:
    """Lines -> text with at most one blank line in a row, no leading/trailing blank lines.

    Only truly empty lines count as blank: a table row of empty cells ("\\t\\t\\t") is kept.
    """
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
    return text + "\n" if text else ""


def _letters(n: int) -> str:
    # Word's letter numbering: a..z, then aa..zz, aaa..zzz.
    if n <= 0:
        return str(n)
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def format_number(n: int, fmt: str) -> str:
    if fmt == "lowerLetter":
        return _letters(n)
    if fmt == "upperLetter":
        return _letters(n).upper()
    if fmt == "lowerRoman":
        return int_to_roman(n).lower()
    if fmt == "upperRoman":
        return int_to_roman(n)
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("none", "bullet"):
        return ""
    return str(n)  # decimal and every other format
