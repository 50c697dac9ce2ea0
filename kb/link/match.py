"""The matching rules: can a cited document be a given plan, and how strongly (`score`).

Places, periods and titles are compared folded (no diacritics); see the package docstring for the
three methods (adopting decision, number, metadata).
"""
from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import fuzz

from plankb.kb.link.catalog import LegalInfo, PlanInfo
from plankb.kb.text import fold

MIN_TITLE_SIMILARITY = 60.0

_PLACE_PREFIX_RE = re.compile(r"^(thanh pho|tinh|tp\.?|phuong|xa|dac khu)\s+")
_PERIOD_RE = re.compile(r"giai doan\s*(\d{4})\s*-\s*(\d{4})")
_YEAR_RE = re.compile(r"\bnam\s+(\d{4})\b")


@lru_cache(maxsize=65536)
def place(name: str | None) -> str | None:
    """'Thành phố Hải Phòng' -> 'hai phong'; 'Hải Phòng' -> 'hai phong'."""
    if not name:
        return None
    return _PLACE_PREFIX_RE.sub("", fold(name)).strip() or None


def period_of(name: str | None) -> tuple[int, int] | None:
    """Period named in a citation: 'giai đoạn 2026-2030' -> (2026, 2030); 'năm 2026' -> (2026, 2026).

    >>> period_of("Kế hoạch cải cách hành chính nhà nước trọng tâm giai đoạn 2026 – 2030 của thành phố")
    (2026, 2030)
    >>> period_of("cải cách hành chính nhà nước tỉnh Bắc Ninh năm 2026")
    (2026, 2026)
    """
    if not name:
        return None
    f = fold(name)
    m = _PERIOD_RE.search(f)
    if m:
        return int(m.group(1)), int(m.group(2))
    years = _YEAR_RE.findall(f)
    if years:
        y = int(years[-1])
        return y, y
    return None


def _title_key(text: str) -> str:
    t = fold(text)
    t = re.sub(r"\s*-\s*", "-", t)
    t = re.sub(r"^(ve viec )?(ban hanh )?(ke hoach )?", "", t)
    return t


def title_similarity(a: str | None, b: str | None) -> float:
    if not a or not b:
        return 0.0
    return float(fuzz.token_set_ratio(_title_key(a), _title_key(b)))


def _citation_level(leg: LegalInfo) -> str | None:
    if leg.level:
        return leg.level
    sym = fold(leg.symbol or "")
    if "ttg" in sym or sym.endswith("cp") or "/tw" in sym:
        return "national"
    issuer = fold(leg.issuer or "")
    if "phuong" in issuer or re.search(r"\bxa\b", issuer):
        return "commune"
    if "thanh pho" in issuer or "tinh" in issuer:
        return "province"
    return None


def _citation_place(leg: LegalInfo, citing: PlanInfo | None) -> str | None:
    """Jurisdiction the citation points to: stated, or implied by the citing plan."""
    if leg.jurisdiction:
        return place(leg.jurisdiction)
    if citing is None:
        return None
    level = _citation_level(leg)
    if level == "province":
        return place(citing.province if citing.level == "commune" else citing.jurisdiction)
    if level == "commune":
        return place(citing.jurisdiction)
    return None


def _plan_place(p: PlanInfo) -> str | None:
    return place(p.jurisdiction)


def _split_number(number: str | None) -> tuple[str | None, str | None]:
    if not number or "/" not in number:
        return number, None
    n, _, sym = number.partition("/")
    return n.strip(), sym.strip()


def _year(date: str | None) -> int | None:
    return int(date[:4]) if date and date[:4].isdigit() else None


def score(leg: LegalInfo, p: PlanInfo, citing: PlanInfo | None) -> tuple[str, float] | None:
    """(method, score) if L can be the plan P (or the decision adopting it), else None."""
    if p.adopted_key and p.adopted_key == leg.key:
        return "adopting-decision", 1.0
    lplace, pplace = _citation_place(leg, citing), _plan_place(p)
    if lplace and pplace and lplace != pplace:
        return None
    is_plan_citation = fold(leg.doc_type or "") == "kh"
    num, sym = _split_number(p.number)
    if is_plan_citation and num and leg.number:
        same = (num == leg.number and fold(sym or "") == fold(leg.symbol or "")
                and (leg.year is None or _year(p.date) is None or leg.year == _year(p.date)))
        return ("number", 1.0) if same and lplace and pplace else None
    if not is_plan_citation and p.adopted_key:
        return None  # P is adopted by another, known decision
    level = _citation_level(leg)
    if level is None or level != p.level or not lplace or not pplace:
        return None
    per = period_of(leg.name)
    if per is None or p.period is None or per != p.period:
        return None
    if leg.year is not None and not (p.period[0] - 1 <= leg.year <= p.period[1]):
        return None
    if leg.date and p.date and leg.date[:10] != p.date[:10]:
        return None
    name = leg.name or ""
    if not is_plan_citation and "ke hoach" not in fold(name):
        return None  # a decision that does not issue a plan
    sim = title_similarity(name, p.title)
    if sim < MIN_TITLE_SIMILARITY:
        return None
    return "metadata", round(0.4 + 0.6 * sim / 100.0, 3)


def _ident(leg: LegalInfo) -> tuple:
    return (fold(leg.doc_type or ""), leg.number, fold(leg.symbol or ""), place(leg.jurisdiction))
