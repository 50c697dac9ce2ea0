"""The places of the two-level system: 34 provinces and their communes, from `vietnam-provinces`.

Main entry point: `divisions()`, the provinces in code order and the communes of each.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache


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
    from vietnam_provinces import (  # heavy: loads every ward of the country, once
        Province,
        Ward,
    )

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
