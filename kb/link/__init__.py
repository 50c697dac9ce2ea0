"""Resolve cited documents to ingested plans; the result is the named graph {base}graph/links.

A number alone is not an identity (600/QĐ-UBND exists in every province every year), and a plan
may never state its own number (seed 001 is cited by seed 000 as QĐ 1478/QĐ-UBND but its text
leaves the number blank). A cited legal document L is identified with an ingested plan P by, in
order of strength:

1. `adopting-decision`: P states the decision it is attached to and that decision's key is L's.
2. `number`: P has a number and L has the same number, symbol, year and jurisdiction.
3. `metadata`: no number to compare, but L's issuer jurisdiction, level and period (parsed from
   the citation's name: 'giai đoạn 2026-2030', 'năm 2026') agree with P's, the years fit, and the
   title similarity of L's name and P's title is high enough. Score = 0.4 + 0.6 * similarity.

Every match is recorded as a `pk:PlanLink` (method, score) and gives `L pk:resolvesTo P` (or
`pk:adopts` for a decision), `child pk:parentPlan P` for plans that cite L as legal basis or
parent plan, and `L pk:ingested true`. Cited documents that match nothing get
`pk:ingested false`: the missing sources.

A document cited without a year ('Nghị quyết số 76/NQ-CP', key 'nq-76-nq-cp') gets
`owl:sameAs` the dated node ('nq-76-2021-nq-cp') when exactly one dated document in the KB has
the same type, number, symbol and jurisdiction.

Modules: `catalog` (plans and cited documents, per graph and merged), `fragments` (reading them
from a store), `match` (the scoring rules), `resolve` (the Resolver and the links-graph triples),
`write` (updates of the links graph and its completeness marker), `delta` (incremental relinking).
This package's own entry point is `link_plans` (recompute the links graph, then the alignments).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from plankb.kb.align import align_kb
from plankb.kb.ids import PK, IRIs
from plankb.kb.link.catalog import (
    FACTS_VERSION,
    LEGAL_FIELDS,
    Catalog,
    Fragment,
    LegalInfo,
    PlanInfo,
)
from plankb.kb.link.delta import LinkDelta, relink
from plankb.kb.link.fragments import (
    CITED_QUERY,
    FACTS_QUERY,
    PLAN_GRAPHS_QUERY,
    PLANS_QUERY,
    RDF_JSON,
    _v,
    collect,
    collect_fragments,
    facts_quad,
    fragment_of,
)
from plankb.kb.link.match import (
    MIN_TITLE_SIMILARITY,
    period_of,
    place,
    score,
    title_similarity,
)
from plankb.kb.link.resolve import (
    AMBIGUITY_MARGIN,
    Link,
    LinkReport,
    Resolver,
    link_triples,
    resolve,
    same_documents,
)
from plankb.kb.link.write import (
    clear_marker_update,
    complete_marker,
    insert_data,
    is_complete,
    replace_links_update,
    set_marker_update,
)

if TYPE_CHECKING:
    from plankb.kb.store import KnowledgeBase


__all__ = [
    "AMBIGUITY_MARGIN", "CITED_QUERY", "Catalog", "FACTS_QUERY", "FACTS_VERSION", "Fragment", "LEGAL_FIELDS",
    "LegalInfo", "Link", "LinkDelta", "LinkReport", "MIN_TITLE_SIMILARITY", "PK", "PLANS_QUERY",
    "PLAN_GRAPHS_QUERY", "PlanInfo", "RDF_JSON", "Resolver", "clear_marker_update", "collect",
    "collect_fragments", "complete_marker", "compute", "external_update", "facts_quad", "fragment_of", "is_complete", "link_plans",
    "link_triples", "period_of", "place", "rebuild", "refresh_alignments", "relink", "replace_links_update",
    "resolve", "same_documents", "score", "set_marker_update", "title_similarity",
]


def external_update(kb: "KnowledgeBase") -> None:
    """After a SPARQL Update not made by plankb (the endpoint's admin updates): a new KB version,
    and the links graph marked incomplete, so the next ingest recomputes it whole; `plankb link`
    also re-reads the documents' triples if the update changed what they cite."""
    kb.mark_changed()
    try:
        kb.store.update(clear_marker_update(kb.iris))
    except (OSError, RuntimeError, ValueError):  # a read-only handle: nothing was written here
        pass


def compute(store, ids: IRIs, exclude_graphs: Iterable[str] = ()) -> LinkReport:
    """Catalog of `store` (minus `exclude_graphs`) -> matches and links-graph triples."""
    return resolve(collect(store, set(exclude_graphs) | {ids.links_graph, ids.ontology_graph}), ids)


def rebuild(kb: "KnowledgeBase") -> tuple[LinkReport, int]:
    """Recompute the links graph from the documents' triples, not their `pk:linkFacts`, and rewrite
    the facts of every document whose triples say otherwise (after hand-written SPARQL Updates).
    Returns the report and the number of documents whose facts were rewritten."""
    excluded = {kb.iris.links_graph, kb.iris.ontology_graph}
    frags = collect_fragments(kb.store, excluded)
    stored = {_v(r["g"]): _v(r["facts"]) for r in kb.store.query(FACTS_QUERY)}
    ops = []
    for g in sorted(frags):
        if stored.get(g) != frags[g].to_json():
            ops.append(f"DELETE WHERE {{ GRAPH <{g}> {{ <{g}> <{PK}linkFacts> ?facts }} }} ;\n"
                       + insert_data(g, [facts_quad(frags[g])]))
    for i in range(0, len(ops), 50):
        kb.write(" ;\n".join(ops[i:i + 50]))
    rep = resolve(Catalog.from_fragments(frags[g] for g in sorted(frags)), kb.iris)
    kb.write(replace_links_update(rep, kb.iris))
    return rep, len(ops)


def link_plans(kb: "KnowledgeBase") -> LinkReport:
    """Recompute the links graph of `kb` from its document graphs, in one transaction; then bring
    the task / indicator / unit alignments of every (child, parent) pair up to date (kb.align)."""
    rep = compute(kb.store, kb.iris)
    kb.write(replace_links_update(rep, kb.iris))
    rep.warnings += refresh_alignments(kb)
    return rep


def refresh_alignments(kb: "KnowledgeBase", children: set[str] | None = None,
                       removed: Iterable[str] = ()) -> list[str]:
    """Re-align the (child, parent) plan pairs whose documents changed (kb.align.align_kb); with
    `children` (plan IRIs), only those plans' pairs; `removed`: plan ids whose alignments go.

    Alignments are derived data kept in their own graphs: a failure here is reported as a warning
    and leaves the documents and the links graph as written."""
    try:
        return align_kb(kb, children=children, removed=removed).warnings
    except Exception as e:  # noqa: BLE001 - derived data must not fail an ingest
        return [f"alignments not recomputed: {type(e).__name__}: {e}"]
