"""Load one extracted document into the KB: `ingest_record` (write its graph atomically, with
the links delta and the realignments it causes) and `remove_plan`."""
from __future__ import annotations

from datetime import datetime

import pyoxigraph as ox

from plankb.ingest.load.outcome import IngestOutcome
from plankb.kb import link as linking
from plankb.kb.models import PlanRecord
from plankb.kb.rdf import build
from plankb.kb.store import KnowledgeBase, shacl_validate


def ingest_record(kb: KnowledgeBase, record: PlanRecord, *, link: bool = True, validate: bool = True,
                  generated_at: datetime | None = None) -> IngestOutcome:
    """Write one document's graph atomically; idempotent on the file's sha256.

    Same sha256 already in the KB -> 'unchanged', nothing written. Same plan id (or same
    source path) with another sha256 -> its graph is replaced. With `link`, the links graph
    is recomputed in the same transaction. Any exception leaves the store as it was.
    """

    outcome = IngestOutcome(path=record.source, status="unchanged", plan_id=record.id,
                            graph=kb.iris.graph(record.id))
    if kb.graphs_with(sha256=record.sha256):
        return outcome
    doc = build(record, kb.base, generated_at)
    outcome.warnings += [f"{w.code}: {w.message}" for w in record.warnings]
    outcome.warnings += [f"{w.code}: {w.message}" for w in doc.warnings]
    if validate:
        outcome.warnings += shacl_validate(doc.ntriples(), kb.base)

    replaced = set(kb.graphs_with(source_path=record.source))
    existing = kb.store.contains_named_graph(ox.NamedNode(doc.graph))
    drop = sorted(replaced | ({doc.graph} if existing else set()))
    frag = linking.fragment_of(doc.nquads(), doc.graph)
    ops = [linking.clear_marker_update(kb.iris)]  # set again by the links update (or left clear)
    ops += [f"DROP SILENT GRAPH <{g}>" for g in drop]
    ops.append(doc.insert_data())
    ops.append("INSERT DATA {{ GRAPH <{}> {{\n{} {} {} .\n}} }}".format(doc.graph, *linking.facts_quad(frag)))
    realign: set[str] | None = None
    gone: list[str] = []
    if link:
        update, warnings, realign, gone = _links_update(kb, drop, frag)
        ops.append(update)
        outcome.warnings += warnings
    # else: the links graph no longer covers every document (marker cleared above): the next
    # linking recomputes it whole
    kb.write(" ;\n".join(op for op in ops if op))
    if link:
        outcome.warnings += linking.refresh_alignments(kb, realign, gone)
    outcome.status = "replaced" if drop else "added"
    outcome.tasks, outcome.units, outcome.indicators = len(record.tasks), len(record.units), len(record.indicators)
    keys = {c.key for c in [*record.legal_bases, *record.parent_plans, *record.citations] if c.key}
    outcome.citations = len(keys)
    outcome.triples = len(doc)
    return outcome


def _links_update(kb: KnowledgeBase, drop: list[str], frag=None) -> tuple[str, list[str], set[str] | None, list[str]]:
    """The links update for dropping the document graphs `drop` and adding `frag` (a
    kb.link.Fragment): (update, warnings, plans to realign or None for all, ids of plans gone).
    A delta when the stored links graph covers every document (kb.link.relink; its cost follows
    the change), else a full recomputation."""
    old = linking.collect(kb.store, {kb.iris.links_graph, kb.iris.ontology_graph})
    new = old.copy()
    added = set(frag.plans) if frag is not None else set()
    changed, touched, gone = set(added), set(), []
    for g in drop:
        if g in new.fragments:
            changed |= set(new.fragments[g].plans)
            gone += [p.id for p in new.fragments[g].plans.values() if p.iri not in added]
        touched |= new.remove(g)
    if frag is not None:
        touched |= new.add(frag)
    if linking.is_complete(kb.store, kb.iris):
        delta = linking.relink(old, new, changed, touched, kb.iris)
        # callers clear the marker before their first operation and this sets it again last:
        # one transaction on Oxigraph; on a SPARQL server (atomic per graph) a write that fails
        # half-way leaves the links marked incomplete, so the next write recomputes them whole
        # instead of applying a delta to a stale links graph
        update = " ;\n".join(op for op in (delta.update(kb.iris), linking.set_marker_update(kb.iris)) if op)
        return update, delta.warnings, delta.realign, gone
    rep = linking.resolve(new, kb.iris)
    return linking.replace_links_update(rep, kb.iris), rep.warnings, None, gone


def remove_plan(kb: KnowledgeBase, plan_id: str) -> bool:
    """Drop a document's graph (and update the links and alignments). True if it was there."""
    g = kb.iris.graph(plan_id)
    if not kb.store.contains_named_graph(ox.NamedNode(g)):
        return False
    update, _, realign, gone = _links_update(kb, [g])
    kb.write(" ;\n".join(op for op in (linking.clear_marker_update(kb.iris), f"DROP SILENT GRAPH <{g}>", update)
                             if op))
    linking.refresh_alignments(kb, realign, gone or [plan_id])
    return True

