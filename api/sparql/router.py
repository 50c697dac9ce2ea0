"""The `/sparql` FastAPI router: `SparqlRouter` (GET and POST; queries, updates, the service
description and the query page). It reads the request (`protocol`), checks the query
(`analysis`), picks the format (`formats`), answers from the cache (`cache`) or an engine
(`engines`), and starts / stops the engine with the app's lifespan."""
from __future__ import annotations

import hmac
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from plankb.api.negotiation import ProblemError
from plankb.api.sparql.analysis import (
    DEFAULT_PREFIXES,
    QueryInfo,
    QueryRefused,
    analyze_query,
    refuse_outside,
)
from plankb.api.sparql.cache import ResultCache, SharedAnswers, etag_matches
from plankb.api.sparql.engines import ProcessEngine, ThreadEngine
from plankb.api.sparql.formats import (
    GRAPH_FORMATS,
    HTML_FORMAT,
    RESULT_FORMATS,
    Format,
    choose_format,
    content_type,
)
from plankb.api.sparql.jobs import Job, Outcome, QueryFailed
from plankb.api.sparql.protocol import (
    SparqlParams,
    problem_for,
    read_get,
    read_post,
    too_large,
)
from plankb.api.sparql.service import (
    DEFAULT_EXAMPLES_DIR,
    TEMPLATES_DIR,
    render_page,
    service_description,
)

log = logging.getLogger("plankb.sparql")

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
        self.answers = SharedAnswers(generation)
        self.slow_after = slow_after
        self.add_api_route(path, self.handle_get, methods=["GET"], name="sparql", responses=API_RESPONSES,
                           summary="SPARQL 1.1 query (GET), query page or service description")
        self.add_api_route(path, self.handle_post, methods=["POST"], name="sparql_post", responses=API_RESPONSES,
                           summary="SPARQL 1.1 query or update (POST)")

    # ---- lifecycle
    @property
    def store(self) -> ox.Store:
        src = self._store_source
        return src if isinstance(src, ox.Store) or hasattr(src, "query") else src()  # a Store or a server backend

    @property
    def cache(self) -> ResultCache | None:
        return self.answers.cache

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
            if cacheable:
                self.answers.enable(self.cache_bytes)
            else:
                self.answers.cache = None
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
        return await self._dispatch(request, read_get(request))

    async def handle_post(self, request: Request) -> Response:
        return await self._dispatch(request, await read_post(request, self.max_query_bytes))

    async def _dispatch(self, request: Request, p: SparqlParams) -> Response:
        if p.query is not None and p.update is not None:
            raise ProblemError(400, "Bad Request", "Send either query= or update=, not both.", slug="bad-request")
        if p.update is not None:
            return await self._update(request, p.method, p.update, p.using_graphs)
        query = p.query
        if query is None or not query.strip():
            fmt = choose_format(None, request.headers.get("accept"), p.format_params)
            if fmt.key == "html":
                return self._page(request, query or "")
            return self._service_description(request, fmt)
        return await self._query(request, query, p)

    def _analyze(self, text: str, problem: type[ProblemError], title: str) -> QueryInfo:
        """`analyze_query(text)`, refusing a text over the size limit or malformed (as `problem`)."""
        if len(text.encode("utf-8")) > self.max_query_bytes:
            raise too_large(self.max_query_bytes)
        info = analyze_query(text, self.prefixes)
        if info.malformed:
            raise problem(400, title, f"Syntax error: {info.malformed}.", slug="malformed-query")
        return info

    def _job(self, request: Request, query: str, p: SparqlParams) -> tuple[Job | None, Format]:
        """The checked job for `query` and its response format (no job: the HTML page is asked for)."""
        info = self._analyze(query, QueryRefused, "Malformed query")
        if info.is_update:
            raise QueryRefused(400, "Bad Request",
                               "This is a SPARQL Update; send it as update= (POST), not as query=.", slug="bad-request")
        if info.form is None:
            raise QueryRefused(400, "Malformed query",
                               "No SELECT, CONSTRUCT, DESCRIBE or ASK found after the prologue.", slug="malformed-query")
        fmt = choose_format(info.form, request.headers.get("accept"), p.format_params)
        if fmt.key == "html":
            return None, fmt
        refuse_outside(self.store, info, p.default_graphs, p.named_graphs)
        return Job(query=query, form=info.form, format=fmt.key, max_rows=self.max_rows,
                   union_default_graph=not info.has_dataset,
                   default_graphs=tuple(p.default_graphs) or None, named_graphs=tuple(p.named_graphs) or None,
                   prefixes=self.prefixes), fmt

    async def _query(self, request: Request, query: str, p: SparqlParams) -> Response:
        job, fmt = self._job(request, query, p)
        if job is None:
            return self._page(request, query, autorun=True)
        started = time.monotonic()
        engine = self._engine()
        headers = {"Vary": "Accept"}
        generation = self.answers.generation()
        try:
            if generation is None:  # no cache (or an update is under way)
                outcome = await engine.run(job)
            else:
                key, etag = self.answers.key(job, generation)
                headers.update({"ETag": etag, "Cache-Control": "no-cache"})
                if etag_matches(request.headers.get("if-none-match"), etag):
                    headers["Plankb-Cache"] = "revalidated"
                    return Response(status_code=304, headers=headers)
                outcome, headers["Plankb-Cache"] = await self.answers.answer(engine.run, job, key, generation)
        except QueryFailed as e:
            raise problem_for(e, self.timeout) from None
        return self._result(outcome, fmt, headers, started)

    def _result(self, outcome: Outcome, fmt: Format, headers: dict[str, str], started: float) -> Response:
        headers.update({"Plankb-Rows": str(outcome.rows),
                        "Server-Timing": f"sparql;dur={(time.monotonic() - started) * 1000:.1f}"})
        if outcome.truncated:
            headers.update({"Plankb-Truncated": "true", "Plankb-Row-Limit": str(self.max_rows)})
        return Response(outcome.body, media_type=content_type(fmt.media_type), headers=headers)

    def _authorized(self, request: Request) -> bool:
        if not self.admin_token:
            return False
        scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
        # Header values arrive latin-1 decoded; re-encoding gives the raw bytes (UTF-8 tokens work).
        return scheme.lower() == "bearer" and hmac.compare_digest(credentials.strip().encode("latin-1"),
                                                                  self.admin_token.encode("utf-8"))

    def _check_update(self, request: Request, method: str, text: str, using_graphs: Sequence[str]) -> None:
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
        info = self._analyze(text, ProblemError, "Malformed update")
        if info.uses_service:
            refuse_outside(self.store, info, (), ())

    async def _update(self, request: Request, method: str, text: str, using_graphs: Sequence[str]) -> Response:
        self._check_update(request, method, text, using_graphs)
        engine = self._engine()
        try:
            with self.answers.writing():
                await engine.update(text, self.prefixes)
        except SyntaxError as e:
            raise ProblemError(400, "Malformed update", str(e), slug="malformed-query") from None
        except (RuntimeError, ValueError, OSError) as e:
            raise ProblemError(400, "Update failed", str(e), slug="update-error") from None
        except QueryFailed as e:
            raise problem_for(e, self.timeout) from None
        if self.on_update is not None:
            self.on_update()
        return Response(status_code=204)

    # ---- pages
    def _service_description(self, request: Request, fmt: Format) -> Response:
        endpoint = str(request.url.replace(query="", fragment=""))
        body = service_description(endpoint, self.store, fmt, update=bool(self.admin_token))
        return Response(body, media_type=content_type(fmt.media_type), headers={"Vary": "Accept"})

    def _page(self, request: Request, query: str, autorun: bool = False) -> HTMLResponse:
        return render_page(self.templates, request, query, autorun=autorun, examples_dir=self.examples_dir,
                           prefixes=self.prefixes, timeout=self.timeout, max_rows=self.max_rows,
                           read_only=not self.admin_token)
