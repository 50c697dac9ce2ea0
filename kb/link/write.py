"""SPARQL Updates of the links graph: its whole replacement and its completeness marker.

`replace_links_update` (the main entry point) replaces the graph; `insert_data` / `delete_data`
write the operations a delta (kb.link.delta) is made of; the `pk:linksComplete` marker says the
graph was computed over every document graph of the store (`is_complete`).
"""
from __future__ import annotations

from typing import Iterable

from plankb.kb.ids import PK, IRIs
from plankb.kb.link.resolve import LinkReport


def _data(op: str, graph: str, triples: Iterable[tuple[str, str, str]]) -> str:
    body = "".join(f"{s} {p} {o} .\n" for s, p, o in triples)
    return f"{op} DATA {{ GRAPH <{graph}> {{\n{body}}} }}"


def insert_data(graph: str, triples: Iterable[tuple[str, str, str]]) -> str:
    """`INSERT DATA` of `triples` (N-Triples terms) into `graph`."""
    return _data("INSERT", graph, triples)


def delete_data(graph: str, triples: Iterable[tuple[str, str, str]]) -> str:
    """`DELETE DATA` of `triples` (N-Triples terms) from `graph`."""
    return _data("DELETE", graph, triples)


def complete_marker(ids: IRIs) -> tuple[str, str, str]:
    """Present in the links graph when it was computed over every document graph in the store;
    removed by any document write that does not update the links (bulk loads, `link=False`)."""
    return f"<{ids.links_graph}>", f"<{PK}linksComplete>", '"true"^^<http://www.w3.org/2001/XMLSchema#boolean>'


def clear_marker_update(ids: IRIs) -> str:
    return delete_data(ids.links_graph, [complete_marker(ids)])


def set_marker_update(ids: IRIs) -> str:
    return insert_data(ids.links_graph, [complete_marker(ids)])


def is_complete(store, ids: IRIs) -> bool:
    s, p, o = complete_marker(ids)
    return bool(store.query(f"ASK {{ GRAPH <{ids.links_graph}> {{ {s} {p} {o} }} }}"))


def replace_links_update(rep: LinkReport, ids: IRIs) -> str:
    """SPARQL Update operations that replace the links graph (to be sent in one request)."""
    g = ids.links_graph
    return f"DROP SILENT GRAPH <{g}> ;\n" + insert_data(g, [*rep.triples, complete_marker(ids)])
