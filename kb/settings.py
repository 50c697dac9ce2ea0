"""Where the knowledge base lives and which IRI base it mints.

Precedence: explicit argument (the CLI's `--data-dir`) > environment (`PLANKB_DATA_DIR`,
`PLANKB_BASE_IRI`) > defaults (the user data folder from platformdirs, `http://plankb.org/id/`).

Which store (`PLANKB_STORE`): `oxigraph` (default, the embedded store under the data directory)
or `sparql`, any SPARQL 1.1 server (kb.store.backends.SparqlServerBackend), configured by
`PLANKB_SPARQL_QUERY` (required), `PLANKB_SPARQL_UPDATE`, `PLANKB_SPARQL_GSP` (Graph Store
Protocol), `PLANKB_SPARQL_USER` / `PLANKB_SPARQL_PASSWORD` / `PLANKB_SPARQL_AUTH`
(auto|basic|digest), `PLANKB_SPARQL_TIMEOUT` (seconds) and `PLANKB_SPARQL_RESULT_CAP` (the
server's own row limit, e.g. Virtuoso's ResultSetMaxRows; 0: none): see `sparql_server_settings`.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import user_data_dir

DEFAULT_BASE_IRI = "http://plankb.org/id/"
ENV_DATA_DIR = "PLANKB_DATA_DIR"
ENV_BASE_IRI = "PLANKB_BASE_IRI"
ENV_STORE = "PLANKB_STORE"
STORE_KINDS = ("oxigraph", "sparql")


def default_data_dir() -> Path:
    """The per-user data folder, e.g. ~/.local/share/plankb on Linux."""

    return Path(user_data_dir("plankb", appauthor=False))


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    base_iri: str = DEFAULT_BASE_IRI
    store: str = "oxigraph"  # PLANKB_STORE: oxigraph | sparql

    @property
    def store_dir(self) -> Path:
        """The Oxigraph (RocksDB) directory inside the data directory."""
        return self.data_dir / "store"


def base_iri() -> str:
    """The IRI base in force (env PLANKB_BASE_IRI), always ending in '/' or '#'."""
    base = os.environ.get(ENV_BASE_IRI) or DEFAULT_BASE_IRI
    return base if base.endswith(("/", "#")) else base + "/"


def get_settings(data_dir: str | os.PathLike[str] | None = None, base: str | None = None) -> Settings:
    """Settings from arguments, then environment, then defaults."""
    d = data_dir or os.environ.get(ENV_DATA_DIR) or default_data_dir()
    b = base or base_iri()
    if not b.endswith(("/", "#")):
        b += "/"
    return Settings(data_dir=Path(d).expanduser(), base_iri=b, store=store_kind())


def store_kind() -> str:
    """`PLANKB_STORE` (oxigraph | sparql; default oxigraph). ValueError for anything else."""
    kind = (os.environ.get(ENV_STORE) or "oxigraph").strip().lower()
    if kind not in STORE_KINDS:
        raise ValueError(f"{ENV_STORE}={kind!r}: expected one of {', '.join(STORE_KINDS)}")
    return kind


@dataclass(frozen=True)
class SparqlServerSettings:
    """Where and how to reach a SPARQL 1.1 server (kb.store.backends.SparqlServerBackend)."""

    query_url: str
    update_url: str | None = None  # SPARQL 1.1 Update endpoint; None: read-only unless gsp_url
    gsp_url: str | None = None  # Graph Store Protocol endpoint (?graph=IRI); None: SPARQL Update only
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    auth: str = "auto"  # auto (answer the server's challenge), basic or digest
    timeout: float = 60.0  # seconds per HTTP request
    result_cap: int = 10_000  # the server's row limit (Virtuoso ResultSetMaxRows); 0: none


def sparql_server_settings() -> SparqlServerSettings:
    """The PLANKB_SPARQL_* variables. ValueError when PLANKB_SPARQL_QUERY is missing or a value is bad."""
    env = os.environ.get
    query = env("PLANKB_SPARQL_QUERY")
    if not query:
        raise ValueError("PLANKB_STORE=sparql needs PLANKB_SPARQL_QUERY (the server's SPARQL query endpoint)")
    auth = (env("PLANKB_SPARQL_AUTH") or "auto").strip().lower()
    if auth not in ("auto", "basic", "digest"):
        raise ValueError(f"PLANKB_SPARQL_AUTH={auth!r}: expected auto, basic or digest")
    try:
        timeout = float(env("PLANKB_SPARQL_TIMEOUT") or 60.0)
        cap = int(env("PLANKB_SPARQL_RESULT_CAP") or 10_000)
    except ValueError as e:
        raise ValueError(f"PLANKB_SPARQL_TIMEOUT / PLANKB_SPARQL_RESULT_CAP: {e}") from None
    return SparqlServerSettings(
        query_url=query, update_url=env("PLANKB_SPARQL_UPDATE") or None, gsp_url=env("PLANKB_SPARQL_GSP") or None,
        user=env("PLANKB_SPARQL_USER") or None, password=env("PLANKB_SPARQL_PASSWORD") or None, auth=auth,
        timeout=timeout, result_cap=max(cap, 0))
