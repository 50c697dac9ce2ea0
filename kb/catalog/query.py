"""The catalog's full-text query: `Query.parse(q)`, then `matches` (a phrase at word starts, for
list filters), `matches_all` and `score` (every word, for `search`) and `snippet` (text around a
match). Case and diacritics are ignored (`kb.text.fold`).
"""
from __future__ import annotations

import re

from plankb.kb.catalog.keys import fold_map
from plankb.kb.text import fold


class Query:
    """A full-text query, case and diacritics ignored (`kb.text.fold`).

    `matches`: the words occur in that order as a phrase, each at the start of a word, with only
    spaces or punctuation between them ('hanh chinh cong' matches 'Trung tâm Phục vụ hành chính
    công'; 'phuc vu hanh' matches it too). `matches_all`: every word occurs at a word start, in
    any order (what `search` accepts, ranking phrase matches first).

    >>> q = Query.parse("hanh chinh cong")
    >>> q.matches(fold("Trung tâm Phục vụ hành chính công")), q.matches(fold("hành chính, công khai"))
    (True, True)
    >>> q.matches(fold("công tác hành chính")), q.matches_all(fold("công tác hành chính"))
    (False, True)
    """

    __slots__ = ("text", "phrase", "words", "_phrase_re", "_word_res", "_whole_res")

    def __init__(self, text: str, words: tuple[str, ...]):
        self.text = text
        self.words = words
        self.phrase = " ".join(words)
        self._phrase_re = re.compile(r"(?<!\w)" + r"\W+".join(re.escape(w) for w in words))
        self._word_res = [re.compile(r"(?<!\w)" + re.escape(w)) for w in words]
        self._whole_res = [re.compile(r"(?<!\w)" + re.escape(w) + r"(?!\w)") for w in words]

    @classmethod
    def parse(cls, q: str | None) -> "Query | None":
        """None when `q` has no word (the filter is then ignored)."""
        words = tuple(re.findall(r"\w+", fold(q or "")))
        return cls(q or "", words) if words else None

    def matches(self, folded: str) -> bool:
        return all(w in folded for w in self.words) and self._phrase_re.search(folded) is not None

    def matches_all(self, folded: str) -> bool:
        # plain substring tests first (cheap), word-start regexes only for the candidates left
        return all(w in folded for w in self.words) and all(r.search(folded) for r in self._word_res)

    def score(self, folded: str, original: str | None = None) -> float:
        """0 unless every word occurs; more for the phrase, for whole words, for exact diacritics."""
        if not self.matches_all(folded):
            return 0.0
        s = 1.0
        m = self._phrase_re.search(folded)
        if m:
            s += 2.0 + (0.5 if m.start() == 0 else 0.0)
        s += 0.5 * sum(1 for r in self._whole_res if r.search(folded)) / len(self.words)
        if original is not None and self.text.strip() and self.text.strip().lower() in original.lower():
            s += 0.5
        return s

    def snippet(self, text: str, width: int = 160) -> str:
        """`text` shortened to about `width` characters around the first match."""
        text = " ".join(text.split())
        if len(text) <= width:
            return text
        folded, idx = fold_map(text)
        m = self._phrase_re.search(folded) or next((m for r in self._word_res if (m := r.search(folded))), None)
        centre = idx[m.start()] if m and idx else 0
        start = max(0, min(centre - width // 3, len(text) - width))
        end = start + width
        return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")
