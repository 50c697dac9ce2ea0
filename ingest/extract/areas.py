"""Reform-area classification (NQ 76/NQ-CP's six areas plus 'direction').

`classify_area(text)` scores a heading or sentence against the keyword patterns in
`vocab/areas.csv` (folded, diacritic-insensitive). Section headings are decisive ("2. Cải cách thủ
tục hành chính"); for loose text the area with the most keyword hits wins.
"""
from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

from plankb.kb.text import fold

VOCAB = Path(__file__).resolve().parent.parent / "vocab" / "areas.csv"

# Headings that name an area outright, most specific first. Examples:
# "2. Cải cách thủ tục hành chính", "3. Cải cách TTHC và thực hiện cơ chế một cửa",
# "6. Xây dựng và phát triển Chính phủ điện tử, Chính phủ số", "1. Công tác chỉ đạo, điều hành CCHC",
# "VII Xây dựng, phát triển Chính quyền điện tử, Chính quyền số", "I Chỉ đạo điều hành"
AREA_HEADING_RES: list[tuple[str, re.Pattern[str]]] = [
    ("procedure", re.compile(r"cai cach (thu tuc hanh chinh|tthc)")),
    ("organization", re.compile(r"cai cach (to chuc bo may|bo may)")),
    ("civil_service", re.compile(r"cai cach che do cong vu|che do cong vu")),
    ("public_finance", re.compile(r"cai cach tai chinh cong|tai chinh cong")),
    ("digital_government", re.compile(r"(chinh phu|chinh quyen) (dien tu|so)|chuyen doi so")),
    ("institution", re.compile(r"cai cach the che")),
    ("direction", re.compile(r"chi dao,? (va )?dieu hanh")),
]


@lru_cache(maxsize=1)
def _keyword_res() -> list[tuple[str, re.Pattern[str]]]:
    with VOCAB.open(encoding="utf-8") as f:
        return [(row["area"], re.compile(row["pattern"])) for row in csv.DictReader(f)]


@lru_cache(maxsize=1)
def area_labels() -> dict[str, str]:
    with VOCAB.open(encoding="utf-8") as f:
        return {row["area"]: row["label_vi"] for row in csv.DictReader(f)}


def heading_area(heading: str) -> str | None:
    """Area named by a section heading, or None if the heading names no area."""
    h = fold(heading)
    for area, rx in AREA_HEADING_RES:
        if rx.search(h):
            return area
    return None


def classify_area(text: str, default: str | None = None) -> str | None:
    """Best area for loose text by keyword hits; `default` when nothing matches."""
    h = fold(text)
    best, best_n = default, 0
    for area, rx in _keyword_res():
        n = len(rx.findall(h))
        if n > best_n:
            best, best_n = area, n
    return best
