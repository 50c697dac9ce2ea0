"""Who issued a cited document: the explicit issuer after the number ('của Ủy ban nhân dân tỉnh …'),
or the one implied by the symbol's organisation codes and the citing plan's place.
"""
from __future__ import annotations

import re

from plankb.ingest.extract.citations.context import CitationContext
from plankb.ingest.extract.citations.symbols import org_info
from plankb.ingest.extract.citations.vocab import known_province, named_issuers
from plankb.kb.text import fold, squash

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
        prov = known_province(place)
        if prov:
            unit_n = unit_n or prov[1]
            return f"{head} {unit_n} {prov[0]}", "province", prov[0]
        level = "province" if unit_n == "tỉnh" else None
        return " ".join(x for x in (head, unit_n or "", place) if x), level, place
    prov = known_province(ctx.province)
    if ctx.province:
        unit_n = unit_n or (prov[1] if prov else None)
        return " ".join(x for x in (head, unit_n or "", ctx.province) if x), "province", ctx.province
    return " ".join(x for x in (head, unit_n or "") if x), "province" if unit_n else None, None


def explicit_issuer(m: re.Match[str], ctx: CitationContext) -> tuple[str, str | None, str | None]:
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
        prov = known_province(place) if place else known_province(ctx.province)
        name = prov[0] if prov else (squash(place) if place else ctx.province)
        return " ".join(x for x in (party, name or "") if x), "province", name
    named = squash(m.group("named"))
    name, level = named_issuers().get(fold(named), (named, "national"))
    if m.group("minister"):
        name = f"Bộ trưởng {name}"
    if level == "national":
        return name, "national", None
    return name, "province", ctx.province


def implied_issuer(orgs: tuple[str, ...], ctx: CitationContext) -> tuple[str | None, str | None, str | None]:
    infos = [(o, org_info(o)) for o in orgs]
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
        prov = known_province(ctx.province)
        head = "Thành ủy" if (prov and prov[1] == "thành phố") else "Tỉnh ủy"
        if ctx.province:
            return f"{head} {ctx.province}", "province", ctx.province
        return "Tỉnh ủy/Thành ủy", "province", None
    if code == "ĐU":
        return _local_issuer("Đảng ủy", None, None, ctx, default_level="commune")
    return name, level if level in ("province", "commune") else None, ctx.province
