"""plankb.kb.query.graph: the networkx projection of the seed KB."""
from __future__ import annotations

import unicodedata

import factories as F
from plankb.ingest.load import ingest_record
from plankb.kb.query.graph import networkx_graph

KINDS = {"plan", "task", "unit", "legal_document", "indicator", "jurisdiction", "area"}
RELATIONS = {"based_on", "cites", "parent_plan", "adopts", "resolves_to", "part_of", "lead", "support",
             "parent_task", "in_jurisdiction", "measures", "area"}


def test_nodes_have_kind_label_and_url():
    g = networkx_graph(F.seed_kb())
    kinds = {d["kind"] for _, d in g.nodes(data=True)}
    assert kinds == KINDS
    prefix = {"plan": "/plans/", "task": "/tasks/", "unit": "/units/", "legal_document": "/legal/"}
    for n, d in g.nodes(data=True):
        assert n.startswith("http") and d["label"]
        assert all(isinstance(v, (str, int, float)) for v in d.values()), (n, d)
        if d["kind"] in prefix:
            assert d["url"] == prefix[d["kind"]] + d["id"]
        if d["kind"] == "plan":
            assert d["level"] in ("national", "province", "commune")
    labels = " ".join(d["label"] for _, d in g.nodes(data=True))
    assert "Cải cách thể chế" in labels and unicodedata.is_normalized("NFC", labels)


def test_edges_and_relations():
    kb = F.seed_kb()
    g = networkx_graph(kb)
    rels = {d["relation"] for *_, d in g.edges(data=True)}
    assert {"based_on", "parent_plan", "part_of", "lead", "in_jurisdiction", "area", "measures"} <= rels <= RELATIONS
    ai_quoc = F.plan_iri_by_code(kb, "10660")
    hai_phong = F.plan_iri_by_code(kb, "31", (2026, 2030))
    assert g.has_edge(ai_quoc, hai_phong, key="parent_plan")
    nq76 = kb.iris.legal("nq-76-2021-nq-cp")
    citing = {u for u, _, k in g.in_edges(nq76, keys=True) if k in ("based_on", "cites")}
    assert len(citing) >= 4  # Ba Đình's year-less "76/NQ-CP" is folded into the dated node
    for u, v, d in g.edges(data=True):
        if d["relation"] == "part_of":
            assert g.nodes[u]["kind"] == "task" and g.nodes[v]["kind"] == "plan"
        if d["relation"] in ("lead", "support"):
            assert g.nodes[v]["kind"] == "unit"


def test_projection_is_cached_until_the_next_ingest():
    from plankb.kb.store import KnowledgeBase

    kb = KnowledgeBase.in_memory()
    ingest_record(kb, F.hai_phong(), validate=False)
    g1 = networkx_graph(kb)
    assert networkx_graph(kb) is g1
    ingest_record(kb, F.ai_quoc(), validate=False)
    g2 = networkx_graph(kb)
    assert g2 is not g1 and g2.number_of_nodes() > g1.number_of_nodes()
