"""Find references to other legal and administrative documents in a plan.

Public verbs:

- `extract_citations(text, cleaned, context)`: every reference, in text order, as `Citation`s;
- `extract_legal_bases(text, cleaned, citations)`: those in the opening "Căn cứ …" paragraphs;
- `extract_adopting_decision(text, cleaned, citations)`: the "(Kèm theo Quyết định số …)" line;
- `select_parent_plans(legal_bases)`: the bases that are higher-level plans or programmes;
- `citation_key(citation)`: the identity key (type + number + year + symbol + jurisdiction).

Matching runs on `canonical_tones(cleaned)`, which has the offsets of `text`, so a match [s, e)
gives `surface = text[s:e]`. The surface of a numbered reference is its type word, "số", the
number with its symbol and, when it follows at once, the issue date: 'Nghị quyết số 76/NQ-CP
ngày 15/7/2021'. A law cited by name runs to its year: 'Luật Cán bộ, công chức năm 2025'. The
issuer and the title after it are read but are not part of the surface.

Short re-mentions ('Nghị quyết số 76/NQ-CP của Chính phủ') take the date, year, issuer and title
of the fuller mention of the same document in the same text, so they get the same key.
"""
from __future__ import annotations

import bisect
import datetime as _dt
import re
from dataclasses import dataclass
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, field_validator

from plankb.ingest.extract.citations import patterns as P
from plankb.kb.models import Citation, Level, Span
from plankb.kb.text import canonical_tones, fold, slug, squash

__all__ = [
    "CitationContext",
    "extract_citations",
    "extract_legal_bases",
    "extract_adopting_decision",
    "select_parent_plans",
    "citation_key",
]


# ---------------------------------------------------------------- context
class CitationContext(BaseModel):
    """Where the citing plan sits: decides what "Ủy ban nhân dân thành phố" means."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    level: Level = Field("commune", description="Level of the citing plan")
    province: str | None = Field(None, description="Province short name: 'Hải Phòng', 'Hà Nội', 'Bắc Ninh'")
    commune: str | None = Field(None, description="Commune name: 'Ái Quốc', 'Ba Đình'")

    @field_validator("province")
    @classmethod
    def _short_province(cls, v: str | None) -> str | None:
        if not v:
            return None
        v = re.sub(r"^(?i:thành\s+phố|tỉnh|tp\.?)\s+", "", squash(canonical_tones(v)))
        known = _province(v)
        return known[0] if known else v

    @field_validator("commune")
    @classmethod
    def _short_commune(cls, v: str | None) -> str | None:
        if not v:
            return None
        return re.sub(r"^(?i:phường|xã|đặc\s+khu|thị\s+trấn)\s+", "", squash(canonical_tones(v)))


# ---------------------------------------------------------------- vocabularies
@lru_cache(maxsize=None)
def _doc_types() -> dict[str, dict[str, str]]:
    return {row["code"]: row for row in P.read_vocab("doc_types")}


@lru_cache(maxsize=None)
def _type_by_alias() -> dict[str, str]:
    return {fold(a): row["code"] for row in P.read_vocab("doc_types") for a in row["aliases"].split("|") if a}


@lru_cache(maxsize=None)
def _symbol_types() -> dict[str, str]:
    """Upper-cased symbol type code -> canonical code ('QĐ', 'TTg'…)."""
    return {row["symbol_code"].upper(): row["code"] for row in P.read_vocab("doc_types") if row["symbol_code"]}


@lru_cache(maxsize=None)
def _issuer_codes() -> dict[str, tuple[str, str, str]]:
    """Upper-cased symbol issuer code -> (canonical code, issuer name, level)."""
    return {
        row["symbol"].upper(): (row["symbol"], row["issuer"], row["level"])
        for row in P.read_vocab("issuers")
        if row["symbol"]
    }


@lru_cache(maxsize=None)
def _named_issuers() -> dict[str, tuple[str, str]]:
    """Folded issuer name -> (name, level)."""
    out: dict[str, tuple[str, str]] = {}
    for row in P.read_vocab("issuers"):
        out.setdefault(fold(row["issuer"]), (row["issuer"], row["level"]))
    out[fold("Thủ tướng")] = ("Thủ tướng Chính phủ", "national")
    return out


@lru_cache(maxsize=None)
def _provinces() -> dict[str, tuple[str, str]]:
    """Folded province name or alias -> (short name, 'tỉnh' | 'thành phố')."""
    out: dict[str, tuple[str, str]] = {}
    for row in P.read_vocab("provinces"):
        for n in [row["name"], *row["aliases"].split("|")]:
            if n:
                out[fold(n)] = (row["name"], row["type"])
    return out


def _province(name: str | None) -> tuple[str, str] | None:
    if not name:
        return None
    return _provinces().get(fold(name))


@lru_cache(maxsize=None)
def _known_laws() -> dict[str, str]:
    return {fold(n): canonical_tones(n) for n in P.KNOWN_LAWS}


# ---------------------------------------------------------------- symbols
def _norm_token(tok: str) -> str:
    tok = tok.replace("Ð", "Đ")
    u = tok.upper()
    if u in _symbol_types():
        return _symbol_types()[u]
    if u in _issuer_codes():
        return _issuer_codes()[u][0]
    m = re.fullmatch(r"(UBTVQH|QH)(\d{1,2})", u)
    if m:
        return m.group(1) + m.group(2)
    return tok


def _split_fused(tok: str) -> list[str]:
    """'QĐTTg' -> ['QĐ', 'TTg'], 'NQCP' -> ['NQ', 'CP'] (a type glued to its issuer by a typo)."""
    t = tok.replace("Ð", "Đ")
    if t.upper() in _symbol_types() or t.upper() in _issuer_codes():
        return [_norm_token(t)]
    for i in range(1, len(t)):
        a, b = t[:i].upper(), t[i:].upper()
        if a in _symbol_types() and (b in _issuer_codes() or _is_org_code(b)):
            return [_norm_token(t[:i]), _norm_token(t[i:])]
    return [_norm_token(t)]


def _is_org_code(tok: str) -> bool:
    u = tok.upper()
    return u in _issuer_codes() or re.fullmatch(r"(?:UBTVQH|QH)\d{1,2}", u) is not None


def _org_info(tok: str) -> tuple[str, str] | None:
    """(issuer name, level) for an issuer code of a symbol."""
    u = tok.upper()
    if u in _issuer_codes():
        _, name, level = _issuer_codes()[u]
        return name, level
    m = re.fullmatch(r"(UBTVQH|QH)\d{1,2}", u)
    if m:
        return _issuer_codes()[m.group(1)][1:]
    return None


@dataclass
class _Symbol:
    text: str | None  # normalised symbol: 'NQ-CP', 'NQ/TW', 'VPCP-TCCV'
    type_code: str | None  # type code inside the symbol, if any
    orgs: tuple[str, ...]  # issuer codes inside the symbol


def _state_symbol(raw: str) -> _Symbol:
    parts = [p for p in re.split(r"\s*[-–‑]\s*", raw.strip()) if p]
    tokens: list[str] = []
    for i, p in enumerate(parts):
        tokens.extend(_split_fused(p) if i == 0 else [_norm_token(p)])
    type_code = tokens[0] if tokens and tokens[0] in _symbol_types().values() else None
    rest = tokens[1:] if type_code else tokens
    orgs: list[str] = []
    for t in rest:
        if not _is_org_code(t):
            break
        orgs.append(t)
        if not type_code:  # official letter: ISSUER-UNIT, the unit is no issuer
            break
    return _Symbol("-".join(tokens), type_code, tuple(orgs))


def _party_symbol(p_type: str, p_org: str) -> _Symbol:
    t = _norm_token(p_type)
    orgs = [_norm_token(o) for o in re.split(r"[-–‑]", p_org) if o]
    return _Symbol(f"{t}/{'-'.join(orgs)}", t if t in _symbol_types().values() else None, tuple(orgs[:1]))


# ---------------------------------------------------------------- hits
@dataclass
class _Hit:
    kind: str  # 'ref' | 'law'
    start: int
    end: int
    doc_type: str | None = None
    number: str | None = None
    symbol: str | None = None
    orgs: tuple[str, ...] = ()
    year: int | None = None
    date: str | None = None
    issuer: str | None = None
    issuer_level: str | None = None
    jurisdiction: str | None = None
    issuer_explicit: bool = False
    name: str | None = None
    tail: int = 0  # end of what was read after the surface (issuer, date, title)

    def completeness(self) -> int:
        return (self.date is not None) + (self.symbol is not None) + self.issuer_explicit + (self.year is not None)


def _iso(d: str, m: str, y: str) -> str | None:
    try:
        return _dt.date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


def _read_date(mt: str, pos: int) -> tuple[str | None, int | None, int] | None:
    """(iso date or None for a blank draft date, year, end) for a date starting at pos."""
    m = P.DATE_RE.match(mt, pos)
    if not m:
        return None
    if m.group("y1"):
        return _iso(m.group("d1"), m.group("m1"), m.group("y1")), int(m.group("y1")), m.end()
    if m.group("y2"):
        return _iso(m.group("d2"), m.group("m2"), m.group("y2")), int(m.group("y2")), m.end()
    y = m.group("y3") or m.group("y4")
    return None, int(y), m.end()


_UNIT_NORM = {"tinh": "tỉnh", "thanh pho": "thành phố", "tp": "thành phố", "tp.": "thành phố", "xa": "xã",
              "phuong": "phường", "dac khu": "đặc khu"}
_COMMUNE_UNITS = {"xã", "phường", "đặc khu"}


def _local_issuer(head: str, unit: str | None, place: str | None, ctx: CitationContext,
                  default_level: str | None = None) -> tuple[str, str | None, str | None]:
    """Issuer, level, jurisdiction for a local body: head is 'Ủy ban nhân dân', 'Chủ tịch …', 'Thành ủy'…"""
    unit_n = _UNIT_NORM.get(fold(unit).rstrip("."), fold(unit)) if unit else None
    place = squash(place) if place else None
    if unit_n in _COMMUNE_UNITS or (unit_n is None and default_level == "commune"):
        name = place or ctx.commune
        issuer = " ".join(x for x in (head, unit_n or "", name or "") if x)
        return issuer, "commune", ctx.province
    # province level (or unknown place)
    if place:
        prov = _province(place)
        if prov:
            unit_n = unit_n or prov[1]
            return f"{head} {unit_n} {prov[0]}", "province", prov[0]
        level = "province" if unit_n == "tỉnh" else None
        return " ".join(x for x in (head, unit_n or "", place) if x), level, place
    prov = _province(ctx.province)
    if ctx.province:
        unit_n = unit_n or (prov[1] if prov else None)
        return " ".join(x for x in (head, unit_n or "", ctx.province) if x), "province", ctx.province
    return " ".join(x for x in (head, unit_n or "") if x), "province" if unit_n else None, None


def _explicit_issuer(m: re.Match[str], ctx: CitationContext) -> tuple[str, str | None, str | None]:
    if m.group("council"):
        council = "Hội đồng nhân dân" if fold(m.group("council")).startswith("h") else "Ủy ban nhân dân"
        head = ("Chủ tịch " if m.group("chair") else "") + council
        default = ctx.level if ctx.level in ("province", "commune") else "province"
        return _local_issuer(head, m.group("unit"), m.group("place"), ctx,
                             default_level=None if m.group("place") else default)
    if m.group("party"):
        party = squash(m.group("party"))
        if fold(party).endswith("dang uy"):
            return _local_issuer(party, m.group("party_unit"), m.group("party_place"), ctx, default_level="commune")
        place = m.group("party_place")
        prov = _province(place) if place else _province(ctx.province)
        name = prov[0] if prov else (squash(place) if place else ctx.province)
        return " ".join(x for x in (party, name or "") if x), "province", name
    named = squash(m.group("named"))
    name, level = _named_issuers().get(fold(named), (named, "national"))
    if m.group("minister"):
        name = f"Bộ trưởng {name}"
    if level == "national":
        return name, "national", None
    return name, "province", ctx.province


def _implied_issuer(orgs: tuple[str, ...], ctx: CitationContext) -> tuple[str | None, str | None, str | None]:
    infos = [(o, _org_info(o)) for o in orgs]
    infos = [(o, i) for o, i in infos if i and i[1]]
    if not infos:
        return None, None, None
    code, (name, level) = infos[0]
    if level == "national":
        names = [i[0] for _, i in infos if i[1] == "national"]
        return " và ".join(dict.fromkeys(names)), "national", None
    if code in ("UBND", "HĐND"):
        if ctx.province:
            return _local_issuer(name, None, None, ctx)
        return name, None, None
    if code == "TU":
        prov = _province(ctx.province)
        head = "Thành ủy" if (prov and prov[1] == "thành phố") else "Tỉnh ủy"
        if ctx.province:
            return f"{head} {ctx.province}", "province", ctx.province
        return "Tỉnh ủy/Thành ủy", "province", None
    if code == "ĐU":
        return _local_issuer("Đảng ủy", None, None, ctx, default_level="commune")
    return name, level if level in ("province", "commune") else None, ctx.province


def _read_title(mt: str, pos: int) -> str | None:
    m = P.TITLE_START_RE.match(mt, pos)
    if not m:
        return None
    s = m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
    limit = min(len(mt), s + 320)
    end = None
    for e in P.TITLE_END_RE.finditer(mt, s, limit):
        if e.group(0) == ")" and mt.count("(", s, e.start()) > mt.count(")", s, e.start()):
            continue  # closes "(CCHC)" inside the title
        end = e.start()
        break
    if end is None:
        cut = mt.rfind(" ", s, limit)
        end = cut if limit < len(mt) and cut > s else limit
    title = squash(mt[s:end]).rstrip(" ,:-–")
    return title or None


def _after(h: _Hit, mt: str, ctx: CitationContext) -> None:
    """Read the issuer, a later date and the title after a numbered reference."""
    pos = h.end
    im = P.ISSUER_RE.match(mt, pos)
    if im:
        h.issuer, h.issuer_level, h.jurisdiction = _explicit_issuer(im, ctx)
        h.issuer_explicit = True
        pos = im.end()
    if h.date is None:
        d = _read_date(mt, pos)
        if d and d[0]:
            h.date = d[0]
            if h.year is None:
                h.year = d[1]
            pos = d[2]
            if not im:
                im = P.ISSUER_RE.match(mt, pos)
                if im:
                    h.issuer, h.issuer_level, h.jurisdiction = _explicit_issuer(im, ctx)
                    h.issuer_explicit = True
                    pos = im.end()
    h.tail = pos
    h.name = _read_title(mt, pos)


def _ref_fields(m: re.Match[str]) -> tuple[str | None, int | None, _Symbol | None]:
    """(number, year printed in the number, symbol) from any branch of a document-number match."""
    g = m.groupdict()
    if g.get("p_num"):
        return g["p_num"], None, _party_symbol(g["p_type"], g["p_org"])
    if g.get("y_num"):
        return g["y_num"], int(g["y_year"]), _state_symbol(g["y_sym"])
    if g.get("s_num"):
        return g["s_num"], None, _state_symbol(g["s_sym"])
    if g.get("b_sym") is not None:  # blank number of a draft
        return None, int(g["b_year"]) if g.get("b_year") else None, _state_symbol(g["b_sym"])
    if g.get("n_num"):
        return g["n_num"], None, None
    return None, None, None


def _typed_hits(mt: str) -> list[_Hit]:
    hits: list[_Hit] = []
    for m in P.TYPED_CITATION_RE.finditer(mt):
        word_code = _type_by_alias().get(fold(m.group("type")))
        if not word_code:
            continue
        number, year, sym = _ref_fields(m)
        has_so = m.group("so") is not None
        is_party = m.group("p_num") is not None
        if sym is None:  # number without symbol
            if not has_so and _doc_types()[word_code]["bare_number"] != "yes":
                continue
            doc_type = word_code
        else:
            # an official letter may come from any office ("Công văn số 789/STTTT-BCVT"), but the
            # generic "văn bản 123/ABC-XYZ" needs a known type or issuer in its symbol
            letter = word_code == "CV" and has_so and fold(m.group("type")) == "cong van"
            valid = sym.type_code is not None or bool(sym.orgs) or letter
            if not valid or (is_party and sym.type_code is None):
                continue
            if is_party or sym.type_code is None or word_code == "LUAT":
                doc_type = word_code
            else:  # the symbol is the more formal of the two: "văn bản số 12/QĐ-UBND" is a QĐ
                doc_type = sym.type_code
        h = _Hit("ref", m.start(), m.end(), doc_type=doc_type, number=number,
                 symbol=sym.text if sym else None, orgs=sym.orgs if sym else (), year=year)
        d = _read_date(mt, h.end)
        if d:
            h.date = d[0]
            h.year = h.year or d[1]
            h.end = d[2]
        hits.append(h)
    return hits


def _overlaps(taken: list[tuple[int, int]]):
    """A test `overlaps(start, end)` for [start, end) against the spans in `taken`, in log time
    (a linear scan per bare number was quadratic on texts made of references)."""
    spans = sorted(taken)
    starts = [s for s, _ in spans]
    reach: list[int] = []  # reach[i]: the largest end among spans[0..i]
    for _, e in spans:
        reach.append(max(e, reach[-1]) if reach else e)

    def overlaps(start: int, end: int) -> bool:
        i = bisect.bisect_left(starts, end)  # spans[:i] start before `end`
        return i > 0 and reach[i - 1] > start

    return overlaps


def _bare_hits(mt: str, taken: list[tuple[int, int]]) -> list[_Hit]:
    hits: list[_Hit] = []
    overlaps = _overlaps(taken)
    for m in P.DOC_REF_RE.finditer(mt):
        if overlaps(m.start(), m.end()):
            continue
        line_start = mt.rfind("\n", 0, m.start()) + 1
        if P.OWN_NUMBER_PREFIX_RE.match(mt[line_start:m.start()]):
            continue  # "Số: 1478/QĐ-UBND" heads the document itself
        number, year, sym = _ref_fields(m)
        if sym is None:
            continue
        if sym.type_code:
            doc_type = sym.type_code
        elif m.group("p_num") is None and sym.orgs and "-" in (sym.text or ""):
            doc_type = "CV"
        else:
            continue
        h = _Hit("ref", m.start(), m.end(), doc_type=doc_type, number=number, symbol=sym.text,
                 orgs=sym.orgs, year=year)
        d = _read_date(mt, h.end)
        if d:
            h.date, h.end = d[0], d[2]
            h.year = h.year or d[1]
        hits.append(h)
    return hits


_LAW_STOP = {fold(w) for w in (
    "năm số của theo để tại trong đối với về nhằm được đã có này quy hiện liên các những cho khi thì là do "
    "từ đến trên sẽ phải cần gồm như nêu mới hướng hoặc mà nay ngày tháng"
).split()}
_LAW_BREAK_CAPS = {fold(w) for w in "Luật Nghị Quyết Thông Chỉ Kết Kế Điều Khoản Căn Hiến Bộ Chương".split()}
_ABBREV_IN_NAMES = [(re.compile(r"\bVBQPPL\b"), "văn bản quy phạm pháp luật"),
                    (re.compile(r"\bTTHC\b"), "thủ tục hành chính"),
                    (re.compile(r"pháp luật luật\b"), "pháp luật")]


def _law_name_end(mt: str, pos: int) -> int:
    """End of a law name read word by word from pos (just after 'Luật ')."""
    first = P.LAW_FIRST_WORD_RE.match(mt, pos)
    if not first:
        return pos
    end = first.end()
    prev = fold(first.group(0))
    words = 1
    while words < 14:
        w = P.LAW_WORD_RE.match(mt, end)
        if not w:
            break
        word, fw = w.group("word"), fold(w.group("word"))
        if w.group("sep").startswith(","):
            if not (prev == "phong" and fw == "chong") and not P.LAW_COMMA_TO_YEAR_RE.match(mt, end):
                break
        if fw == "va":
            nxt = P.LAW_WORD_RE.match(mt, w.end())
            if (nxt and not nxt.group("sep").startswith(",") and nxt.group("word")[0].isupper()
                    and fold(nxt.group("word")) not in _LAW_BREAK_CAPS):
                end, prev, words = nxt.end(), fold(nxt.group("word")), words + 2
                continue
            break
        if fw in _LAW_STOP or (word[0].isupper() and fw in _LAW_BREAK_CAPS):
            break
        end, prev, words = w.end(), fw, words + 1
    return end


def _law_hits(mt: str) -> list[_Hit]:
    hits: list[_Hit] = []
    for m in P.LAW_HEAD_RE.finditer(mt):
        start = m.start()
        grammar_end = _law_name_end(mt, m.end())
        known = P.LAW_KNOWN_RE.match(mt, start)
        end = max(grammar_end, known.end() if known else 0)
        if end <= m.end():
            continue
        raw = squash(mt[start:end])
        if known and known.end() == end:
            raw = _known_laws().get(fold(raw), raw)
        for rx, rep in _ABBREV_IN_NAMES:
            raw = rx.sub(rep, raw)
        raw = _known_laws().get(fold(raw), raw)
        t = P.LAW_TAIL_RE.match(mt, end)
        year = None
        if t and t.group("amend"):
            raw += " (sửa đổi)"
        if t and t.group("year"):
            year = int(t.group("year"))
        if t and t.end() > end:
            end = t.end()
        number = symbol = None
        n = P.LAW_NUMBER_RE.match(mt, end)
        if n:
            number, symbol, year, end = n.group("num"), n.group("sym"), int(n.group("year")), n.end()
        date = None
        d = _read_date(mt, end)  # "Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025"
        if d and d[0]:
            date, end = d[0], d[2]
            year = year or d[1]
        hits.append(_Hit("law", start, end, doc_type="LUAT", name=raw, year=year, number=number, date=date,
                         symbol=symbol, issuer="Quốc hội", issuer_level="national", tail=end))
    return hits


def _share_issuers(hits: list[_Hit], mt: str) -> None:
    """'Nghị quyết số 68-NQ/TW … và Nghị quyết số 79-NQ/TW … của Bộ Chính trị': 68 is Bộ Chính trị's too."""
    for i in range(len(hits) - 2, -1, -1):
        h, n = hits[i], hits[i + 1]
        if h.kind != "ref" or h.issuer_explicit or not n.issuer_explicit or not h.orgs or h.orgs != n.orgs:
            continue
        gap = fold(mt[h.tail:n.start])
        if gap in {"va", ",", ";", ", va", "hoac"}:
            h.issuer, h.issuer_level, h.jurisdiction = n.issuer, n.issuer_level, n.jurisdiction
            h.issuer_explicit = True


def _resolve_rementions(hits: list[_Hit]) -> None:
    refs = [h for h in hits if h.kind == "ref" and h.number]
    groups: dict[tuple[str | None, str | None], list[_Hit]] = {}  # candidates share type and number
    for h in refs:
        groups.setdefault((h.doc_type, h.number), []).append(h)
    for h in refs:
        group = groups[(h.doc_type, h.number)]
        if len(group) < 2 or h.completeness() == 4:
            continue  # nothing to take from
        cands = [
            g for g in group
            if g is not h and g.doc_type == h.doc_type and g.number == h.number
            and (h.symbol is None or g.symbol == h.symbol)
            and (not h.issuer_explicit or not g.issuer_explicit or g.jurisdiction == h.jurisdiction)
            and (h.year is None or g.year is None or g.year == h.year)
            and g.completeness() > h.completeness()
        ]
        if not cands:
            continue
        best = max(g.completeness() for g in cands)
        cands = [g for g in cands if g.completeness() == best]
        before = [g for g in cands if g.start < h.start]
        src = before[-1] if before else cands[0]
        if h.date is None:
            h.date = src.date
        if h.year is None:
            h.year = src.year
        if h.symbol is None:
            h.symbol, h.orgs = src.symbol, src.orgs
        if not h.issuer_explicit and src.issuer:
            h.issuer, h.issuer_level, h.jurisdiction = src.issuer, src.issuer_level, src.jurisdiction
        if h.name is None:
            h.name = src.name
    # laws: a later mention without year takes the year of an earlier one with the same name
    laws = [h for h in hits if h.kind == "law"]
    for i, h in enumerate(laws):
        if h.year is None:
            for g in reversed(laws[:i]):
                if g.year and fold(g.name or "") == fold(h.name or ""):
                    h.year = g.year
                    break


@lru_cache(maxsize=1)
def _national_documents() -> dict[tuple[str, str, str], dict[str, str]]:
    """Well-known national documents that CCHC plans cite, often without a date (vocab data)."""
    return {(r["doc_type"], r["number"].lstrip("0") or "0", r["symbol"]): r for r in P.read_vocab("national_documents")}


def _fill_national_defaults(hits: list[_Hit]) -> None:
    """A national reference printed without date or year ('Nghị quyết số 76/NQ-CP' in seed 003) is
    the well-known document of `vocab/national_documents.csv`, so it gets the same identity key."""
    for h in hits:
        if h.kind != "ref" or h.year is not None or h.issuer_level != "national" or not h.number or not h.symbol:
            continue
        row = _national_documents().get((h.doc_type or "", h.number.lstrip("0") or "0", h.symbol))
        if row is None:
            continue
        h.year = int(row["year"])
        h.date = h.date or row["date"] or None
        if not h.issuer_explicit or not h.issuer:
            h.issuer = row["issuer"]
        h.name = h.name or row["name"] or None


def _matching_text(text: str, cleaned: str) -> str:
    if len(cleaned) != len(text):
        raise ValueError("cleaned must have the length of text (use ingest.clean.clean_text)")
    return _WORD_RE.sub(_canonical_word, cleaned)


_WORD_RE = re.compile(r"[^\W\d_]+")


def _canonical_word(m: re.Match[str]) -> str:
    """'hoá' -> 'hóa', 'Uỷ' -> 'Ủy' when that keeps the length (a decomposed word stays as it is)."""
    w = m.group(0)
    c = canonical_tones(w)
    return c if len(c) == len(w) else w


# ---------------------------------------------------------------- public verbs
def citation_key(c: Citation) -> str | None:
    """Identity key: type + number + year + symbol + jurisdiction (commune too for commune bodies).

    >>> citation_key(Citation(surface="x", doc_type="NQ", number="76", symbol="NQ-CP", year=2021,
    ...                       issuer_level="national", span=Span(start=0, end=1)))
    'nq-76-2021-nq-cp'
    """
    if c.doc_type == "LUAT" and c.name:  # laws by name and year, with or without their number
        return slug(c.name, max_len=120) + (f"-{c.year}" if c.year else "")
    if c.number is None:
        return None
    parts = [slug(c.doc_type or "vb"), slug(c.number)]
    if c.year:
        parts.append(str(c.year))
    if c.symbol:
        parts.append(slug(c.symbol))
    if c.jurisdiction and c.issuer_level != "national":
        parts.append(slug(c.jurisdiction))
    if c.issuer_level == "commune" and c.issuer:
        m = re.match(r"^(?:Chủ tịch\s+)?(?:Ủy ban nhân dân|Hội đồng nhân dân|(?:Ban Thường vụ\s+)?Đảng ủy)\s+(.+)$",
                     c.issuer)
        if m:
            parts.append(slug(m.group(1)))
    return "-".join(p for p in parts if p)


# References read from one document at most (in text order). A plan cites tens to a few hundred;
# re-mentions are resolved against every other mention of the same number, so a text of many
# thousands of references would take quadratic time: the references after these are not read.
MAX_CITATIONS = 2000


def extract_citations(text: str, cleaned: str, context: CitationContext | None = None) -> list[Citation]:
    """Every reference to another document in `text`, in order (see the module docstring); at most
    MAX_CITATIONS."""
    ctx = context or CitationContext()
    mt = _matching_text(text, cleaned)
    typed = _typed_hits(mt)
    laws = _law_hits(mt)
    taken = [(h.start, h.end) for h in typed + laws]
    hits = sorted(typed + laws + _bare_hits(mt, taken), key=lambda h: (h.start, -h.end))
    kept: list[_Hit] = []
    for h in hits:
        if kept and h.start < kept[-1].end:
            continue
        kept.append(h)
        if len(kept) >= MAX_CITATIONS:
            break
    for h in kept:
        if h.kind == "ref":
            _after(h, mt, ctx)
            if not h.issuer_explicit:
                h.issuer, h.issuer_level, h.jurisdiction = _implied_issuer(h.orgs, ctx)
    _share_issuers(kept, mt)
    _resolve_rementions(kept)
    _fill_national_defaults(kept)
    out: list[Citation] = []
    for h in kept:
        c = Citation(
            surface=text[h.start:h.end],
            doc_type=h.doc_type,
            doc_type_name=_doc_types().get(h.doc_type or "", {}).get("name") if h.doc_type != "LUAT" else (
                "Bộ luật" if (h.name or "").startswith("Bộ luật") else "Luật"),
            number=h.number,
            symbol=h.symbol,
            year=h.year,
            date=h.date,
            issuer=h.issuer,
            issuer_level=h.issuer_level,  # type: ignore[arg-type]
            jurisdiction=h.jurisdiction,
            name=h.name,
            span=Span(start=h.start, end=h.end),
        )
        out.append(c.model_copy(update={"key": citation_key(c)}))
    return out


def _first_heading(mt: str) -> int:
    m = P.HEADING_RE.search(mt)
    return m.start() if m else min(len(mt), 6000)


def _adopting_prefix(mt: str, c: Citation) -> bool:
    line_start = mt.rfind("\n", 0, c.span.start) + 1
    return P.ADOPTING_PREFIX_RE.search(mt[line_start:c.span.start]) is not None


def _basis_ranges(mt: str) -> list[tuple[int, int]]:
    stop = _first_heading(mt)
    ranges: list[tuple[int, int]] = []
    in_basis = False
    prev_tail = ""
    pos = 0
    while pos < stop:
        nl = mt.find("\n", pos)
        end = len(mt) if nl < 0 else nl
        line = mt[pos:end]
        stripped = line.strip()
        if P.BASIS_START_RE.match(line):
            in_basis = True
            ranges.append((pos, end))
        elif in_basis and not stripped:
            pass
        elif in_basis and prev_tail in (";", ":", ",") and (
            stripped[:1] in ("-", "+", "•", "·") or stripped[:1].islower()
            or P.TYPE_WORD_RE.match(stripped) or P.LAW_HEAD_RE.match(stripped)
        ):  # "Căn cứ:\n- Quyết định số …;" — but not "Xét đề nghị của …"
            ranges.append((pos, end))
        else:
            in_basis = False
        if stripped:
            prev_tail = stripped[-1]
        pos = end + 1
    return ranges


def extract_legal_bases(text: str, cleaned: str, citations: list[Citation]) -> list[Citation]:
    """Citations in the opening "Căn cứ …" / "Thực hiện …" / "Triển khai …" paragraph(s) before the
    first section heading, without the adopting decision and without repeats of one document."""
    mt = _matching_text(text, cleaned)
    ranges = _basis_ranges(mt)  # in text order, disjoint
    starts = [s for s, _ in ranges]
    out: list[Citation] = []
    seen: set[str] = set()
    for c in citations:
        i = bisect.bisect_right(starts, c.span.start) - 1
        if i < 0 or not c.span.start < ranges[i][1] or _adopting_prefix(mt, c):
            continue
        ident = c.key or f"{c.doc_type}|{c.number}|{c.symbol}|{fold(c.name or c.surface)}"
        if ident in seen:
            continue
        seen.add(ident)
        out.append(c)
    return out


def extract_adopting_decision(text: str, cleaned: str, citations: list[Citation]) -> Citation | None:
    """The decision the plan is attached to: "(Kèm theo Quyết định số …/QĐ-UBND ngày … của …)" or
    "Ban hành kèm theo …", before the first section heading.

    A draft leaves the number blank ("Kèm theo Quyết định số      /QĐ-UBND ngày    tháng   năm 2026"):
    that decision does not exist yet and has no identity, so the plan has no adopting decision
    (None; the draft flag says it is not adopted, and the line stays among `citations`)."""
    mt = _matching_text(text, cleaned)
    stop = _first_heading(mt)
    for c in citations:
        if c.span.start >= stop:
            break
        if _adopting_prefix(mt, c):
            return c if c.number else None
    return None


def select_parent_plans(legal_bases: list[Citation]) -> list[Citation]:
    """Legal bases that are plans or programmes the plan implements: a Kế hoạch / Chương trình, or a
    document whose title adopts one ("ban hành Kế hoạch …", "ban hành Chương trình tổng thể cải cách
    hành chính …", "Kế hoạch cải cách hành chính …")."""
    out = []
    for c in legal_bases:
        if c.doc_type in ("KH", "CTr") or (c.name and P.PARENT_PLAN_TITLE_RE.match(fold(c.name))):
            out.append(c)
    return out
