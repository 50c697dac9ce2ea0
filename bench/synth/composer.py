"""The per-document composer: template filling, citations, dates, units and the task record.

Main entry point: `Composer(spec, seed)`, which the layouts drive to build one document's blocks and truth.
"""
from __future__ import annotations

import re

from plankb.bench.synth.blocks import Block, Para, Truth
from plankb.bench.synth.common import YEAR, _rng
from plankb.bench.synth.specs import CitedDoc, Spec, national_doc
from plankb.bench.synth.templates import Line, data
from plankb.kb.text import fold

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
