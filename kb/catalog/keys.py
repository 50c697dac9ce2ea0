"""How the catalog compares and orders text: folded text with its character map, name keys,
and sort keys for section paths, plan levels and numbered ids.

`name_key(text)` is the main entry point (names compared regardless of tones and punctuation);
`fold_map` maps folded text back to the original, `path_key` sorts 'II.1.đ' after 'II.1.d'.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from plankb.kb.text import fold, roman_to_int

LEVEL_ORDER = {"national": 0, "province": 1, "commune": 2, None: 3}


@lru_cache(maxsize=4096)
def _fold_char(c: str) -> str:
    if c.isspace():
        return " "
    d = "".join(x for x in unicodedata.normalize("NFD", c) if not unicodedata.combining(x))
    return d.replace("đ", "d").replace("Đ", "D").replace("\u2013", "-").replace("\u2014", "-").lower()


def fold_map(text: str) -> tuple[str, list[int]]:
    """(folded text, index of each folded character in `text`), whitespace runs collapsed.

    >>> fold_map("Hành  chính")[0]
    'hanh chinh'
    """
    out: list[str] = []
    idx: list[int] = []
    for i, c in enumerate(unicodedata.normalize("NFC", text)):
        f = _fold_char(c)
        if f == " " and out and out[-1] == " ":
            continue
        for ch in f:
            out.append(ch)
            idx.append(i)
    return "".join(out), idx


def name_key(text: str) -> str:
    """Folded words only, padded with spaces: names compare regardless of tones and punctuation.

    >>> name_key("Phòng Văn hoá – Xã hội")
    ' phong van hoa xa hoi '
    """
    return " " + " ".join(re.findall(r"\w+", fold(text))) + " "


_ROMAN_RE = re.compile(r"^[IVXLC]+$")  # section numerals (a lone "D" or "M" is a letter item)
_LETTERS = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
def path_key(path: str | None) -> tuple:
    """Sort key for section paths: roman numerals, then numbers, then letters in Vietnamese order.

    >>> sorted(["II.1.2.10", "II.1.2.2", "I.1", "II.1.đ", "II.1.e", "II.1.d"], key=path_key)
    ['I.1', 'II.1.2.2', 'II.1.2.10', 'II.1.d', 'II.1.đ', 'II.1.e']
    """
    key = []
    for seg in (path or "").split("."):
        if seg.isdigit():
            key.append((1, int(seg), ""))
        elif _ROMAN_RE.match(seg):
            key.append((0, roman_to_int(seg), ""))
        elif len(seg) == 1 and seg.lower() in _LETTERS:
            key.append((2, _LETTERS.index(seg.lower()), ""))
        else:
            key.append((3, 0, seg))
    return tuple(key)


def num_suffix(ident: str) -> int:
    """The number ending an id ('…ind-12' -> 12), else 0: indicators sort by it."""
    m = re.search(r"(\d+)$", ident)
    return int(m.group(1)) if m else 0
