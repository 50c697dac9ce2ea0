"""The corpus plan: which documents exist, their identities, dates, styles and parents (legal bases).

Main entry point: `plan_corpus(...)`, every document's `Spec`, parents before children.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from plankb.bench.synth.common import FIVE, YEAR, _iso, _rng
from plankb.bench.synth.places import Place, divisions
from plankb.bench.synth.templates import data
from plankb.kb.text import fold


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
