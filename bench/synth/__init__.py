"""A synthetic national corpus of CCHC plans with a ground-truth JSON per document (issue 7).

    plankb synth --out DIR [--provinces 34] [--communes N] [--seed S]

writes, for the national level, every province and every commune of the two-level system (real
names and codes from `vietnam-provinces`):

    DIR/docs/00-national/…            the national focus plan (adopted by QĐ 282/QĐ-TTg)
    DIR/docs/{pp}-{province}/…        per province: its yearly 2026 plan and five-year plan, and
                                      one yearly 2026 plan per commune (optionally five-year ones)
    DIR/truth/…/{file}.json           the ground truth of each document (same relative path)
    DIR/manifest.json                 every document: path, truth, level, format, style, parents

The documents imitate the five seed plans: four layouts (seed 000/001 "A": objectives, lettered
task lists and "giải pháp"; seed 002 "B": "2.x" sections and a duplicated "2." numbering; seed
003 "C": Markdown headings, per-area targets / tasks / agencies and a 7-column appendix table with
`<b>`/`<ul><li>` cells and rows split across pages; seed 004 "D": a short plan whose tasks are in
an appendix that is, or is not, attached), `.docx` for a share of them (real Word tables, some
bullets as Word list paragraphs), draft plans with blank numbers and dates, citation typos
(`282/QĐTTg`), two date styles and wrong dates, both tone-mark styles (`hoá`/`hóa`), decomposed
Unicode, `[bookmark: …]` debris, page-break blank lines inside sentences and unit-name variants.

Legal bases and parent plans are wired as in reality: commune → province (the province's yearly
plan, and its five-year plan when it was issued first) → national (QĐ 282/QĐ-TTg) → NQ 76/NQ-CP;
a five-year province plan may be printed as an unnumbered draft while its communes cite it by the
number of the decision that adopted it (seed 000 cites seed 001 that way).

Everything is deterministic: each document has its own random generator seeded with
(`seed`, document key), so a one-province corpus contains exactly the documents the national one
has for that province. The text templates live in `kb/synth_data/` (see its README).
"""
from __future__ import annotations

import json
import random
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from plankb.kb.text import fold, slug

DATA_DIR = Path(__file__).resolve().parent / "data"
TRUTH_SCHEMA = "plankb-synth-truth/1"
AREA_ORDER = ("direction", "institution", "procedure", "organization", "civil_service", "public_finance",
              "digital_government")
YEAR = 2026  # the yearly plans' year
FIVE = (2026, 2030)  # the focus period of QĐ 282/QĐ-TTg


# ============================================================================ template data
@dataclass
class Line:
    """One template line: level tags ('' = all), marker ('*', '=', '-', '@', '@!'), text."""

    levels: str
    marker: str
    text: str
    children: list["Line"] = field(default_factory=list)

    def allowed(self, level: str) -> bool:
        return not self.levels or level[0].upper() in self.levels


_LINE_RE = re.compile(r"^(?P<indent>\s*)(?:(?P<tags>[NPC]{1,3})(?=[:*=\-]))?:?\s*(?P<marker>@!|[*=\-@])?\s*(?P<text>.*)$")


def _parse_pools(name: str) -> dict[str, list[Line]]:
    """A template file -> {section: [Line]}; indented '-' lines become children of the last '='
    line; '@' headings ('@ area | heading') collect the '-' lines that follow them; '#' lines are comments."""
    pools: dict[str, list[Line]] = {}
    current: list[Line] | None = None
    for raw in (DATA_DIR / name).read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        if m := re.match(r"^\[(\w+)\]\s*$", raw):
            current = pools.setdefault(m.group(1), [])
            continue
        m = _LINE_RE.match(raw)
        assert m, raw
        marker, text = m.group("marker") or "", m.group("text").strip()
        line = Line(m.group("tags") or "", marker, text)
        if marker in ("@", "@!"):
            current = pools.setdefault("_headings", [])
            current.append(line)
            continue
        if current is None:
            continue
        if m.group("indent") and current and current[-1].marker == "=" or current and current[-1].marker in ("@", "@!") and marker == "-":
            current[-1].children.append(line)
        else:
            current.append(line)
    return pools


@lru_cache(maxsize=1)
def data() -> dict[str, Any]:
    """All template data, parsed once."""
    docs = json.loads((DATA_DIR / "documents.json").read_text(encoding="utf-8"))
    units = json.loads((DATA_DIR / "units.json").read_text(encoding="utf-8"))
    names = {k: v[0].text.split() for k, v in _parse_pools("names.txt").items()}
    deadlines = []
    for raw in (DATA_DIR / "deadlines.txt").read_text(encoding="utf-8").splitlines():
        if raw.strip() and not raw.startswith("#"):
            text, _, w = raw.partition(" ~ ")
            deadlines.append((text.strip(), int(w or 1)))
    solutions = []
    for h in _parse_pools("solutions.txt").get("_headings", []):
        area, _, heading = h.text.partition("|")
        solutions.append((area.strip(), heading.strip(), [c.text for c in h.children], h.marker == "@!"))
    return {
        "prose": _parse_pools("tasks_prose.txt"),
        "table": _parse_pools("tasks_table.txt"),
        "indicators": _parse_pools("indicators.txt"),
        "boiler": _parse_pools("boilerplate.txt"),
        "solutions": solutions,
        "deadlines": deadlines,
        "documents": docs["documents"],
        "laws": docs["laws"],
        "units": units,
        "names": names,
    }


# ============================================================================ places
@dataclass(frozen=True)
class Place:
    level: str  # national | province | commune
    name: str  # official: 'Phường Ái Quốc', 'Thành phố Hải Phòng'
    short: str  # 'Ái Quốc', 'Hải Phòng'
    type: str  # 'phường', 'xã', 'đặc khu', 'tỉnh', 'thành phố trung ương'
    code: str
    province_name: str | None = None
    province_short: str | None = None
    province_code: str | None = None

    @property
    def cap(self) -> str:
        """The level word a plan uses for itself: 'phường', 'xã', 'đặc khu', 'tỉnh', 'thành phố'."""
        return "thành phố" if self.type.startswith("thành phố") else self.type

    @property
    def lower(self) -> str:
        """'phường Ái Quốc', 'thành phố Hải Phòng'."""
        return f"{self.cap} {self.short}"


def _short(name: str) -> str:
    for p in ("Thành phố ", "Tỉnh ", "Phường ", "Xã ", "Đặc khu "):
        if name.startswith(p):
            return name[len(p):]
    return name


@lru_cache(maxsize=1)
def divisions() -> tuple[list[Place], dict[str, list[Place]]]:
    """The 34 provinces (by code) and their communes (by province code), from vietnam-provinces."""
    from vietnam_provinces import Province, Ward

    provinces = []
    for p in sorted(Province.iter_all(), key=lambda p: int(p.code)):
        provinces.append(Place("province", p.name, _short(p.name), p.division_type.value, str(int(p.code))))
    by_code = {p.code: p for p in provinces}
    communes: dict[str, list[Place]] = {p.code: [] for p in provinces}
    for w in sorted(Ward.iter_all(), key=lambda w: int(w.code)):
        prov = by_code[str(int(w.province_code))]
        communes[prov.code].append(Place("commune", w.name, _short(w.name), w.division_type.value, str(int(w.code)),
                                         prov.name, prov.short, prov.code))
    return provinces, communes


# ============================================================================ corpus plan
@dataclass
class CitedDoc:
    """A document a plan cites, with everything the ground truth says about it."""

    key: str  # corpus-wide identity: 'nq76', 'province-31-2026', …
    doc_type: str  # 'NQ', 'QĐ', 'KH', …
    type_name: str
    number: str
    symbol: str
    year: int | None
    date: str | None  # ISO
    issuer: str
    issuer_level: str
    jurisdiction: str | None  # official province name for local documents
    subject: str
    style: str = "plain"  # plain | normative | party
    is_plan: bool = False
    plan_doc: str | None = None  # the synthetic document this citation identifies
    typos: tuple[str, ...] = ()
    wrong_dates: tuple[str, ...] = ()

    def truth(self) -> dict:
        return {"key": self.key, "doc_type": self.doc_type, "number": self.number, "symbol": self.symbol,
                "year": self.year, "date": self.date, "issuer": self.issuer, "issuer_level": self.issuer_level,
                "jurisdiction": self.jurisdiction, "is_plan": self.is_plan, "plan_doc": self.plan_doc}


def national_doc(key: str) -> CitedDoc:
    d = data()["documents"][key]
    return CitedDoc(key, d["type"], d["type_name"], d["number"], d["symbol"], d["year"], d["date"], d["issuer"],
                    "national", None, d["subject"], d.get("style", "plain"), key in ("nq76", "qd282"),
                    "national-2026-2030" if key == "qd282" else None,
                    tuple(d.get("typos", ())), tuple(d.get("wrong_dates", ())))


@dataclass
class Spec:
    """What one document is: place, kind, period, identity, parents; decided before writing."""

    key: str
    place: Place | None  # None for the national plan
    level: str
    period: tuple[int, int]
    date: str | None  # ISO date of signature (None: not printed / draft)
    is_draft: bool
    number: str | None  # printed own number '167/KH-UBND'
    adopted_by: CitedDoc | None  # decision the plan is attached to (printed or blank in drafts)
    adopted_blank: bool  # the adopting decision's number is left blank in the text
    identity: CitedDoc | None  # how other plans cite this plan (KH itself or its adopting QĐ)
    bases: list[CitedDoc] = field(default_factory=list)
    style: str = "A"
    fmt: str = "text"
    province_style: str = "qd"  # how the province issues its plans: 'qd' (adopted by QĐ) or 'kh'


def _iso(y: int, m: int, d: int) -> str:
    return f"{y:04d}-{m:02d}-{d:02d}"


def _rng(seed: int, key: str) -> random.Random:
    return random.Random(f"plankb-synth/{seed}/{key}")


def plan_corpus(provinces: int = 34, communes: int | None = None, seed: int = 0,
                province_codes: Iterable[str] | None = None, five_year_communes: float = 0.0,
                docx_share: float = 0.15, national: bool = True) -> list[Spec]:
    """Every document of the corpus, parents before children.

    `provinces`: how many provinces (in official code order) unless `province_codes` names them;
    `communes`: at most this many communes per province (in code order; None: all);
    `five_year_communes`: share of communes that also have a 2026-2030 plan."""
    all_provinces, all_communes = divisions()
    if province_codes:
        wanted = {str(int(c)) if str(c).isdigit() else fold(str(c)) for c in province_codes}
        chosen = [p for p in all_provinces if p.code in wanted or fold(p.short) in wanted or fold(p.name) in wanted]
    else:
        chosen = all_provinces[:provinces]
    specs: list[Spec] = []
    nat = Spec("national-2026-2030", None, "national", FIVE, "2026-02-12", False, None, national_doc("qd282"),
               False, national_doc("qd282"), [national_doc("nq76")], style="A", fmt="text")
    if national:
        specs.append(nat)
    for prov in chosen:
        r = _rng(seed, f"province-{prov.code}")
        pstyle = "qd" if r.random() < 0.6 else "kh"
        five_key, year_key = f"province-{prov.code}-2026-2030", f"province-{prov.code}-2026"
        issuer = f"Ủy ban nhân dân {prov.lower}"
        # the five-year plan: 'kh' provinces issued it first (Bắc Ninh: KH 69, 19/9/2025, 2025-2030),
        # 'qd' provinces after QĐ 282 (Hải Phòng: QĐ 1478, 14/4/2026, printed as a draft)
        if pstyle == "kh":
            start = 2025 if r.random() < 0.5 else 2026
            fdate = _iso(2025, r.choice([8, 9, 10]), r.randint(1, 28))
            fnum = str(r.randint(40, 120))
            fid = CitedDoc(five_key, "KH", "Kế hoạch", fnum, "KH-UBND", 2025, fdate, issuer, "province", prov.name,
                           f"về cải cách hành chính nhà nước {prov.lower} giai đoạn {start}-2030", is_plan=True, plan_doc=five_key)
            five = Spec(five_key, prov, "province", (start, 2030), fdate, False, f"{fnum}/KH-UBND", None, False, fid,
                        [national_doc("nq76"), national_doc("ct23")] if r.random() < 0.5 else [national_doc("nq76")])
        else:
            fdate = _iso(2026, r.choice([3, 4, 5]), r.randint(1, 28))
            fnum = str(r.randint(900, 1900))
            adopt = CitedDoc(five_key, "QĐ", "Quyết định", fnum, "QĐ-UBND", 2026, fdate, f"Chủ tịch {issuer}", "province",
                             prov.name, f"về việc ban hành Kế hoạch cải cách hành chính nhà nước trọng tâm giai đoạn 2026-2030 của {prov.lower}",
                             is_plan=True, plan_doc=five_key)
            draft = r.random() < 0.5
            five = Spec(five_key, prov, "province", FIVE, None if draft else fdate, draft, None, adopt, draft, adopt,
                        [national_doc("nq76"), national_doc("qd282")])
        five.style = "A"
        five.province_style = pstyle
        # the yearly plan, December 2025
        ydate = _iso(2025, 12, r.randint(10, 30))
        if pstyle == "kh":
            ynum = str(r.randint(150, 400))
            yid = CitedDoc(year_key, "KH", "Kế hoạch", ynum, "KH-UBND", 2025, ydate, issuer, "province", prov.name,
                           f"về cải cách hành chính nhà nước {prov.lower} năm {YEAR}", is_plan=True, plan_doc=year_key)
            year = Spec(year_key, prov, "province", (YEAR, YEAR), ydate, False, f"{ynum}/KH-UBND", None, False, yid,
                        [national_doc("nq76"), five.identity])
        else:
            ynum = str(r.randint(3000, 6000))
            yid = CitedDoc(year_key, "QĐ", "Quyết định", ynum, "QĐ-UBND", 2025, ydate, issuer, "province", prov.name,
                           f"về ban hành Kế hoạch cải cách hành chính nhà nước {prov.lower} năm {YEAR}", is_plan=True,
                           plan_doc=year_key)
            year = Spec(year_key, prov, "province", (YEAR, YEAR), ydate, False, None, yid, False, yid,
                        [national_doc("nq76")] + ([national_doc("ct23")] if r.random() < 0.4 else []))
        year.style = r.choice(["A", "B", "B", "D"])
        year.province_style = pstyle
        for s in (five, year):
            s.fmt = "docx" if r.random() < docx_share else "text"
        specs += [five, year]
        for com in all_communes[prov.code][: communes if communes is not None else None]:
            specs += _commune_specs(seed, com, five, year, five_year_communes, docx_share)
    return specs


def _commune_specs(seed: int, com: Place, pfive: Spec, pyear: Spec, five_share: float, docx_share: float) -> list[Spec]:
    r = _rng(seed, f"commune-{com.code}")
    out = []
    issuer = f"Ủy ban nhân dân {com.lower}"
    # yearly 2026 plan: after the province's yearly plan (January - March 2026), a fifth still drafts
    draft = r.random() < 0.2
    date = _iso(2026, r.choice([1, 1, 2, 2, 3]), r.randint(1, 28))
    num = str(r.randint(1, 150))
    ident = CitedDoc(f"commune-{com.code}-2026", "KH", "Kế hoạch", num, "KH-UBND", 2026, date, issuer, "commune",
                     com.province_name, f"về cải cách hành chính nhà nước {com.lower} năm {YEAR}", is_plan=True,
                     plan_doc=f"commune-{com.code}-2026")
    bases = [pyear.identity]
    if r.random() < 0.6:
        bases.insert(0, national_doc("nq76"))
    if pfive.date and pfive.identity and pfive.identity.date < date and r.random() < 0.6:
        bases.insert(len(bases) - 1, pfive.identity)  # Võ Cường: NQ 76, KH 69 (five-year), KH 167 (yearly)
    style = r.choices(["A", "B", "C", "D"], weights=[15, 35, 30, 20])[0]
    s = Spec(ident.key, com, "commune", (YEAR, YEAR), None if draft else date, draft, None if draft else f"{num}/KH-UBND",
             None, False, ident, bases, style=style)
    s.fmt = "markdown" if style == "C" and r.random() < 0.4 else ("text" if style == "C" else
                                                                   ("docx" if r.random() < docx_share else "text"))
    out.append(s)
    if r.random() < five_share and pfive.identity:
        fdate = pfive.identity.date
        y, m = int(fdate[:4]), int(fdate[5:7]) + 1
        d5 = _iso(y + (m > 12), (m - 1) % 12 + 1, r.randint(1, 28))
        adopt = CitedDoc(f"commune-{com.code}-2026-2030", "QĐ", "Quyết định", str(r.randint(100, 900)), "QĐ-UBND",
                         int(d5[:4]), d5, f"Chủ tịch {issuer}", "commune", com.province_name,
                         f"ban hành Kế hoạch cải cách hành chính nhà nước trọng tâm giai đoạn 2026 - 2030 của {com.lower}",
                         is_plan=True, plan_doc=f"commune-{com.code}-2026-2030")
        blank = r.random() < 0.5
        s5 = Spec(adopt.key, com, "commune", FIVE, None, blank, None, adopt, blank, adopt,
                  [national_doc("nq76"), pfive.identity], style="A")
        s5.fmt = "docx" if r.random() < docx_share else "text"
        out.append(s5)
    return out


# ============================================================================ composing
@dataclass
class Para:
    text: str
    bold: bool = False
    md: str = ""  # Markdown heading marks ('##') for markdown-style documents
    bullet: bool = False  # a bullet item (docx may render it as a Word list paragraph)
    center: bool = False
    tight: bool = False  # no blank line after it in spacious layouts (header blocks)


@dataclass
class Table:
    rows: list[list[list[str]]]  # row -> cell -> items
    bold_rows: set[int] = field(default_factory=set)
    italic_rows: set[int] = field(default_factory=set)


Block = Para | Table


@dataclass
class Truth:
    tasks: list[dict] = field(default_factory=list)
    indicators: list[dict] = field(default_factory=list)
    citations: dict[str, dict] = field(default_factory=dict)
    units: dict[str, dict] = field(default_factory=dict)
    mess: set[str] = field(default_factory=set)


_IND_RE = re.compile(r"\[\[(.+?)\]\]")
_CITE_RE = re.compile(r"<<(\w+)>>")
_NUM_RE = re.compile(r"(\d+(?:[.,]\d+)?)")


def indicator_truth(surface: str) -> dict:
    """Value, unit and comparator of a marked target ('tối thiểu 95%', 'ít nhất 02 cuộc', 'top 15')."""
    f = fold(surface)
    m = _NUM_RE.search(surface)
    value = float(m.group(1).replace(",", ".")) if m else None
    if "%" in surface:
        unit = "%"
    elif f.startswith("top"):
        unit = "top"
    elif "cap do" in f:
        unit = "cấp độ"
    else:
        tail = surface[m.end():].strip() if m else ""
        unit = tail.split()[0] if tail else None
    if f.startswith("top"):
        comp = "top"
    elif f.startswith("giam"):
        comp = "reduce_by"
    elif re.search(r"toi thieu|it nhat|tro len|khong duoi", f):
        comp = ">="
    elif f.startswith("tren"):
        comp = ">"
    else:
        comp = "="
    return {"value": value, "unit": unit, "comparator": comp}


class Composer:
    """Builds one document's blocks and ground truth from its Spec."""

    def __init__(self, spec: Spec, seed: int):
        self.s = spec
        self.r = _rng(seed, spec.key + "/text")
        self.d = data()
        self.blocks: list[Block] = []
        self.t = Truth()
        self.level = spec.level
        p = spec.place
        self.place = p
        if spec.level == "national":
            self.cap, self.Cap, self.ubnd_full, self.ubnd_short = "cả nước", "Cả nước", "Chính phủ", "Chính phủ"
            self.prov, self.Prov, self.place_text = "Chính phủ", "Chính phủ", "cả nước"
        else:
            self.cap = p.cap
            self.Cap = p.cap[0].upper() + p.cap[1:]
            self.ubnd_full, self.ubnd_short = f"Ủy ban nhân dân {p.cap}", f"UBND {p.cap}"
            self.place_text = p.lower
            if spec.level == "commune":
                prov_cap = "thành phố" if p.province_name.startswith("Thành phố") else "tỉnh"
                self.prov = f"{prov_cap} {p.province_short}"
                self.Prov = prov_cap[0].upper() + prov_cap[1:] if self.r.random() < 0.7 else prov_cap
            else:
                self.prov, self.Prov = "Trung ương", "Chính phủ"
        self.cchc_abbr = self.r.random() < (0.6 if spec.style in ("C", "D") else 0.2)
        self.tthc_abbr = self.cchc_abbr and self.r.random() < 0.7
        self.units = self._choose_units()
        self.title = ""
        self.base_forms: dict[str, str] = {}  # legal basis -> 'full' (with its subject) or 'dated'
        self.shown_number: str | None = None  # the plan's own number as printed ('Số: 45/KH-UBND')
        self.shown_date: str | None = None

    # ------------------------------------------------------------------ templates
    def fill(self, text: str, area: str | None = None, period: tuple[int, int] | None = None,
             record_indicators: bool = True) -> tuple[str, list[dict]]:
        """Substitute placeholders and citations; return (text, indicators found)."""
        r = self.r
        y1, y2 = self.s.period

        def pick(m: re.Match) -> str:
            return r.choice(m.group(1).split("|"))

        text = re.sub(r"\{pick:([^}]*)\}", pick, text)
        subs = {
            "{cap}": self.cap, "{Cap}": self.Cap, "{place}": self.place_text, "{prov}": self.prov, "{Prov}": self.Prov,
            "{year}": str(y2 if y1 == y2 else YEAR), "{prev}": str((y1 if y1 == y2 else YEAR) - 1),
            "{next}": str((y1 if y1 == y2 else YEAR) + 1), "{y1}": str(y1), "{y2}": str(y2),
            "{standing}": self.unit_name("standing_any"),
            "{plan_period}": f"năm {y1}" if y1 == y2 else f"giai đoạn {y1} - {y2}",
        }
        for k, v in subs.items():
            text = text.replace(k, v)
        text = re.sub(r"\{ubnd\}", lambda m: self.ubnd_short if r.random() < 0.4 else self.ubnd_full, text)
        text = re.sub(r"\{cchc\}", lambda m: "CCHC" if self.cchc_abbr else "cải cách hành chính", text)
        text = re.sub(r"\{tthc\}", lambda m: "TTHC" if self.tthc_abbr else "thủ tục hành chính", text)
        text = _CITE_RE.sub(lambda m: self.cite_key(m.group(1)), text)
        inds = []
        if record_indicators:
            for m in _IND_RE.finditer(text):
                inds.append({"text": m.group(1), **indicator_truth(m.group(1)), "area": area,
                             "period": {"start": period[0], "end": period[1]} if period else None})
        text = _IND_RE.sub(lambda m: m.group(1), text)
        return text, inds

    def cite_key(self, key: str, form: str | None = None) -> str:
        if key in self.d["laws"]:
            name = self.d["laws"][key]
            self.t.citations.setdefault("law:" + key, {"key": "law:" + key, "doc_type": "LUAT", "name": name,
                                                       "number": None, "year": None, "is_plan": False})
            return name
        return self.cite(national_doc(key), form)

    def cite(self, c: CitedDoc, form: str | None = None, context_jurisdiction: bool = False) -> str:
        """A citation of `c` as printed in a plan, in one of the seeds' forms; recorded in the truth."""
        r = self.r
        self.t.citations.setdefault(c.key, c.truth())
        sym = c.symbol
        if c.typos and r.random() < 0.12:
            sym = r.choice(c.typos)
            self.t.mess.add("citation_typo")
        if c.style == "scheme":  # 'Đề án 06': a scheme named by its number only
            return f"{c.type_name} {c.number}"
        if c.style == "party":
            num = f"{c.number}-{sym}"
        elif c.style == "normative":
            num = f"{c.number}/{c.year}/{sym}"
        else:
            num = f"{c.number}/{sym}"
        form = form or r.choices(["full", "dated", "short"], weights=[3, 4, 3])[0]
        so = "số " if r.random() < 0.85 else ""
        if form == "short":
            return f"{c.type_name} {so}{num}"
        date = c.date
        if c.wrong_dates and r.random() < 0.3:
            date = r.choice(c.wrong_dates)
            self.t.mess.add("wrong_citation_date")
        out = f"{c.type_name} {so}{num} ngày {self.vn_date(date)}"
        issuer = c.issuer
        if c.issuer_level != "national" and c.jurisdiction:
            pshort = _short(c.jurisdiction)
            pcap = "thành phố" if c.jurisdiction.startswith("Thành phố") else "tỉnh"
            if context_jurisdiction and r.random() < 0.35:
                issuer = re.sub(r"(Ủy ban nhân dân)\s.*$", rf"\1 {pcap}", issuer)  # 'của Ủy ban nhân dân thành phố'
                self.t.mess.add("implicit_jurisdiction")
            elif r.random() < 0.4:
                issuer = issuer.replace("Ủy ban nhân dân", "UBND")
        out += f" của {issuer}"
        if form == "full":
            out += f" {c.subject}"
        return out

    def vn_date(self, iso: str) -> str:
        y, m, d = int(iso[:4]), int(iso[5:7]), int(iso[8:10])
        style = self.r.random()
        if style < 0.45:
            return f"{d:02d}/{m:02d}/{y}" if self.r.random() < 0.5 else f"{d}/{m}/{y}"
        if style < 0.8:
            return f"{d:02d} tháng {m:02d} năm {y}" if self.r.random() < 0.5 else f"{d} tháng {m} năm {y}"
        return f"{d:02d}/{m}/{y}"

    # ------------------------------------------------------------------ units
    def _choose_units(self) -> dict[str, dict]:
        """function -> {name, names, areas, kind} for this plan; areas are what it leads."""
        r = self.r
        u = self.d["units"][self.level]
        out: dict[str, dict] = {}
        for fn, spec in u.items():
            only = spec.get("only")
            if only and self.place and (self.place.cap != only if only != "xã" else self.place.cap == "phường"):
                continue
            names = [n.replace("{cap}", self.cap) for n in spec["names"]]
            out[fn] = {"function": fn, "canonical": names[0], "name": r.choice(names), "names": names,
                       "kind": spec["kind"], "areas": list(spec["areas"])}
        if self.level == "commune":
            # who leads digital government varies (DOMAIN.md): the centre, the standing agency or the office
            digital = r.choices(["centre", "standing", "office"], weights=[5, 3, 2])[0]
            out[digital]["areas"].append("digital_government")
            if r.random() < 0.2:  # Ba Đình: the office leads TTHC, there is no centre
                out["office"]["areas"].append("procedure")
                out["centre"]["areas"] = []
                if digital == "centre":
                    out["office"]["areas"].append("digital_government")
                del out["centre"]
        return out

    def unit_name(self, fn: str) -> str:
        if fn == "standing_any":
            return self.units["standing"]["name"] if hasattr(self, "units") else "cơ quan thường trực"
        return self.units[fn]["name"]

    def leads_of(self, area: str) -> list[dict]:
        return [u for u in self.units.values() if area in u["areas"]]

    def note_unit(self, u: dict, role: str, area: str | None = None) -> None:
        rec = self.t.units.setdefault(u["function"], {"function": u["function"], "name": u["canonical"],
                                                      "printed": [], "roles": [], "areas": []})
        if u["name"] not in rec["printed"]:
            rec["printed"].append(u["name"])
        if role not in rec["roles"]:
            rec["roles"].append(role)
        if area and area not in rec["areas"]:
            rec["areas"].append(area)

    # ------------------------------------------------------------------ output helpers
    def para(self, text: str, **kw) -> None:
        self.blocks.append(Para(text, **kw))

    def heading(self, text: str, md: str = "") -> None:
        self.blocks.append(Para(text, bold=True, md=md))

    def add_task(self, text: str, area: str, origin: str = "prose", parent: int | None = None,
                 inds: list[dict] = (), **extra) -> int:
        leads = extra.pop("lead_units", None)
        if leads is None:
            leads = [u["canonical"] for u in self.leads_of(area)]
        task = {"n": len(self.t.tasks), "text": text, "area": area, "origin": origin, "parent": parent,
                "lead_units": leads, "support_units": extra.pop("support_units", []), **extra}
        self.t.tasks.append(task)
        self.t.indicators.extend(inds)
        return task["n"]

    # ------------------------------------------------------------------ pools
    def pool(self, name: str, section: str) -> list[Line]:
        lines = [ln for ln in self.d[name].get(section, []) if ln.allowed(self.level)]
        if self.level == "national":
            local = ("{cap}", "{Cap}", "{ubnd}", "{place}", "{prov}", "{Prov}")
            lines = [ln for ln in lines if "N" in ln.levels or not any(x in ln.text for x in local)
                     and all(not any(x in c.text for x in local) for c in ln.children)]
        return lines

    def sample(self, lines: list, k: int) -> list:
        k = max(0, min(k, len(lines)))
        idx = sorted(self.r.sample(range(len(lines)), k))
        return [lines[i] for i in idx]


# ============================================================================ layouts
LETTERS = "a b c d đ e f g h i k".split()
ROMAN = "I II III IV V VI VII VIII IX X".split()


def compose(spec: Spec, seed: int) -> tuple[list[Block], Truth, dict]:
    """Blocks and ground truth of one document."""
    c = Composer(spec, seed)
    _header(c)
    {"A": _layout_a, "B": _layout_b, "C": _layout_c, "D": _layout_d}[spec.style](c)
    meta = {"title": c.title, "number": c.shown_number, "date": c.shown_date, "base_forms": c.base_forms}
    return c.blocks, c.t, meta


def _title(c: Composer) -> str:
    s = c.s
    if s.level == "national":
        return "Cải cách hành chính nhà nước trọng tâm giai đoạn 2026 – 2030"
    dash = c.r.choice(["-", "–", " - ", " – "])
    if s.period[0] != s.period[1]:
        period = f"giai đoạn {s.period[0]}{dash}{s.period[1]}"
        return c.r.choice([
            f"Cải cách hành chính nhà nước trọng tâm {period} của {c.place_text}",
            f"Cải cách hành chính Nhà nước trọng tâm {period} của {c.place_text}",
            f"Cải cách hành chính nhà nước {c.place_text} {period}",
        ])
    return c.r.choice([
        f"Cải cách hành chính nhà nước năm {YEAR} của {c.place_text}",
        f"Cải cách hành chính {c.place_text} năm {YEAR}",
        f"Cải cách hành chính nhà nước {c.place_text} năm {YEAR}",
    ])


def _header(c: Composer) -> None:
    s, r = c.s, c.r
    c.title = _title(c)
    md = s.style == "C"
    if s.level != "national" and r.random() < 0.35 and not md:
        # seed 000: the two-column header block converted to tab-separated lines
        issuer_line = "ỦY BAN NHÂN DÂN" if s.level == "commune" or r.random() < 0.5 else "ỦY BAN NHÂN DÂN"
        c.para(f" \t{issuer_line}", tight=True)
        c.para(c.place_text.upper(), tight=True)
        c.para("\t       CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", tight=True)
        c.para("        Độc lập - Tự  do - Hạnh phúc" if r.random() < 0.5 else "        Độc lập - Tự do - Hạnh phúc")
        c.t.mess.add("header_block")
    show_number = s.adopted_by is None and s.level != "national"
    blank_number = s.is_draft and r.random() < 0.7
    if show_number and (s.number and (md or s.style == "D" or r.random() < 0.6) or s.is_draft and blank_number):
        c.para(f"Số: {s.number}" if s.number else "Số: /KH-UBND")
        c.shown_number = s.number
        where = c.place.short
        if s.date:
            y, m, d = s.date.split("-")
            c.para(f"{where}, ngày {int(d):02d} tháng {int(m):02d} năm {y}")
            c.shown_date = s.date
        else:
            c.para(f"{where}, ngày tháng năm {s.period[0]}")
        if s.is_draft:
            c.t.mess.add("draft_blank_number")
    if s.is_draft and not (show_number and blank_number) and not s.adopted_blank or s.is_draft and r.random() < 0.3:
        c.para("        Dự thảo" if r.random() < 0.5 else "DỰ THẢO")
    # title
    if md:
        c.para(f"**KẾ HOẠCH**  \n**{c.title}**")
    elif r.random() < 0.25 and s.level != "national":
        c.para(f"KẾ HOẠCH {c.title}")
    else:
        c.para("KẾ HOẠCH", bold=True, center=True)
        if r.random() < 0.3 and len(c.title) > 60:
            cut = c.title.rfind(" giai đoạn") if " giai đoạn" in c.title else c.title.find(" ", 40)
            c.para(c.title[:cut].strip() + " ", bold=True, center=True, tight=True)
            c.para(c.title[cut:].strip(), bold=True, center=True)
        else:
            c.para(c.title, bold=True, center=True)
    if s.adopted_by is not None:
        a = s.adopted_by
        who = {"national": "Thủ tướng Chính phủ", "province": f"Chủ tịch Ủy ban nhân dân {c.cap}",
               "commune": f"Chủ tịch Ủy ban nhân dân {c.cap}"}[s.level]
        if s.level == "province" and a.doc_type == "QĐ" and s.period[0] == s.period[1]:
            who = f"Ủy ban nhân dân {c.cap}"
        if s.adopted_blank:
            c.para(f"(Kèm theo Quyết định số      /QĐ-UBND ngày       tháng        năm {s.period[0]}", tight=True)
            c.para(f"của {who})")
            c.t.mess.add("draft_blank_number")
        else:
            lead = "Ban hành kèm theo" if s.level == "national" or r.random() < 0.3 else "Kèm theo"
            c.para(f"({lead} {a.type_name} số {a.number}/{a.symbol} ngày {c.vn_date(a.date)}", tight=True)
            c.para(f"của {who})")
    _bases(c)


def _bases(c: Composer) -> None:
    """The 'Căn cứ …' paragraph: the plan's legal bases and parent plans."""
    s, r = c.s, c.r
    parts = []
    for i, b in enumerate(s.bases):
        local = b.issuer_level != "national"
        form = "full" if r.random() < 0.7 else "dated"
        c.base_forms[b.key] = form
        text = c.cite(b, form=form, context_jurisdiction=local)
        if b.key == "nq76" and r.random() < 0.4:
            text += " (gọi tắt là Nghị quyết số 76/NQ-CP)"
        parts.append(text)
    if not parts:
        return
    if s.level == "national":
        who = "Thủ tướng Chính phủ"
    elif s.level == "province":
        who = f"Ủy ban nhân dân {c.place_text}"
    else:
        who = f"{c.ubnd_short if r.random() < 0.5 else c.ubnd_full} {c.place.short}"
    if s.adopted_by is not None and s.level != "national":
        who = f"Chủ tịch Ủy ban nhân dân {c.cap}"
    verb = r.choice(["ban hành Kế hoạch", "xây dựng Kế hoạch"])
    what = "cải cách hành chính nhà nước" + (f" năm {YEAR}" if s.period[0] == s.period[1] else
                                              f" trọng tâm giai đoạn {s.period[0]} - {s.period[1]}")
    if s.level == "national":
        c.para("Căn cứ " + "; căn cứ ".join(parts) + f"; Thủ tướng Chính phủ ban hành Kế hoạch {what} như sau:")
        return
    form = r.random()
    if form < 0.5:
        glue = r.choice(["; ", "; căn cứ ", ", Căn cứ "])
        c.para("Căn cứ " + glue.join(parts) + f", {who} {verb} {what} (gọi tắt là Kế hoạch) như sau:"
               if r.random() < 0.4 else "Căn cứ " + glue.join(parts) + f", {who} {verb} {what}, cụ thể như sau:")
    elif form < 0.75:
        c.para("Thực hiện " + "; ".join(parts) + f"; căn cứ tình hình thực tiễn và yêu cầu nhiệm vụ phát triển kinh tế – xã hội "
               f"của địa phương, {who} {verb} {what} nhằm tiếp tục đẩy mạnh cải cách toàn diện, đồng bộ, nâng cao hiệu lực, "
               "hiệu quả hoạt động của bộ máy hành chính nhà nước. Cụ thể như sau:")
    else:
        c.para("Căn cứ " + "; ".join(parts) + f", {who} {verb} công tác Cải cách hành chính (CCHC) năm {YEAR} như sau:"
               if s.period[0] == s.period[1] else "Căn cứ " + "; ".join(parts) + f", {who} {verb} {what} như sau:")


# ------------------------------------------------------------------ shared sections
def _boiler(c: Composer, pool: str, k: int) -> list[str]:
    lines = c.sample(c.pool("boiler", pool), k)
    return [c.fill(ln.text, record_indicators=False)[0] for ln in lines]


def _indicator_lines(c: Composer, areas: Iterable[str], k: int, period, section: str | None = None) -> list[tuple[str, list]]:
    out = []
    for area in areas:
        pool = c.pool("indicators", section or area)
        for ln in c.sample(pool, min(k, len(pool))):
            text, inds = c.fill(ln.text, area=None if section else area, period=period)
            for ind in inds:
                ind["area"] = ind["area"] or _guess_area(text)
            out.append((text, inds))
    return out


def _guess_area(text: str) -> str:
    f = fold(text)
    if "thu tuc" in f or "dich vu cong" in f or "tthc" in f or "hai long" in f:
        return "procedure"
    if "du lieu" in f:
        return "digital_government"
    return "direction"


def _bullet(c: Composer, style_set: tuple[str, ...] = ("-",)) -> str:
    return c.r.choice(style_set)


def _prose_tasks(c: Composer, area: str, k: int, letters: bool, bullets: tuple[str, ...], md: bool = False,
                 parent: int | None = None) -> list[Para]:
    """k prose items of `area` as paragraphs (letters a) b) … or bullets), children as sub-bullets."""
    pool = c.pool("prose", area)
    items = c.sample(pool, k)
    out: list[Para] = []
    li = 0
    for item in items:
        text, inds = c.fill(item.text, area=area, period=c.s.period)
        kids = [ch for ch in item.children if ch.allowed(c.level)] if item.marker == "=" else []
        if kids and c.r.random() < 0.25:
            kids = []
        if kids and not letters:
            # a heading without letters: print it as a bullet ending with ':'
            pass
        if item.marker == "=" and not kids:
            text = text.rstrip(":") + "."
        label = f"{LETTERS[li]}) " if letters else f"{_bullet(c, bullets)} "
        li += 1 if letters else 0
        n = c.add_task(text, area, parent=parent, inds=inds)
        out.append(Para(label + text, bullet=not letters))
        if kids:
            sub = c.sample(kids, c.r.randint(1, len(kids)))
            sub_bullets = ("-", "+", "·") if letters else ("+",)
            for ch in sub:
                t2, inds2 = c.fill(ch.text, area=area, period=c.s.period)
                c.add_task(t2, area, parent=n, inds=inds2)
                out.append(Para(f"{c.r.choice(sub_bullets)} {t2}", bullet=True))
                c.t.mess.add("mixed_bullets") if len(sub_bullets) > 1 else None
    return out


def _area_heading(c: Composer, area: str) -> str:
    h = c.d["units"]["area_headings"][area]
    if c.level == "national" and area == "digital_government":
        return "Xây dựng và phát triển Chính phủ điện tử, Chính phủ số"
    return c.r.choice(h)


def _responsibilities(c: Composer, numbered: str, title: str) -> None:
    """'Trách nhiệm cụ thể' / 'Phân công nhiệm vụ': one paragraph block per unit, stating the areas it leads."""
    r = c.r
    c.para(f"{numbered} {title}")
    phrases = c.d["units"]["area_phrases"]
    duties = c.d["units"]["duties"]
    order = ["standing"] + [f for f in c.units if f != "standing"]
    idx = 0
    for fn in order:
        u = c.units.get(fn)
        if u is None or u["kind"] == "front" and r.random() < 0.5:
            continue
        idx += 1
        prefix = f"{numbered.rstrip('.').split('.')[0]}.{idx}." if numbered[0].isdigit() else f"{idx}."
        name = u["name"]
        suffix = r.choice(["", ":", ""])
        if u["kind"] == "front":
            c.para(f"{prefix} Đề nghị {name}: " + duties["front"][0])
            c.note_unit(u, "support")
            continue
        c.para(f"{prefix} {name}{suffix}")
        c.note_unit(u, "lead" if u["areas"] else "support")
        lines = []
        if u["kind"] == "standing":
            lines.append(c.fill(duties["standing"][0])[0])
            c.note_unit(u, "standing")
        areas = u["areas"]
        if areas:
            named = [r.choice(phrases[a]) for a in areas]
            if len(named) > 1 and r.random() < 0.5:
                lines.append(f"Chủ trì triển khai các nội dung: {'; '.join(named)}.")
            else:
                for a in named:
                    lines.append(f"Chủ trì, phối hợp các cơ quan có liên quan tham mưu {c.ubnd_full} thực hiện, theo dõi, "
                                 f"tổng hợp các nhiệm vụ về {a}.")
            for a in areas:
                c.note_unit(u, "lead", a)
            if r.random() < 0.5 and u["kind"] != "standing":
                lines.append(c.fill(r.choice(duties["lead_extra"]))[0])
        elif u["kind"] in duties:
            lines += [c.fill(x)[0] for x in c.sample(duties[u["kind"]], r.randint(1, len(duties[u["kind"]])))]
        dash = r.random() < 0.6
        for ln in lines:
            c.para(f"- {ln}" if dash else ln, bullet=dash)


def _closing(c: Composer, recipients: bool = True) -> None:
    r = c.r
    c.para(_boiler(c, "closing", 1)[0])
    if recipients and c.level != "national":
        nn = "***Nơi nhận:***" if c.s.style == "C" else "Nơi nhận:"
        c.para(nn, tight=True)
        rec = [f"- Ủy ban nhân dân {c.prov} (để báo cáo);" if c.level == "commune" else "- Bộ Nội vụ (để báo cáo);",
               "- Sở Nội vụ (b/c);" if c.level == "commune" else "- Thường trực Thành ủy, HĐND (b/c);",
               f"- TT Đảng ủy, HĐND {c.cap};" if c.level == "commune" else "- Các sở, ban, ngành;",
               f"- CT, các PCT UBND {c.cap};", f"- Các phòng, ban, đơn vị thuộc {c.cap};" if c.level == "commune"
               else "- UBND các xã, phường, đặc khu;", "- Lưu: VT."]
        for x in rec:
            c.para(x, tight=True)
        fam, mid, giv = (c.d["names"][k] for k in ("family", "middle", "given"))
        person = f"{r.choice(fam)} {r.choice(mid)} {r.choice(giv)}"
        if r.random() < 0.6:
            sig = "**TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH**" if c.s.style in ("B", "C", "D") else "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"
        else:
            sig = "**KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH**" if c.s.style in ("B", "C", "D") else "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH"
        c.para(sig)
        c.para(f"**{person}**" if c.s.style == "C" else person)


# ------------------------------------------------------------------ layout A (seeds 000, 001)
def _layout_a(c: Composer) -> None:
    r, s = c.r, c.s
    five = s.period[0] != s.period[1]
    bullets = ("-", "+", "·") if r.random() < 0.4 else ("-",)
    if len(bullets) > 1:
        c.t.mess.add("mixed_bullets")
    c.para("I. MỤC TIÊU, CHỈ TIÊU, YÊU CẦU" + (":" if r.random() < 0.4 else ""))
    c.para("1. Mục tiêu:")
    for p in _boiler(c, "purpose", 3):
        c.para(f"- {p}", bullet=True)
    c.para("2. Một số chỉ tiêu cụ thể")
    if five:
        stages = [((s.period[0], s.period[0] + 1), None), ((s.period[0] + 2, s.period[1]), "stage2")]
        for (a, b), section in stages:
            c.para(f"- Giai đoạn {a} - {b}:", bullet=True)
            lines = (_indicator_lines(c, ("procedure", "digital_government", "organization"), 1, (a, b))
                     if section is None else _indicator_lines(c, ["stage2"], 3, (a, b), section="stage2"))
            for text, inds in lines:
                c.t.indicators.extend(inds)
                c.para(f"+ {text}", bullet=True)
    else:
        for text, inds in _indicator_lines(c, ("direction", "procedure", "digital_government"), 1, s.period):
            c.t.indicators.extend(inds)
            c.para(f"- {text}", bullet=True)
    c.para("(Các cơ quan, đơn vị đầu mối chịu trách nhiệm theo dõi, đánh giá các chỉ tiêu tại Phụ lục I kèm theo)")
    c.para("3. Yêu cầu:")
    for p in _boiler(c, "requirement", 2):
        c.para(f"- {p}", bullet=True)
    c.para("II. NHIỆM VỤ TRỌNG TÂM")
    for i, area in enumerate(AREA_ORDER[1:], start=1):
        bm = f"[bookmark: dieu_{i}_1]" if r.random() < 0.15 and s.fmt == "text" else ""
        if bm:
            c.t.mess.add("bookmarks")
        c.para(f"{bm}{i}. {_area_heading(c, area)}")
        for p in _prose_tasks(c, area, r.randint(3, 6), letters=True, bullets=bullets):
            c.blocks.append(p)
    c.para("(Kèm theo Danh mục nhiệm vụ tại Phụ lục II)")
    c.para("III. GIẢI PHÁP THỰC HIỆN")
    sols = c.d["solutions"]
    chosen = c.sample(sols, r.randint(4, len(sols)))
    for j, (area, heading, bullets_, standalone) in enumerate(chosen, start=1):
        htext = c.fill(heading)[0]
        if standalone:
            c.para(f"{j}. {htext}")
            c.add_task(htext, area)
            continue
        c.para(f"{j}. {htext}")
        for b in c.sample(bullets_, r.randint(1, len(bullets_))):
            bt, inds = c.fill(b, area=area, period=s.period)
            c.add_task(bt, area, inds=inds)
            c.para(f"- {bt}", bullet=True)
    c.para("IV. KINH PHÍ")
    c.para(_boiler(c, "budget", 1)[0])
    c.para("V. TỔ CHỨC THỰC HIỆN")
    c.para("1. Thủ trưởng các cơ quan, đơn vị: Có trách nhiệm trực tiếp chỉ đạo, triển khai toàn diện Kế hoạch này, "
           "trong đó tập trung vào các nhiệm vụ chủ yếu sau:")
    for p in _boiler(c, "general_duties", 2):
        c.para(f"- {p}", bullet=True)
    _responsibilities(c, "2.", "Trách nhiệm cụ thể của một số cơ quan, đơn vị")
    _closing(c, recipients=c.level == "commune" and s.adopted_by is None)


# ------------------------------------------------------------------ layout B (seed 002)
def _layout_b(c: Composer) -> None:
    r, s = c.r, c.s
    c.para("I. MỤC ĐÍCH, YÊU CẦU")
    c.para("1. Mục đích, yêu cầu")
    for p in _boiler(c, "purpose", 2) + _boiler(c, "requirement", 2):
        c.para(f"- {p}", bullet=True)
    c.para("2. Một số chỉ tiêu chủ yếu:")
    for text, inds in _indicator_lines(c, ("direction", "procedure", "digital_government"), 1, s.period):
        c.t.indicators.extend(inds)
        if r.random() < 0.3 and inds:
            text = text.replace(inds[-1]["text"], f"**{inds[-1]['text']}**", 1)
            c.t.mess.add("markdown_bold")
        c.para(f"- {text}", bullet=True)
    dup = r.random() < 0.5  # seed 002 numbers this section "2." a second time
    if dup:
        c.t.mess.add("duplicate_numbering")
    c.para("2. NHIỆM VỤ, GIẢI PHÁP" if dup else "II. NHIỆM VỤ, GIẢI PHÁP")
    for i, area in enumerate(AREA_ORDER, start=1):
        c.para(f"2.{i}. {_area_heading(c, area)}")
        for p in _prose_tasks(c, area, r.randint(2, 6), letters=False, bullets=("-",)):
            c.blocks.append(p)
    c.para("(Danh mục nhiệm vụ cụ thể tại Phụ lục kèm theo Kế hoạch này).")
    c.para("III. KINH PHÍ")
    c.para(_boiler(c, "budget", 1)[0])
    c.para("IV. TỔ CHỨC THỰC HIỆN")
    c.para("1. Trách nhiệm chung")
    for p in _boiler(c, "general_duties", 3):
        c.para(f"- {p}", bullet=True)
    _responsibilities(c, "2.", "Phân công trách nhiệm cụ thể của các cơ quan, đơn vị có liên quan")
    _closing(c)


# ------------------------------------------------------------------ layout C (seed 003)
def _layout_c(c: Composer) -> None:
    r, s = c.r, c.s
    c.para("**I. MỤC ĐÍCH, YÊU CẦU**")
    c.para("**1. Mục đích**")
    for p in _boiler(c, "purpose", 3):
        c.para(f"- {p}", bullet=True)
    c.para("**2. Yêu cầu**")
    for p in _boiler(c, "requirement", 3):
        c.para(f"- {p}", bullet=True)
    c.para("## **II. CHỈ TIÊU KẾT QUẢ CẦN ĐẠT ĐƯỢC VÀ NHÓM NHIỆM VỤ, GIẢI PHÁP TRỌNG TÂM**")
    coll = c.r.choice(c.d["units"]["collective"][c.level]).replace("{cap}", c.cap)
    c.note_unit({"function": "collective", "canonical": coll, "name": coll}, "support")
    for i, area in enumerate(AREA_ORDER, start=1):
        h4 = "####" if r.random() < 0.3 else "###"
        c.para(f"## **{i}. {_area_heading(c, area)}**" if i > 1 else f"### **{i}. {_area_heading(c, area)}**")
        c.para(f"{h4} **{i}.1. Chỉ tiêu kết quả cần đạt được**")
        for text, inds in _indicator_lines(c, [area], r.randint(1, 3), s.period):
            c.t.indicators.extend(inds)
            c.para(f"- {text}", bullet=True)
        c.para(f"{h4} **{i}.2. Nhóm nhiệm vụ, giải pháp trọng tâm**")
        leads = c.leads_of(area)
        for p in _prose_tasks(c, area, r.randint(3, 7), letters=False, bullets=("-",)):
            c.blocks.append(p)
        # the tasks of this area: lead = 'Chủ trì', support = the collective 'Phối hợp'
        for t in c.t.tasks:
            if t["area"] == area and t["origin"] == "prose" and not t["support_units"]:
                t["support_units"] = [coll]
        c.para(f"{h4} **{i}.3. Cơ quan thực hiện**")
        if area == "direction" and r.random() < 0.5:
            c.para(f"- Chủ tịch {c.ubnd_short} chịu trách nhiệm chỉ đạo xây dựng và tổ chức thực hiện Kế hoạch.", bullet=True)
        c.para(f"- Chủ trì: {', '.join(u['name'] for u in leads)}.", bullet=True)
        c.para(f"- Phối hợp: {coll}.", bullet=True)
        for u in leads:
            c.note_unit(u, "lead", area)
    c.para("## **III. KINH PHÍ**")
    c.para(_boiler(c, "budget", 1)[0])
    c.para("## **IV. TỔ CHỨC THỰC HIỆN**")
    c.para(f"### **1. Trách nhiệm của Chủ tịch {c.ubnd_short}**")
    for p in _boiler(c, "general_duties", 2):
        c.para(f"- {p}", bullet=True)
    c.para("## **2. Nhiệm vụ cụ thể**")
    c.para("Theo Phụ lục được ban hành kèm theo tại Kế hoạch này.")
    _closing(c)
    _appendix(c, r.randint(15, 40), layout=7)


# ------------------------------------------------------------------ layout D (seed 004)
def _layout_d(c: Composer) -> None:
    r, s = c.r, c.s
    c.para("I. MỤC ĐÍCH, YÊU CẦU")
    c.para("1. Mục đích")
    for p in _boiler(c, "purpose", 3):
        c.para(p)
    c.para("2. Yêu cầu")
    for p in _boiler(c, "requirement", 2):
        c.para(p)
    c.para("II. NỘI DUNG, MỤC TIÊU, NHIỆM VỤ")
    c.para(f"Kế hoạch CCHC nhà nước năm {YEAR} tập trung vào 6 nội dung, đó là: Cải cách thể chế; Cải cách TTHC; "
           "Cải cách tổ chức bộ máy hành chính nhà nước; Cải cách chế độ công vụ; Cải cách tài chính công; "
           "Chuyển đổi số trong các cơ quan nhà nước.")
    c.para("(Có Phụ lục chi tiết các mục tiêu, nhiệm vụ; phân công chủ trì, phối hợp và thời gian thực hiện cụ thể "
           "của từng lĩnh vực kèm theo)")
    c.para("III. KINH PHÍ THỰC HIỆN")
    c.para(_boiler(c, "budget", 1)[0])
    c.para("IV. TỔ CHỨC THỰC HIỆN")
    c.para("1. Các cơ quan chuyên môn, đơn vị thuộc UBND; các cơ quan, đơn vị liên quan có trách nhiệm")
    for p in _boiler(c, "general_duties", 3):
        c.para(f"- {p}", bullet=True)
    _responsibilities(c, "2.", "Phân công nhiệm vụ đối với các cơ quan, đơn vị")
    _closing(c)
    if r.random() < 0.5:
        _appendix(c, r.randint(12, 30), layout=r.choice([6, 7]))
    else:
        c.t.mess.add("appendix_not_attached")


def _appendix(c: Composer, n: int, layout: int = 7) -> None:
    """The appendix task table (seed 003): a group row per area, numbered task rows."""
    r, s = c.r, c.s
    c.para("**PHỤ LỤC**  \n**CÁC NHIỆM VỤ TRỌNG TÂM CCHC NĂM " + str(YEAR) + "**" if s.style == "C"
           else "PHỤ LỤC", bold=True, center=True)
    c.para(f"*(Kèm theo Kế hoạch số {s.number or '/KH-UBND'} ngày tháng năm {YEAR} của UBND {c.place_text})*"
           if s.style == "C" else f"(Kèm theo Kế hoạch số {s.number or '     /KH-UBND'} của {c.ubnd_full} {c.place.short if c.place else ''})")
    leader_pool = [x.replace("{cap}", c.cap) for x in c.d["units"]["leaders"][c.level]]
    coll = r.choice(c.d["units"]["collective"][c.level]).replace("{cap}", c.cap)
    c.note_unit({"function": "collective", "canonical": coll, "name": coll}, "support")
    if layout == 7:
        head = ["TT", "Nhiệm vụ", "Nội dung/ sản phẩm", f"Lãnh đạo UBND {c.cap} chủ trì", "Cơ quan, đơn vị chủ trì",
                "Cơ quan, đơn vị phối hợp", "Thời gian hoàn thành"]
    else:
        head = ["STT", "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Sản phẩm", "Thời gian hoàn thành"]
    rows: list[list[list[str]]] = [[[h] for h in head]]
    bold = {0}
    italic = set()
    if layout == 7 and r.random() < 0.6:
        rows.append([[str(i)] for i in range(1, 8)])
        italic.add(1)
    per_area = _split(n, len(AREA_ORDER), r)
    dl_texts = [t for t, _ in c.d["deadlines"]]
    dl_weights = [w for _, w in c.d["deadlines"]]
    k = 0
    for gi, area in enumerate(AREA_ORDER):
        pool = c.pool("table", area)
        if not pool or per_area[gi] == 0:
            continue
        label = _area_heading(c, area) if area != "direction" else r.choice(["Chỉ đạo điều hành", "Công tác chỉ đạo, điều hành"])
        rows.append([[ROMAN[gi]], [label]] + [[""] for _ in head[2:]])
        bold.add(len(rows) - 1)
        leads = c.leads_of(area) or [c.units["standing"]]
        for ln in c.sample(pool, per_area[gi]):
            k += 1
            task_text, _, product = ln.text.partition("|")
            task_text, inds = c.fill(task_text.strip(), area=area, period=s.period)
            products = [c.fill(p.strip())[0] for p in product.split(";") if p.strip()]
            lead = leads[0] if r.random() < 0.85 or len(leads) == 1 else leads[1]
            support = coll
            if r.random() < 0.15:
                other = r.choice([u for u in c.units.values() if u is not lead and u["kind"] in ("lead", "standing")])
                support = other["name"]
                c.note_unit(other, "support")
            deadline = c.fill(r.choices(dl_texts, dl_weights)[0])[0]
            leader = r.choice(leader_pool)
            c.note_unit(lead, "lead", area)
            c.add_task(task_text, area, origin="table", inds=inds, lead_units=[lead["canonical"]],
                       support_units=[support if support == coll else _canonical_of(c, support)],
                       products=products, deadline=deadline, leader=leader if layout == 7 else None)
            if layout == 7:
                row = [[str(k)], [task_text], products, [leader], [lead["name"]], [support], [deadline]]
            else:
                row = [[str(k)], [task_text], [lead["name"]], [support], products, [deadline]]
            rows.append(row)
    c.blocks.append(Table(rows, bold, italic))


def _canonical_of(c: Composer, printed: str) -> str:
    for u in c.units.values():
        if printed in u["names"]:
            return u["canonical"]
    return printed


def _split(n: int, k: int, r: random.Random) -> list[int]:
    weights = [r.uniform(0.6, 1.6) for _ in range(k)]
    total = sum(weights)
    out = [max(1, round(n * w / total)) for w in weights]
    return out


# ============================================================================ mess and rendering
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


def _cell_text(items: list[str], html: bool, mess: Mess) -> str:
    items = [mess.text(x) for x in items if x is not None]
    if len(items) <= 1:
        return items[0] if items else ""
    if html:
        return '<ul style="list-style-type: none;"> ' + " ".join(f"<li>- {x}</li>" for x in items) + " </ul>"
    return " ".join(f"- {x}" for x in items)


def render_text(blocks: list[Block], mess: Mess, markdown: bool, truth: Truth) -> str:
    sep = "\n\n" if (mess.spacious or markdown) else "\n"
    out: list[str] = []
    r = mess.r
    for b in blocks:
        if isinstance(b, Para):
            t = mess.maybe_break(mess.text(b.text))
            if markdown and b.bold and not t.startswith(("*", "#")):
                t = f"**{t}**"
            out.append(t + ("\n" if b.tight else sep))
        else:
            html = r.random() < 0.6
            if html:
                truth.mess.add("html_in_table")
            out.append("\n")
            for i, row in enumerate(b.rows):
                cells = [_cell_text(cell, html, mess) for cell in row]
                if i in b.bold_rows and html:
                    cells = [f"<b>{x}</b>" if x else "" for x in cells]
                if i in b.italic_rows and html:
                    cells = [f"<i>{x}</i>" for x in cells]
                # a row split across pages: the end of some cells continues on a later line
                if i not in b.bold_rows and r.random() < 0.12 and any(len(x) > 50 for x in cells):
                    first, rest = [], []
                    for x in cells:
                        if len(x) > 50 and "<" not in x:
                            cut = x.find(" ", len(x) // 2)
                            first.append(x[:cut] if cut > 0 else x)
                            rest.append(x[cut + 1:] if cut > 0 else "")
                        else:
                            first.append(x)
                            rest.append("")
                    out.append("\t".join(first) + "\n\n" + "\t".join(rest) + "\n")
                    truth.mess.add("table_row_split")
                else:
                    out.append("\t".join(cells) + "\n")
            out.append("\n")
    return "".join(out).rstrip("\n") + "\n"


def render_docx(blocks: list[Block], mess: Mess, path: Path, truth: Truth) -> None:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    d = docx.Document()
    list_bullets = mess.r.random() < 0.35
    if list_bullets:
        truth.mess.add("word_list_bullets")
    for b in blocks:
        if isinstance(b, Para):
            text = mess.text(b.text).replace("**", "")
            for line in text.split("\n"):
                if list_bullets and b.bullet and line[:2] in ("- ", "+ ", "· "):
                    p = d.add_paragraph(line[2:], style="List Bullet")
                    continue
                p = d.add_paragraph()
                run = p.add_run(line)
                run.bold = b.bold
                if b.center:
                    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        else:
            ncols = max(len(r) for r in b.rows)
            t = d.add_table(rows=len(b.rows), cols=ncols)
            t.style = "Table Grid"
            for i, row in enumerate(b.rows):
                group = i in b.bold_rows and i > 0
                if group:  # the area row: its label spans the remaining columns
                    merged = t.cell(i, 1).merge(t.cell(i, ncols - 1))
                    merged.text = ""
                for j, items in enumerate(row):
                    if group and j > 1:
                        continue
                    cell = t.cell(i, j)
                    items = [mess.text(x) for x in items] or [""]
                    cell.paragraphs[0].text = ""
                    run = cell.paragraphs[0].add_run(items[0])
                    run.bold = i in b.bold_rows
                    for x in items[1:]:
                        cell.add_paragraph(x)
    path.parent.mkdir(parents=True, exist_ok=True)
    d.save(str(path))


# ============================================================================ truth and writing
def _truth(spec: Spec, truth: Truth, meta: dict, rel: str, fmt: str) -> dict:
    p = spec.place
    jur = None
    if p is not None:
        jur = {"name": p.name, "code": p.code, "type": p.type,
               "province": p.province_name if p.level == "commune" else None,
               "province_code": p.province_code if p.level == "commune" else p.code}
    bases = [b.truth() for b in spec.bases]
    cites = dict(truth.citations)
    for b in spec.bases:
        cites.setdefault(b.key, b.truth())
    if spec.adopted_by is not None:
        cites.setdefault(spec.adopted_by.key, spec.adopted_by.truth())
    return {
        "schema": TRUTH_SCHEMA,
        "id": spec.key,
        "file": rel,
        "format": fmt,
        "style": spec.style + ("+table" if spec.style == "D" and any(t["origin"] == "table" for t in truth.tasks) else ""),
        "level": spec.level,
        "jurisdiction": jur,
        "period": {"start": spec.period[0], "end": spec.period[1]},
        "title": meta["title"],
        "number": meta["number"],
        "is_draft": spec.is_draft,
        "date": meta["date"],
        "adopted_by": None if spec.adopted_by is None or spec.adopted_blank else spec.adopted_by.truth(),
        "legal_bases": bases,
        "parent_plans": [b for b in bases if b["is_plan"]],
        # parents whose citation prints what they are ('… về ban hành Kế hoạch …'), not only number and date
        "parent_plans_explicit": [b for b in bases if b["is_plan"] and meta["base_forms"].get(b["key"]) == "full"],
        "parent_docs": [b.plan_doc for b in spec.bases if b.plan_doc],
        "citations": sorted(cites.values(), key=lambda c: c["key"]),
        "tasks": truth.tasks,
        "task_count": len(truth.tasks),
        "units": sorted(truth.units.values(), key=lambda u: u["function"]),
        "indicators": truth.indicators,
        "mess": sorted(truth.mess),
    }


EXT = {"text": ".txt", "markdown": ".md", "docx": ".docx"}


def doc_path(spec: Spec) -> str:
    """Relative path of a document under DIR/docs."""
    if spec.place is None:
        return "00-national/national_2026-2030"
    p = spec.place
    prov_code = p.code if p.level == "province" else p.province_code
    prov_short = p.short if p.level == "province" else p.province_short
    period = f"{spec.period[0]}" if spec.period[0] == spec.period[1] else f"{spec.period[0]}-{spec.period[1]}"
    folder = f"{int(prov_code):02d}-{slug(prov_short)}"
    if p.level == "province":
        return f"{folder}/province_{period}"
    return f"{folder}/{slug(p.cap)}-{slug(p.short)}_{p.code}_{period}"


def write_document(spec: Spec, out: Path, seed: int) -> dict:
    """Compose, render and write one document and its truth; returns its manifest entry."""
    blocks, truth, meta = compose(spec, seed)
    mess = Mess(spec, seed, truth)
    rel = "docs/" + doc_path(spec) + EXT[spec.fmt]
    path = out / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if spec.fmt == "docx":
        render_docx(blocks, mess, path, truth)
    else:
        path.write_text(render_text(blocks, mess, spec.fmt == "markdown" or spec.style == "C", truth), encoding="utf-8")
    t = _truth(spec, truth, meta, rel, spec.fmt)
    trel = "truth/" + doc_path(spec) + ".json"
    (out / trel).parent.mkdir(parents=True, exist_ok=True)
    (out / trel).write_text(json.dumps(t, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return {"id": spec.key, "file": rel, "truth": trel, "level": spec.level, "format": spec.fmt, "style": t["style"],
            "province_code": (spec.place.province_code or spec.place.code) if spec.place else None,
            "tasks": t["task_count"], "parent_docs": t["parent_docs"], "bytes": path.stat().st_size}


def write_corpus(out: str | Path, provinces: int = 34, communes: int | None = None, seed: int = 0,
                 province_codes: Iterable[str] | None = None, five_year_communes: float = 0.0,
                 docx_share: float = 0.15, national: bool = True, progress: bool = False) -> dict:
    """Write the corpus under `out` (see the module docstring); returns the manifest."""
    import time

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    specs = plan_corpus(provinces, communes, seed, province_codes, five_year_communes, docx_share, national)
    entries = []
    if progress:
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            job = bar.add_task("synth", total=len(specs))
            for s in specs:
                entries.append(write_document(s, out, seed))
                bar.advance(job)
    else:
        entries = [write_document(s, out, seed) for s in specs]
    manifest = {
        "schema": "plankb-synth-manifest/1",
        "seed": seed,
        "options": {"provinces": provinces, "communes": communes, "province_codes": list(province_codes or []),
                    "five_year_communes": five_year_communes, "docx_share": docx_share, "national": national},
        "counts": {"documents": len(entries),
                   "national": sum(e["level"] == "national" for e in entries),
                   "province": sum(e["level"] == "province" for e in entries),
                   "commune": sum(e["level"] == "commune" for e in entries),
                   "docx": sum(e["format"] == "docx" for e in entries),
                   "markdown": sum(e["format"] == "markdown" for e in entries),
                   "tasks": sum(e["tasks"] for e in entries),
                   "bytes": sum(e["bytes"] for e in entries)},
        "seconds": round(time.perf_counter() - t0, 2),
        "documents": entries,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest
