"""SHACL validation of a document's triples (or the whole KB) against ontology/shapes.ttl.

Public verb: `shacl_validate(data, base)` -> one message per violation.
"""
from __future__ import annotations

from functools import lru_cache

import pyoxigraph as ox

from plankb import ontology
from plankb.kb.settings import DEFAULT_BASE_IRI as DEFAULT_BASE


@lru_cache(maxsize=4)
def ontology_ntriples(base: str) -> str:
    """ontology/plankb.ttl as N-Triples, with `base` in place of the default base IRI."""
    text = ontology.ONTOLOGY_FILE.read_text(encoding="utf-8")
    if base != DEFAULT_BASE:
        text = text.replace(f"<{DEFAULT_BASE}>", f"<{base}>")
    triples = ox.parse(text, format=ox.RdfFormat.TURTLE)
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")


@lru_cache(maxsize=4)
def _ontology_rdflib(base: str):
    import rdflib  # heavy (and only needed to validate): loaded on first use

    return rdflib.Graph().parse(data=ontology_ntriples(base), format="nt")


@lru_cache(maxsize=1)
def _shapes_rdflib():
    import rdflib  # heavy: see _ontology_rdflib

    return rdflib.Graph().parse(ontology.SHAPES_FILE, format="turtle")


def shacl_validate(data, base: str = DEFAULT_BASE) -> list[str]:
    """Validate N-Triples text (or an rdflib graph) against ontology/shapes.ttl.

    The ontology (reform areas, roles, document types, subclasses) is added to the data first,
    so `sh:class pk:ReformArea` and `sh:targetClass eli:LegalResource` see what it declares.
    Returns one message per violation: 'SHACL: <focus node> <path>: <message>'.
    """
    import pyshacl  # heavy: loaded on first validation
    import rdflib  # heavy: see _ontology_rdflib
    from rdflib.namespace import SH  # rdflib is heavy: loaded only for SHACL, rdflib graphs or the rdflib comparison

    if isinstance(data, str):
        graph = rdflib.Graph().parse(data=data + ontology_ntriples(base), format="nt")
    else:
        graph = rdflib.Graph()
        graph += data
        graph += _ontology_rdflib(base)
    conforms, results, _ = pyshacl.validate(
        graph, shacl_graph=_shapes_rdflib(), inference="none", advanced=True, allow_warnings=True,
    )
    if conforms:
        return []
    out = []
    for r in results.subjects(rdflib.RDF.type, SH.ValidationResult):
        focus = results.value(r, SH.focusNode)
        path = results.value(r, SH.resultPath)
        msg = results.value(r, SH.resultMessage)
        short_path = results.namespace_manager.normalizeUri(path) if isinstance(path, rdflib.URIRef) else path
        out.append(f"SHACL: <{focus}> {short_path}: {msg}")
    return sorted(out)


