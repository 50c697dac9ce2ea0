"""Units (cơ quan, đơn vị): mentions, canonical names per jurisdiction, roles and reform areas.

Unit names come from `vocab/units.csv`: a canonical name (with `{province_type}` /
`{commune_type}` filled from the plan's jurisdiction), the level the unit belongs to (commune,
province, national) and a pattern over folded text (lower case, no diacritics, en-dash -> '-').
A commune plan's "Sở Nội vụ" is the province's unit; its "Phòng Văn hóa - Xã hội" is the
commune's own. Roles and areas come from the plan's own words:
- standing: "cơ quan thường trực … (Phòng Văn hóa - Xã hội)", "Là cơ quan thường trực",
  "Là cơ quan đầu mối", "(qua Phòng Văn hóa - Xã hội) để tổng hợp";
- lead of an area: a responsibility subsection "2.2. Sở Tư pháp: Chủ trì, … các nhiệm vụ về cải cách
  thể chế", or an area's "Chủ trì: Văn phòng HĐND và UBND phường." line;
- support: "Phối hợp: …" lines and table columns.
"""
from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from plankb.ingest.extract.areas import AREA_HEADING_RES
from plankb.kb.ids import NATIONAL_CODE
from plankb.kb.models import Jurisdiction, Span, Unit, UnitMention
from plankb.kb.text import slug, squash

VOCAB = Path(__file__).resolve().parent.parent / "vocab" / "units.csv"

# "Là cơ quan thường trực của Ủy ban nhân dân phường về cải cách hành chính", "Là cơ quan đầu mối tham mưu"
# but not "Là cơ quan thường trực của Tổ Công tác triển khai Đề án 06" (another body's secretariat)
STANDING_RE = re.compile(r"co quan (?:thuong truc|dau moi)(?! cua to cong tac)(?! cua ban chi dao)")
# "(qua Phòng Văn hóa - Xã hội) để tổng hợp", "(qua Phòng Văn hoá – Xã hội để tổng hợp)"
VIA_RE = re.compile(r"\(\s*qua\s+")
# "Chủ trì: Văn phòng HĐND và UBND phường." / "- Phối hợp: Các phòng, ban, đơn vị thuộc phường."
ASSIGN_LINE_RE = re.compile(r"^\s*(?P<role>chu tri|phoi hop)\s*:")
# the part of a "Chủ trì …" sentence that names the areas: "các nhiệm vụ về cải cách thể chế",
# "các nội dung: tăng cường công tác chỉ đạo, điều hành…", "lĩnh vực cải cách tài chính công",
# "thuộc các lĩnh vực: công tác chỉ đạo, điều hành; cải cách tổ chức bộ máy"
AREA_SCOPE_RE = re.compile(r"(?:nhiem vu|noi dung|linh vuc)(?: ve| thuoc(?: cac)? linh vuc)?\s*:?\s")
LEAD_WORD_RE = re.compile(r"chu tri|dau moi|thuong truc")


def fold_keep_length(text: str) -> str:
    """Lower-case, diacritics stripped, dashes unified, one char per char (offsets preserved)."""
    out = []
    for c in text:
        d = unicodedata.normalize("NFD", c)
        b = d[0] if d else c
        if b in "đĐ":
            b = "d"
        elif b in "\u2013\u2014":
            b = "-"
        elif b in "\t\n\r":
            b = " "
        b = b.lower()
        out.append(b if len(b) == 1 else c)
    return "".join(out)


@dataclass(frozen=True)
class UnitPattern:
    canonical: str
    level: str
    kind: str
    regex: re.Pattern[str]


@lru_cache(maxsize=1)
def unit_patterns() -> list[UnitPattern]:
    rows = []
    with VOCAB.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            pat = row["pattern"].replace(" ?", r"\s*").replace(" ", r"\s+")
            rows.append(UnitPattern(row["canonical"], row["level"], row["kind"], re.compile(rf"(?<![a-z]){pat}(?![a-z])")))
    return rows


@dataclass
class UnitRegistry:
    """Collects the units of one plan, keyed by canonical name."""

    jurisdiction: Jurisdiction | None
    level: str
    units: dict[str, Unit] = field(default_factory=dict)

    def _jurisdiction_for(self, level: str) -> tuple[str | None, str | None]:
        j = self.jurisdiction
        if level == "national":
            return "Việt Nam", NATIONAL_CODE
        if j is None or self.level == "national":
            return None, None  # a national plan's "Sở Nội vụ" is every province's: no one jurisdiction
        if level == "province":
            if self.level == "commune":
                return j.province, j.province_code
            return j.name, j.code
        return j.name, j.code

    def _fill(self, canonical: str) -> str:
        j = self.jurisdiction
        ptype = "thành phố"
        ctype = "phường"
        if j is not None:
            pname = (j.province if self.level == "commune" else j.name) or ""
            ptype = "thành phố" if pname.lower().startswith("thành phố") else "tỉnh"
            if self.level == "commune" and j.type:
                ctype = j.type
        return canonical.replace("{province_type}", ptype).replace("{commune_type}", ctype)

    def add(self, pattern: UnitPattern, surface: str, span: Span) -> Unit:
        name = self._fill(pattern.canonical)
        jur, code = self._jurisdiction_for(pattern.level)
        unit = self.units.get(name)
        if unit is None:
            uid = f"{slug(jur or 'unknown')}-{(code or 'x').lower()}.{slug(name)}"
            unit = Unit(id=uid, name=name, jurisdiction=jur, jurisdiction_code=code)
            self.units[name] = unit
        alias = squash(surface)
        if alias not in unit.aliases:
            unit.aliases.append(alias)
        unit.mentions.append(UnitMention(surface=surface, span=span))
        return unit

    def role(self, unit: Unit, role: str, area: str | None = None) -> None:
        if role not in unit.roles:
            unit.roles.append(role)  # type: ignore[arg-type]
        if area and role in ("lead", "standing") and area not in unit.areas:
            unit.areas.append(area)  # type: ignore[arg-type]


def find_units(text: str, folded: str, start: int, end: int, registry: UnitRegistry) -> list[Unit]:
    """Unit mentions in text[start:end], registered in `registry`, in order of appearance."""
    found: list[tuple[int, int, UnitPattern]] = []
    window = folded[start:end]
    for up in unit_patterns():
        for m in up.regex.finditer(window):
            s, e = start + m.start(), start + m.end()
            if any(s < fe and e > fs for fs, fe, _ in found):
                continue  # a more specific pattern (earlier in the CSV) already took these chars
            found.append((s, e, up))
    found.sort(key=lambda x: x[0])
    # Unit names are proper nouns: a mention starting in lower case needs a capital later on
    # ("phòng Văn hóa - Xã hội" is a unit, "cơ sở y tế", health facilities, is not).
    # Collective phrases are exempt.
    found = [f for f in found if f[2].kind == "collective" or text[f[0]].isupper() or any(ch.isupper() for ch in text[f[0]:f[1]])]
    out = []
    for s, e, up in found:
        out.append(registry.add(up, text[s:e], Span(start=s, end=e)))
    return out


def areas_in_scope(folded_line: str) -> list[str]:
    """Areas named after 'các nhiệm vụ về' / 'lĩnh vực' / 'các nội dung:' in a lead sentence."""
    m = AREA_SCOPE_RE.search(folded_line)
    if not m:
        return []
    scope = folded_line[m.end():]
    areas = []
    for area, rx in AREA_HEADING_RES:
        if rx.search(scope) and area not in areas:
            areas.append(area)
    return areas


@dataclass
class AreaAssignment:
    """Who leads / supports each reform area, from the plan's own responsibility text."""

    lead: dict[str, list[str]] = field(default_factory=dict)
    support: dict[str, list[str]] = field(default_factory=dict)
    standing: list[str] = field(default_factory=list)

    def add(self, kind: str, area: str, name: str) -> None:
        d = self.lead if kind == "lead" else self.support
        lst = d.setdefault(area, [])
        if name not in lst:
            lst.append(name)


RESPONSIBILITY_HEADING_RE = re.compile(r"to chuc thuc hien|trach nhiem|phan cong")
ASSIGNMENT_SECTION_RE = re.compile(r"co quan(?:, nguoi)? (?:chu tri )?thuc hien|don vi thuc hien|phan cong thuc hien")


def _lines_with_offsets(cleaned: str, start: int, end: int):
    pos = start
    for line in cleaned[start:end].split("\n"):
        yield pos, pos + len(line)
        pos += len(line) + 1


def extract_roles(text: str, cleaned: str, folded: str, seg, registry: UnitRegistry, area_of) -> AreaAssignment:
    """Roles from responsibility subsections, area 'Cơ quan thực hiện' blocks and standing phrases.

    `area_of(section)` gives the reform area of a section inside the task part (None elsewhere).
    """
    out = AreaAssignment()
    # 1. "Cơ quan thực hiện" blocks of an area (seed 003 style): "- Chủ trì: X." / "- Phối hợp: Y."
    for sec in seg.walk():
        if sec.kind != "number" or not ASSIGNMENT_SECTION_RE.search(fold_keep_length(sec.heading)):
            continue
        area = area_of(sec)
        if area is None:
            continue
        role = None
        for s, e in _lines_with_offsets(cleaned, sec.span.end, sec.body_end):
            line = folded[s:e]
            if not line.strip():
                continue
            m = ASSIGN_LINE_RE.match(line.lstrip(" -+·•*"))
            if m:
                role = "lead" if m.group("role") == "chu tri" else "support"
            elif LEAD_WORD_RE.search(line) and role is None:
                role = "lead"
            units = find_units(text, folded, s, e, registry)
            if role == "support" and not m:
                # "+ Văn phòng HĐND và UBND: Thực hiện kiểm đếm…": only the unit leading the line
                units = units[:1]
            for u in units:
                registry.role(u, role or "lead", area)
                out.add(role or "lead", area, u.name)
    # 2. Responsibility subsections: "2.2. Sở Tư pháp: Chủ trì, … các nhiệm vụ về cải cách thể chế"
    for top in seg.sections:
        if not RESPONSIBILITY_HEADING_RE.search(fold_keep_length(top.heading)):
            continue
        for sec in _walk(top):
            if sec.kind != "number" or sec is top:
                continue
            head_units = find_units(text, folded, sec.span.start, sec.span.end, registry)
            if not head_units:
                continue
            unit = head_units[0]
            for s, e in _lines_with_offsets(cleaned, sec.span.start, sec.body_end):
                line = folded[s:e]
                if STANDING_RE.search(line):
                    registry.role(unit, "standing")
                    if unit.name not in out.standing:
                        out.standing.append(unit.name)
                if LEAD_WORD_RE.search(line):
                    for area in areas_in_scope(line):
                        registry.role(unit, "lead", area)
                        out.add("lead", area, unit.name)
                if re.search(r"(?<![a-z])phoi hop(?! voi ubnd)", line) and not LEAD_WORD_RE.search(line):
                    registry.role(unit, "support")
    # 3. Standing agency named in passing: "cơ quan thường trực cải cách hành chính của phường
    #    (Phòng Văn hóa - Xã hội)", "(qua Phòng Văn hóa - Xã hội) để tổng hợp"
    for m in re.finditer(r"co quan thuong truc[^()\n]{0,80}\(|\(\s*qua\s+", folded):
        close = folded.find(")", m.end())
        if close == -1 or close - m.end() > 120:
            continue
        window_end = close if "tong hop" in folded[m.end(): close + 40] or "thuong truc" in m.group(0) else -1
        if window_end == -1:
            continue
        for u in find_units(text, folded, m.end(), window_end, registry)[:1]:
            registry.role(u, "standing")
            if u.name not in out.standing:
                out.standing.append(u.name)
    # The standing agency leads 'direction' unless the plan names someone else.
    for name in out.standing:
        if "direction" not in out.lead:
            out.add("lead", "direction", name)
            u = registry.units[name]
            registry.role(u, "lead", "direction")
    return out


def _walk(sec):
    stack = [sec]
    while stack:
        s = stack.pop()
        yield s
        stack.extend(reversed(s.children))
