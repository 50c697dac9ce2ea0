"""Text features and TF-IDF: folded syllable unigrams + bigrams, vectors and their cosine.

Main entry point: `Vectorizer` (fit on a small corpus, then `vector` / `text_vector`), compared
with `cosine`; `features`, `syllables` and `sentences` cut the Vietnamese text.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache
from typing import Iterable

from plankb.kb.text import fold

_WORD_RE = re.compile(r"[a-z0-9]+")
_SENTENCE_RE = re.compile(r"(?<=[.;:!?])\s+|\n+")


def syllables(text: str) -> list[str]:
    """Folded syllables (no diacritics, tone style irrelevant): 'Văn hoá' -> ['van', 'hoa'].

    >>> syllables("Cải cách thủ tục hành chính; hoá/hóa")
    ['cai', 'cach', 'thu', 'tuc', 'hanh', 'chinh', 'hoa', 'hoa']
    """
    return _WORD_RE.findall(fold(text))


@lru_cache(maxsize=65536)
def features(text: str) -> Counter:
    """Syllable unigrams and bigrams ('thu tuc' is one bigram) with counts (cached: do not mutate)."""
    s = syllables(text)
    c = Counter(s)
    c.update(f"{a} {b}" for a, b in zip(s, s[1:]))
    return c


@lru_cache(maxsize=16384)
def sentences(text: str) -> tuple[str, ...]:
    """Sentences and clauses (split at . ; : ! ? and line breaks), at least one."""
    parts = [p.strip() for p in _SENTENCE_RE.split(text) if p and p.strip()]
    return tuple(p for p in parts if any(ch.isalnum() for ch in p)) or (text.strip(),)


class Vectorizer:
    """TF-IDF over a small corpus (the two plans of a pair): sublinear tf, smooth idf, L2 norm."""

    def __init__(self, doc_freq: Counter, n_docs: int):
        self.df = doc_freq
        self.n = n_docs
        self._idf: dict[str, float] = {}
        self._texts: dict[str, dict[str, float]] = {}

    @classmethod
    def fit(cls, feature_sets: Iterable[Counter]) -> "Vectorizer":
        df: Counter = Counter()
        n = 0
        for f in feature_sets:
            df.update(f.keys())
            n += 1
        return cls(df, n)

    def idf(self, term: str) -> float:
        x = self._idf.get(term)
        if x is None:
            x = self._idf[term] = math.log((1 + self.n) / (1 + self.df.get(term, 0))) + 1.0
        return x

    def text_vector(self, text: str) -> dict[str, float]:
        v = self._texts.get(text)
        if v is None:
            v = self._texts[text] = self.vector(features(text))
        return v

    def vector(self, feats: Counter) -> dict[str, float]:
        idf = self.idf
        v = {t: (1.0 + math.log(c)) * idf(t) for t, c in feats.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        return {t: x / norm for t, x in v.items()}


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(t, 0.0) for t, x in a.items())
