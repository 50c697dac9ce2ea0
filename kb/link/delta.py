"""Incremental relinking: the links-graph delta of one change of document graphs (`relink`).

Its cost follows the change, not the KB: only the cited documents whose match can have changed
are re-resolved (see `relink`); the result is a `LinkDelta`, sent with the document's write.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from plankb.kb.ids import IRIs
from plankb.kb.link.catalog import Catalog
from plankb.kb.link.resolve import Resolver, _legal_triples, _parent_triple
from plankb.kb.link.write import delete_data, insert_data


@dataclass
class LinkDelta:
    """What one change of document graphs does to the links graph."""
    delete: set[tuple[str, str, str]] = field(default_factory=set)
    insert: set[tuple[str, str, str]] = field(default_factory=set)
    affected: set[str] = field(default_factory=set)  # cited documents re-resolved
    realign: set[str] = field(default_factory=set)  # plan IRIs whose alignments must be recomputed
    warnings: list[str] = field(default_factory=list)

    def update(self, ids: IRIs) -> str:
        """SPARQL Update operations applying the delta (to be sent with the document's write)."""
        g = ids.links_graph
        ops = []
        if self.delete:
            ops.append(delete_data(g, sorted(self.delete)))
        if self.insert:
            ops.append(insert_data(g, sorted(self.insert)))
        return " ;\n".join(ops)


def relink(old: Catalog, new: Catalog, changed_plans: set[str], touched: set[str], ids: IRIs) -> LinkDelta:
    """The links-graph delta between catalogs `old` and `new`, which differ by the document graphs
    of `changed_plans` (added, removed or replaced); `touched`: cited documents whose catalog entry
    changed. Only cited documents whose match can have changed are re-resolved: those touched, those
    that `could_match` a changed plan (before or after), and their same-identity groups; then the
    parent plans of every plan citing one of them. Equal, by construction and by test, to the
    difference of `link_triples` over both catalogs; its cost follows the change, not the KB."""
    ro, rn = Resolver(old), Resolver(new)
    affected = set(touched)
    for r in (ro, rn):
        changed = [r.cat.plans[i] for i in changed_plans if i in r.cat.plans]
        if changed:
            for leg in r.cat.legal.values():
                if leg.iri not in affected and any(r.could_match(leg, p) for p in changed):
                    affected.add(leg.iri)
    for r in (ro, rn):
        for legal in list(affected):
            affected |= r.group(legal)
    delta = LinkDelta(affected=affected)
    before: set[tuple[str, str, str]] = set()
    after: set[tuple[str, str, str]] = set()
    children: set[str] = set(changed_plans)
    for r, out in ((ro, before), (rn, after)):
        for legal in affected:
            out.update(_legal_triples(r, legal, ids))
            leg = r.cat.legal.get(legal)
            if leg is not None:
                children |= {c for c, rel in leg.cited_by if rel in ("based_on", "parent")}
    for c in children:
        po, pn = ro.parents(c), rn.parents(c)
        before.update(_parent_triple(c, p) for p in po)
        after.update(_parent_triple(c, p) for p in pn)
        if c in new.plans and (po != pn or (pn | po) & changed_plans or c in changed_plans):
            delta.realign.add(c)
    delta.delete, delta.insert = before - after, after - before
    delta.warnings = sorted({w for legal in affected if (w := rn.result(legal)[1])})
    return delta
