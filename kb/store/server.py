"""A KB on any SPARQL 1.1 server (Query, Update and Graph Store protocols): `SparqlServerBackend`,
opened with `open_server` (see kb/store/backends.py for how reads and writes map onto the server)."""
from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import pyoxigraph as ox

from plankb.kb.settings import sparql_server_settings
from plankb.kb.store.sparql_text import (
    _chunks,
    _has_word,
    _iri,
    _ntriples,
    _values_clause,
    _with_prologue,
    plan_update,
    query_form,
)

log = logging.getLogger("plankb.backends")

BATCH_TRIPLES = 500  # triples per INSERT DATA operation (Virtuoso fails above ~1,200)
BATCH_BYTES = 4 * 1024 * 1024  # bytes per SPARQL Update request / per GSP request
RESULTS_XML = "application/sparql-results+xml"
NTRIPLES = "application/n-triples"


# ---------------------------------------------------------------- errors
class ServerError(OSError):
    """The SPARQL server failed or refused a request (status, the server's message).

    An OSError, like pyoxigraph's storage errors, so kb.store reports it as a StoreError."""

    def __init__(self, url: str, status: int | None, message: str):
        self.url, self.status, self.message = url, status, message
        super().__init__(f"{url}: HTTP {status}: {message}" if status else f"{url}: {message}")


class ResultCapReached(RuntimeError):
    """A result exactly as long as the server's row limit: most probably cut by the server."""


# ---------------------------------------------------------------- authentication
def server_auth(user: str, password: str, scheme: str = "auto"):
    """httpx authentication answering the server's challenge: Digest (Virtuoso's /sparql-auth and
    /sparql-graph-crud-auth) or Basic (Fuseki, GraphDB, most proxies); `scheme` forces one."""
    import httpx  # httpx: loaded only when an HTTP client is needed

    class ServerAuth(httpx.Auth):
        requires_request_body = True

        def __init__(self) -> None:
            self.scheme = scheme
            self.basic = httpx.BasicAuth(user, password)
            self.digest = httpx.DigestAuth(user, password)

        def auth_flow(self, request):
            if self.scheme == "auto":  # first request: no credentials until the server asks
                response = yield request
                if response.status_code != 401:
                    return
                challenge = response.headers.get("www-authenticate", "").lower()
                self.scheme = "digest" if challenge.startswith("digest") else "basic"
            yield from (self.digest if self.scheme == "digest" else self.basic).auth_flow(request)

    return ServerAuth()


# ---------------------------------------------------------------- the server backend
class SparqlServerBackend:
    """A SPARQL 1.1 server as a plankb store (see the module docstring).

    `query_url`: SPARQL Query endpoint. `update_url`: SPARQL Update endpoint (None: no SPARQL
    Update; drops then go through the GSP). `gsp_url`: Graph Store Protocol endpoint, indirect
    graph identification (`?graph=IRI`); None: writes use batched INSERT DATA. `user` /
    `password` / `auth`: credentials for every request (auto answers Basic or Digest challenges).
    `graph_prefix`: the KB's graphs (`{base}graph/`), the scope of `named_graphs()`, `len()`,
    iteration and `dump`. `result_cap`: the server's own row limit (Virtuoso's ResultSetMaxRows,
    10000 by default, cuts results silently); a SELECT without LIMIT that returns exactly that
    many rows raises `ResultCapReached` instead of passing a cut result on. 0: no check.
    """

    def __init__(self, query_url: str, update_url: str | None = None, gsp_url: str | None = None, *,
                 user: str | None = None, password: str | None = None, auth: str = "auto",
                 timeout: float = 60.0, graph_prefix: str | None = None, result_cap: int = 10_000,
                 batch_triples: int = BATCH_TRIPLES, batch_bytes: int = BATCH_BYTES, client: Any = None):
        import httpx  # httpx: loaded only when an HTTP client is needed

        self.query_url, self.update_url, self.gsp_url = query_url, update_url, gsp_url
        self.graph_prefix = graph_prefix
        self.result_cap = result_cap
        self.batch_triples = max(1, batch_triples)
        self.batch_bytes = max(1024, batch_bytes)
        self.timeout = timeout
        self.client = client or httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            auth=server_auth(user, password or "", auth) if user else None,
            headers={"User-Agent": "plankb"}, follow_redirects=False)
        self.requests = 0  # HTTP requests sent (tests and benchmarks)

    @classmethod
    def from_settings(cls, settings: Any, graph_prefix: str | None = None) -> "SparqlServerBackend":
        """From a kb.settings.SparqlServerSettings."""
        return cls(settings.query_url, settings.update_url, settings.gsp_url, user=settings.user,
                   password=settings.password, auth=settings.auth, timeout=settings.timeout,
                   graph_prefix=graph_prefix, result_cap=settings.result_cap)

    def __repr__(self) -> str:
        return f"SparqlServerBackend({self.query_url!r}, graphs={self.graph_prefix!r})"

    def close(self) -> None:
        self.client.close()

    # ------------------------------------------------------------ HTTP
    def _send(self, method: str, url: str, **kwargs: Any):
        import httpx  # httpx: loaded only when an HTTP client is needed

        self.requests += 1
        try:
            response = self.client.request(method, url, **kwargs)
        except httpx.TimeoutException as e:
            raise TimeoutError(f"{url}: no answer within {self.timeout:g} s ({type(e).__name__})") from None
        except httpx.HTTPError as e:
            raise ServerError(url, None, f"{type(e).__name__}: {e}") from None
        return response

    @staticmethod
    def _message(response) -> str:
        text = response.text.strip()
        return text[:2000] or response.reason_phrase

    # ------------------------------------------------------------ queries
    def query(self, query: str, *, prefixes: Mapping[str, str] | None = None,
              use_default_graph_as_union: bool = False, default_graph: Any = None, named_graphs: Any = None,
              substitutions: Mapping[Any, Any] | None = None, base_iri: str | None = None, **_: Any):
        """SPARQL query on the server -> pyoxigraph QuerySolutions / QueryBoolean / QueryTriples.

        Raises SyntaxError for a query the server rejects as malformed (HTTP 400), ServerError
        (OSError) for other failures, TimeoutError past the timeout, ResultCapReached."""
        text = _with_prologue(query, prefixes)
        if base_iri:
            text = f"BASE <{base_iri}>\n{text}"
        if substitutions:
            text += _values_clause(substitutions)
        form = query_form(text)
        data: dict[str, Any] = {"query": text}
        if default_graph is not None:
            graphs = default_graph if isinstance(default_graph, (list, tuple, set)) else [default_graph]
            data["default-graph-uri"] = [g.value for g in graphs if isinstance(g, ox.NamedNode)]
        if named_graphs is not None:
            data["named-graph-uri"] = [g.value for g in named_graphs if isinstance(g, ox.NamedNode)]
        accept = f"{NTRIPLES}, text/turtle;q=0.9" if form in ("CONSTRUCT", "DESCRIBE") else \
            f"{RESULTS_XML}, application/sparql-results+json;q=0.9"
        response = self._send("POST", self.query_url, data=data, headers={"Accept": accept})
        if response.status_code == 400:
            raise SyntaxError(self._message(response))
        if response.status_code >= 300:
            raise ServerError(self.query_url, response.status_code, self._message(response))
        ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if form in ("CONSTRUCT", "DESCRIBE"):
            return self._triples(response.content, ctype)
        fmt = {"application/sparql-results+json": ox.QueryResultsFormat.JSON, "application/json":
               ox.QueryResultsFormat.JSON, "text/tab-separated-values": ox.QueryResultsFormat.TSV,
               }.get(ctype, ox.QueryResultsFormat.XML)
        if self.result_cap and form == "SELECT" and not _has_word(text, "LIMIT"):
            n = _count_results(response.content, fmt)
            if n == self.result_cap:
                raise ResultCapReached(
                    f"{self.query_url} returned exactly {n} rows, its row limit: the result was most probably "
                    "cut. Raise the server's limit (Virtuoso: [SPARQL] ResultSetMaxRows in virtuoso.ini) and "
                    "set PLANKB_SPARQL_RESULT_CAP to it, or add LIMIT to the query.")
        return ox.parse_query_results(response.content, format=fmt)

    @staticmethod
    def _triples(content: bytes, ctype: str):
        """RDF from a CONSTRUCT / DESCRIBE -> a pyoxigraph QueryTriples (through a scratch store)."""
        fmt = {"text/turtle": ox.RdfFormat.TURTLE, "application/rdf+xml": ox.RdfFormat.RDF_XML,
               "application/n-quads": ox.RdfFormat.N_QUADS}.get(ctype, ox.RdfFormat.N_TRIPLES)
        scratch = ox.Store()
        scratch.load(content, format=fmt)
        return scratch.query("CONSTRUCT WHERE { ?s ?p ?o }", use_default_graph_as_union=True)

    def _select(self, query: str) -> list[ox.QuerySolution]:
        return list(self.query(query))

    def _scope(self, var: str = "?g") -> str:
        if not self.graph_prefix:
            return ""
        return f"FILTER(STRSTARTS(STR({var}), {ox.Literal(self.graph_prefix)}))"

    def _in_scope(self, graph: str) -> bool:
        return not self.graph_prefix or graph.startswith(self.graph_prefix)

    # ------------------------------------------------------------ pyoxigraph Store API (reads)
    def named_graphs(self) -> Iterator[ox.NamedNode]:
        rows = self._select(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self._scope()} }}")
        return iter(sorted((r["g"] for r in rows if isinstance(r["g"], ox.NamedNode)), key=lambda g: g.value))

    def contains_named_graph(self, graph: Any) -> bool:
        iri = graph.value if isinstance(graph, ox.NamedNode) else str(graph)
        if not self._in_scope(iri):
            return False
        return bool(self.query(f"ASK {{ GRAPH {_iri(iri)} {{ ?s ?p ?o }} }}"))

    def quads_for_pattern(self, subject: Any = None, predicate: Any = None, object: Any = None,
                          graph_name: Any = None) -> Iterator[ox.Quad]:
        s = str(subject) if subject is not None else "?s"
        p = str(predicate) if predicate is not None else "?p"
        o = str(object) if object is not None else "?o"
        if isinstance(graph_name, ox.DefaultGraph):
            return iter(())  # plankb keeps nothing in the default graph
        if graph_name is None and subject is None and predicate is None and object is None:
            # everything: graph by graph, so no single answer meets the server's row limit
            return (q for g in list(self.named_graphs()) for q in self.quads_for_pattern(None, None, None, g))
        if graph_name is not None:
            if not self._in_scope(graph_name.value):
                return iter(())
            g, scope = str(graph_name), ""
        else:
            g, scope = "?g", self._scope()
        rows = self._select(f"SELECT * WHERE {{ GRAPH {g} {{ {s} {p} {o} }} {scope} }}")
        return iter([ox.Quad(subject if subject is not None else r["s"], predicate if predicate is not None else r["p"],
                             object if object is not None else r["o"], graph_name if graph_name is not None else r["g"])
                     for r in rows])

    def __iter__(self) -> Iterator[ox.Quad]:
        return self.quads_for_pattern()

    def __len__(self) -> int:
        return self.triple_count()

    def triple_count(self) -> int:
        rows = self._select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self._scope()} }}")
        return int(rows[0]["n"].value) if rows and rows[0]["n"] is not None else 0

    def dump(self, output: Any = None, format: Any = None, *, from_graph: Any = None,
             prefixes: Mapping[str, str] | None = None, base_iri: str | None = None) -> bytes | None:
        """As `Store.dump`, over the KB's graphs (copied into a scratch in-memory store first)."""
        scratch = ox.Store()
        scratch.extend(self.quads_for_pattern(None, None, None, from_graph))
        kwargs: dict[str, Any] = {"format": format}
        if from_graph is not None:
            kwargs["from_graph"] = from_graph
        if prefixes:
            kwargs["prefixes"] = prefixes
        if base_iri:
            kwargs["base_iri"] = base_iri
        return scratch.dump(output, **kwargs)

    def flush(self) -> None:
        """Nothing to flush: every write is sent when it is made."""

    def optimize(self) -> None:
        """The server maintains its own storage."""

    # ------------------------------------------------------------ writes
    def update(self, update: str, *, prefixes: Mapping[str, str] | None = None, base_iri: str | None = None,
               **_: Any) -> None:
        """SPARQL Update. plankb's DROP / INSERT DATA texts run graph by graph (module docstring);
        anything else is sent as one request to the update endpoint."""
        steps = plan_update(update) if not base_iri else None
        if steps is None:
            text = _with_prologue(update, prefixes)
            if base_iri:
                text = f"BASE <{base_iri}>\n{text}"
            self._sparql_update([text])
            return
        drops: list[str] = []  # consecutive drops go in one request
        for step in steps:
            if step[0] == "drop":
                drops.append(step[1])
                continue
            if drops:
                self._drop(drops)
                drops = []
            if step[0] == "delete":
                self._delete_triples(step[1], step[2])
            else:
                self._write_graph(step[1], step[2], replace=step[0] == "put")
        if drops:
            self._drop(drops)

    def replace_graph(self, graph: str, ntriples: str) -> None:
        self._write_graph(graph, list(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)), replace=True)

    def drop_graph(self, graph: str) -> None:
        self._drop([graph])

    def remove_graph(self, graph: Any) -> None:
        self._drop([graph.value if isinstance(graph, ox.NamedNode) else str(graph)])

    clear_graph = remove_graph

    def load(self, input: Any = None, format: Any = None, *, path: Any = None, base_iri: str | None = None,
             to_graph: Any = None) -> None:
        """As `Store.load`: parse locally, then add graph by graph (GSP POST or INSERT DATA)."""
        kwargs: dict[str, Any] = {"format": format}
        if path is not None:
            kwargs["path"] = path
        if base_iri:
            kwargs["base_iri"] = base_iri
        quads = list(ox.parse(input, **kwargs)) if path is None else list(ox.parse(**kwargs))
        self.extend(quads if to_graph is None else
                    [ox.Quad(q.subject, q.predicate, q.object, to_graph) for q in quads])

    bulk_load = load

    def extend(self, quads: Iterable[ox.Quad]) -> None:
        by_graph: dict[str, list[ox.Triple]] = {}
        for q in quads:
            if not isinstance(q.graph_name, ox.NamedNode):
                raise ValueError("plankb keeps every triple in a named graph; got one for the default graph")
            by_graph.setdefault(q.graph_name.value, []).append(ox.Triple(q.subject, q.predicate, q.object))
        for g, triples in by_graph.items():
            self._write_graph(g, triples, replace=False)

    def _sparql_update(self, texts: list[str]) -> None:
        if not self.update_url:
            raise ServerError(self.query_url, None, "no SPARQL Update endpoint configured (PLANKB_SPARQL_UPDATE)")
        for text in texts:
            response = self._send("POST", self.update_url, data={"update": text})
            if response.status_code >= 300:
                raise ServerError(self.update_url, response.status_code, self._message(response))

    def _drop(self, graphs: list[str]) -> None:
        if self.update_url:
            self._sparql_update([" ;\n".join(f"DROP SILENT GRAPH {_iri(g)}" for g in graphs)])
            return
        for g in graphs:
            response = self._send("DELETE", self._gsp(), params={"graph": g})
            if response.status_code >= 300 and response.status_code != 404:
                raise ServerError(self._gsp(), response.status_code, self._message(response))

    def _gsp(self) -> str:
        if not self.gsp_url:
            raise ServerError(self.query_url, None, "no Graph Store Protocol endpoint configured (PLANKB_SPARQL_GSP)")
        return self.gsp_url

    def _delete_triples(self, graph: str, triples: list[ox.Triple]) -> None:
        """DELETE DATA in pieces of `batch_triples` (a server limits the size of one operation)."""
        g = _iri(graph)
        self._sparql_update([f"DELETE DATA {{ GRAPH {g} {{\n{_ntriples(chunk).decode('utf-8')}}} }}"
                             for chunk in _chunks(triples, self.batch_triples)])

    def _write_graph(self, graph: str, triples: list[ox.Triple], *, replace: bool) -> None:
        """Replace (or add to) one graph: GSP PUT (or POST) when there is a GSP endpoint, in pieces
        of `batch_bytes` (the first a PUT); else INSERT DATA operations of `batch_triples`, the
        first request starting with DROP SILENT GRAPH when replacing. Blank nodes would not stay
        the same node across requests: plankb mints none."""
        if not triples:
            if replace:
                self._drop([graph])
            return
        if self.gsp_url:
            for i, piece in enumerate(_split_lines(_ntriples(triples), self.batch_bytes)):
                method = "PUT" if replace and i == 0 else "POST"
                response = self._send(method, self.gsp_url, params={"graph": graph}, content=piece,
                                      headers={"Content-Type": NTRIPLES})
                if response.status_code >= 300:
                    raise ServerError(self.gsp_url, response.status_code, self._message(response))
            return
        g = _iri(graph)
        ops = [f"DROP SILENT GRAPH {g}"] if replace else []
        for chunk in _chunks(triples, self.batch_triples):
            ops.append(f"INSERT DATA {{ GRAPH {g} {{\n{_ntriples(chunk).decode('utf-8')}}} }}")
        requests, current, size = [], [], 0
        for op in ops:
            if current and size + len(op) > self.batch_bytes:
                requests.append(" ;\n".join(current))
                current, size = [], 0
            current.append(op)
            size += len(op)
        if current:
            requests.append(" ;\n".join(current))
        self._sparql_update(requests)


def _split_lines(body: bytes, size: int) -> list[bytes]:
    """N-Triples bytes in pieces of about `size` bytes, cut at line ends (one triple per line)."""
    if len(body) <= size:
        return [body]
    pieces, start = [], 0
    while start < len(body):
        end = body.find(b"\n", min(start + size, len(body)) - 1)
        end = len(body) if end < 0 else end + 1
        pieces.append(body[start:end])
        start = end
    return pieces


def _count_results(content: bytes, fmt: Any) -> int:
    """Rows in a SELECT result, without parsing it twice (XML: <result> elements)."""
    if fmt == ox.QueryResultsFormat.XML:
        return len(re.findall(rb"<result[\s>]", content))
    if fmt == ox.QueryResultsFormat.JSON:

        return len(json.loads(content).get("results", {}).get("bindings", []))
    return max(content.count(b"\n") - 1, 0)  # TSV: a header line, then one line per row


def open_server(settings: Any = None, graph_prefix: str | None = None) -> SparqlServerBackend:
    """A SparqlServerBackend from kb.settings.sparql_server_settings() (the PLANKB_SPARQL_* variables)."""
    if settings is None:
        settings = sparql_server_settings()
    return SparqlServerBackend.from_settings(settings, graph_prefix)
