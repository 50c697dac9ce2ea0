"""Store backends: where a KnowledgeBase keeps its named graphs.

`KnowledgeBase.store` is either

* a `pyoxigraph.Store` (the default: embedded, on disk or in memory), or
* a `SparqlServerBackend`: any SPARQL 1.1 server reached over HTTP (Query and Update protocols,
  and the Graph Store Protocol when it has one), chosen with `PLANKB_STORE=sparql` (kb.settings).

The rest of plankb (kb.store, kb.link, kb.align, kb.query.trace, kb.catalog, kb.export, api.sparql)
calls the store with pyoxigraph's `Store` API, so `SparqlServerBackend` implements the part of it
that plankb uses (`query`, `update`, `named_graphs`, `contains_named_graph`, `quads_for_pattern`,
`len`, iteration, `load`, `dump`, `flush`) and returns **real pyoxigraph result objects**
(`QuerySolutions`, `QueryBoolean`, `QueryTriples`, parsed from the server's answer with
`pyoxigraph.parse_query_results`), so callers and their `isinstance` checks work unchanged.

`Backend` is the small graph-level interface both kinds offer (`as_backend(store)` wraps a
pyoxigraph Store in `OxigraphBackend`): `query`, `update`, `replace_graph`, `drop_graph`,
`triple_count`.

Writes on a server. plankb writes with SPARQL Update texts made of `DROP SILENT GRAPH <g>` and
`INSERT DATA { GRAPH <g> { N-Triples } }` operations (kb.store, kb.link, kb.align). The server
backend recognises exactly that shape and runs it per graph: a dropped-then-inserted graph is
replaced with one Graph Store Protocol PUT (atomic per graph on the server), other inserts are
GSP POSTs, and drops are one SPARQL Update request. Without a GSP endpoint the triples go as
`INSERT DATA` operations of at most `batch_triples` triples each (Virtuoso rejects one operation
of more than about 1,200 triples: "generated SQL text has exceeded 10000 lines"), packed into
requests of at most `batch_bytes`. Any other update text is sent unchanged as one request.
So on a server a document write is atomic per graph, not across graphs as in Oxigraph: a failure
between the document's graph and the links graph leaves the links stale until the next ingest
or `plankb link`.

Reads on a server. The union default graph (`use_default_graph_as_union`) is the server's
default graph, which must be the union of its named graphs: Virtuoso's is (a query without FROM
sees every graph), Fuseki needs `tdb2:unionDefaultGraph true`, Oxigraph server
`--union-default-graph`. plankb's queries with `use_default_graph_as_union=False` all use
`GRAPH` patterns, so they mean the same on both. `named_graphs()`, `len()`, iteration and `dump`
are limited to the KB's graphs (`graph_prefix`, `{base}graph/`), since a server has graphs of its
own (Virtuoso's system graphs); the queries are not, so a server (a Fuseki dataset, a Virtuoso
instance) holds one knowledge base.
"""
from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import pyoxigraph as ox

from plankb.kb.store.server import (
    BATCH_BYTES,
    BATCH_TRIPLES,
    ResultCapReached,
    ServerError,
    SparqlServerBackend,
    open_server,
    server_auth,
)
from plankb.kb.store.sparql_text import _iri, plan_update, query_form, split_operations

__all__ = ["BATCH_BYTES", "BATCH_TRIPLES", "Backend", "OxigraphBackend", "ResultCapReached", "ServerError",
           "SparqlServerBackend", "as_backend", "open_server", "plan_update", "query_form", "server_auth",
           "split_operations"]


# ---------------------------------------------------------------- the interface
@runtime_checkable
class Backend(Protocol):
    """What a KnowledgeBase needs of its store, graph by graph."""

    def query(self, sparql: str, **options: Any) -> Any:
        """SPARQL query -> pyoxigraph QuerySolutions | QueryBoolean | QueryTriples. Options as
        pyoxigraph's `Store.query`: prefixes, use_default_graph_as_union, default_graph,
        named_graphs, substitutions."""

    def update(self, sparql: str, **options: Any) -> None:
        """SPARQL Update."""

    def replace_graph(self, graph: str, ntriples: str) -> None:
        """Make named graph `graph` hold exactly these N-Triples (atomically, per graph)."""

    def drop_graph(self, graph: str) -> None:
        """Remove named graph `graph` (no error if it is not there)."""

    def triple_count(self) -> int:
        """Quads in the KB's graphs."""


class OxigraphBackend:
    """The embedded store: a pyoxigraph `Store` (each update is one storage transaction)."""

    def __init__(self, store: ox.Store):
        self.store = store

    def query(self, sparql: str, **options: Any) -> Any:
        return self.store.query(sparql, **options)

    def update(self, sparql: str, **options: Any) -> None:
        self.store.update(sparql, **options)

    def replace_graph(self, graph: str, ntriples: str) -> None:
        g = _iri(graph)
        self.store.update(f"DROP SILENT GRAPH {g} ;\nINSERT DATA {{ GRAPH {g} {{\n{ntriples}\n}} }}")

    def drop_graph(self, graph: str) -> None:
        self.store.update(f"DROP SILENT GRAPH {_iri(graph)}")

    def triple_count(self) -> int:
        return len(self.store)


def as_backend(store: Any) -> Backend:
    """The `Backend` view of a KnowledgeBase's store (a pyoxigraph Store or a server backend)."""
    if isinstance(store, ox.Store):
        return OxigraphBackend(store)
    if isinstance(store, Backend):
        return store
    raise TypeError(f"not a plankb store: {type(store).__name__}")
