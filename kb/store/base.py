"""The knowledge base: an Oxigraph store with one named graph per document.

Graphs: {base}graph/{plan id} per document, {base}graph/links (kb.link, recomputed after every
ingest) and {base}graph/ontology (ontology/plankb.ttl: classes, reform areas, document types).
Queries run with the union of all graphs as the default graph (`use_default_graph_as_union`),
so shared nodes (NQ 76/NQ-CP is described in every graph that cites it) can appear once per
graph: use DISTINCT.

The store is read and written here; what is written is decided by the loader (plankb.ingest.load).
Writes are per document and atomic: pyoxigraph runs one `Store.update` call (all its operations)
in a single storage transaction (oxigraph `Store::update_opt` -> `storage.transaction`), so
"drop the document's graph, insert its new triples, replace the links graph" either happens
entirely or not at all. pyoxigraph exposes no other multi-operation transaction.
"""
from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import Callable, TypeVar

import pyoxigraph as ox

from plankb import ontology
from plankb.kb.errors import StoreError
from plankb.kb.ids import PREFIXES, IRIs
from plankb.kb.settings import base_iri, get_settings
from plankb.kb.store.backends import as_backend, open_server
from plankb.kb.store.inuse import in_use_error, is_lock_error
from plankb.kb.store.shacl import ontology_ntriples, shacl_validate
from plankb.kb.store.values import to_python
from plankb.kb.terms import lit

T = TypeVar("T")


class KnowledgeBase:
    """An Oxigraph-backed KB. `KnowledgeBase.open(data_dir)` on disk, `.in_memory()` for tests;
    `.open_server()` (or `open()` with PLANKB_STORE=sparql) on a SPARQL 1.1 server (kb.store.backends)."""

    def __init__(self, store, base: str | None = None, path: Path | None = None):
        self.store = store
        self.iris = IRIs(base)
        self.base = self.iris.base
        self.path = path
        self._init_state()
        self._ensure_ontology()

    def _init_state(self) -> None:
        self._version = 0
        self._cache: dict[str, tuple[int, object]] = {}
        self._cache_locks: dict[str, threading.Lock] = {}
        self._cache_guard = threading.Lock()

    # ------------------------------------------------------------ construction
    @classmethod
    def in_memory(cls, base: str | None = None) -> "KnowledgeBase":
        return cls(ox.Store(), base)

    @classmethod
    def open(cls, data_dir: str | os.PathLike[str] | None = None, base: str | None = None) -> "KnowledgeBase":
        """Open (or create) the on-disk store under `data_dir` (default: settings)."""
        settings = get_settings(data_dir, base)
        if settings.store == "sparql":  # PLANKB_STORE=sparql: the data lives on a SPARQL server
            return cls.open_server(base=settings.base_iri)
        try:
            settings.store_dir.mkdir(parents=True, exist_ok=True)
            store = ox.Store(str(settings.store_dir))
        except OSError as e:
            if is_lock_error(e):  # one writer per data directory: name the holder (a server?)
                raise in_use_error(settings.data_dir, settings.store_dir) from e
            raise StoreError(f"{settings.store_dir}: cannot open the store ({e})") from e
        return cls(store, settings.base_iri, settings.store_dir)

    @classmethod
    def open_read_only(cls, data_dir: str | os.PathLike[str] | None = None, base: str | None = None) -> "KnowledgeBase":
        settings = get_settings(data_dir, base)
        if settings.store == "sparql":  # a server is read and written over HTTP alike
            return cls.open_server(base=settings.base_iri)
        try:
            store = ox.Store.read_only(str(settings.store_dir))
        except OSError as e:
            raise StoreError(f"{settings.store_dir}: cannot open the store read-only ({e})") from e
        kb = cls.__new__(cls)
        kb.store, kb.iris, kb.base, kb.path = store, IRIs(settings.base_iri), settings.base_iri, settings.store_dir
        kb._init_state()
        return kb

    @classmethod
    def open_server(cls, server=None, base: str | None = None) -> "KnowledgeBase":
        """A KB on a SPARQL 1.1 server (kb.store.backends.SparqlServerBackend). `server`: a
        kb.settings.SparqlServerSettings, default the PLANKB_SPARQL_* variables."""
        iris = IRIs(base or base_iri())
        try:
            backend = open_server(server, graph_prefix=f"{iris.base}graph/")
        except ValueError as e:
            raise StoreError(f"SPARQL server settings: {e}") from e
        try:
            return cls(backend, iris.base)
        except OSError as e:
            backend.close()
            raise StoreError(f"{backend.query_url}: cannot use the SPARQL server ({e})") from e

    @property
    def backend(self):
        """The store as a kb.store.backends.Backend (query, update, replace_graph, drop_graph, triple_count)."""
        return as_backend(self.store)

    def close(self) -> None:
        """Flush and drop the store (an on-disk store's lock is released once nothing else holds it)."""
        if self.store is None:
            return
        try:
            self.store.flush()
        except (OSError, AttributeError, RuntimeError):  # RuntimeError: a read-only store has nothing to flush
            pass
        if hasattr(self.store, "close"):  # a SparqlServerBackend: close its HTTP connections
            self.store.close()
            self.store = None
            self._cache.clear()
        if self.path is not None:
            self.store = None
            self._cache.clear()

    def __enter__(self) -> "KnowledgeBase":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _ensure_ontology(self) -> None:
        """Load ontology/plankb.ttl into {base}graph/ontology unless the same version is there."""
        g = self.iris.ontology_graph
        nt = ontology_ntriples(self.base)
        digest = hashlib.sha256(nt.encode("utf-8")).hexdigest()
        marker = f'<{g}> <{PREFIXES["dcterms"]}hasVersion> "{digest}"'
        if self.store.query(f"ASK {{ GRAPH <{g}> {{ {marker} }} }}"):
            return
        self.store.update(f"DROP SILENT GRAPH <{g}> ;\nINSERT DATA {{ GRAPH <{g}> {{\n{nt}{marker} .\n}} }}")

    @property
    def version(self) -> int:
        """Bumped by every write made through this KnowledgeBase: what is derived from the KB's
        content (catalog, indexes, the networkx graph) is valid for one version (`cached`)."""
        return self._version

    def mark_changed(self) -> None:
        """Record a write made on `self.store` directly (bulk loads): a new version."""
        self._version += 1
        self._cache.clear()

    def cached(self, name: str, build: Callable[["KnowledgeBase"], T]) -> T:
        """`build(self)`, computed once per KB version and name: the one per-version cache.
        Threads asking for the same name together wait for one build; other names go on."""
        with self._cache_guard:
            lock = self._cache_locks.setdefault(name, threading.Lock())
        with lock:
            hit = self._cache.get(name)
            if hit is not None and hit[0] == self._version:
                return hit[1]  # type: ignore[return-value]
            version = self._version
            value = build(self)
            self._cache[name] = (version, value)
            return value

    # ------------------------------------------------------------ queries
    def query(self, sparql: str, **options):
        """Run SPARQL over the union of all graphs (plankb's prefixes predeclared)."""
        options.setdefault("use_default_graph_as_union", True)
        prefixes = {**PREFIXES, "id": self.base}
        return self.store.query(sparql, prefixes=prefixes, **options)

    def select(self, sparql: str, **options) -> list[dict]:
        """SELECT -> list of {variable: Python value} (unbound variables are left out)."""
        res = self.query(sparql, **options)
        names = [v.value for v in res.variables]
        rows = []
        for sol in res:
            rows.append({n: to_python(sol[n]) for n in names if sol[n] is not None})
        return rows

    def ask(self, sparql: str) -> bool:
        return bool(self.query(sparql))

    def triple_count(self) -> int:
        """Number of quads in the store (all graphs, the ontology graph included)."""
        return len(self.store)

    def distinct_triple_count(self) -> int:
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }")
        return rows[0]["n"]

    def graph_triple_count(self, plan_id: str) -> int:
        g = self.iris.graph(plan_id)
        return len(list(self.store.quads_for_pattern(None, None, None, ox.NamedNode(g))))

    def plans(self) -> list[dict]:
        """One dict per ingested plan: id, iri, title, level, jurisdiction, period, counts."""
        return self.select("""
            SELECT ?id ?iri ?title ?level ?jurisdiction ?start ?end ?draft ?number ?sha256 ?path
                   (COUNT(DISTINCT ?task) AS ?tasks) WHERE {
              ?iri a pk:Plan ; dcterms:identifier ?id ; pk:level ?level ; prov:wasDerivedFrom ?src .
              ?src pk:sha256 ?sha256 ; pk:sourcePath ?path .
              OPTIONAL { ?iri eli:title ?title }
              OPTIONAL { ?iri pk:isDraft ?draft }
              OPTIONAL { ?iri eli:id_local ?number }
              OPTIONAL { ?iri pk:jurisdiction/skos:prefLabel ?jurisdiction }
              OPTIONAL { ?iri pk:periodStart ?start ; pk:periodEnd ?end }
              OPTIONAL { ?task a pk:Task ; pk:plan ?iri }
            } GROUP BY ?id ?iri ?title ?level ?jurisdiction ?start ?end ?draft ?number ?sha256 ?path
            ORDER BY ?id""")

    def missing_sources(self) -> list[dict]:
        """Cited documents never ingested (pk:ingested false), most cited first
        (ontology/queries/list_missing_sources.rq)."""
        return self.run_named_query("list_missing_sources")

    def run_named_query(self, name: str, **bindings) -> list[dict]:
        """Run ontology/queries/{name}.rq; keyword arguments bind its variables (IRIs as str
        starting with 'http', other values as plain literals)."""
        path = ontology.QUERIES_DIR / f"{name}.rq"
        subs = {ox.Variable(k): (ox.NamedNode(v) if isinstance(v, str) and v.startswith(("http://", "https://"))
                                  else ox.Literal(v)) for k, v in bindings.items()}
        return self.select(path.read_text(encoding="utf-8"), substitutions=subs) if subs else \
            self.select(path.read_text(encoding="utf-8"))

    def validate(self) -> list[str]:
        """SHACL over the whole KB (all graphs merged, each triple once)."""
        triples = {ox.Triple(q.subject, q.predicate, q.object) for q in self.store}
        return shacl_validate(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8"), self.base)

    # ------------------------------------------------------------ writes (the loader, ingest.load, conducts them)
    def graphs_with(self, sha256: str | None = None, source_path: str | None = None) -> dict[str, str]:
        """{graph IRI: plan id} of documents derived from a file with this sha256 or path."""
        cond = f"?src pk:sha256 {lit(sha256)} ." if sha256 else f"?src pk:sourcePath {lit(source_path or '')} ."
        rows = self.select(f"""SELECT DISTINCT ?g ?id WHERE {{ GRAPH ?g {{
            ?plan a pk:Plan ; dcterms:identifier ?id ; prov:wasDerivedFrom ?src . {cond} }} }}""",
                           use_default_graph_as_union=False)
        return {r["g"]: r["id"] for r in rows}

    def write(self, update: str) -> None:
        """Run a SPARQL Update as one transaction; a new KB version whatever the outcome."""
        try:
            self.store.update(update)
        except OSError as e:
            raise StoreError(f"{self.path or 'in-memory store'}: write failed ({e})") from e
        finally:
            self.mark_changed()
