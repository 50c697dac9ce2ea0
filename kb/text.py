"""Vietnamese text normalisation shared by every stage: folding, tone-mark styles, slugs."""
from __future__ import annotations

import re
import unicodedata

_TONES = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook above, dot below

# Old-style tone placement on the open diphthongs oa, oe, uy ("hoá", "khoẻ", "thuỷ") versus the
# new style ("hóa", "khỏe", "thủy"). We canonicalise to the new style (tone on the first vowel)
# when the diphthong ends the syllable; applied to NFD text of one word.
# Example: "hoá" (o, a, U+0301) -> "hóa" (o, U+0301, a).
OLD_TONE_RE = re.compile(rf"([oOuU])([aAeEyY])([{_TONES}])$")


def _canonical_tone(word: str) -> str:
    d = unicodedata.normalize("NFD", word)
    d = OLD_TONE_RE.sub(r"\1\3\2", d)
    return unicodedata.normalize("NFC", d)


def canonical_tones(text: str) -> str:
    """Same text with tone marks placed in one style ("hoá" -> "hóa", "thuỷ" -> "thủy").

    >>> canonical_tones("Văn hoá") == canonical_tones("Văn hóa")
    True
    """
    return re.sub(r"[^\W\d_]+", lambda m: _canonical_tone(m.group(0)), unicodedata.normalize("NFC", text))


def fold(text: str) -> str:
    """Lower-case, strip diacritics (đ -> d), collapse whitespace: for matching only.

    >>> fold("Phòng Văn hoá – Xã hội")
    'phong van hoa - xa hoi'
    """
    t = unicodedata.normalize("NFD", text)
    t = "".join(c for c in t if not unicodedata.combining(c))
    t = t.replace("đ", "d").replace("Đ", "D").lower()
    t = t.replace("\u2013", "-").replace("\u2014", "-")
    return re.sub(r"\s+", " ", t).strip()


def squash(text: str) -> str:
    """Collapse runs of whitespace to single spaces and strip."""
    return re.sub(r"\s+", " ", text).strip()


def slug(text: str, max_len: int = 80) -> str:
    """ASCII slug of Vietnamese text for readable IRIs.

    >>> slug("Phòng Văn hóa - Xã hội")
    'phong-van-hoa-xa-hoi'
    >>> slug("QĐ-TTg")
    'qd-ttg'
    """
    t = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
    return t[:max_len].rstrip("-")


def clip(text: str, n: int) -> str:
    """Whitespace folded, cut to `n` characters with an ellipsis (labels, titles, tooltips).

    >>> clip("Sở  Nội vụ chủ trì", 9)
    'Sở Nội v…'
    """
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


_ROMAN_VALUES = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                 (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
_ROMAN_DIGITS = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
ROMAN_RE = re.compile(r"^[IVXLCDM]+$")


def roman_to_int(s: str) -> int:
    """Value of an upper-case Roman numeral (section labels "I.", "II.", "IV.").

    >>> roman_to_int("XIV")
    14
    """
    total = 0
    for a, b in zip(s, s[1:] + " "):
        v = _ROMAN_DIGITS[a]
        total += -v if b != " " and _ROMAN_DIGITS[b] > v else v
    return total


def int_to_roman(n: int) -> str:
    """Upper-case Roman numeral of 1 ≤ n < 40000; other numbers as digits.

    >>> int_to_roman(14)
    'XIV'
    """
    if n <= 0 or n >= 40000:
        return str(n)
    out = []
    for value, digits in _ROMAN_VALUES:
        while n >= value:
            out.append(digits)
            n -= value
    return "".join(out)
