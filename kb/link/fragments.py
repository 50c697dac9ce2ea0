"""Reading fragments: what each document graph contributes to the catalog, from a store.

`collect` (the main entry point) reads the catalog of a store from the documents' `pk:linkFacts`
literals, falling back to their triples (`collect_fragments`); `fragment_of` computes the fragment
of one document before it is written, and `facts_quad` the literal stored with it.
"""
from __future__ import annotations

from typing import Iterable

import pyoxigraph as ox

from plankb.kb.ids import PK, sparql_prefixes, sparql_values
from plankb.kb.link.catalog import Catalog, Fragment, LegalInfo, PlanInfo
from plankb.kb.terms import escape

RDF_JSON = "http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON"

PLANS_QUERY = """
SELECT ?g ?plan ?id ?title ?level ?number ?date ?ps ?pe ?jname ?pname ?adopted ?draft WHERE {
  GRAPH ?g {
    ?plan a pk:Plan ; dcterms:identifier ?id ; pk:level ?level .
    OPTIONAL { ?plan eli:title ?title }
    OPTIONAL { ?plan eli:id_local ?number }
    OPTIONAL { ?plan eli:date_document ?date }
    OPTIONAL { ?plan pk:isDraft ?draft }
    OPTIONAL { ?plan pk:periodStart ?ps ; pk:periodEnd ?pe }
    OPTIONAL { ?plan pk:jurisdiction ?j . ?j skos:prefLabel ?jname .
               OPTIONAL { ?j pk:province ?prov . ?prov skos:prefLabel ?pname } }
    OPTIONAL { ?plan pk:jurisdiction ?j2 . ?j2 pk:jurisdictionName ?pname }
    OPTIONAL { ?plan pk:adoptedBy ?a . ?a pk:citationKey ?adopted }
  }
}
"""

CITED_QUERY = """
SELECT ?g ?plan ?rel ?legal ?key ?type ?number ?symbol ?year ?date ?issuer ?level ?jur ?name WHERE {
  GRAPH ?g {
    VALUES ?rel { eli:based_on pk:parentPlanRef eli:cites pk:adoptedBy }
    ?plan a pk:Plan ; ?rel ?legal .
    ?legal pk:citationKey ?key .
    OPTIONAL { ?legal pk:docTypeCode ?type }
    OPTIONAL { ?legal eli:number ?number }
    OPTIONAL { ?legal pk:symbol ?symbol }
    OPTIONAL { ?legal pk:year ?year }
    OPTIONAL { ?legal eli:date_document ?date }
    OPTIONAL { ?legal pk:issuerName ?issuer }
    OPTIONAL { ?legal pk:issuerLevel ?level }
    OPTIONAL { ?legal pk:jurisdictionName ?jur }
    OPTIONAL { ?legal eli:title ?name }
  }
}
"""

_REL = {
    "http://data.europa.eu/eli/ontology#based_on": "based_on",
    "http://plankb.org/ontology#parentPlanRef": "parent",
    "http://data.europa.eu/eli/ontology#cites": "cites",
    "http://plankb.org/ontology#adoptedBy": "adopted_by",
}


def _v(term) -> str | None:
    return None if term is None else term.value


def collect_fragments(store, exclude_graphs: Iterable[str] = (), graphs: Iterable[str] | None = None
                      ) -> dict[str, Fragment]:
    """Fragments read from the graphs' triples (all named graphs but `exclude_graphs`, or only
    `graphs`)."""
    excluded = set(exclude_graphs)
    only = set(graphs) if graphs is not None else None
    prefixes = sparql_prefixes("http://unused.invalid/")
    frags: dict[str, Fragment] = {}

    def frag(g: str) -> Fragment | None:
        if g in excluded or (only is not None and g not in only):
            return None
        return frags.setdefault(g, Fragment(g))

    values = sparql_values("g", only) if only is not None and len(only) <= 64 else ""
    for row in store.query(prefixes + PLANS_QUERY.replace("WHERE {\n", "WHERE {\n" + values, 1)):
        f = frag(_v(row["g"]))
        if f is None:
            continue
        ps, pe = _v(row["ps"]), _v(row["pe"])
        iri = _v(row["plan"])
        info = f.plans.get(iri) or PlanInfo(graph=f.graph, iri=iri, id=_v(row["id"]), level=_v(row["level"]))
        info.title = info.title or _v(row["title"])
        info.number = info.number or _v(row["number"])
        info.date = info.date or _v(row["date"])
        info.period = info.period or ((int(ps), int(pe)) if ps and pe else None)
        info.jurisdiction = info.jurisdiction or _v(row["jname"])
        info.province = info.province or _v(row["pname"])
        info.adopted_key = info.adopted_key or _v(row["adopted"])
        draft = _v(row["draft"])
        if draft is not None:
            info.is_draft = draft == "true"
        f.plans[iri] = info
    for row in store.query(prefixes + CITED_QUERY.replace("WHERE {\n", "WHERE {\n" + values, 1)):
        f = frag(_v(row["g"]))
        if f is None:
            continue
        iri = _v(row["legal"])
        info = f.legal.get(iri) or LegalInfo(iri=iri, key=_v(row["key"]))
        for fld, var in (("doc_type", "type"), ("number", "number"), ("symbol", "symbol"), ("date", "date"),
                         ("issuer", "issuer"), ("level", "level"), ("jurisdiction", "jur"), ("name", "name")):
            if getattr(info, fld) is None:
                setattr(info, fld, _v(row[var]))
        if info.year is None and row["year"] is not None:
            info.year = int(row["year"].value)
        info.cited_by.add((_v(row["plan"]), _REL[_v(row["rel"])]))
        f.legal[iri] = info
    return frags


FACTS_QUERY = f"""SELECT ?g ?facts WHERE {{ GRAPH ?g {{ ?g <{PK}linkFacts> ?facts }} }}"""
PLAN_GRAPHS_QUERY = f"""SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?plan a <{PK}Plan> }} }}"""


def collect(store, exclude_graphs: Iterable[str] = ()) -> Catalog:
    """The catalog of a pyoxigraph-like store (all named graphs but `exclude_graphs`).

    Each document graph carries its fragment as a `pk:linkFacts` JSON literal (written with the
    document, see `facts_quad`), so this reads one literal per document; graphs without one (written
    by an older plankb) are read from their triples."""
    excluded = set(exclude_graphs)
    frags: dict[str, Fragment] = {}
    for row in store.query(FACTS_QUERY):
        g = _v(row["g"])
        if g in excluded:
            continue
        f = Fragment.from_json(g, _v(row["facts"]))
        if f is not None:
            frags[g] = f
    plan_graphs = {_v(r["g"]) for r in store.query(PLAN_GRAPHS_QUERY)} - excluded
    rest = plan_graphs - set(frags)
    if rest:
        frags.update(collect_fragments(store, excluded, rest))
    return Catalog.from_fragments(frags[g] for g in sorted(frags))


def fragment_of(nquads: str, graph: str) -> Fragment:
    """The fragment of one document given as N-Quads (its triples in `graph`)."""
    scratch = ox.Store()
    scratch.load(nquads, format=ox.RdfFormat.N_QUADS)
    return collect_fragments(scratch).get(graph) or Fragment(graph)


def facts_quad(frag: Fragment) -> tuple[str, str, str]:
    """(subject, predicate, object) of the `pk:linkFacts` triple stored in the fragment's graph."""
    return f"<{frag.graph}>", f"<{PK}linkFacts>", f'"{escape(frag.to_json())}"^^<{RDF_JSON}>'
