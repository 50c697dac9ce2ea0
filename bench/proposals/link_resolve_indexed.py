"""PROPOSAL for kb/link.py (not applied: kb/link.py is not the benchmark's to change).

`kb.link.resolve` scores every cited document against every plan, once per plan citing it:
sum over documents of (plans x citing plans) `score` calls. At country scale (3,390 plans, NQ 76/NQ-CP
alone cited by ~2,700 of them) that is ~10^8 calls, each folding place names again: the link step
of a full-country ingest takes most of the ingest's time (see docs/PERFORMANCE.md).

`resolve_indexed` returns exactly the same LinkReport (checked by `check()` below on a real
catalog) with two changes that do not touch the matching rules:

1. `score(leg, p, citing)` depends on the citing plan only through `_citation_place(leg, citing)`,
   so each document is scored once per distinct citing place (first-seen order kept, so ties
   break as before) instead of once per citing plan;
2. only plans that can score are scored: the plan adopted by the document (`adopted_key`), plans
   with the cited number (plan citations), and plans of the citation's level in one of its
   places. Every other plan returns None from `score` (rules 1, 4 and 6 of `score`).

Plus: a set next to `rep.parent_plans` for the membership test, and the "a plan does not cite
itself" test from a set instead of a scan of `cited_by` per plan.

`patch()` installs it in kb.link for a what-if benchmark run (`python -m bench.ingest_job
--what-if-link`); nothing in the package uses it.
"""
from __future__ import annotations

from kb.link import (AMBIGUITY_MARGIN, Catalog, Link, LinkReport, _citation_level, _citation_place, _plan_place,
                     _split_number, same_documents, score)
from kb.text import fold


def resolve_indexed(cat: Catalog, adopted_fix: bool = False) -> LinkReport:
    """kb.link.resolve, indexed. `adopted_fix` (a second proposal, changes results): a plan that
    lists its own adopting decision among its citations ("Kèm theo Quyết định số 5256/QĐ-UBND" is
    both `pk:adoptedBy` and `eli:cites`) is not taken as citing itself, so the decision can still
    resolve to it by 'adopting-decision' (today such plans never get children: see PERFORMANCE.md)."""
    rep = LinkReport()
    rep.same_as = same_documents(cat)
    plan_iris = set(cat.plans)
    by_adopted: dict[str, list] = {}
    by_number: dict[str, list] = {}
    by_level_place: dict[tuple, list] = {}
    for p in cat.plans.values():
        if p.adopted_key:
            by_adopted.setdefault(p.adopted_key, []).append(p)
        num, _ = _split_number(p.number)
        if num:
            by_number.setdefault(num, []).append(p)
        by_level_place.setdefault((p.level, _plan_place(p)), []).append(p)
    parent_set: set[tuple[str, str]] = set()
    for leg in sorted(cat.legal.values(), key=lambda x: x.key):
        if leg.iri in plan_iris:
            continue
        citing_plans = [cat.plans.get(c) for c, _ in sorted(leg.cited_by)] or [None]
        contexts = {}  # distinct citing places, first-seen order
        for citing in citing_plans:
            contexts.setdefault(_citation_place(leg, citing), citing)
        self_citers = {c for c, rel in leg.cited_by if rel != "adopted_by"}
        if adopted_fix:
            self_citers -= {c for c, rel in leg.cited_by if rel == "adopted_by"}
        level = _citation_level(leg)
        pool = {p.iri: p for p in by_adopted.get(leg.key, [])}
        if fold(leg.doc_type or "") == "kh" and leg.number:
            pool.update((p.iri, p) for p in by_number.get(leg.number, []))
        for place in contexts:
            if place:
                pool.update((p.iri, p) for p in by_level_place.get((level, place), []))
        candidates: dict[str, tuple[str, float]] = {}
        for p in pool.values():
            if p.iri in self_citers:
                continue
            best = None
            for citing in contexts.values():
                r = score(leg, p, citing)
                if r and (best is None or r[1] > best[1]):
                    best = r
            if best:
                candidates[p.iri] = best
        if not candidates:
            rep.missing.append(leg)
            continue
        ranked = sorted(candidates.items(), key=lambda kv: (-kv[1][1], kv[0]))
        if len(ranked) > 1 and ranked[0][1][1] - ranked[1][1][1] < AMBIGUITY_MARGIN:
            rep.warnings.append(
                f"ambiguous: {leg.key} matches {', '.join(cat.plans[i].id for i, _ in ranked[:3])}; left unresolved")
            rep.missing.append(leg)
            continue
        target, (method, sc) = ranked[0]
        rep.links.append(Link(leg.iri, leg.key, target, cat.plans[target].id, method, sc))
        for child, rel in sorted(leg.cited_by):
            if rel in ("based_on", "parent") and child != target and child in cat.plans and (child, target) not in parent_set:
                parent_set.add((child, target))
                rep.parent_plans.append((child, target))
    targets = {l.legal: l.plan for l in rep.links}
    for a, b in rep.same_as:
        if b in targets and a not in targets:
            for child, rel in sorted(cat.legal[a].cited_by):
                if rel in ("based_on", "parent") and child != targets[b] and (child, targets[b]) not in parent_set:
                    parent_set.add((child, targets[b]))
                    rep.parent_plans.append((child, targets[b]))
    return rep


def patch(adopted_fix: bool = False) -> None:
    """Replace kb.link.resolve in this process (what-if benchmarks only)."""
    import kb.link

    kb.link.resolve = lambda cat: resolve_indexed(cat, adopted_fix=adopted_fix)


def check(data_dir: str) -> dict:
    """Same report as kb.link.resolve on the store under data_dir (read-only); both timed."""
    import time

    import pyoxigraph as ox

    from kb.ids import IRIs
    from kb.link import collect, resolve
    from kb.settings import get_settings

    store = ox.Store.read_only(str(get_settings(data_dir).store_dir))
    ids = IRIs()
    cat = collect(store, {ids.links_graph, ids.ontology_graph})
    t0 = time.perf_counter()
    fast = resolve_indexed(cat)
    t1 = time.perf_counter()
    slow = resolve(cat)
    t2 = time.perf_counter()
    same = (fast.links == slow.links and fast.parent_plans == slow.parent_plans and fast.same_as == slow.same_as
            and [m.iri for m in fast.missing] == [m.iri for m in slow.missing] and fast.warnings == slow.warnings)
    return {"plans": len(cat.plans), "legal": len(cat.legal), "links": len(slow.links), "identical": same,
            "indexed_s": round(t1 - t0, 3), "current_s": round(t2 - t1, 3)}


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(check(sys.argv[1])))
