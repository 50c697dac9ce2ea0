"""SPARQL 1.1 Protocol endpoint over a pyoxigraph `Store`: `SparqlRouter`.

    app.include_router(SparqlRouter(store, store_path=path, timeout=10, max_rows=10_000))

What it does, in the order a request meets it:

* **Protocol.** GET `?query=`, POST form (`query=` / `update=`), POST `application/sparql-query`
  and `application/sparql-update`; `default-graph-uri` / `named-graph-uri` select the dataset.
  No query: the HTML query page for browsers, else a service description (`sd:Service`).
* **Analysis before evaluation** (`analyze_query`). A small SPARQL tokenizer (comments, strings,
  IRIs, prefixed names, variables; keywords are case-insensitive) finds the query form, every
  `SERVICE` (always refused: pyoxigraph has a built-in HTTP client and would fetch the URL), and
  the `FROM` / `FROM NAMED` IRIs (resolved through `PREFIX`/`BASE`; only graphs that exist in the
  store are allowed, so nothing outside the store can be addressed). Updates (and so `LOAD`)
  need the admin bearer token.
* **Negotiation** (`api.negotiation`): SELECT/ASK as SPARQL JSON (default), XML, CSV, TSV;
  CONSTRUCT/DESCRIBE as Turtle (default), N-Triples, JSON-LD, RDF/XML, N-Quads, TriG.
  `format=` (json, xml, csv, tsv, turtle, nt, jsonld, rdfxml, nq, trig, html or a media type)
  overrides Accept. Nothing acceptable: 406 listing what is.
* **Evaluation with a deadline and a row cap.** pyoxigraph has no query timeout and a Python
  thread cannot be killed, so with an on-disk store (`store_path`) queries run in a pool of
  worker processes that open the store with `Store.read_only`; a worker that passes the deadline
  is killed (SIGKILL) and replaced, and the client gets 503. With an in-memory store (tests)
  queries run in a thread: the response still comes back at the deadline, and the thread stops
  at the next result row, but a single long step inside pyoxigraph (an aggregate, a sort) keeps
  one CPU busy until it ends. Results are cut at `max_rows` rows (triples for CONSTRUCT); a cut
  result carries the header `Plankb-Truncated: true`.
* **Result cache** (`ResultCache`, `Settings.query_cache_bytes`, 64 MiB by default, 0: off).
  Answers are kept by a digest of the query text, the negotiated format, the dataset
  (default-graph-uri / named-graph-uri / FROM) and the KB generation: the endpoint's count of
  SPARQL Updates plus `KnowledgeBase._version`, which every write through the KnowledgeBase bumps
  (so an ingest in the serving process too). Queries during an update bypass the cache. Least
  recently used answers go first; one larger than a quarter of the budget is not kept. Identical
  requests arriving while an answer is computed wait for that one evaluation. Responses carry a
  weak `ETag` (the same digest, plus a per-process nonce) and `Cache-Control: no-cache`; a
  matching `If-None-Match` gets 304 without evaluating anything; `Plankb-Cache` says
  hit / miss / shared / revalidated. Off for a bare `Store` (it can be written behind the app's
  back) and for a SPARQL server backend (other clients write to it).
* **Queue policy** (worker processes). A query text whose last run took `slow_after` s (0.25) or
  more, or timed out, is "slow": at most workers - 1 slow queries hold a worker at once, so one
  worker is always left for the others, and a cheap query does not wait seconds behind a batch
  of whole-KB aggregates. Requests wait for a worker in the engine's own threads, within the
  same deadline (then 503 "busy").
* The default graph is the union of all named graphs unless the request names a dataset.
* **On a SPARQL server** (`PLANKB_STORE=sparql`, kb.store.backends.SparqlServerBackend) the store is
  a proxy: the same checks run here first (SERVICE and unknown FROM graphs refused, read-only
  without the token, row cap), then the query goes to the server and its answer is re-serialised
  in the negotiated format. It runs in a thread: at the deadline the client gets 503 while the
  HTTP request to the server runs on until `PLANKB_SPARQL_TIMEOUT` (the server's own limit,
  e.g. Virtuoso's MaxQueryExecutionTime, stops the work there). The whole answer is fetched
  before the cut (the server's row limit bounds it), and the default graph is the server's
  (on Virtuoso: every graph it holds, its own system graphs included).

Modules: `formats` (media types, negotiation), `analysis` (tokenizer, `analyze_query`, refusals),
`jobs` (Job / Outcome / QueryFailed), `results` (result writers), `engines` (thread and worker-process
evaluation), `cache` (result cache), `protocol` (reading requests, problem responses), `service`
(service description, query page), `router` (`SparqlRouter`). This package re-exports their names.
"""
from __future__ import annotations

from plankb.api.sparql.analysis import (
    _HIDDEN_SERVICE_RE,
    _LOCAL_ESCAPE_RE,
    _PN_RUN_RE,
    _TOKEN_NO_PNAME_RE,
    _TOKEN_RE,
    _UCHAR_RE,
    DEFAULT_PREFIXES,
    QUERY_FORMS,
    UPDATE_KEYWORDS,
    QueryInfo,
    QueryRefused,
    Token,
    analyze_query,
    refuse_outside,
    tokenize,
)
from plankb.api.sparql.cache import ResultCache, SharedAnswers, etag_matches
from plankb.api.sparql.engines import ProcessEngine, ThreadEngine, evaluate
from plankb.api.sparql.formats import (
    GRAPH_FORMATS,
    HTML_FORMAT,
    RESULT_FORMATS,
    Format,
    choose_format,
    content_type,
    formats_for,
)
from plankb.api.sparql.jobs import Job, Outcome, QueryFailed, job_digest
from plankb.api.sparql.protocol import SparqlParams, problem_for
from plankb.api.sparql.results import (
    _XML_INVALID,
    XSD_STRING,
    write_boolean,
    write_solutions,
    write_triples,
)
from plankb.api.sparql.router import (
    API_RESPONSES,
    PathSource,
    SparqlRouter,
    StoreSource,
)
from plankb.api.sparql.service import (
    DEFAULT_EXAMPLES_DIR,
    DEFAULT_QUERY,
    SD,
    TEMPLATES_DIR,
    W3_FORMATS,
    load_examples,
    render_page,
    service_description,
)

# The regexes are re-exported so that `tests/test_reliability_input.py` (which walks this
# module's attributes) still finds every pattern under `plankb.api.sparql.<name>`.
__all__ = [
    "API_RESPONSES", "DEFAULT_EXAMPLES_DIR", "DEFAULT_PREFIXES", "DEFAULT_QUERY", "GRAPH_FORMATS", "HTML_FORMAT",
    "QUERY_FORMS", "RESULT_FORMATS", "SD", "TEMPLATES_DIR", "UPDATE_KEYWORDS", "W3_FORMATS", "XSD_STRING",
    "Format", "Job", "Outcome", "PathSource", "ProcessEngine", "QueryFailed", "QueryInfo", "QueryRefused",
    "ResultCache", "SharedAnswers", "SparqlParams", "SparqlRouter", "StoreSource", "ThreadEngine", "Token",
    "_HIDDEN_SERVICE_RE", "_LOCAL_ESCAPE_RE", "_PN_RUN_RE", "_TOKEN_NO_PNAME_RE", "_TOKEN_RE", "_UCHAR_RE",
    "_XML_INVALID", "analyze_query", "choose_format", "content_type", "etag_matches", "evaluate", "formats_for",
    "job_digest", "load_examples", "problem_for", "refuse_outside", "render_page", "service_description",
    "tokenize", "write_boolean", "write_solutions", "write_triples",
]
