"""Cross-level alignment: a plan's tasks, indicators and units matched with its parent plan's.

For every pair (child plan, ingested parent plan), i.e. `child pk:parentPlan parent` in the links
graph (kb.link), this module computes

* **task links**: the parent task(s) each child task implements, by Vietnamese text similarity
  within the same reform area (see `align_tasks`). Each link has a score, the method, and the
  evidence (the best-matching sentence of each task). No link below `THRESHOLD`.
* **indicator verdicts**: each child indicator matched to a parent indicator by subject
  similarity, unit and period overlap, then judged `adopted` (same target), `strengthened` or
  `weakened`; parent indicators with no counterpart are `dropped`, child-only ones `new`.
* **unit counterparts**: units holding the same role for the same reform area in the two plans
  (standing agency ↔ standing agency; lead of an area ↔ lead of that area), from the units'
  `pk:role` / `pk:area`, i.e. the plans' own "Trách nhiệm" sections.

Storage: one named graph per child plan, `{base}graph/align/{child id}`, holding a `pk:Alignment`
node per parent (with the sha256 of both source files and the aligner version as fingerprint),
`pk:TaskLink`, `pk:IndicatorLink` and `pk:UnitLink` nodes (score, method, evidence), and the
direct triples `pk:implements`, `pk:parentIndicator`, `pk:counterpart`.

Incremental: `align_kb` (run after every linking step) recomputes only the child plans whose
parent pairs or fingerprints changed, so the cost of an ingest is the cost of the pairs it
touches; there is never an all-pairs comparison across plans. Parent-plan data (tokens, document
frequencies) is cached for the duration of one run, since one province plan parents ~100 communes.

Modules: `tfidf` (text features, vectors, cosine), `tasks`, `indicators`, `units` (the three
alignments), `pair` (reading a pair of plans and aligning it), `triples` (its RDF), `write`
(writing alignment graphs). This package's entry point is `align_kb`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Iterable

import pyoxigraph as ox

from plankb.kb.align.indicators import (
    INDICATOR_METHOD,
    INDICATOR_THRESHOLD,
    SMALLER_IS_STRONGER,
    IndicatorItem,
    IndicatorVerdict,
    align_indicators,
    compare_targets,
)
from plankb.kb.align.pair import PairAlignment, PlanData, align_pair, load_plan
from plankb.kb.align.tasks import (
    CLOSE_MARGIN,
    CONTEXT_THRESHOLD,
    CROSS_AREA_FACTOR,
    TASK_METHOD,
    THRESHOLD,
    TaskItem,
    TaskMatch,
    align_tasks,
    best_sentence_pair,
)
from plankb.kb.align.tfidf import Vectorizer, cosine, features, sentences, syllables
from plankb.kb.align.triples import (
    ALIGNER_VERSION,
    PK,
    PROV,
    RDF_TYPE,
    XSD,
    _short,
    align_graph,
    alignment_triples,
)
from plankb.kb.align.units import UNIT_METHOD, UnitItem, UnitPair, unit_pairs
from plankb.kb.align.write import ALIGN_BATCH_BYTES, write_graphs
from plankb.kb.ids import sparql_values

if TYPE_CHECKING:
    from plankb.kb.store import KnowledgeBase

__all__ = [
    "ALIGNER_VERSION", "ALIGN_BATCH_BYTES", "AlignReport", "CLOSE_MARGIN", "CONTEXT_THRESHOLD",
    "CROSS_AREA_FACTOR", "INDICATOR_METHOD", "INDICATOR_THRESHOLD", "IndicatorItem", "IndicatorVerdict", "PK",
    "PROV", "PairAlignment", "PlanData", "RDF_TYPE", "SMALLER_IS_STRONGER", "TASK_METHOD", "THRESHOLD",
    "TaskItem", "TaskMatch", "UNIT_METHOD", "UnitItem", "UnitPair", "Vectorizer", "XSD", "align_graph",
    "align_indicators", "align_kb", "align_pair", "align_tasks", "alignment_triples", "best_sentence_pair",
    "compare_targets", "cosine", "features", "load_plan", "sentences", "syllables", "unit_pairs", "write_graphs",
]


@dataclass
class AlignReport:
    aligned: list[tuple[str, str]] = field(default_factory=list)  # (child id, parent id) recomputed
    unchanged: int = 0
    dropped: list[str] = field(default_factory=list)  # align graphs removed
    task_links: int = 0
    warnings: list[str] = field(default_factory=list)


def _wanted(kb: "KnowledgeBase", children: set[str] | None = None) -> dict[str, dict[str, tuple]]:
    """{child IRI: {parent IRI: (child id, parent id, child sha, parent sha)}} from the links graph."""
    rows = kb.select(f"""SELECT DISTINCT ?c ?p ?cid ?pid ?cs ?ps WHERE {{ {sparql_values("c", children)}
        GRAPH <{kb.iris.links_graph}> {{ ?c pk:parentPlan ?p }}
        ?c dcterms:identifier ?cid . ?p dcterms:identifier ?pid .
        OPTIONAL {{ ?c prov:wasDerivedFrom/pk:sha256 ?cs }} OPTIONAL {{ ?p prov:wasDerivedFrom/pk:sha256 ?ps }} }}""")
    out: dict[str, dict[str, tuple]] = {}
    for r in rows:
        if r["c"] == r["p"]:
            continue
        out.setdefault(r["c"], {})[r["p"]] = (r["cid"], r["pid"], r.get("cs"), r.get("ps"))
    return out


def _existing(kb: "KnowledgeBase", graphs_in_scope: set[str] | None = None
              ) -> tuple[dict[str, dict[str, tuple]], set[str]]:
    prefix = f"{kb.iris.base}graph/align/"
    if graphs_in_scope is None:
        graphs = {g.value for g in kb.store.named_graphs() if g.value.startswith(prefix)}
    else:
        graphs = {g for g in graphs_in_scope if kb.store.contains_named_graph(ox.NamedNode(g))}
    if not graphs:
        return {}, graphs
    rows = kb.select(f"""SELECT ?g ?c ?p ?cs ?ps ?v WHERE {{ {sparql_values("g", graphs_in_scope)} GRAPH ?g {{
        ?a a pk:Alignment ; pk:child ?c ; pk:parent ?p ; pk:alignerVersion ?v .
        OPTIONAL {{ ?a pk:childSha256 ?cs }} OPTIONAL {{ ?a pk:parentSha256 ?ps }} }} }}""",
                     use_default_graph_as_union=False)
    out: dict[str, dict[str, tuple]] = {}
    for r in rows:
        if r["g"] in graphs:
            out.setdefault(r["c"], {})[r["p"]] = (r.get("cs"), r.get("ps"), r["v"], r["g"])
    return out, graphs


def align_kb(kb: "KnowledgeBase", *, force: bool = False, generated_at: datetime | None = None,
             children: set[str] | None = None, removed: Iterable[str] = ()) -> AlignReport:
    """Bring the alignment graphs up to date with the links graph (incremental: a pair is realigned
    when its plans' sha256 or the aligner version changed). With `children` (plan IRIs) only those
    plans' alignment graphs are considered; `removed`: ids of plans gone, whose graphs are dropped."""
    rep = AlignReport()
    wanted = _wanted(kb, children)
    scope = None
    if children is not None:
        scope = {align_graph(kb, _short(kb, c)) for c in children} | {align_graph(kb, i) for i in removed}
    existing, graphs = _existing(kb, scope)
    cache: dict[str, PlanData] = {}

    def plan(i: str) -> PlanData:
        if i not in cache:
            cache[i] = load_plan(kb, i)
        return cache[i]

    writes: list[tuple[str, str | None]] = []
    keep: set[str] = set()
    for child in sorted(wanted):
        parents = wanted[child]
        cid = next(iter(parents.values()))[0]
        g = align_graph(kb, cid)
        keep.add(g)
        have = existing.get(child, {})
        fresh = (not force and set(have) == set(parents) and g in graphs
                 and all(have[p][:3] == (v[2], v[3], ALIGNER_VERSION) for p, v in parents.items()))
        if fresh:
            rep.unchanged += 1
            continue
        triples: list[tuple[str, str, str]] = []
        for parent in sorted(parents):
            try:
                pa = align_pair(plan(child), plan(parent))
            except KeyError as e:
                rep.warnings.append(f"alignment of {cid}: plan {e} not found")
                continue
            triples += alignment_triples(kb, pa, generated_at)
            rep.aligned.append((cid, parents[parent][1]))
            rep.task_links += len(pa.tasks)
        cache.pop(child, None)  # children are rarely needed again; parents are (memory stays flat)
        writes.append((g, "".join(f"{s} {p} {o} .\n" for s, p, o in dict.fromkeys(triples))))
    for g in sorted(graphs - keep):
        writes.append((g, None))
        rep.dropped.append(g)
    if writes:
        try:
            write_graphs(kb, writes, ALIGN_BATCH_BYTES)  # read here: tests lower it on this module
        finally:
            kb.mark_changed()
    return rep
