"""Length-preserving cleaning.

`clean_text` blanks out conversion debris (bookmarks, Markdown emphasis and heading marks, HTML
tags, entities) by replacing each debris character with a space (newlines are kept). The cleaned
text therefore has *the same length and offsets* as the source text: a match at [s, e) in the
cleaned text is the span [s, e) of the source, and no offset map is needed. Tone-mark style and
diacritics are left as printed; matching code uses `kb.text.fold` / `canonical_tones`.
"""
from __future__ import annotations

import html
import re
from collections.abc import Callable

from plankb.ingest.extract import patterns as P


def _blank(m: re.Match[str]) -> str:
    return "".join("\n" if c == "\n" else " " for c in m.group(0))


def _blank_group(name: str) -> Callable[[re.Match[str]], str]:
    """Blank only the named group(s) of the match, keep the rest."""

    def repl(m: re.Match[str]) -> str:
        s, e = m.span()
        out = list(m.group(0))
        for g in (name, f"{name}2"):
            if g in m.re.groupindex and m.group(g) is not None:
                gs, ge = m.span(g)
                for i in range(gs - s, ge - s):
                    out[i] = "\n" if out[i] == "\n" else " "
        return "".join(out)

    return repl


def _entity(m: re.Match[str]) -> str:
    """'&amp;' -> '&' followed by spaces, keeping the length."""

    raw = m.group(0)
    ch = html.unescape(raw)
    if len(ch) != 1:
        return " " * len(raw)
    return ch + " " * (len(raw) - 1)


# name -> (pattern, replacement); applied in order.
CLEANERS: dict[str, tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = {
    "bookmarks": (P.BOOKMARK_RE, _blank),
    "html_tags": (P.HTML_TAG_RE, _blank),
    "html_entities": (P.HTML_ENTITY_RE, _entity),
    "md_headings": (P.MD_HEADING_RE, _blank_group("marks")),
    "md_emphasis": (P.MD_EMPHASIS_RE, _blank),
    "md_escapes": (P.MD_ESCAPE_RE, _blank_group("bs")),
    "form_feeds": (re.compile(r"[\f\v\u00a0\u200b\ufeff]"), _blank),
}


def clean_text(text: str, steps: list[str] | None = None) -> str:
    """Return `text` with debris blanked; `len(result) == len(text)` always.

    >>> clean_text("[bookmark: dieu_1_1]1. Cải cách thể chế")
    '                    1. Cải cách thể chế'
    >>> clean_text("**I. MỤC ĐÍCH**")
    '  I. MỤC ĐÍCH  '
    """
    out = text
    for name in steps or list(CLEANERS):
        pattern, repl = CLEANERS[name]
        out = pattern.sub(repl, out)
    assert len(out) == len(text)
    return out
