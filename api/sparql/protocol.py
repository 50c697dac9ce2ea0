"""The HTTP side of the SPARQL 1.1 Protocol: `read_get` / `read_post` turn a request into
`SparqlParams` (GET `?query=`, POST form, `application/sparql-query` / `-update` bodies, within
a byte limit), and `problem_for` turns a `QueryFailed` into the problem response to send."""
from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qs

from fastapi import Request

from plankb.api.negotiation import ProblemError
from plankb.api.sparql.jobs import QueryFailed

log = logging.getLogger("plankb.sparql")


@dataclass(frozen=True)
class SparqlParams:
    """One SPARQL request's parameters, whichever way they came."""

    method: str
    query: str | None
    update: str | None
    default_graphs: list[str]
    named_graphs: list[str]
    format_params: list[str]
    using_graphs: Sequence[str] = ()


def _params(method: str, getlist: Callable[[str], list[str]], using: bool = True) -> SparqlParams:
    return SparqlParams(method, _one(getlist("query"), "query"), _one(getlist("update"), "update"),
                        getlist("default-graph-uri"), getlist("named-graph-uri"), getlist("format"),
                        getlist("using-graph-uri") + getlist("using-named-graph-uri") if using else ())


def read_get(request: Request) -> SparqlParams:
    return _params("GET", request.query_params.getlist, using=False)


async def read_post(request: Request, max_bytes: int) -> SparqlParams:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    url = request.query_params
    if ctype == "application/x-www-form-urlencoded":
        body = await _read_body(request, max_bytes)
        try:
            form = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
        except UnicodeDecodeError:
            raise ProblemError(400, "Bad Request", "The form body is not valid UTF-8.", slug="bad-request")
        return _params("POST", lambda k: form.get(k, []) + url.getlist(k))
    if ctype == "multipart/form-data":
        _check_length(request, max_bytes)
        mform = await request.form()
        return _params("POST", lambda k: [v for v in mform.getlist(k) if isinstance(v, str)] + url.getlist(k))
    if ctype in ("application/sparql-query", "application/sparql-update"):
        try:
            text = (await _read_body(request, max_bytes)).decode("utf-8")
        except UnicodeDecodeError:
            raise ProblemError(400, "Bad Request", "The request body is not valid UTF-8.", slug="bad-request")
        q, u = (text, None) if ctype == "application/sparql-query" else (None, text)
        return SparqlParams("POST", q, u, url.getlist("default-graph-uri"), url.getlist("named-graph-uri"),
                            url.getlist("format"), url.getlist("using-graph-uri") + url.getlist("using-named-graph-uri"))
    raise ProblemError(
        415, "Unsupported Media Type",
        "POST a SPARQL request as application/x-www-form-urlencoded (query= or update=), "
        "application/sparql-query or application/sparql-update.", slug="unsupported-media-type")


def too_large(max_bytes: int) -> ProblemError:
    return ProblemError(413, "Content Too Large",
                        f"SPARQL requests are limited to {max_bytes} bytes.", slug="query-too-large")


def _check_length(request: Request, max_bytes: int) -> None:
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > max_bytes:
        raise too_large(max_bytes)


async def _read_body(request: Request, max_bytes: int) -> bytes:
    _check_length(request, max_bytes)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise too_large(max_bytes)
        chunks.append(chunk)
    return b"".join(chunks)


def _one(values: Sequence[str], name: str) -> str | None:
    if not values:
        return None
    if len(values) > 1:
        raise ProblemError(400, "Bad Request", f"Give {name}= only once.", slug="bad-request")
    return values[0]


def problem_for(e: QueryFailed, timeout: float) -> ProblemError:
    """The problem response for a failed evaluation (`timeout`: the deadline, for the message)."""
    if e.kind == "syntax":
        return ProblemError(400, "Malformed query", e.message, slug="malformed-query")
    if e.kind == "evaluation":
        return ProblemError(400, "Query evaluation error", e.message, slug="query-error")
    if e.kind == "timeout":
        return ProblemError(
            503, "Query timed out",
            f"The query did not finish within {timeout:g} s and was stopped. Narrow the patterns, "
            "avoid cartesian products or add LIMIT.", slug="query-timeout", headers={"Retry-After": "1"})
    if e.kind == "busy":
        return ProblemError(503, "Endpoint busy", "All query workers are busy; retry shortly.",
                            slug="endpoint-busy", headers={"Retry-After": "2"})
    if e.kind == "crashed":
        return ProblemError(503, "Query stopped",
                            "The query used too many resources and was stopped.", slug="query-stopped")
    log.error("SPARQL internal error: %s", e.message)
    return ProblemError(500, "Internal Server Error", "The query could not be evaluated.", slug="internal-error")
