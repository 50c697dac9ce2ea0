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

from vietnam_provinces import Province, Ward

from plankb.ingest.extract import patterns as P
from plankb.ingest.extract.units import unit_patterns
from plankb.kb.ids import NATIONAL_CODE
from plankb.kb.models import Jurisdiction, Period
from plankb.kb.text import canonical_tones, fold, squash


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


_DIGITS_RE = re.compile(r"\d{1,2}")
_DASH_RE = re.compile(r"[-\u2013\u2014]")  # spaces around it are squashed after the substitution


def proper_name(words: str) -> str:
    """The leading run of the words of a proper name: capitalised words, plus the short numbers and
    dashes of official names ('Quyết Thắng năm 2026' -> 'Quyết Thắng', 'Hà Giang 1 năm 2026' ->
    'Hà Giang 1', '2 Bảo Lộc xây dựng' -> '2 Bảo Lộc', 'Văn Miếu - Quốc Tử Giám năm' -> 'Văn Miếu - Quốc Tử Giám')."""
    out: list[str] = []
    for w in words.split():
        if w[:1].isupper() or _DIGITS_RE.fullmatch(w) or (w in "-\u2013\u2014" and out):
            out.append(w)
            continue
        break
    while out and out[-1] in "-\u2013\u2014":
        out.pop()
    return " ".join(out)


def _name_key(name: str) -> str:
    """Folded comparison key of a division name: dashes spaced one way ('Văn Miếu-Quốc Tử Giám')."""
    return fold(_DASH_RE.sub(" - ", name))


def _exact_key(name: str) -> str:
    """Diacritic-sensitive comparison key: NFC, one tone-mark style, lower case, dashes unified."""
    return squash(_DASH_RE.sub(" - ", canonical_tones(name))).lower()


@lru_cache(maxsize=1)
def _ward_index() -> dict[str, list]:
    """folded official commune name ('phuong ha giang 1') -> the communes of that name."""
    _, wards = _divisions()
    out: dict[str, list] = {}
    for w in wards:
        out.setdefault(_name_key(w.name), []).append(w)
    return out


def _resolve_commune(ctype: str, cname: str, mentions: Counter[str]) -> Jurisdiction | None:
    """The official commune named by `ctype` + the words `cname` that follow it in the text.

    The longest run of leading words that is an official name wins ('Hà Giang 1 năm 2026' ->
    phường Hà Giang 1, not Hà Giang), exact spellings first ('An Nhơn năm 2026' -> An Nhơn, not
    the folded look-alike An Nhơn Nam). Names that fold alike (xã Văn Lăng / Văn Lang, Cẩm Giàng /
    Cẩm Giang, in one province) are ranked by: a province the document names, then the exact
    (diacritic-sensitive) spelling, then how often the province is named. Still tied: unresolved.
    """
    provinces, _ = _divisions()
    index = _ward_index()
    words = cname.split()[:8]
    found: tuple[str, list] | None = None
    for k in range(len(words), 0, -1):
        typed = f"{ctype} {' '.join(words[:k])}"
        if cands := index.get(_name_key(typed), []):
            if any(_exact_key(w.name) == _exact_key(typed) for w in cands):
                found = (typed, cands)  # the longest exactly spelled name ('An Nhơn năm' is not 'An Nhơn Nam')
                break
            found = found or (typed, cands)
    if found is None:
        return None
    typed, cands = found
    pname = {p.code: p.name for p in provinces}
    exact = _exact_key(typed)

    def rank(w) -> tuple[bool, bool, int]:
        n = mentions.get(pname[w.province_code], 0)
        return (n > 0, _exact_key(w.name) == exact, n)

    ranked = sorted(cands, key=rank, reverse=True)
    w = ranked[0]
    if len(ranked) > 1:
        top, second = rank(w), rank(ranked[1])
        if top == second or not (top[0] or top[1]):
            return None  # ambiguous: the document singles out none of the candidates
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


# The national level has one jurisdiction, the country (IRI {base}jurisdiction/VN, see kb/ids.py);
# its units (ministries) carry the same name and code in ingest/units.py.
NATIONAL = Jurisdiction(name="Việt Nam", code=NATIONAL_CODE, province=None, province_code=None, type="quốc gia")

# A national body heading the document (its own line or table cell before "KẾ HOẠCH"):
# "THỦ TƯỚNG CHÍNH PHỦ", "CHÍNH PHỦ"; ministries and ministerial-level agencies come from the
# national rows of vocab/units.csv ("BỘ NỘI VỤ", "VĂN PHÒNG CHÍNH PHỦ").
_GOVERNMENT_LINES = {"thu tuong chinh phu": "Thủ tướng Chính phủ", "chinh phu": "Chính phủ"}
# The decision or resolution adopting the plan is the Prime Minister's or the Government's:
# "(Ban hành kèm theo Quyết định số 282/QĐ-TTg ngày 12/02/2026 của Thủ tướng Chính phủ)"
# (matched on folded text, where line breaks are spaces: the issuer may stand on the next line)
NATIONAL_ADOPTION_RE = re.compile(
    r"kem theo (?:quyet dinh|nghi quyet) so[^()]{0,160}?"
    r"(?:/(?P<ttg>qd-ttg)\b|/(?P<cp>nq-cp)\b|cua (?P<who>thu tuong chinh phu|chinh phu)\s*\))"
)
# Weaker: the text says the Government / Prime Minister issues this plan (only used when no place is named)
NATIONAL_PHRASE_RE = re.compile(r"(?i)thủ tướng chính phủ ban hành kế hoạch|chính phủ ban hành kế hoạch")


def _national_issuer(head: str) -> str | None:
    """The national body issuing the plan, from its header lines or its adopting decision; else None."""
    m = P.PLAN_TITLE_RE.search(head)
    top = head[: m.start()] if m else ""

    national = [u for u in unit_patterns() if u.level == "national" and u.kind != "collective"]
    for line in top.split("\n"):
        for cell in line.split("\t"):
            c = fold(re.sub(r"[*_#]", " ", cell)).strip(" .:")
            if not c:
                continue
            if c in _GOVERNMENT_LINES:
                return _GOVERNMENT_LINES[c]
            for u in national:
                if u.regex.fullmatch(c):
                    return u.canonical
    if m := NATIONAL_ADOPTION_RE.search(fold(head)):
        if m.group("ttg") or m.group("who") == "thu tuong chinh phu":
            return "Thủ tướng Chính phủ"
        return "Chính phủ"
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
    national_issuer = None
    if (m := P.COMMUNE_NAME_RE.search(title or "")) and proper_name(m.group("name")):
        commune_hint = proper_name(m.group("name"))
        jur = _resolve_commune(m.group("type"), m.group("name"), mentions)
        level = "commune"
    elif title and (m := P.PROVINCE_NAME_RE.search(title)):
        jur = _resolve_province(m.group("name"))
        level = "province"
    if jur is None and level != "commune" and (national_issuer := _national_issuer(head)):
        level = "national"  # "THỦ TƯỚNG CHÍNH PHỦ" / "BỘ NỘI VỤ" header, or adopted by a QĐ-TTg / NQ-CP
    elif jur is None and level != "commune":
        # no place in the title: the issuer line names it ("UBND phường Ba Đình xây dựng …")
        if (m := P.COMMUNE_NAME_RE.search(head)) and proper_name(m.group("name")):
            commune_hint = proper_name(m.group("name"))
            jur = _resolve_commune(m.group("type"), m.group("name"), mentions)
            level = "commune"
        elif mentions:
            jur = _resolve_province(_short_province(mentions.most_common(1)[0][0]))
            level = "province"
        elif m := NATIONAL_PHRASE_RE.search(head):
            level = "national"
            national_issuer = "Chính phủ" if m.group(0).lower().startswith("chính") else "Thủ tướng Chính phủ"
    if level == "national":
        jur = NATIONAL
    elif level == "commune" and jur is not None:
        commune_hint = re.sub(r"^(?:Phường|Xã|Đặc khu)\s+", "", jur.name)

    period = None
    if m := P.PERIOD_RANGE_RE.search(title or ""):
        period = Period(start=int(m.group("start")), end=int(m.group("end")))
    elif m := P.PERIOD_YEAR_RE.search(title or ""):
        period = Period(start=int(m.group("year")), end=int(m.group("year")))
    elif m := P.PERIOD_RANGE_RE.search(scope):
        period = Period(start=int(m.group("start")), end=int(m.group("end")))

    issuer = None
    if level == "national":
        issuer = national_issuer
    elif jur is not None:
        issuer = f"Ủy ban nhân dân {jur.name[0].lower()}{jur.name[1:]}"
    province_hint = None
    if jur is not None and level != "national":
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
