"""Unit counterparts: units holding the same role for the same reform area in two plans (`unit_pairs`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

UNIT_METHOD = "roles-areas"


@dataclass
class UnitItem:
    iri: str
    name: str
    roles: set[str] = field(default_factory=set)
    areas: set[str] = field(default_factory=set)


@dataclass
class UnitPair:
    child: str
    parent: str
    roles: set[str] = field(default_factory=set)
    areas: set[str] = field(default_factory=set)


def unit_pairs(children: list[UnitItem], parents: list[UnitItem]) -> list[UnitPair]:
    """Counterparts: standing agency <-> standing agency; lead of area A <-> lead of area A.

    >>> c = [UnitItem("c1", "Phòng Văn hóa - Xã hội", {"standing", "lead"}, {"organization"})]
    >>> p = [UnitItem("p1", "Sở Nội vụ", {"standing", "lead"}, {"organization"}),
    ...      UnitItem("p2", "Sở Tư pháp", {"lead"}, {"institution"})]
    >>> [(x.parent, sorted(x.roles), sorted(x.areas)) for x in unit_pairs(c, p)]
    [('p1', ['lead', 'standing'], ['organization'])]
    """
    pairs: dict[tuple[str, str], UnitPair] = {}
    for c in children:
        for p in parents:
            if "standing" in c.roles and "standing" in p.roles:
                pairs.setdefault((c.iri, p.iri), UnitPair(c.iri, p.iri)).roles.add("standing")
            if "lead" in c.roles and "lead" in p.roles:
                shared = c.areas & p.areas
                if shared:
                    pr = pairs.setdefault((c.iri, p.iri), UnitPair(c.iri, p.iri))
                    pr.roles.add("lead")
                    pr.areas |= shared
    return sorted(pairs.values(), key=lambda x: (x.child, x.parent))
