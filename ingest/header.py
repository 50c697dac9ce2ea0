"""The plan's header: title, number, draft status, issuer, level, jurisdiction, period, date.

Jurisdictions are resolved against the official two-level administrative divisions
(`vietnam-provinces`): a commune name is not unique (xã Quyết Thắng exists in Hải Phòng and in
Phú Thọ), so candidates are ranked by the provinces the document itself names ("thành phố Hải
Phòng", "UBND tỉnh Bắc Ninh", "iHanoi"…).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from ingest import patterns as P
from kb.models import Jurisdiction, Period
from kb.text import fold, squash


@dataclass
class Header:
    title: str | None
    number: str | None
    is_draft: bool
    issuer: str | None
    level: str
    jurisdiction: Jurisdiction | None
    period: Period | None
    date: str | None
    province_hint: str | None  # short province name ('Hải Phòng') for citation context
    commune_hint: str | None


@lru_cache(maxsize=1)
def _divisions():
    from vietnam_provinces import Province, Ward

    provinces = list(Province.iter_all())
    wards = list(Ward.iter_all())
    return provinces, wards


def _short_province(name: str) -> str:
    return re.sub(r"^(?:Thành phố|Tỉnh)\s+", "", name)


def province_mentions(cleaned: str) -> Counter[str]:
    """How often each official province is named in the text (folded match on its short name)."""
    provinces, _ = _divisions()
    f = fold(cleaned)
    counts: Counter[str] = Counter()
    for p in provinces:
        short = fold(_short_province(p.name))
        n = len(re.findall(rf"(?:thanh pho|tinh|tp\.?|ubnd|uy ban nhan dan)\s+{re.escape(short)}\b", f))
        if short == "ha noi":
            n += f.count("ihanoi")
        if n:
            counts[p.name] += n
    return counts


def proper_name(words: str) -> str:
    """The leading run of capitalised words: 'Quyết Thắng năm 2026' -> 'Quyết Thắng'."""
    out = []
    for w in words.split():
        if not w[:1].isupper():
            break
        out.append(w)
    return " ".join(out)


def _resolve_commune(ctype: str, cname: str, mentions: Counter[str]) -> Jurisdiction | None:
    provinces, wards = _divisions()
    cname = proper_name(cname)
    if not cname:
        return None
    want = fold(f"{ctype} {cname}")
    cands = [w for w in wards if fold(w.name) == want]
    if not cands:
        return None
    pname = {p.code: p.name for p in provinces}
    cands.sort(key=lambda w: -mentions.get(pname[w.province_code], 0))
    w = cands[0]
    if len(cands) > 1 and mentions.get(pname[w.province_code], 0) == 0:
        return None  # ambiguous and the document names none of the candidates' provinces
    return Jurisdiction(
        name=w.name,
        province=pname[w.province_code],
        code=str(int(w.code)),
        province_code=str(int(w.province_code)),
        type=w.division_type.value,
    )


def _resolve_province(name: str) -> Jurisdiction | None:
    provinces, _ = _divisions()
    for p in provinces:
        if fold(_short_province(p.name)) == fold(name):
            return Jurisdiction(name=p.name, code=str(int(p.code)), province=None, province_code=str(int(p.code)), type=p.division_type.value)
    return None


def extract_header(text: str, cleaned: str, header_end: int) -> Header:
    """Header facts from the text before the first top-level section (and the title block)."""
    head = cleaned[: header_end or min(len(cleaned), 3000)]
    title = None
    if m := P.PLAN_TITLE_RE.search(head):
        rest = m.group("rest").strip()
        if not rest:
            # the title continues on the following non-blank lines until "(Kèm theo" / "Căn cứ"
            after = head[m.end():]
            lines = []
            for line in after.split("\n"):
                s = line.strip()
                if not s:
                    if lines:
                        break
                    continue
                if s.startswith("(") or re.match(r"(?i)căn cứ|thực hiện|số\s*:", s):
                    break
                lines.append(s)
            rest = " ".join(lines)
        title = squash(rest) or None

    number, is_draft = None, bool(P.DRAFT_RE.search(head))
    if m := P.DOC_NUMBER_LINE_RE.search(head):
        if m.group("number"):
            number = f"{m.group('number')}/{m.group('symbol')}"
        else:
            is_draft = True  # "Số: /KH-UBND": the number is not filled in yet
    # "(Kèm theo Quyết định số      /QĐ-UBND ngày …)" with a blank number: not yet adopted
    if re.search(r"(?i)kèm theo\s+(?:quyết định|kế hoạch)\s+số\s*/", re.sub(r"[ \t]+", " ", head).replace("số /", "số/")):
        is_draft = True

    mentions = province_mentions(cleaned)
    jur, level = None, "province"
    scope = " ".join(filter(None, [title, head[-1500:]]))
    commune_hint = None
    if (m := P.COMMUNE_NAME_RE.search(title or "")) and proper_name(m.group("name")):
        commune_hint = proper_name(m.group("name"))
        jur = _resolve_commune(m.group("type"), m.group("name"), mentions)
        level = "commune"
    elif title and (m := P.PROVINCE_NAME_RE.search(title)):
        jur = _resolve_province(m.group("name"))
        level = "province"
    if jur is None and level != "commune":
        # no place in the title: the issuer line names it ("UBND phường Ba Đình xây dựng …")
        if (m := P.COMMUNE_NAME_RE.search(head)) and proper_name(m.group("name")):
            commune_hint = proper_name(m.group("name"))
            jur = _resolve_commune(m.group("type"), m.group("name"), mentions)
            level = "commune"
        elif mentions:
            jur = _resolve_province(_short_province(mentions.most_common(1)[0][0]))
            level = "province"
    if re.search(r"(?i)thủ tướng chính phủ ban hành|chính phủ ban hành kế hoạch|bộ trưởng", head) and jur is None:
        level = "national"

    period = None
    if m := P.PERIOD_RANGE_RE.search(title or ""):
        period = Period(start=int(m.group("start")), end=int(m.group("end")))
    elif m := P.PERIOD_YEAR_RE.search(title or ""):
        period = Period(start=int(m.group("year")), end=int(m.group("year")))
    elif m := P.PERIOD_RANGE_RE.search(scope):
        period = Period(start=int(m.group("start")), end=int(m.group("end")))

    issuer = None
    if jur is not None:
        prefix = "Ủy ban nhân dân"
        if level == "commune":
            issuer = f"{prefix} {jur.name[0].lower()}{jur.name[1:]}"
        else:
            issuer = f"{prefix} {jur.name[0].lower()}{jur.name[1:]}"
    province_hint = None
    if jur is not None:
        province_hint = _short_province(jur.province if level == "commune" and jur.province else jur.name)
    date = None
    if m := P.PLACE_DATE_RE.search(head):
        date = f"{m.group('year')}-{int(m.group('month')):02d}-{int(m.group('day')):02d}"
    return Header(
        title=title,
        number=number,
        is_draft=is_draft,
        issuer=issuer,
        level=level,
        jurisdiction=jur,
        period=period,
        date=date,
        province_hint=province_hint,
        commune_hint=commune_hint,
    )
