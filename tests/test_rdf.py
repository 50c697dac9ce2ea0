"""kb.ids and kb.rdf: deterministic readable IRIs, no blank nodes, every record field in RDF."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
import rdflib
from rdflib.namespace import RDF, SKOS

import factories as F
from plankb.kb.ids import IRIs, encode_id
from plankb.kb.models import Span
from plankb.kb.rdf import build, id_local, to_graph, to_quads
from plankb.kb.terms import lit

PK = rdflib.Namespace("http://plankb.org/ontology#")
ELI = rdflib.Namespace("http://data.europa.eu/eli/ontology#")
T0 = datetime(2026, 5, 1, 12, 0, tzinfo=timezone.utc)


def test_iris_are_deterministic_and_readable():
    a, b = build(F.ai_quoc(), generated_at=T0), build(F.ai_quoc(), generated_at=T0)
    assert a.ntriples() == b.ntriples()
    ids = IRIs()
    assert ids.plan(F.AI_QUOC_ID) == "http://plankb.org/id/plan/phuong-ai-quoc-2026-2030"
    assert ids.legal("nq-76-2021-nq-cp") == "http://plankb.org/id/legal/nq-76-2021-nq-cp"
    assert ids.graph("x") == "http://plankb.org/id/graph/x"
    assert ids.source("ab" * 32).endswith("/source/" + "ab" * 32)
    assert ids.area("civil_service") == "http://plankb.org/id/area/civil_service"


@pytest.mark.parametrize("value, expected", [
    ("phuong-ai-quoc.II.1.a", "phuong-ai-quoc.II.1.a"),
    ("plan.II.1.đ", "plan.II.1.đ"),           # Vietnamese letter kept
    ("a b", "a%20b"),
    ("x/y#z", "x%2Fy%23z"),
], ids=["plain", "vietnamese-letter", "space", "reserved"])
def test_encode_id(value, expected):
    assert encode_id(value) == expected


def test_commune_and_province_codes_do_not_collide():
    ids = IRIs()
    ba_dinh = ids.jurisdiction("4", "1")      # phường Ba Đình, Hà Nội
    cao_bang = ids.jurisdiction("4")          # tỉnh Cao Bằng
    assert ba_dinh == "http://plankb.org/id/jurisdiction/1/4" and ba_dinh != cao_bang


def test_base_iri_from_environment(monkeypatch):
    monkeypatch.setenv("PLANKB_BASE_IRI", "https://kb.example.vn/id")
    doc = build(F.hai_phong(), generated_at=T0)
    assert doc.plan == f"https://kb.example.vn/id/plan/{F.HAI_PHONG_ID}"
    assert "http://plankb.org/id/" not in doc.ntriples()


def test_no_blank_nodes_and_parses_back():
    doc = build(F.ai_quoc(), generated_at=T0)
    g = doc.to_rdflib()
    assert len(g) == len(doc)
    assert not any(isinstance(t, rdflib.BNode) for triple in g for t in triple)
    assert len(to_quads(F.ai_quoc(), generated_at=T0)) == len(doc)


def test_record_fields_in_rdf():
    r = F.ai_quoc()
    g = to_graph(r, generated_at=T0)
    ids = IRIs()
    plan = rdflib.URIRef(ids.plan(r.id))
    assert (plan, RDF.type, PK.Plan) in g
    assert g.value(plan, PK.level) == rdflib.Literal("commune")
    assert g.value(plan, PK.isDraft).toPython() is True
    assert (g.value(plan, PK.periodStart).toPython(), g.value(plan, PK.periodEnd).toPython()) == (2026, 2030)
    assert str(g.value(plan, ELI.title)).endswith("của phường Ái Quốc")
    nq76 = rdflib.URIRef(ids.legal("nq-76-2021-nq-cp"))
    qd1478 = rdflib.URIRef(ids.legal("qd-1478-2026-qd-ubnd-hai-phong"))
    assert (plan, ELI.based_on, nq76) in g and (plan, PK.parentPlanRef, qd1478) in g
    assert g.value(nq76, ELI.id_local) == rdflib.Literal("76/NQ-CP")
    assert g.value(nq76, ELI.date_document).toPython().isoformat() == "2021-07-15"
    assert (plan, ELI.cites, rdflib.URIRef(ids.legal("kl-205-2025-kl-tw"))) in g
    # tasks: text, area, plan, parent via path, units, deadline, span
    t = rdflib.URIRef(ids.task(f"{r.id}.II.1.a.1"))
    assert g.value(t, PK.plan) == plan
    assert g.value(t, PK.area) == rdflib.URIRef(ids.area("institution"))
    assert g.value(t, PK.parentTask) == rdflib.URIRef(ids.task(f"{r.id}.II.1.a"))
    assert str(g.value(t, PK.path)) == "II.1.a.1"
    t2 = rdflib.URIRef(ids.task(f"{r.id}.II.2.a"))
    assert str(g.value(t2, PK.deadlineText)) == "Quý I/2026"
    assert g.value(t2, PK.deadlineEnd).toPython().isoformat() == "2026-03-31"
    assert len(list(g.objects(t2, PK.supportUnit))) == 2
    for task in r.tasks:
        node = rdflib.URIRef(ids.task(task.id))
        start, end = g.value(node, PK.charStart).toPython(), g.value(node, PK.charEnd).toPython()
        assert F.seed_text(F.AI_QUOC_FILE)[start:end] == task.text
    # units: canonical name, aliases, roles, jurisdiction; a task naming an alias reaches the unit
    vhxh = rdflib.URIRef(ids.unit("phuong-ai-quoc--phong-van-hoa-xa-hoi"))
    assert str(g.value(vhxh, SKOS.prefLabel)) == "Phòng Văn hóa - Xã hội"
    assert str(g.value(vhxh, SKOS.altLabel)) == "Phòng Văn hoá - Xã hội"
    assert (vhxh, PK.role, rdflib.URIRef(ids.role("standing"))) in g
    assert g.value(vhxh, PK.jurisdiction) == rdflib.URIRef(ids.jurisdiction("10660", "31"))
    assert (rdflib.URIRef(ids.task(f"{r.id}.II.6.a")), PK.supportUnit, vhxh) in g
    # indicators, provenance
    ind = rdflib.URIRef(ids.indicator(f"{r.id}.ind2"))
    assert g.value(ind, RDF.value).toPython() == 95
    src = g.value(plan, rdflib.URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"))
    assert str(src) == ids.source(r.sha256) and str(g.value(src, PK.sha256)) == r.sha256


def test_citation_without_key_is_skipped_with_a_warning():
    doc = build(F.ai_quoc(), generated_at=T0)
    assert [w.code for w in doc.warnings] == ["citation-without-key"]
    assert "/legal/None" not in doc.ntriples()


def test_literal_escaping_round_trips():
    nasty = 'Dòng "một"\nDòng hai\t\\ kết thúc'
    r = F.bac_ninh(title=nasty)
    g = to_graph(r, generated_at=T0)
    assert str(g.value(rdflib.URIRef(IRIs().plan(r.id)), ELI.title)) == nasty
    assert lit("Văn hoá", "vi") == '"Văn hoá"@vi'  # tone marks kept as printed


@pytest.mark.parametrize("surface, number, symbol, expected", [
    ("Nghị quyết số 76/NQ-CP ngày 15/7/2021", "76", "NQ-CP", "76/NQ-CP"),
    ("Nghị định số 137/2024/NĐ-CP ngày 15/10/2024", "137", "NĐ-CP", "137/2024/NĐ-CP"),
    ("Nghị quyết số 68-NQ/TW", "68", "NQ/TW", "68-NQ/TW"),
], ids=["state", "normative-with-year", "party"])
def test_id_local(surface, number, symbol, expected):
    c = F.citation(surface, number=number, symbol=symbol)
    assert id_local(c) == expected


def test_unit_of_another_jurisdiction_gets_its_own_node():
    from plankb.kb.models import Jurisdiction

    r = F.hai_phong()
    national = F.unit("Bộ Nội vụ", Jurisdiction(name="Việt Nam", code="VN"))
    r.units.append(national)
    g = to_graph(r, generated_at=T0)
    node = g.value(rdflib.URIRef(IRIs().unit(national.id)), PK.jurisdiction)
    assert str(node).endswith("/jurisdiction/VN") and (node, RDF.type, PK.Jurisdiction) in g


def test_span_model_is_the_one_used():
    assert Span(start=1, end=2).end == 2
