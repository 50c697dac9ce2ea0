"""The plankb web application: `create_app(settings, kb) -> FastAPI`.

    uvicorn --factory api.app:create_app --host 127.0.0.1

Shared resources (the KnowledgeBase and its Oxigraph store, the SPARQL worker pool) are opened
in `lifespan`, never at import, and kept on `app.state` (`settings`, `kb`, `store`, `sparql`).
With `PLANKB_STORE=sparql` the KnowledgeBase lives on a SPARQL 1.1 server (kb.store.backends): the API,
the pages and /sparql (a checked proxy, see api.sparql) run on it unchanged.
Tests pass their own `kb` (a `KnowledgeBase` or a bare `pyoxigraph.Store`) and use
`with TestClient(create_app(settings, kb)) as client:` so the lifespan runs.

Routes: /sparql (api.sparql), the REST API under /api (api.routers: plans, tasks, units, legal,
search; read through kb.catalog, kb.query.trace and kb.query.gaps), /docs (Swagger UI vendored in
static/swagger, nothing from a CDN), /openapi.json, and the Vietnamese HTML pages (api.routers.pages:
/, /search, /overview, /plans/{id}, /tasks/{id}, /units, /legal…; graph assets under /static/viz).

Every error leaves as `application/problem+json` (RFC 9457: type, title, status, detail), with
no stack trace; invalid parameters are 422 with an `errors` list (parameter, in, message).
"""
from __future__ import annotations

import logging
import os
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field, SecretStr
from starlette.exceptions import HTTPException as StarletteHTTPException

from plankb.api.negotiation import problem_response
from plankb.api.routers import ROUTERS, pages  # pages: the HTML pages (Vietnamese), HTML 404s for browsers
from plankb.api.schemas import Problem
from plankb.api.sparql import DEFAULT_EXAMPLES_DIR, SparqlRouter
from plankb.kb import catalog
from plankb.kb.link import external_update
from plankb.kb.settings import get_settings
from plankb.kb.store import KnowledgeBase
from plankb.kb.store.inuse import remove_marker, write_marker
from plankb.viz.network import STATIC_DIR as VIZ_STATIC_DIR

log = logging.getLogger("plankb.api")

STATIC_DIR = Path(__file__).resolve().parent / "static"


class Settings(BaseModel):
    """Server settings. `Settings.from_env()` reads the PLANKB_* variables."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    data_dir: Path | None = Field(None, description="KB data directory (its 'store' folder is the Oxigraph "
                                                    "store); None: PLANKB_DATA_DIR or the user data folder")
    query_timeout: float = Field(10.0, gt=0, description="Seconds a SPARQL query may run")
    max_rows: int = Field(10_000, gt=0, description="Result rows (or CONSTRUCT triples) returned at most")
    admin_token: SecretStr | None = Field(None, description="Bearer token for SPARQL Update; None: read-only")
    host: str = Field("127.0.0.1", description="Bind address (loopback unless told otherwise)")
    port: int = Field(8000, ge=0, le=65535)
    query_workers: int = Field(4, ge=1, le=32, description="Worker processes evaluating SPARQL (on-disk store); "
                                                          "more than the cores: queries wait on RocksDB reads")
    query_cache_bytes: int = Field(64 * 1024 * 1024, ge=0,
                                   description="SPARQL answers kept in memory (bytes, LRU), keyed by query, format, "
                                               "dataset and KB generation (any write makes them stale); 0: no cache")
    slow_query_seconds: float = Field(0.25, gt=0, description="A query text whose last run took this long is 'slow': "
                                                              "slow queries never hold every query worker at once")
    worker_memory_mb: int | None = Field(2048, ge=256, description="Address-space limit of a query worker")
    max_query_bytes: int = Field(256 * 1024, gt=0, description="Largest accepted query or update text")
    examples_dir: Path | None = Field(DEFAULT_EXAMPLES_DIR, description="Example queries (*.rq) for the page")

    @classmethod
    def from_env(cls, **overrides: Any) -> "Settings":
        """Settings from PLANKB_DATA_DIR, PLANKB_QUERY_TIMEOUT, PLANKB_MAX_ROWS, PLANKB_ADMIN_TOKEN,
        PLANKB_HOST, PLANKB_PORT, PLANKB_QUERY_WORKERS, PLANKB_QUERY_CACHE_BYTES; keyword arguments win."""
        env = {
            "data_dir": os.environ.get("PLANKB_DATA_DIR"),
            "query_timeout": os.environ.get("PLANKB_QUERY_TIMEOUT"),
            "max_rows": os.environ.get("PLANKB_MAX_ROWS"),
            "admin_token": os.environ.get("PLANKB_ADMIN_TOKEN"),
            "host": os.environ.get("PLANKB_HOST"),
            "port": os.environ.get("PLANKB_PORT"),
            "query_workers": os.environ.get("PLANKB_QUERY_WORKERS"),
            "query_cache_bytes": os.environ.get("PLANKB_QUERY_CACHE_BYTES"),
        }
        values = {k: v for k, v in env.items() if v}
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls.model_validate(values)


def _open_kb(settings: Settings) -> tuple[Any, bool]:
    """The KnowledgeBase under settings.data_dir (created if missing). Returns (kb, owned)."""
    return KnowledgeBase.open(settings.data_dir), True


def _store_of(kb: Any) -> ox.Store:
    return kb if isinstance(kb, ox.Store) else kb.store


def _store_path_of(kb: Any, settings: Settings) -> Path | None:
    """The on-disk store directory, if any: the KB's own path, else data_dir/store for a bare Store."""
    path = getattr(kb, "path", None)
    if path is not None:
        return Path(path)
    if isinstance(kb, ox.Store) and settings.data_dir is not None:
        candidate = get_settings(settings.data_dir).store_dir
        return candidate if candidate.is_dir() else None
    return None


def _external_update(kb: Any) -> None:
    """After an admin SPARQL Update: a KnowledgeBase gets a new version and its links graph is marked
    incomplete (kb.link.external_update); a bare Store has nothing to mark."""
    if isinstance(kb, KnowledgeBase):
        external_update(kb)


def _warm_catalog(kb: Any) -> None:
    """Build the REST API's read model (kb.catalog's index and search index) in the background
    now, rather than on the first request (seconds on a large KB; requests arriving meanwhile
    wait for it)."""
    if isinstance(kb, ox.Store):
        return

    def build() -> None:
        try:
            catalog.warm(kb)
        except Exception:  # the routes will try again (and report) on first use
            log.warning("Could not index the knowledge base for the REST API", exc_info=True)

    threading.Thread(target=build, name="plankb-catalog-index", daemon=True).start()


def _install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_problem(request: Request, exc: StarletteHTTPException):
        status = exc.status_code
        phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
        detail = exc.detail if isinstance(exc.detail, str) and exc.detail != phrase else None
        if detail is None:
            detail = {404: f"Nothing at {request.url.path}.",
                      405: f"{request.method} is not allowed on {request.url.path}."}.get(status, phrase + ".")
        return problem_response(status, getattr(exc, "title", None) or phrase, detail,
                                type=getattr(exc, "type", "about:blank"), instance=request.url.path,
                                headers=exc.headers, extra=getattr(exc, "extra", None))

    @app.exception_handler(RequestValidationError)
    async def validation_problem(request: Request, exc: RequestValidationError):
        parts, errors = [], []
        for err in exc.errors()[:5]:
            loc = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path"))
            parts.append(f"{loc}: {err.get('msg')}" if loc else str(err.get("msg")))
            errors.append({"parameter": loc, "in": str((err.get("loc") or ("",))[0]), "message": str(err.get("msg"))})
        return problem_response(422, "Unprocessable Content", "; ".join(parts) or "Invalid request.",
                                type="http://plankb.org/problems/invalid-request", instance=request.url.path,
                                extra={"errors": errors})

    @app.exception_handler(Exception)
    async def internal_problem(request: Request, exc: Exception):
        log.exception("Unhandled error on %s %s", request.method, request.url.path)
        return problem_response(500, "Internal Server Error", "An unexpected error occurred; it has been logged.",
                                instance=request.url.path)


def create_app(settings: Settings | None = None, kb: Any = None) -> FastAPI:
    """Build the application. `kb`: a KnowledgeBase, a bare `pyoxigraph.Store`, or None to open
    the KnowledgeBase under `settings.data_dir` in the lifespan. Without `settings`, they are
    read from the environment (`Settings.from_env()`), which suits `uvicorn --factory`."""
    settings = settings or Settings.from_env()
    token = settings.admin_token.get_secret_value() if settings.admin_token else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        the_kb, owned = (kb, False) if kb is not None else _open_kb(settings)
        app.state.kb = the_kb
        app.state.store = _store_of(the_kb)
        app.state.store_path = _store_path_of(the_kb, settings)
        _warm_catalog(the_kb)
        sparql.start()
        # this process holds the store's write lock: say so in <data dir>/server.json, so that
        # `plankb ingest` on the same folder names this server (kb.store.inuse)
        served = app.state.store_path.parent if getattr(the_kb, "path", None) and app.state.store_path else None
        if served is not None:
            write_marker(served, f"http://{settings.host}:{settings.port}")
        try:
            yield
        finally:
            if served is not None:
                remove_marker(served)
            sparql.close()
            if owned and hasattr(the_kb, "close"):
                the_kb.close()

    app = FastAPI(
        title="plankb",
        description="Knowledge base of Vietnamese administrative-reform (CCHC) plans: SPARQL, API and pages.",
        lifespan=lifespan,
        # FastAPI's own /docs and /redoc load Swagger UI / ReDoc from a CDN: /docs is served below
        # from the vendored copy in static/swagger; there is no /redoc.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    _install_problem_handlers(app)
    # the graphs' vendored vis-network and JS/CSS (viz/static); before /static, which would shadow it

    app.mount("/static/viz", StaticFiles(directory=VIZ_STATIC_DIR), name="static-viz")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    sparql = SparqlRouter(
        lambda: app.state.store,
        store_path=lambda: app.state.store_path,
        timeout=settings.query_timeout,
        max_rows=settings.max_rows,
        admin_token=token,
        workers=settings.query_workers,
        worker_memory_mb=settings.worker_memory_mb,
        max_query_bytes=settings.max_query_bytes,
        examples_dir=settings.examples_dir,
        on_update=lambda: _external_update(getattr(app.state, "kb", None)),
        cache_bytes=settings.query_cache_bytes,
        # the KB's write counter (every write through a KnowledgeBase bumps it; SPARQL Update calls
        # on_update); None for a bare Store, which may be written behind the app's back: no cache
        generation=lambda: getattr(getattr(app.state, "kb", None), "version", None),
        slow_after=settings.slow_query_seconds,
    )
    app.state.sparql = sparql
    app.include_router(sparql)

    for router in ROUTERS:
        app.include_router(router)

    app.include_router(pages.router)
    pages.install_html_errors(app)
    _install_docs(app)
    return app


def _install_docs(app: FastAPI) -> None:
    """/docs: Swagger UI from static/swagger (no CDN, no validator badge); the Problem schema
    (problem+json error bodies) added to the OpenAPI components."""

    @app.get("/docs", include_in_schema=False)
    def swagger_ui():
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json", title=f"{app.title} API",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js", swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/swagger/favicon-32x32.png",
            swagger_ui_parameters={"validatorUrl": None, "defaultModelsExpandDepth": 0},
        )

    build = app.openapi

    def openapi() -> dict[str, Any]:
        schema = build()
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        if "Problem" not in schemas:
            schemas["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
