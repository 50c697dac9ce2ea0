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
* **On a SPARQL server** (`PLANKB_STORE=sparql`, kb.backends.SparqlServerBackend) the store is
  a proxy: the same checks run here first (SERVICE and unknown FROM graphs refused, read-only
  without the token, row cap), then the query goes to the server and its answer is re-serialised
  in the negotiated format. It runs in a thread: at the deadline the client gets 503 while the
  HTTP request to the server runs on until `PLANKB_SPARQL_TIMEOUT` (the server's own limit,
  e.g. Virtuoso's MaxQueryExecutionTime, stops the work there). The whole answer is fetched
  before the cut (the server's row limit bounds it), and the default graph is the server's
  (on Virtuoso: every graph it holds, its own system graphs included).
"""
from __future__ import annotations

import asyncio
import csv
import hashlib
import hmac
import io
import json
import logging
import multiprocessing
import queue
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from plankb import ontology
from plankb.api.negotiation import NotAcceptable, ProblemError, negotiate
from plankb.kb.ids import PREFIXES

log = logging.getLogger("plankb.sparql")

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
DEFAULT_EXAMPLES_DIR = ontology.QUERIES_DIR

#: Prefixes every query may use without declaring them (declared ones take precedence).
DEFAULT_PREFIXES: dict[str, str] = dict(PREFIXES)

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
SD = "http://www.w3.org/ns/sparql-service-description#"
W3_FORMATS = "http://www.w3.org/ns/formats/"


# --------------------------------------------------------------------------- formats

@dataclass(frozen=True)
class Format:
    """One response format: canonical media type, accepted aliases and `format=` names."""

    key: str
    media_type: str
    aliases: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    w3_format: str | None = None  # IRI in http://www.w3.org/ns/formats/ for the service description

    @property
    def offers(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)


RESULT_FORMATS: tuple[Format, ...] = (
    Format("json", "application/sparql-results+json", ("application/json",), ("json", "srj"), "SPARQL_Results_JSON"),
    Format("xml", "application/sparql-results+xml", ("application/xml", "text/xml"), ("xml", "srx"), "SPARQL_Results_XML"),
    Format("csv", "text/csv", (), ("csv",), "SPARQL_Results_CSV"),
    Format("tsv", "text/tab-separated-values", (), ("tsv",), "SPARQL_Results_TSV"),
)
GRAPH_FORMATS: tuple[Format, ...] = (
    Format("turtle", "text/turtle", ("application/x-turtle", "application/turtle", "text/n3", "text/rdf+n3"),
           ("turtle", "ttl", "n3"), "Turtle"),
    Format("ntriples", "application/n-triples", (), ("nt", "ntriples", "n-triples"), "N-Triples"),
    Format("jsonld", "application/ld+json", ("application/json", "application/x-json+ld"),
           ("jsonld", "json-ld", "json"), "JSON-LD"),
    Format("rdfxml", "application/rdf+xml", ("application/xml", "text/xml"), ("rdfxml", "rdf+xml", "rdf", "xml"),
           "RDF_XML"),
    Format("nquads", "application/n-quads", (), ("nq", "nquads", "n-quads"), "N-Quads"),
    Format("trig", "application/trig", (), ("trig",), "TriG"),
)
HTML_FORMAT = Format("html", "text/html", ("application/xhtml+xml",), ("html",))

_RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML, "nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG,
}
_CHARSET_TYPES = {"text/csv", "text/tab-separated-values", "text/turtle", "application/n-triples",
                  "application/n-quads", "application/trig", "text/n3", "text/rdf+n3", "text/html"}

QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")


def formats_for(form: str) -> tuple[Format, ...]:
    return RESULT_FORMATS if form in ("SELECT", "ASK") else GRAPH_FORMATS


def choose_format(form: str | None, accept: str | None, format_params: Sequence[str] = (),
                  html: bool = True) -> Format:
    """The response format for a query form (None: no query, i.e. the service description).

    `format=` values win over Accept; the first recognised one is used (SPARQLWrapper sends
    several). Raises `NotAcceptable`.
    """
    table = formats_for(form) if form else GRAPH_FORMATS
    candidates = (*table, HTML_FORMAT) if html else table
    what = f"{form} queries" if form else "the service description"
    if format_params:
        for value in format_params:
            v = value.strip().lower()
            for f in candidates:
                if v in f.names or v in f.offers:
                    return f
        names = sorted({n for f in candidates for n in f.names} | {f.media_type for f in candidates})
        raise NotAcceptable(f"format={', '.join(format_params)}", names, what)
    offers = [f.media_type for f in candidates] + [a for f in candidates for a in f.aliases]
    chosen = negotiate(accept, offers)
    if chosen is None:
        raise NotAcceptable(accept, [f.media_type for f in candidates], what)
    fmt = next(f for f in candidates if chosen in f.offers)
    # Report the media type the client named (an alias such as application/json) as the response type.
    return fmt if chosen == fmt.media_type else Format(fmt.key, chosen, (), fmt.names, fmt.w3_format)


def content_type(media_type: str) -> str:
    return f"{media_type}; charset=utf-8" if media_type in _CHARSET_TYPES else media_type


# --------------------------------------------------------------------------- query analysis

_PN_CHARS = r"[\w\-\u00B7\u0300-\u036F\u203F\u2040]"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_PREFIX = rf"(?:[^\W\d_](?:(?:{_PN_CHARS}|\.)*{_PN_CHARS})?)?"
_PN_LOCAL = rf"(?:(?:{_PN_CHARS}|:|{_PLX})(?:(?:{_PN_CHARS}|[.:]|{_PLX})*(?:{_PN_CHARS}|:|{_PLX}))?)?"
_STRING = "|".join((
    r'"""(?:(?:"|"")?(?:[^"\\]|\\.))*"""',
    r"'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''",
    r'"(?:[^"\\\r\n]|\\.)*"',
    r"'(?:[^'\\\r\n]|\\.)*'",
))
_TOKEN_ALTERNATIVES = (
    r"(?P<ws>\s+)",
    r"(?P<comment>\#[^\r\n]*)",
    r"(?P<iri><(?:[^<>\"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)",
    rf"(?P<string>{_STRING})",
    r"(?P<var>[?$][\w\u00B7\u0300-\u036F\u203F\u2040]+)",
    r"(?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)",
    rf"(?P<bnode>_:{_PN_LOCAL})",
    rf"(?P<pname>(?>{_PN_PREFIX}):{_PN_LOCAL})",
    r"(?P<number>\d*\.\d+(?:[eE][+-]?\d+)?|\d+(?:[eE][+-]?\d+)?)",
    r"(?P<word>[^\W\d]\w*)",
    r"(?P<punct>.)",
)
_TOKEN_RE = re.compile("|".join(_TOKEN_ALTERNATIVES), re.DOTALL)
# The same without `pname`, and the run of name characters a failed `pname` scanned: on
# "NQ-NQ-NQ…" or "a.a.a…" (no ':') the prefix would be rescanned to the end of the run from
# every token start in it, quadratic time on a 256 KB query; `tokenize` skips those retries.
_TOKEN_NO_PNAME_RE = re.compile("|".join(a for a in _TOKEN_ALTERNATIVES if "P<pname>" not in a), re.DOTALL)
_PN_RUN_RE = re.compile(rf"(?:{_PN_CHARS}|\.)*")

# Inside something that lexes as an IRI, `SERVICE` followed by an optional variable and a `#`
# could be real syntax if the `<` is in fact a less-than sign: `FILTER(?a<?b)SERVICE?x#>`
# followed by a newline and `{ … }`. Such an "IRI" is treated as containing SERVICE.
_HIDDEN_SERVICE_RE = re.compile(r"(?<![A-Za-z0-9_/\-:%])service(?:[?$]\w*)?#", re.IGNORECASE)
_UCHAR_RE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_LOCAL_ESCAPE_RE = re.compile(r"\\(.)")


@dataclass(frozen=True)
class Token:
    kind: str
    text: str


def tokenize(text: str) -> list[Token]:
    """Significant SPARQL tokens (whitespace and comments dropped). Linear time: where a prefixed
    name failed (a run of name characters not followed by ':'), no later start inside the same
    run can be one, so the rest of the run is lexed without trying. A string literal that does
    not end (a quote where no string matches, or a long-string opener that never closes) makes
    the rest of the text one `unterminated` token: SPARQL has no quote outside strings, IRIs and
    comments, so the text is malformed, and lexing on would rescan to the end from every quote."""
    tokens: list[Token] = []
    pos, n, run_end = 0, len(text), -1
    while pos < n:
        rx = _TOKEN_RE if pos >= run_end else _TOKEN_NO_PNAME_RE
        m = rx.match(text, pos)
        assert m is not None  # `punct` matches any character
        kind = m.lastgroup or "punct"
        if kind == "word" and rx is _TOKEN_RE:
            run_end = _PN_RUN_RE.match(text, pos).end()  # type: ignore[union-attr]
        quote = text[pos]
        if quote in "'\"" and (kind == "punct" or (m.group() == quote * 2 and text[m.end():m.end() + 1] == quote)):
            tokens.append(Token("unterminated", text[pos:]))
            break
        if kind not in ("ws", "comment"):
            tokens.append(Token(kind, m.group()))
        pos = m.end()
    return tokens


class QueryRefused(ProblemError):
    """A query the endpoint will not evaluate (SERVICE, unknown FROM graph, bad form)."""


@dataclass(frozen=True)
class QueryInfo:
    """What `analyze_query` found out about a query or update before it runs."""

    form: str | None  # SELECT, CONSTRUCT, DESCRIBE, ASK; None for updates or unrecognised text
    is_update: bool
    uses_service: bool
    from_graphs: tuple[str, ...] = ()
    from_named_graphs: tuple[str, ...] = ()
    unresolved: tuple[str, ...] = ()  # FROM targets that could not be resolved (undefined prefix)
    malformed: str | None = None  # why the text cannot be SPARQL (refused before evaluation)

    @property
    def has_dataset(self) -> bool:
        return bool(self.from_graphs or self.from_named_graphs or self.unresolved)


def _iri_value(token_text: str) -> str:
    inner = token_text[1:-1]
    return _UCHAR_RE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), inner)


def analyze_query(text: str, prefixes: Mapping[str, str] = DEFAULT_PREFIXES) -> QueryInfo:
    """Tokenize `text` and report its form, SERVICE use and FROM/FROM NAMED IRIs.

    >>> analyze_query("PREFIX g: <http://x/> SELECT * FROM g:a WHERE { ?s ?p ?o }").from_graphs
    ('http://x/a',)
    >>> analyze_query("select * where { # SERVICE <http://x/>\\n ?s ?p ?o }").uses_service
    False
    >>> analyze_query("ASK { sErViCe <http://127.0.0.1:1/> { ?s ?p ?o } }").uses_service
    True
    """
    tokens = tokenize(text)
    declared: dict[str, str] = {}
    base: str | None = None
    form: str | None = None
    is_update = uses_service = False
    from_graphs: list[str] = []
    from_named: list[str] = []
    unresolved: list[str] = []

    def resolve(tok: Token) -> str | None:
        if tok.kind == "iri":
            value = _iri_value(tok.text)
            return urljoin(base, value) if base else value
        if tok.kind == "pname":
            prefix, _, local = tok.text.partition(":")
            ns = declared.get(prefix, prefixes.get(prefix))
            return None if ns is None else ns + _LOCAL_ESCAPE_RE.sub(r"\1", local)
        return None

    i, n = 0, len(tokens)
    while i < n:
        tok = tokens[i]
        word = tok.text.upper() if tok.kind == "word" else None
        if tok.kind == "iri" and _HIDDEN_SERVICE_RE.search(tok.text):
            uses_service = True
        if word == "SERVICE":
            uses_service = True
        elif word == "PREFIX" and i + 2 < n and tokens[i + 1].kind == "pname" and tokens[i + 2].kind == "iri":
            value = _iri_value(tokens[i + 2].text)
            declared[tokens[i + 1].text[:-1]] = urljoin(base, value) if base else value
            i += 3
            continue
        elif word == "BASE" and i + 1 < n and tokens[i + 1].kind == "iri":
            value = _iri_value(tokens[i + 1].text)
            base = urljoin(base, value) if base else value
            i += 2
            continue
        elif word == "FROM" and i + 1 < n:
            named = tokens[i + 1].kind == "word" and tokens[i + 1].text.upper() == "NAMED"
            j = i + 2 if named else i + 1
            if j < n:
                target = resolve(tokens[j])
                if target is None:
                    unresolved.append(tokens[j].text)
                else:
                    (from_named if named else from_graphs).append(target)
                i = j + 1
                continue
        if word and form is None and not is_update:
            if word in QUERY_FORMS:
                form = word
            elif word in UPDATE_KEYWORDS:
                is_update = True
        i += 1
    malformed = "unterminated string literal" if tokens and tokens[-1].kind == "unterminated" else None
    return QueryInfo(form, is_update, uses_service, tuple(from_graphs), tuple(from_named), tuple(unresolved),
                     malformed)


# --------------------------------------------------------------------------- evaluation

@dataclass(frozen=True)
class Job:
    """One query evaluation, sent to a worker process (so: picklable, plain values)."""

    query: str
    form: str
    format: str  # Format.key
    max_rows: int
    union_default_graph: bool = True
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    prefixes: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_PREFIXES))


@dataclass(frozen=True)
class Outcome:
    body: bytes
    rows: int
    truncated: bool


def _job_digest(job: Job) -> str:
    """A digest of everything that decides a job's answer (its text, format, dataset, row cap)."""
    parts = [job.query, job.form, job.format, str(job.max_rows), str(job.union_default_graph),
             "\x1f".join(job.default_graphs) if job.default_graphs is not None else "-",
             "\x1f".join(job.named_graphs) if job.named_graphs is not None else "-",
             "\x1f".join(f"{k}={v}" for k, v in sorted(job.prefixes.items()))]
    return hashlib.sha256("\x1e".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


class QueryFailed(Exception):
    """Evaluation failed. kind: syntax | evaluation | timeout | busy | crashed | internal."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message


class _Stopped(Exception):
    pass


def evaluate(store: ox.Store, job: Job, should_stop: Callable[[], bool] | None = None) -> Outcome:
    """Run `job` on `store` and serialise at most `job.max_rows` rows. Raises QueryFailed.

    pyoxigraph result objects are "unsendable": they must be dropped on the thread that made
    them. So the failure is raised only after the except block, once the traceback (and the
    frame holding the results) is gone.
    """
    try:
        return _evaluate(store, job, should_stop)
    except _Stopped:
        kind, message = "timeout", "stopped at the deadline"
    except SyntaxError as e:
        kind, message = "syntax", str(e)
    except (RuntimeError, ValueError, TypeError) as e:
        kind, message = "evaluation", str(e)
    except OSError as e:
        kind, message = "internal", f"store error: {e}"
    raise QueryFailed(kind, message)


def _evaluate(store: ox.Store, job: Job, should_stop: Callable[[], bool] | None) -> Outcome:
    kwargs: dict[str, Any] = {"prefixes": dict(job.prefixes)}
    if job.default_graphs is not None:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
    elif job.union_default_graph:
        kwargs["use_default_graph_as_union"] = True
    if job.named_graphs is not None:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    result = store.query(job.query, **kwargs)
    if isinstance(result, ox.QueryBoolean):
        return Outcome(_write_boolean(bool(result), job.format), 1, False)
    rows: list[Any] = []
    truncated = False
    for item in result:
        if len(rows) >= job.max_rows:
            truncated = True
            break
        if should_stop is not None and not len(rows) % 256 and should_stop():
            raise _Stopped
        rows.append(item)
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        table = [[sol[k] for k in range(len(variables))] for sol in rows]
        return Outcome(_write_solutions(variables, table, job.format), len(rows), truncated)
    return Outcome(_write_triples(rows, job.format, job.prefixes), len(rows), truncated)


def _json_term(t: Any) -> dict[str, Any]:
    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, ox.Literal):
        d: dict[str, Any] = {"type": "literal", "value": t.value}
        if t.language:
            d["xml:lang"] = t.language
        elif t.datatype.value != XSD_STRING:
            d["datatype"] = t.datatype.value
        return d
    return {"type": "triple", "value": {"subject": _json_term(t.subject), "predicate": _json_term(t.predicate),
                                        "object": _json_term(t.object)}}


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(s: str) -> str:
    return xml_escape(_XML_INVALID.sub("\ufffd", s))


def _xml_term(t: Any) -> str:
    if isinstance(t, ox.NamedNode):
        return f"<uri>{_xml_text(t.value)}</uri>"
    if isinstance(t, ox.BlankNode):
        return f"<bnode>{_xml_text(t.value)}</bnode>"
    if isinstance(t, ox.Literal):
        attrs = ""
        if t.language:
            attrs = f" xml:lang={quoteattr(t.language)}"
        elif t.datatype.value != XSD_STRING:
            attrs = f" datatype={quoteattr(t.datatype.value)}"
        return f"<literal{attrs}>{_xml_text(t.value)}</literal>"
    return (f"<triple><subject>{_xml_term(t.subject)}</subject><predicate>{_xml_term(t.predicate)}</predicate>"
            f"<object>{_xml_term(t.object)}</object></triple>")


def _csv_value(t: Any) -> str:
    if t is None:
        return ""
    if isinstance(t, ox.BlankNode):
        return f"_:{t.value}"
    if isinstance(t, (ox.NamedNode, ox.Literal)):
        return t.value
    return str(t)


def _write_solutions(variables: list[str], rows: list[list[Any]], fmt: str) -> bytes:
    if fmt == "json":
        bindings = [{v: _json_term(t) for v, t in zip(variables, row) if t is not None} for row in rows]
        return json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}},
                          ensure_ascii=False, separators=(",", ":")).encode()
    if fmt == "xml":
        out = ['<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
               "<head>", *(f"<variable name={quoteattr(v)}/>" for v in variables), "</head><results>"]
        for row in rows:
            out.append("<result>")
            out.extend(f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                       for v, t in zip(variables, row) if t is not None)
            out.append("</result>")
        out.append("</results></sparql>\n")
        return "\n".join(out).encode()
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(variables)
        w.writerows([_csv_value(t) for t in row] for row in rows)
        return buf.getvalue().encode()
    if fmt == "tsv":  # terms in N-Triples/Turtle syntax (tabs and newlines escaped)
        lines = ["\t".join(f"?{v}" for v in variables)]
        lines.extend("\t".join("" if t is None else str(t) for t in row) for row in rows)
        return ("\n".join(lines) + "\n").encode()
    raise QueryFailed("internal", f"format {fmt} does not fit SELECT results")


def _write_boolean(value: bool, fmt: str) -> bytes:
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}, separators=(",", ":")).encode()
    if fmt == "xml":
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>\n").encode()
    if fmt in ("csv", "tsv"):  # not defined by the CSV/TSV spec; Oxigraph writes the bare word
        return b"true" if value else b"false"
    raise QueryFailed("internal", f"format {fmt} does not fit ASK results")


def _write_triples(triples: list[Any], fmt: str, prefixes: Mapping[str, str]) -> bytes:
    rdf_format = _RDF_FORMATS.get(fmt)
    if rdf_format is None:
        raise QueryFailed("internal", f"format {fmt} does not fit CONSTRUCT results")
    items: Iterable[Any] = triples
    if rdf_format in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
        items = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]
    used = dict(prefixes) if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
    return ox.serialize(items, format=rdf_format, prefixes=used)


# --------------------------------------------------------------------------- engines

class ThreadEngine:
    """Evaluates in a thread; for in-memory stores. See the module docstring for the limits."""

    mode = "thread"

    def __init__(self, store: ox.Store, timeout: float):
        self.store = store
        self.timeout = timeout

    def start(self) -> None:
        pass

    def close(self) -> None:
        pass

    async def run(self, job: Job) -> Outcome:
        stop = threading.Event()
        try:
            return await asyncio.wait_for(asyncio.to_thread(evaluate, self.store, job, stop.is_set), self.timeout)
        except asyncio.TimeoutError:
            stop.set()
            raise QueryFailed("timeout", "deadline passed") from None

    async def update(self, text: str, prefixes: Mapping[str, str]) -> None:
        await asyncio.to_thread(self.store.update, text, prefixes=dict(prefixes))


def _worker_main(conn: Any, path: str, memory_mb: int | None) -> None:  # runs in a child process
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and kills us
    if memory_mb:
        try:
            import resource

            limit = memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ImportError, ValueError, OSError):
            pass
    try:
        store: ox.Store | None = ox.Store.read_only(path)
        open_error = ""
    except OSError as e:
        store, open_error = None, str(e)
    conn.send(("ready", open_error))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            if store is None:
                raise QueryFailed("internal", f"the store could not be opened read-only: {open_error}")
            conn.send(("ok", evaluate(store, job)))
        except QueryFailed as e:
            conn.send(("error", e.kind, e.message))
        except MemoryError:
            conn.send(("error", "crashed", "out of memory"))
        except Exception as e:  # noqa: BLE001 - reported as a 500 without details
            conn.send(("error", "internal", type(e).__name__))


class _Worker:
    def __init__(self, ctx: Any, path: str, memory_mb: int | None, generation: int):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(child, path, memory_mb), daemon=True,
                                   name="plankb-sparql-worker")
        self.process.start()
        child.close()
        self.generation = generation
        self.ready = False

    def kill(self) -> None:
        try:
            self.process.kill()
            self.process.join(timeout=5)
        except (OSError, ValueError, AssertionError):
            pass
        try:
            self.conn.close()
        except OSError:
            pass


class ProcessEngine:
    """A pool of worker processes over an on-disk store opened read-only; killed at the deadline."""

    mode = "process"

    def __init__(self, store: ox.Store | None, path: Path, timeout: float, workers: int = 2,
                 memory_mb: int | None = None, slow_after: float = 0.25):
        self.store = store  # the read-write store, used for updates only
        self.path = str(path)
        self.timeout = timeout
        self.size = max(1, workers)
        self.memory_mb = memory_mb
        # A query text whose last run took `slow_after` s or more (or timed out) is "slow": at most
        # size - 1 slow queries hold a worker at once, so one is always left for the others.
        self.slow_after = slow_after
        self._durations: OrderedDict[str, float] = OrderedDict()
        self._slow_lane = threading.BoundedSemaphore(max(1, self.size - 1))
        # requests wait for a worker in these threads (not in asyncio's small default pool, which
        # would queue them with no deadline)
        self._executor = ThreadPoolExecutor(max_workers=64, thread_name_prefix="plankb-sparql")
        self._ctx = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._workers: set[_Worker] = set()
        self._lock = threading.Lock()
        self._update_lock = threading.Lock()
        self._generation = 0
        self._closed = False

    def start(self) -> None:
        if self.store is not None:
            try:
                self.store.flush()  # so the read-only workers see every committed write
            except OSError:
                pass
        for _ in range(self.size):
            self._spawn()

    def _spawn(self) -> None:
        with self._lock:
            if self._closed:
                return
            w = _Worker(self._ctx, self.path, self.memory_mb, self._generation)
            self._workers.add(w)
        self._idle.put(w)

    def _retire(self, w: _Worker, replace: bool = True) -> None:
        w.kill()
        with self._lock:
            self._workers.discard(w)
            replace = replace and w.generation == self._generation and not self._closed
        if replace:
            self._spawn()

    def _kill_all(self) -> None:
        with self._lock:
            self._generation += 1
            workers, self._workers = list(self._workers), set()
        for w in workers:
            w.kill()
        while True:
            try:
                self._idle.get_nowait()
            except queue.Empty:
                break

    def close(self) -> None:
        with self._lock:
            self._closed = True
        self._kill_all()  # read-only workers hold nothing worth a graceful exit
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _acquire(self, timeout: float) -> _Worker:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            try:
                w = self._idle.get(timeout=max(remaining, 0.001))
            except queue.Empty:
                raise QueryFailed("busy", "all query workers stayed busy") from None
            if w.generation == self._generation and w.process.is_alive():
                return w
            if w.generation == self._generation:  # died while idle
                self._retire(w)

    # ---- queue policy: queries known to be slow never hold every worker
    def _is_slow(self, job: Job) -> bool:
        with self._lock:
            took = self._durations.get(_job_digest(job))
        return took is not None and took >= self.slow_after

    def _record(self, job: Job, seconds: float) -> None:
        key = _job_digest(job)
        with self._lock:
            self._durations[key] = seconds
            self._durations.move_to_end(key)
            while len(self._durations) > 4096:
                self._durations.popitem(last=False)

    def _roundtrip(self, job: Job, timeout: float) -> Outcome:
        started = time.monotonic()
        slow = self._is_slow(job)
        if slow and not self._slow_lane.acquire(timeout=max(timeout, 0.001)):
            raise QueryFailed("busy", "the workers for slow queries stayed busy")
        try:
            return self._run_on_worker(job, timeout - (time.monotonic() - started))
        finally:
            if slow:
                self._slow_lane.release()

    def _run_on_worker(self, job: Job, timeout: float) -> Outcome:
        started = time.monotonic()
        w = self._acquire(timeout)
        try:
            if not w.ready:  # a fresh worker says when its store is open (or why it is not)
                if not w.conn.poll(max(timeout - (time.monotonic() - started), 0.0)):
                    self._idle.put(w)
                    raise QueryFailed("busy", "the query worker is still starting")
                _, open_error = w.conn.recv()
                if open_error:
                    self._retire(w)
                    raise QueryFailed("internal", f"query worker cannot open the store: {open_error}")
                w.ready = True
        except (EOFError, OSError):
            self._retire(w)
            raise QueryFailed("internal", "a query worker failed to start") from None
        remaining = timeout - (time.monotonic() - started)
        sent = time.monotonic()
        try:
            w.conn.send(job)
            ready = w.conn.poll(max(remaining, 0.0))
            msg = w.conn.recv() if ready else None
        except (EOFError, OSError):
            self._retire(w)
            raise QueryFailed("crashed", "the query process stopped (out of memory?)") from None
        if not ready:
            log.warning("SPARQL query passed its %.1f s deadline; worker %s killed", self.timeout, w.process.pid)
            self._record(job, float("inf"))
            self._retire(w)
            raise QueryFailed("timeout", "deadline passed")
        self._record(job, time.monotonic() - sent)
        self._idle.put(w)
        if msg[0] == "ok":
            return msg[1]
        raise QueryFailed(msg[1], msg[2])

    async def run(self, job: Job) -> Outcome:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._roundtrip, job, self.timeout)

    def _update(self, text: str, prefixes: Mapping[str, str]) -> None:
        if self.store is None:
            raise QueryFailed("internal", "no writable store")
        with self._update_lock:
            # Read-only instances must not stay open while the primary writes: stop them first.
            self._kill_all()
            try:
                self.store.update(text, prefixes=dict(prefixes))
                self.store.flush()
            finally:
                for _ in range(self.size):
                    self._spawn()

    async def update(self, text: str, prefixes: Mapping[str, str]) -> None:
        await asyncio.to_thread(self._update, text, prefixes)


# --------------------------------------------------------------------------- result cache

class ResultCache:
    """Serialised query answers by key, bounded in bytes; the least recently used go first.

    The key (`SparqlRouter` makes it) holds the KB generation, so a write makes every older
    entry unreachable: they age out. `clear()` drops them at once."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max(0, int(max_bytes))
        # an answer larger than this is served but not kept (it would push out many small ones)
        self.max_entry_bytes = self.max_bytes // 4
        self._entries: OrderedDict[str, tuple[Outcome, int]] = OrderedDict()
        self._lock = threading.Lock()
        self.bytes = 0
        self.hits = self.misses = self.evictions = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: str) -> Outcome | None:
        with self._lock:
            hit = self._entries.get(key)
            if hit is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return hit[0]

    def put(self, key: str, outcome: Outcome) -> bool:
        size = len(outcome.body) + len(key) + 256
        if size > self.max_entry_bytes:
            return False
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.bytes -= old[1]
            self._entries[key] = (outcome, size)
            self.bytes += size
            while self.bytes > self.max_bytes and self._entries:
                _, (_, dropped) = self._entries.popitem(last=False)
                self.bytes -= dropped
                self.evictions += 1
        return True

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.bytes = 0


def _etag_matches(header: str | None, etag: str) -> bool:
    """If-None-Match against our ETag, weak comparison (RFC 9110 13.1.2)."""
    if not header:
        return False
    if header.strip() == "*":
        return True
    ours = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == ours for tag in header.split(","))


# --------------------------------------------------------------------------- service description

def service_description(endpoint: str, store: ox.Store, fmt: Format, *, update: bool) -> bytes:
    """An `sd:Service` describing this endpoint, its formats and its named graphs."""
    def nn(iri: str) -> ox.NamedNode:
        return ox.NamedNode(iri)

    rdf_type = nn("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    svc, dataset, default = nn(endpoint), nn(endpoint + "#dataset"), nn(endpoint + "#default-graph")
    t = [
        ox.Triple(svc, rdf_type, nn(SD + "Service")),
        ox.Triple(svc, nn(SD + "endpoint"), svc),
        ox.Triple(svc, nn("http://purl.org/dc/terms/title"),
                  ox.Literal("plankb: điểm truy vấn SPARQL về kế hoạch cải cách hành chính", language="vi")),
        ox.Triple(svc, nn(SD + "supportedLanguage"), nn(SD + "SPARQL11Query")),
        ox.Triple(svc, nn(SD + "feature"), nn(SD + "UnionDefaultGraph")),
        ox.Triple(svc, nn(SD + "defaultDataset"), dataset),
        ox.Triple(dataset, rdf_type, nn(SD + "Dataset")),
        ox.Triple(dataset, nn(SD + "defaultGraph"), default),
        ox.Triple(default, rdf_type, nn(SD + "Graph")),
    ]
    if update:
        t.append(ox.Triple(svc, nn(SD + "supportedLanguage"), nn(SD + "SPARQL11Update")))
    for f in (*RESULT_FORMATS, *GRAPH_FORMATS):
        if f.w3_format:
            t.append(ox.Triple(svc, nn(SD + "resultFormat"), nn(W3_FORMATS + f.w3_format)))
    for k, g in enumerate(sorted(str(g.value) for g in store.named_graphs() if isinstance(g, ox.NamedNode))):
        ng = nn(f"{endpoint}#named-graph-{k + 1}")
        t += [ox.Triple(dataset, nn(SD + "namedGraph"), ng), ox.Triple(ng, rdf_type, nn(SD + "NamedGraph")),
              ox.Triple(ng, nn(SD + "name"), nn(g))]
    prefixes = {"sd": SD, "formats": W3_FORMATS, "dcterms": "http://purl.org/dc/terms/"}
    return _write_triples(t, fmt.key, prefixes)


# --------------------------------------------------------------------------- router

StoreSource = ox.Store | Callable[[], ox.Store]
PathSource = Path | str | Callable[[], Path | str | None] | None

API_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "Query results, RDF, service description or the HTML query page",
          "content": {f.media_type: {} for f in (*RESULT_FORMATS, *GRAPH_FORMATS, HTML_FORMAT)}},
    400: {"description": "Malformed query or unknown FROM graph (problem+json)"},
    403: {"description": "SERVICE, or an update without the admin token (problem+json)"},
    406: {"description": "No acceptable format; the problem lists the acceptable ones"},
    413: {"description": "Query text too large"},
    503: {"description": "Query timed out or all workers busy"},
}


def load_examples(directory: Path | None) -> list[dict[str, str]]:
    """Example queries from `*.rq` files: title = the first comment line, else the file name."""
    if directory is None or not directory.is_dir():
        return []
    examples = []
    for path in sorted(directory.glob("*.rq")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        first = next((ln for ln in text.splitlines() if ln.strip()), "")
        title = first.lstrip("#").strip() if first.lstrip().startswith("#") else ""
        examples.append({"name": path.stem, "title": title or path.stem.replace("_", " "), "query": text})
    return examples


DEFAULT_QUERY = """\
PREFIX pk: <http://plankb.org/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>

# Số bộ ba (triple) trong mỗi đồ thị nguồn
SELECT ?g (COUNT(*) AS ?n)
WHERE { GRAPH ?g { ?s ?p ?o } }
GROUP BY ?g
ORDER BY DESC(?n)
"""


class SparqlRouter(APIRouter):
    """The `/sparql` endpoint. `store` is a `pyoxigraph.Store` or a zero-argument callable
    returning one (resolved at `start()`, so an app can open its store in `lifespan`).

    Give `store_path` (the on-disk store directory, or a callable returning it) to evaluate
    queries in killable worker processes; without it queries run in threads. Call `start()`
    and `close()` from the app's lifespan (the first request starts it otherwise).
    """

    def __init__(self, store: StoreSource, *, path: str = "/sparql", store_path: PathSource = None,
                 timeout: float = 10.0, max_rows: int = 10_000, admin_token: str | None = None,
                 workers: int = 2, worker_memory_mb: int | None = None, max_query_bytes: int = 256 * 1024,
                 prefixes: Mapping[str, str] = DEFAULT_PREFIXES, examples_dir: Path | None = DEFAULT_EXAMPLES_DIR,
                 templates: Jinja2Templates | None = None, on_update: Callable[[], None] | None = None,
                 cache_bytes: int = 0, generation: Callable[[], Any] | None = None, slow_after: float = 0.25):
        super().__init__(tags=["sparql"])
        self._store_source = store
        self._path_source = store_path
        self.timeout = timeout
        self.max_rows = max_rows
        self.admin_token = admin_token or None
        self.workers = workers
        self.worker_memory_mb = worker_memory_mb
        self.max_query_bytes = max_query_bytes
        self.prefixes = dict(prefixes)
        self.examples_dir = examples_dir
        self.templates = templates or Jinja2Templates(directory=str(TEMPLATES_DIR))
        self.on_update = on_update
        self.engine: ThreadEngine | ProcessEngine | None = None
        self._start_lock = threading.Lock()
        # Result cache: on when `cache_bytes` > 0 and `generation` (a value that changes with every
        # write to the KB, e.g. KnowledgeBase._version) gives something other than None at start().
        self.cache_bytes = cache_bytes
        self._generation_source = generation
        self.cache: ResultCache | None = None
        self.slow_after = slow_after
        self._writes = 0  # updates through this endpoint (started and finished)
        self._updating = 0
        self._instance = secrets.token_hex(4)  # ETags of an earlier run of the server never match
        self._inflight: dict[str, asyncio.Future[Outcome]] = {}
        self.add_api_route(path, self.handle_get, methods=["GET"], name="sparql", responses=API_RESPONSES,
                           summary="SPARQL 1.1 query (GET), query page or service description")
        self.add_api_route(path, self.handle_post, methods=["POST"], name="sparql_post", responses=API_RESPONSES,
                           summary="SPARQL 1.1 query or update (POST)")

    # ---- lifecycle
    @property
    def store(self) -> ox.Store:
        src = self._store_source
        return src if isinstance(src, ox.Store) or hasattr(src, "query") else src()  # a Store or a server backend

    def start(self) -> None:
        with self._start_lock:
            if self.engine is not None:
                return
            store = self.store
            src = self._path_source
            path = src() if callable(src) else src
            if path is not None and Path(path).is_dir():
                self.engine = ProcessEngine(store, Path(path), self.timeout, self.workers, self.worker_memory_mb,
                                            slow_after=self.slow_after)
            else:
                self.engine = ThreadEngine(store, self.timeout)
            self.engine.start()
            source = self._generation_source
            cacheable = (self.cache_bytes > 0 and source is not None and isinstance(store, ox.Store)
                         and source() is not None)
            self.cache = ResultCache(self.cache_bytes) if cacheable else None
            log.info("SPARQL endpoint ready (%s mode, %d workers, timeout %.1f s, %d rows max, cache %s)",
                     self.engine.mode, getattr(self.engine, "size", 1), self.timeout, self.max_rows,
                     f"{self.cache_bytes // 2**20} MiB" if self.cache else "off")

    def close(self) -> None:
        with self._start_lock:
            if self.engine is not None:
                self.engine.close()
                self.engine = None

    def _engine(self) -> ThreadEngine | ProcessEngine:
        if self.engine is None:
            self.start()
        assert self.engine is not None
        return self.engine

    # ---- HTTP
    async def handle_get(self, request: Request) -> Response:
        params = request.query_params
        return await self._dispatch(
            request, "GET", _one(params.getlist("query"), "query"), _one(params.getlist("update"), "update"),
            params.getlist("default-graph-uri"), params.getlist("named-graph-uri"), params.getlist("format"))

    async def handle_post(self, request: Request) -> Response:
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        url = request.query_params
        if ctype == "application/x-www-form-urlencoded":
            body = await self._read_body(request)
            try:
                form = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
            except UnicodeDecodeError:
                raise ProblemError(400, "Bad Request", "The form body is not valid UTF-8.", slug="bad-request")
            getlist = lambda k: form.get(k, []) + url.getlist(k)  # noqa: E731
        elif ctype == "multipart/form-data":
            self._check_length(request)
            mform = await request.form()
            getlist = lambda k: [v for v in mform.getlist(k) if isinstance(v, str)] + url.getlist(k)  # noqa: E731
        elif ctype in ("application/sparql-query", "application/sparql-update"):
            try:
                text = (await self._read_body(request)).decode("utf-8")
            except UnicodeDecodeError:
                raise ProblemError(400, "Bad Request", "The request body is not valid UTF-8.", slug="bad-request")
            q, u = (text, None) if ctype == "application/sparql-query" else (None, text)
            return await self._dispatch(request, "POST", q, u, url.getlist("default-graph-uri"),
                                        url.getlist("named-graph-uri"), url.getlist("format"),
                                        url.getlist("using-graph-uri") + url.getlist("using-named-graph-uri"))
        else:
            raise ProblemError(
                415, "Unsupported Media Type",
                "POST a SPARQL request as application/x-www-form-urlencoded (query= or update=), "
                "application/sparql-query or application/sparql-update.", slug="unsupported-media-type")
        return await self._dispatch(
            request, "POST", _one(getlist("query"), "query"), _one(getlist("update"), "update"),
            getlist("default-graph-uri"), getlist("named-graph-uri"), getlist("format"),
            getlist("using-graph-uri") + getlist("using-named-graph-uri"))

    def _check_length(self, request: Request) -> None:
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > self.max_query_bytes:
            raise self._too_large()

    def _too_large(self) -> ProblemError:
        return ProblemError(413, "Content Too Large",
                            f"SPARQL requests are limited to {self.max_query_bytes} bytes.", slug="query-too-large")

    async def _read_body(self, request: Request) -> bytes:
        self._check_length(request)
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > self.max_query_bytes:
                raise self._too_large()
            chunks.append(chunk)
        return b"".join(chunks)

    async def _dispatch(self, request: Request, method: str, query: str | None, update: str | None,
                        default_graphs: list[str], named_graphs: list[str], format_params: list[str],
                        using_graphs: Sequence[str] = ()) -> Response:
        if query is not None and update is not None:
            raise ProblemError(400, "Bad Request", "Send either query= or update=, not both.", slug="bad-request")
        if update is not None:
            return await self._update(request, method, update, using_graphs)
        accept = request.headers.get("accept")
        if query is None or not query.strip():
            fmt = choose_format(None, accept, format_params)
            if fmt.key == "html":
                return self._page(request, query or "")
            return self._service_description(request, fmt)
        if len(query.encode("utf-8")) > self.max_query_bytes:
            raise self._too_large()
        info = analyze_query(query, self.prefixes)
        if info.malformed:
            raise QueryRefused(400, "Malformed query", f"Syntax error: {info.malformed}.", slug="malformed-query")
        if info.is_update:
            raise QueryRefused(400, "Bad Request",
                               "This is a SPARQL Update; send it as update= (POST), not as query=.", slug="bad-request")
        if info.form is None:
            raise QueryRefused(400, "Malformed query",
                               "No SELECT, CONSTRUCT, DESCRIBE or ASK found after the prologue.", slug="malformed-query")
        fmt = choose_format(info.form, accept, format_params)
        if fmt.key == "html":
            return self._page(request, query, autorun=True)
        self._refuse_outside(info, default_graphs, named_graphs)
        job = Job(query=query, form=info.form, format=fmt.key, max_rows=self.max_rows,
                  union_default_graph=not info.has_dataset,
                  default_graphs=tuple(default_graphs) or None, named_graphs=tuple(named_graphs) or None,
                  prefixes=self.prefixes)
        started = time.monotonic()
        engine = self._engine()
        headers = {"Vary": "Accept"}
        generation = self._generation()
        if generation is None:  # no cache (or an update is under way)
            try:
                outcome = await engine.run(job)
            except QueryFailed as e:
                raise self._problem(e) from None
        else:
            key = hashlib.sha256(f"{generation}\x1e{_job_digest(job)}".encode()).hexdigest()
            etag = f'W/"{self._instance}-{key[:32]}"'
            headers.update({"ETag": etag, "Cache-Control": "no-cache"})
            if _etag_matches(request.headers.get("if-none-match"), etag):
                headers["Plankb-Cache"] = "revalidated"
                return Response(status_code=304, headers=headers)
            assert self.cache is not None
            outcome_or_none = self.cache.get(key)
            if outcome_or_none is not None:
                outcome, state = outcome_or_none, "hit"
            else:
                future = self._inflight.get(key)
                state = "shared" if future is not None else "miss"
                if future is None:  # evaluate once; identical requests meanwhile wait for this answer
                    future = asyncio.ensure_future(self._evaluate_for_cache(engine, job, key, generation))
                    self._inflight[key] = future
                    future.add_done_callback(lambda f, k=key: self._settled(k, f))
                try:
                    outcome = await asyncio.shield(future)
                except QueryFailed as e:
                    raise self._problem(e) from None
            headers["Plankb-Cache"] = state
        headers.update({"Plankb-Rows": str(outcome.rows),
                        "Server-Timing": f"sparql;dur={(time.monotonic() - started) * 1000:.1f}"})
        if outcome.truncated:
            headers.update({"Plankb-Truncated": "true", "Plankb-Row-Limit": str(self.max_rows)})
        return Response(outcome.body, media_type=content_type(fmt.media_type), headers=headers)

    # ---- result cache
    def _generation(self) -> tuple[int, Any] | None:
        """The KB generation to key cached answers with; None when answers must not be cached."""
        if self.cache is None or self._updating or self._generation_source is None:
            return None
        return (self._writes, self._generation_source())

    async def _evaluate_for_cache(self, engine: ThreadEngine | ProcessEngine, job: Job, key: str,
                                  generation: tuple[int, Any]) -> Outcome:
        outcome = await engine.run(job)
        # kept only if no write started or ended meanwhile (it may have read either state)
        if self.cache is not None and self._generation() == generation:
            self.cache.put(key, outcome)
        return outcome

    def _settled(self, key: str, future: asyncio.Future[Outcome]) -> None:
        if self._inflight.get(key) is future:
            del self._inflight[key]
        if not future.cancelled():
            future.exception()  # retrieved: no "exception never retrieved" warning when all waiters left

    def _refuse_outside(self, info: QueryInfo, default_graphs: Sequence[str], named_graphs: Sequence[str]) -> None:
        if info.uses_service:
            raise QueryRefused(
                403, "SERVICE not allowed",
                "Federated queries (SERVICE) are disabled: this endpoint only queries its own store "
                "and never fetches other URLs.", slug="service-refused")
        if info.unresolved:
            raise QueryRefused(400, "Unknown prefix",
                               f"FROM target {info.unresolved[0]} uses an undefined prefix.", slug="unknown-graph")
        store = self.store
        for iri in (*info.from_graphs, *info.from_named_graphs, *default_graphs, *named_graphs):
            try:
                known = store.contains_named_graph(ox.NamedNode(iri))
            except ValueError:
                known = False
            if not known:
                raise QueryRefused(
                    400, "Unknown graph",
                    f"<{iri}> is not a graph of this store. FROM / FROM NAMED and default-graph-uri / "
                    "named-graph-uri may only name graphs that exist here; nothing is fetched from the web.",
                    slug="unknown-graph")

    def _problem(self, e: QueryFailed) -> ProblemError:
        if e.kind == "syntax":
            return ProblemError(400, "Malformed query", e.message, slug="malformed-query")
        if e.kind == "evaluation":
            return ProblemError(400, "Query evaluation error", e.message, slug="query-error")
        if e.kind == "timeout":
            return ProblemError(
                503, "Query timed out",
                f"The query did not finish within {self.timeout:g} s and was stopped. Narrow the patterns, "
                "avoid cartesian products or add LIMIT.", slug="query-timeout", headers={"Retry-After": "1"})
        if e.kind == "busy":
            return ProblemError(503, "Endpoint busy", "All query workers are busy; retry shortly.",
                                slug="endpoint-busy", headers={"Retry-After": "2"})
        if e.kind == "crashed":
            return ProblemError(503, "Query stopped",
                                "The query used too many resources and was stopped.", slug="query-stopped")
        log.error("SPARQL internal error: %s", e.message)
        return ProblemError(500, "Internal Server Error", "The query could not be evaluated.", slug="internal-error")

    def _authorized(self, request: Request) -> bool:
        if not self.admin_token:
            return False
        scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
        # Header values arrive latin-1 decoded; re-encoding gives the raw bytes (UTF-8 tokens work).
        return scheme.lower() == "bearer" and hmac.compare_digest(credentials.strip().encode("latin-1"),
                                                                  self.admin_token.encode("utf-8"))

    async def _update(self, request: Request, method: str, text: str, using_graphs: Sequence[str]) -> Response:
        if not self._authorized(request):
            detail = ("This endpoint is read-only: SPARQL Update and LOAD are disabled." if not self.admin_token
                      else "SPARQL Update and LOAD need the admin token (Authorization: Bearer …).")
            headers = {"WWW-Authenticate": 'Bearer realm="plankb"'} if self.admin_token else None
            raise ProblemError(403, "Forbidden", detail, slug="read-only", headers=headers)
        if method != "POST":
            raise ProblemError(400, "Bad Request", "SPARQL Update must be sent with POST.", slug="bad-request")
        if using_graphs:
            raise ProblemError(400, "Bad Request", "using-graph-uri / using-named-graph-uri are not supported.",
                               slug="bad-request")
        if len(text.encode("utf-8")) > self.max_query_bytes:
            raise self._too_large()
        info = analyze_query(text, self.prefixes)
        if info.malformed:
            raise ProblemError(400, "Malformed update", f"Syntax error: {info.malformed}.", slug="malformed-query")
        if info.uses_service:
            self._refuse_outside(info, (), ())
        engine = self._engine()
        # Cached answers are keyed by the generation, which changes when the update starts (queries
        # meanwhile bypass the cache) and again when it ends, failed or not.
        self._updating += 1
        self._writes += 1
        try:
            await engine.update(text, self.prefixes)
        except SyntaxError as e:
            raise ProblemError(400, "Malformed update", str(e), slug="malformed-query") from None
        except (RuntimeError, ValueError, OSError) as e:
            raise ProblemError(400, "Update failed", str(e), slug="update-error") from None
        except QueryFailed as e:
            raise self._problem(e) from None
        finally:
            self._writes += 1
            self._updating -= 1
            if self.cache is not None:
                self.cache.clear()
        if self.on_update is not None:
            self.on_update()
        return Response(status_code=204)

    # ---- pages
    def _service_description(self, request: Request, fmt: Format) -> Response:
        endpoint = str(request.url.replace(query="", fragment=""))
        body = service_description(endpoint, self.store, fmt, update=bool(self.admin_token))
        return Response(body, media_type=content_type(fmt.media_type), headers={"Vary": "Accept"})

    def _page(self, request: Request, query: str, autorun: bool = False) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        try:
            static = root + str(request.app.url_path_for("static", path="/")).rstrip("/")
        except Exception:  # noqa: BLE001 - no static mount named "static"
            static = root + "/static"
        context = {
            "endpoint": request.url.path,
            "query": query or DEFAULT_QUERY,
            "autorun": autorun,
            "examples": load_examples(self.examples_dir),
            "prefixes": self.prefixes,
            "static": static,
            "timeout": self.timeout,
            "max_rows": self.max_rows,
            "read_only": not self.admin_token,
            "result_formats": RESULT_FORMATS,
            "graph_formats": GRAPH_FORMATS,
        }
        response = self.templates.TemplateResponse(request, "sparql.html", context)
        response.headers["Vary"] = "Accept"
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def _one(values: Sequence[str], name: str) -> str | None:
    if not values:
        return None
    if len(values) > 1:
        raise ProblemError(400, "Bad Request", f"Give {name}= only once.", slug="bad-request")
    return values[0]
