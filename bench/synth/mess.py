"""Per-document text mess: old/mixed tone-mark styles, decomposed Unicode, page breaks inside sentences.

Main entry point: `Mess(spec, seed, truth)`; `old_tones` moves tone marks to the old style.
"""
from __future__ import annotations

import random
import re
import unicodedata

from plankb.bench.synth.blocks import Truth
from plankb.bench.synth.common import _rng
from plankb.bench.synth.specs import Spec

_OLD_TONE = {"óa": "oá", "òa": "oà", "ỏa": "oả", "õa": "oã", "ọa": "oạ", "óe": "oé", "òe": "oè", "ỏe": "oẻ", "õe": "oẽ",
             "ọe": "oẹ", "úy": "uý", "ùy": "uỳ", "ủy": "uỷ", "ũy": "uỹ", "ụy": "uỵ"}
_OLD_TONE_RE = re.compile(r"(?<![qQ])(" + "|".join(_OLD_TONE) + r")(?![^\W\d_])", re.IGNORECASE)


def old_tones(text: str, share: float, r: random.Random) -> str:
    """Move tone marks to the old style ('hóa' -> 'hoá', 'thủy' -> 'thuỷ') for a share of the words."""
    def rep(m: re.Match) -> str:
        s = m.group(0)
        low = s.lower()
        if low not in _OLD_TONE or r.random() > share:
            return s
        new = _OLD_TONE[low]
        return new if s[0].islower() else new[0].upper() + new[1:]

    return _OLD_TONE_RE.sub(rep, text)


class Mess:
    """Per-document text mess: tone style, decomposed Unicode, page breaks inside sentences."""

    def __init__(self, spec: Spec, seed: int, truth: Truth):
        self.r = _rng(seed, spec.key + "/mess")
        r = self.r
        self.tone_share = 0.0
        x = r.random()
        if x < 0.3:
            self.tone_share = 1.0
            truth.mess.add("old_tone_marks")
        elif x < 0.45:
            self.tone_share = 0.4
            truth.mess.add("mixed_tone_marks")
        self.nfd = r.random() < 0.15
        if self.nfd:
            truth.mess.add("decomposed_unicode")
        self.breaks = spec.fmt == "text" and r.random() < 0.4
        if self.breaks:
            truth.mess.add("page_break_in_sentence")
        self.spacious = r.random() < 0.55  # blank line between paragraphs (seeds 001-004) or not (000)

    def text(self, s: str) -> str:
        if self.tone_share:
            s = old_tones(s, self.tone_share, self.r)
        if self.nfd and self.r.random() < 0.3:
            words = s.split(" ")
            i = self.r.randrange(len(words))
            words[i] = unicodedata.normalize("NFD", words[i])
            s = " ".join(words)
        return s

    def maybe_break(self, s: str) -> str:
        """Seed 001/002: a page break leaves a blank line inside a sentence."""
        if self.breaks and len(s) > 160 and self.r.random() < 0.08:
            cut = s.find(" ", self.r.randint(60, len(s) - 60))
            if cut > 0:
                return s[:cut] + "\n\n" + s[cut + 1:]
        return s
