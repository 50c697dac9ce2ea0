"""The knowledge base: an Oxigraph store with one named graph per document.

Graphs: {base}graph/{plan id} per document, {base}graph/links (kb.link, recomputed after every
ingest) and {base}graph/ontology (ontology/plankb.ttl: classes, reform areas, document types).
Queries run with the union of all graphs as the default graph (`use_default_graph_as_union`),
so shared nodes (NQ 76/NQ-CP is described in every graph that cites it) can appear once per
graph: use DISTINCT.

Writes are per document and atomic: pyoxigraph runs one `Store.update` call (all its operations)
in a single storage transaction (oxigraph `Store::update_opt` -> `storage.transaction`), so
"drop the document's graph, insert its new triples, replace the links graph" either happens
entirely or not at all. pyoxigraph exposes no other multi-operation transaction.
"""
from __future__ import annotations

import hashlib
import os
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Literal, TypeVar

from plankb import ontology
from plankb.kb.errors import InputError, StoreError
from plankb.kb.ids import IRIs, PREFIXES
from plankb.kb.models import PlanRecord

ONTOLOGY_DIR = ontology.DIR
ONTOLOGY_FILE = ontology.ONTOLOGY_FILE
SHAPES_FILE = ontology.SHAPES_FILE
DEFAULT_BASE = "http://plankb.org/id/"
SUPPORTED_EXTENSIONS = (".txt", ".md", ".markdown", ".html", ".htm", ".docx")

T = TypeVar("T")
Status = Literal["added", "replaced", "unchanged", "failed"]
ValidateMode = Literal["all", "sample", "none"]
DEFAULT_SAMPLE_RATE = 0.02  # validate='sample': about one document in fifty (and always the first)
BULK_BATCH_DOCS = 64  # bulk path: documents per load transaction ...
BULK_BATCH_BYTES = 8 * 1024 * 1024  # ... or N-Quads bytes, whichever comes first
BULK_WINDOW_PER_WORKER = 4  # documents in flight per worker process
# RocksDB keeps what is written in memory tables until they are flushed to disk: without a flush
# every so often the process grows by ~1 KB per quad loaded (3 GB for the country corpus).
BULK_FLUSH_BYTES = 48 * 1024 * 1024  # N-Quads loaded between two `Store.flush()` calls


# ---------------------------------------------------------------- outcomes
@dataclass
class IngestOutcome:
    """What happened to one document."""

    path: str
    status: Status
    plan_id: str | None = None
    graph: str | None = None
    tasks: int = 0
    units: int = 0
    citations: int = 0
    indicators: int = 0
    triples: int = 0
    warnings: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass
class IngestSummary:
    """What happened to a batch of files (`plankb ingest`)."""

    outcomes: list[IngestOutcome] = field(default_factory=list)
    link_warnings: list[str] = field(default_factory=list)
    missing_sources: list[str] = field(default_factory=list)
    seconds: float = 0.0
    triple_count: int = 0
    validated: int = 0  # documents checked with SHACL (all, a sample, or none: see ingest_paths)
    phases: dict[str, float] = field(default_factory=dict)  # seconds per phase: extract_load, link, finish

    def _count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def added(self) -> int:
        return self._count("added")

    @property
    def replaced(self) -> int:
        return self._count("replaced")

    @property
    def unchanged(self) -> int:
        return self._count("unchanged")

    @property
    def failed(self) -> int:
        return self._count("failed")

    def _sum(self, attr: str) -> int:
        return sum(getattr(o, attr) for o in self.outcomes if o.status in ("added", "replaced"))

    @property
    def tasks(self) -> int:
        return self._sum("tasks")

    @property
    def units(self) -> int:
        return self._sum("units")

    @property
    def citations(self) -> int:
        return self._sum("citations")

    @property
    def indicators(self) -> int:
        return self._sum("indicators")

    @property
    def warnings(self) -> list[str]:
        return [f"{o.path}: {w}" for o in self.outcomes for w in o.warnings] + self.link_warnings

    @property
    def errors(self) -> list[str]:
        return [o.error for o in self.outcomes if o.error]

    def as_dict(self) -> dict:
        return {
            "added": self.added, "replaced": self.replaced, "unchanged": self.unchanged, "failed": self.failed,
            "tasks": self.tasks, "units": self.units, "citations": self.citations, "indicators": self.indicators,
            "warnings": len(self.warnings), "errors": self.errors, "missing_sources": self.missing_sources,
            "triples": self.triple_count, "seconds": round(self.seconds, 3), "validated": self.validated,
            "phases": {k: round(v, 3) for k, v in self.phases.items()},
        }

    def table(self):
        """A rich Table: one row per file, then the totals."""
        from rich.table import Table

        t = Table(title="plankb ingest", show_lines=False)
        for col in ("file", "status", "plan", "tasks", "units", "citations", "indicators", "warnings"):
            t.add_column(col, justify="right" if col in ("tasks", "units", "citations", "indicators", "warnings") else "left")
        style = {"added": "green", "replaced": "cyan", "unchanged": "dim", "failed": "red"}
        for o in self.outcomes:
            t.add_row(Path(o.path).name, f"[{style[o.status]}]{o.status}[/]", o.plan_id or (o.error or ""),
                      str(o.tasks), str(o.units), str(o.citations), str(o.indicators), str(len(o.warnings)))
        t.add_section()
        t.add_row("total", "", "", str(self.tasks), str(self.units), str(self.citations), str(self.indicators),
                  str(len(self.warnings)))
        t.caption = (f"{self.added} added, {self.replaced} replaced, {self.unchanged} unchanged, {self.failed} failed"
                     f" · {self.triple_count} quads in the store · {self.seconds:.2f} s")
        return t


# ---------------------------------------------------------------- SHACL
@lru_cache(maxsize=4)
def _ontology_ntriples(base: str) -> str:
    import pyoxigraph as ox

    text = ONTOLOGY_FILE.read_text(encoding="utf-8")
    if base != DEFAULT_BASE:
        text = text.replace(f"<{DEFAULT_BASE}>", f"<{base}>")
    triples = ox.parse(text, format=ox.RdfFormat.TURTLE)
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")


@lru_cache(maxsize=4)
def _ontology_rdflib(base: str):
    import rdflib

    return rdflib.Graph().parse(data=_ontology_ntriples(base), format="nt")


@lru_cache(maxsize=1)
def _shapes_rdflib():
    import rdflib

    return rdflib.Graph().parse(SHAPES_FILE, format="turtle")


def shacl_validate(data, base: str = DEFAULT_BASE) -> list[str]:
    """Validate N-Triples text (or an rdflib graph) against ontology/shapes.ttl.

    The ontology (reform areas, roles, document types, subclasses) is added to the data first,
    so `sh:class pk:ReformArea` and `sh:targetClass eli:LegalResource` see what it declares.
    Returns one message per violation: 'SHACL: <focus node> <path>: <message>'.
    """
    import pyshacl
    import rdflib
    from rdflib.namespace import SH

    if isinstance(data, str):
        graph = rdflib.Graph().parse(data=data + _ontology_ntriples(base), format="nt")
    else:
        graph = rdflib.Graph()
        graph += data
        graph += _ontology_rdflib(base)
    conforms, results, _ = pyshacl.validate(
        graph, shacl_graph=_shapes_rdflib(), inference="none", advanced=True, allow_warnings=True,
    )
    if conforms:
        return []
    out = []
    for r in results.subjects(rdflib.RDF.type, SH.ValidationResult):
        focus = results.value(r, SH.focusNode)
        path = results.value(r, SH.resultPath)
        msg = results.value(r, SH.resultMessage)
        short_path = results.namespace_manager.normalizeUri(path) if isinstance(path, rdflib.URIRef) else path
        out.append(f"SHACL: <{focus}> {short_path}: {msg}")
    return sorted(out)


# ---------------------------------------------------------------- values
_XSD = PREFIXES["xsd"]


def to_python(term):
    """pyoxigraph term -> Python value (IRI -> str, typed literal -> int/float/bool/date/datetime/str)."""
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.Literal):
        dt = term.datatype.value if term.datatype is not None else ""
        v = term.value
        try:
            if dt in (_XSD + "integer", _XSD + "int", _XSD + "long", _XSD + "nonNegativeInteger"):
                return int(v)
            if dt in (_XSD + "decimal", _XSD + "double", _XSD + "float"):
                return float(v)
            if dt == _XSD + "boolean":
                return v in ("true", "1")
            if dt == _XSD + "date":
                return date.fromisoformat(v)
            if dt == _XSD + "dateTime":
                return datetime.fromisoformat(v.replace("Z", "+00:00"))
        except ValueError:
            return v
        return v
    return term.value


# ---------------------------------------------------------------- the KB
class KnowledgeBase:
    """An Oxigraph-backed KB. `KnowledgeBase.open(data_dir)` on disk, `.in_memory()` for tests;
    `.open_server()` (or `open()` with PLANKB_STORE=sparql) on a SPARQL 1.1 server (kb.backends)."""

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
        import pyoxigraph as ox

        return cls(ox.Store(), base)

    @classmethod
    def open(cls, data_dir: str | os.PathLike[str] | None = None, base: str | None = None) -> "KnowledgeBase":
        """Open (or create) the on-disk store under `data_dir` (default: settings)."""
        import pyoxigraph as ox

        from plankb.kb.settings import get_settings

        settings = get_settings(data_dir, base)
        if settings.store == "sparql":  # PLANKB_STORE=sparql: the data lives on a SPARQL server
            return cls.open_server(base=settings.base_iri)
        try:
            settings.store_dir.mkdir(parents=True, exist_ok=True)
            store = ox.Store(str(settings.store_dir))
        except OSError as e:
            from plankb.kb.store.inuse import in_use_error, is_lock_error

            if is_lock_error(e):  # one writer per data directory: name the holder (a server?)
                raise in_use_error(settings.data_dir, settings.store_dir) from e
            raise StoreError(f"{settings.store_dir}: cannot open the store ({e})") from e
        return cls(store, settings.base_iri, settings.store_dir)

    @classmethod
    def open_read_only(cls, data_dir: str | os.PathLike[str] | None = None, base: str | None = None) -> "KnowledgeBase":
        import pyoxigraph as ox

        from plankb.kb.settings import get_settings

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
        """A KB on a SPARQL 1.1 server (kb.backends.SparqlServerBackend). `server`: a
        kb.settings.SparqlServerSettings, default the PLANKB_SPARQL_* variables."""
        from plankb.kb.store.backends import open_server
        from plankb.kb.settings import base_iri

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
        """The store as a kb.backends.Backend (query, update, replace_graph, drop_graph, triple_count)."""
        from plankb.kb.store.backends import as_backend

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
        nt = _ontology_ntriples(self.base)
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

    def external_update(self) -> None:
        """Called after a SPARQL Update not made by plankb (the endpoint's admin updates): the
        links graph is marked incomplete, so the next ingest recomputes it whole; `plankb link`
        also re-reads the documents' triples if the update changed what they cite."""
        from plankb.kb.link import clear_marker_update

        self.mark_changed()
        try:
            self.store.update(clear_marker_update(self.iris))
        except (OSError, RuntimeError, ValueError):  # a read-only handle: nothing was written here
            pass

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
        return len(list(self.store.quads_for_pattern(None, None, None, _nn(g))))

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
        import pyoxigraph as ox

        path = ONTOLOGY_DIR / "queries" / f"{name}.rq"
        subs = {ox.Variable(k): (ox.NamedNode(v) if isinstance(v, str) and v.startswith(("http://", "https://"))
                                  else ox.Literal(v)) for k, v in bindings.items()}
        return self.select(path.read_text(encoding="utf-8"), substitutions=subs) if subs else \
            self.select(path.read_text(encoding="utf-8"))

    def graph(self):
        """The networkx projection (kb.query.graph.to_networkx), cached until the next write."""
        from plankb.kb.query.graph import to_networkx  # kb.query sits above the store

        return self.cached("networkx", to_networkx)

    def validate(self) -> list[str]:
        """SHACL over the whole KB (all graphs merged, each triple once)."""
        import pyoxigraph as ox

        triples = {ox.Triple(q.subject, q.predicate, q.object) for q in self.store}
        return shacl_validate(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8"), self.base)

    # ------------------------------------------------------------ writes
    def _graphs_with(self, sha256: str | None = None, source_path: str | None = None) -> dict[str, str]:
        """{graph IRI: plan id} of documents derived from a file with this sha256 or path."""
        from plankb.kb.rdf import lit

        cond = f"?src pk:sha256 {lit(sha256)} ." if sha256 else f"?src pk:sourcePath {lit(source_path or '')} ."
        rows = self.select(f"""SELECT DISTINCT ?g ?id WHERE {{ GRAPH ?g {{
            ?plan a pk:Plan ; dcterms:identifier ?id ; prov:wasDerivedFrom ?src . {cond} }} }}""",
                           use_default_graph_as_union=False)
        return {r["g"]: r["id"] for r in rows}

    def ingest_record(self, record: PlanRecord, *, link: bool = True, validate: bool = True,
                      generated_at: datetime | None = None) -> IngestOutcome:
        """Write one document's graph atomically; idempotent on the file's sha256.

        Same sha256 already in the KB -> 'unchanged', nothing written. Same plan id (or same
        source path) with another sha256 -> its graph is replaced. With `link`, the links graph
        is recomputed in the same transaction. Any exception leaves the store as it was.
        """
        from plankb.kb import link as linking
        from plankb.kb.rdf import build

        outcome = IngestOutcome(path=record.source, status="unchanged", plan_id=record.id,
                                graph=self.iris.graph(record.id))
        if self._graphs_with(sha256=record.sha256):
            return outcome
        doc = build(record, self.base, generated_at)
        outcome.warnings += [f"{w.code}: {w.message}" for w in record.warnings]
        outcome.warnings += [f"{w.code}: {w.message}" for w in doc.warnings]
        if validate:
            outcome.warnings += shacl_validate(doc.ntriples(), self.base)

        replaced = set(self._graphs_with(source_path=record.source))
        existing = self.store.contains_named_graph(_nn(doc.graph))
        drop = sorted(replaced | ({doc.graph} if existing else set()))
        frag = linking.fragment_of(doc.nquads(), doc.graph)
        ops = [linking.clear_marker_update(self.iris)]  # set again by the links update (or left clear)
        ops += [f"DROP SILENT GRAPH <{g}>" for g in drop]
        ops.append(doc.insert_data())
        ops.append("INSERT DATA {{ GRAPH <{}> {{\n{} {} {} .\n}} }}".format(doc.graph, *linking.facts_quad(frag)))
        realign: set[str] | None = None
        gone: list[str] = []
        if link:
            update, warnings, realign, gone = self._relink(drop, frag)
            ops.append(update)
            outcome.warnings += warnings
        # else: the links graph no longer covers every document (marker cleared above): the next
        # linking recomputes it whole
        self.write(" ;\n".join(op for op in ops if op))
        if link:
            outcome.warnings += linking.refresh_alignments(self, realign, gone)
        outcome.status = "replaced" if drop else "added"
        outcome.tasks, outcome.units, outcome.indicators = len(record.tasks), len(record.units), len(record.indicators)
        keys = {c.key for c in [*record.legal_bases, *record.parent_plans, *record.citations] if c.key}
        outcome.citations = len(keys)
        outcome.triples = len(doc)
        return outcome

    def write(self, update: str) -> None:
        """Run a SPARQL Update as one transaction; a new KB version whatever the outcome."""
        try:
            self.store.update(update)
        except OSError as e:
            raise StoreError(f"{self.path or 'in-memory store'}: write failed ({e})") from e
        finally:
            self.mark_changed()

    def _relink(self, drop: list[str], frag=None) -> tuple[str, list[str], set[str] | None, list[str]]:
        """The links update for dropping the document graphs `drop` and adding `frag` (a
        kb.link.Fragment): (update, warnings, plans to realign or None for all, ids of plans gone).
        A delta when the stored links graph covers every document (kb.link.relink; its cost follows
        the change), else a full recomputation."""
        from plankb.kb import link as linking

        old = linking.collect(self.store, {self.iris.links_graph, self.iris.ontology_graph})
        new = old.copy()
        added = set(frag.plans) if frag is not None else set()
        changed, touched, gone = set(added), set(), []
        for g in drop:
            if g in new.fragments:
                changed |= set(new.fragments[g].plans)
                gone += [p.id for p in new.fragments[g].plans.values() if p.iri not in added]
            touched |= new.remove(g)
        if frag is not None:
            touched |= new.add(frag)
        if linking.is_complete(self.store, self.iris):
            delta = linking.relink(old, new, changed, touched, self.iris)
            # callers clear the marker before their first operation and this sets it again last:
            # one transaction on Oxigraph; on a SPARQL server (atomic per graph) a write that fails
            # half-way leaves the links marked incomplete, so the next write recomputes them whole
            # instead of applying a delta to a stale links graph
            update = " ;\n".join(op for op in (delta.update(self.iris), linking.set_marker_update(self.iris)) if op)
            return update, delta.warnings, delta.realign, gone
        rep = linking.resolve(new, self.iris)
        return linking.replace_links_update(rep, self.iris), rep.warnings, None, gone

    def remove_plan(self, plan_id: str) -> bool:
        """Drop a document's graph (and update the links and alignments). True if it was there."""
        from plankb.kb import link as linking

        g = self.iris.graph(plan_id)
        if not self.store.contains_named_graph(_nn(g)):
            return False
        update, _, realign, gone = self._relink([g])
        self.write(" ;\n".join(op for op in (linking.clear_marker_update(self.iris), f"DROP SILENT GRAPH <{g}>", update)
                                 if op))
        linking.refresh_alignments(self, realign, gone or [plan_id])
        return True

    def link(self):
        """Recompute the links graph (kb.link.link_plans)."""
        from plankb.kb.link import link_plans

        return link_plans(self)

    def ingest_paths(self, paths: Iterable[str | os.PathLike[str]], progress: bool = True,
                     validate: bool | ValidateMode = True, *, workers: int = 1,
                     sample_rate: float = DEFAULT_SAMPLE_RATE) -> IngestSummary:
        """Extract and ingest files and folders (recursively). One bad file does not stop the rest.

        `validate`: True or 'all' checks every document with SHACL, False or 'none' none, 'sample'
        a deterministic sample (`sample_rate` of the documents, chosen by sha256, at least one).
        `workers` > 1 takes the bulk path (`_ingest_parallel`): documents are read, extracted,
        turned into RDF and (if sampled) validated in a pool of worker processes, and loaded in
        batches, each batch one transaction (so each document is still written entirely or not at
        all); re-ingesting a changed file still replaces its graph atomically, unchanged files
        (same sha256) are skipped, and the links are computed once at the end, as here.
        """
        t0 = time.perf_counter()
        summary = IngestSummary()
        files, missing = expand_paths(paths)
        for m in missing:
            summary.outcomes.append(IngestOutcome(path=m, status="failed", error=f"{m}: no such file or folder"))
        mode = _validate_mode(validate)
        if workers > 1 and files:
            self._ingest_parallel(files, mode, workers, sample_rate, progress, summary)
            return self._finish_ingest(summary, t0)

        def one(f: Path) -> IngestOutcome:
            try:
                from plankb.ingest.extract.document import extract_document

                try:
                    known = self._graphs_with(sha256=file_sha256(f))
                except OSError as e:
                    raise InputError(str(f), f"cannot read the file ({e.strerror or e})") from e
                if known:  # same bytes already in the KB: skip extraction
                    g, plan_id = sorted(known.items())[0]
                    return IngestOutcome(path=str(f), status="unchanged", plan_id=plan_id, graph=g)
                record = extract_document(f)
                check = mode == "all" or mode == "sample" and _sampled(record.sha256, sample_rate, summary.validated == 0)
                summary.validated += check
                return self.ingest_record(record, link=False, validate=check)
            except InputError as e:
                return IngestOutcome(path=str(f), status="failed", error=str(e))
            except StoreError:
                raise
            except Exception as e:  # an extractor bug on one file must not stop the batch
                return IngestOutcome(path=str(f), status="failed", error=f"{f}: {type(e).__name__}: {e}")

        if progress and files:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            with Progress(TextColumn("[bold]ingest"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                          TextColumn("{task.description}"), transient=True) as bar:
                job = bar.add_task("", total=len(files))
                for f in files:
                    bar.update(job, description=f.name)
                    summary.outcomes.append(one(f))
                    bar.advance(job)
        else:
            for f in files:
                summary.outcomes.append(one(f))
        summary.phases["extract_load"] = time.perf_counter() - t0
        return self._finish_ingest(summary, t0)

    def _finish_ingest(self, summary: IngestSummary, t0: float) -> IngestSummary:
        """After the documents: link once (links graph and alignments), then the summary's totals."""
        t1 = time.perf_counter()
        if summary.added or summary.replaced:
            from plankb.kb.link import link_plans

            try:
                rep = link_plans(self)
                summary.link_warnings = rep.warnings
            except StoreError:
                raise
            except Exception as e:  # the documents are in; only the derived links graph is stale
                summary.link_warnings = [f"links graph not recomputed: {type(e).__name__}: {e}"]
        t2 = time.perf_counter()
        summary.phases["link"] = t2 - t1
        summary.missing_sources = [r["key"] for r in self.missing_sources()]
        summary.triple_count = self.triple_count()
        summary.phases["finish"] = time.perf_counter() - t2
        summary.seconds = time.perf_counter() - t0
        return summary

    # ------------------------------------------------------------ bulk path
    def _source_index(self) -> tuple[dict[str, tuple[str, str]], dict[str, set[str]], set[str]]:
        """One pass over what is stored: sha256 -> (graph, plan id), source path -> graphs, graphs."""
        rows = self.select("""SELECT ?g ?id ?sha ?path WHERE { GRAPH ?g {
            ?plan a pk:Plan ; dcterms:identifier ?id ; prov:wasDerivedFrom ?src .
            ?src pk:sha256 ?sha ; pk:sourcePath ?path } }""", use_default_graph_as_union=False)
        by_sha: dict[str, tuple[str, str]] = {}
        by_path: dict[str, set[str]] = {}
        for r in sorted(rows, key=lambda r: r["g"]):
            by_sha.setdefault(r["sha"], (r["g"], r["id"]))
            by_path.setdefault(r["path"], set()).add(r["g"])
        return by_sha, by_path, {r["g"] for r in rows}

    def _ingest_parallel(self, files: list[Path], mode: str, workers: int, sample_rate: float, progress: bool,
                         summary: IngestSummary) -> None:
        """The bulk path of `ingest_paths` (see there): a process pool prepares, the caller loads."""
        import multiprocessing as mp
        from collections import deque
        from concurrent.futures import ProcessPoolExecutor
        from datetime import timezone

        import pyoxigraph as ox

        t0 = time.perf_counter()
        by_sha, by_path, graphs = self._source_index()
        generated_at = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
        jobs: list[tuple] = []
        slots: list[IngestOutcome | None] = []  # outcomes in input order; None = filled by a job
        seen: dict[str, str] = {}
        for f in files:
            try:
                sha = file_sha256(f)
            except OSError as e:
                slots.append(IngestOutcome(path=str(f), status="failed",
                                           error=str(InputError(str(f), f"cannot read the file ({e.strerror or e})"))))
                continue
            if sha in by_sha:  # same bytes already in the KB: skip extraction
                g, plan_id = by_sha[sha]
                slots.append(IngestOutcome(path=str(f), status="unchanged", plan_id=plan_id, graph=g))
                continue
            if sha in seen:  # the same bytes twice in this batch: the first copy is the document
                slots.append(IngestOutcome(path=str(f), status="unchanged", error=None,
                                           warnings=[f"same content as {seen[sha]}"]))
                continue
            seen[sha] = str(f)
            check = mode == "all" or mode == "sample" and _sampled(sha, sample_rate, not jobs)
            summary.validated += check
            jobs.append((str(f), self.base, check, generated_at))
            slots.append(None)

        if jobs:  # documents will change before the links do: the next linking recomputes them all
            from plankb.kb.link import clear_marker_update

            self.write(clear_marker_update(self.iris))
        batch: list[str] = []
        pending: list[IngestOutcome] = []
        written: set[str] = set()
        size = unflushed = 0

        def flush() -> None:
            nonlocal size, unflushed
            if not batch:
                return
            try:
                self.store.load("".join(batch), format=ox.RdfFormat.N_QUADS)  # one transaction
                unflushed += size
                if self.path is not None and unflushed > BULK_FLUSH_BYTES:
                    self.store.flush()  # memory tables to disk: bounded memory
                    unflushed = 0
            except OSError as e:
                raise StoreError(f"{self.path or 'in-memory store'}: write failed ({e})") from e
            finally:
                self.mark_changed()
            batch.clear()
            pending.clear()
            size = 0

        results: list[IngestOutcome] = []
        ctx = mp.get_context("spawn")  # never fork a process that holds an open RocksDB store
        bar = job = None
        if progress and jobs:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            bar = Progress(TextColumn("[bold]ingest"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                           TextColumn(f"{workers} workers"), transient=True)
            bar.start()
            job = bar.add_task("", total=len(jobs))
        try:
            with ProcessPoolExecutor(max_workers=min(workers, max(1, len(jobs))), mp_context=ctx) if jobs \
                    else _NoPool() as pool:
                # a bounded window of jobs in flight: prepared documents wait in memory only until
                # the loader takes them (pool.map would queue every result of a slow consumer)
                todo, window = iter(jobs), deque()

                def submit() -> None:
                    for j in todo:
                        window.append(pool.submit(_prepare_document, j))
                        if len(window) >= BULK_WINDOW_PER_WORKER * workers:
                            return

                submit()
                while window:
                    res = window.popleft().result()
                    submit()
                    out = res["outcome"]
                    if res.get("nquads") is not None:
                        g = out.graph
                        drop = sorted(by_path.get(out.path, set()) | ({g} if g in graphs or g in written else set()))
                        if drop:  # a changed file or a plan id seen before: replace its graph atomically
                            flush()
                            body = res["nquads"].replace(f" <{g}> .\n", " .\n")
                            ops = [f"DROP SILENT GRAPH <{x}>" for x in drop]
                            ops.append(f"INSERT DATA {{ GRAPH <{g}> {{\n{body}}} }}")
                            self.write(" ;\n".join(ops))
                            out.status = "replaced"
                        else:
                            batch.append(res["nquads"])
                            pending.append(out)
                            size += len(res["nquads"])
                            if size > BULK_BATCH_BYTES or len(batch) >= BULK_BATCH_DOCS:
                                flush()
                        written.add(g)
                    results.append(out)
                    if bar is not None:
                        bar.advance(job)
            flush()
        finally:
            if bar is not None:
                bar.stop()
        it = iter(results)
        summary.outcomes += [s if s is not None else next(it) for s in slots]
        summary.phases["extract_load"] = time.perf_counter() - t0


def _validate_mode(validate: bool | str) -> str:
    if validate is True or validate == "all":
        return "all"
    if validate is False or validate == "none":
        return "none"
    if validate == "sample":
        return "sample"
    raise ValueError(f"validate must be True, False, 'all', 'sample' or 'none', not {validate!r}")


def _sampled(sha256: str, rate: float, first: bool = False) -> bool:
    """Deterministic sample by content: the same file is always in (or out of) the sample."""
    if first or rate >= 1:
        return True
    return rate > 0 and int(sha256[:8], 16) < rate * 0x100000000


class _NoPool:
    """Stands in for the process pool when there is nothing to prepare (no process is started)."""

    def __enter__(self) -> "_NoPool":
        return self

    def __exit__(self, *exc) -> None:
        return None


def _prepare_document(job: tuple) -> dict:
    """Bulk-path worker (a separate process): read, extract, build RDF, SHACL if asked.

    Returns {'outcome': IngestOutcome, 'nquads': str | None}; never raises for bad input."""
    path, base, check, generated_at = job
    try:
        from plankb.ingest.extract.document import extract_document
        from plankb.kb.link import facts_quad, fragment_of
        from plankb.kb.rdf import build

        record = extract_document(path)
        doc = build(record, base, datetime.fromisoformat(generated_at))
        nquads = doc.nquads()
        s, p, o = facts_quad(fragment_of(nquads, doc.graph))
        nquads += f"{s} {p} {o} <{doc.graph}> .\n"
        out = IngestOutcome(path=record.source, status="added", plan_id=record.id, graph=doc.graph)
        out.warnings += [f"{w.code}: {w.message}" for w in record.warnings]
        out.warnings += [f"{w.code}: {w.message}" for w in doc.warnings]
        if check:
            out.warnings += shacl_validate(doc.ntriples(), base)
        out.tasks, out.units, out.indicators = len(record.tasks), len(record.units), len(record.indicators)
        out.citations = len({c.key for c in [*record.legal_bases, *record.parent_plans, *record.citations] if c.key})
        out.triples = len(doc)
        return {"outcome": out, "nquads": nquads}
    except InputError as e:
        return {"outcome": IngestOutcome(path=path, status="failed", error=str(e)), "nquads": None}
    except Exception as e:  # an extractor bug on one file must not stop the batch
        return {"outcome": IngestOutcome(path=path, status="failed", error=f"{path}: {type(e).__name__}: {e}"),
                "nquads": None}


def file_sha256(path: str | os.PathLike[str]) -> str:
    """sha256 of a file, read in chunks (memory stays flat however large the file is)."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def expand_paths(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[Path], list[str]]:
    """Files to ingest (folders walked recursively, supported extensions, sorted) and missing paths."""
    files: list[Path] = []
    missing: list[str] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            files += sorted(f for f in path.rglob("*") if f.is_file() and f.suffix.lower() in SUPPORTED_EXTENSIONS
                            and not any(part.startswith(".") for part in f.relative_to(path).parts))
        elif path.is_file():
            files.append(path)
        else:
            missing.append(str(p))
    seen: set[Path] = set()
    unique = []
    for f in files:
        r = f.resolve()
        if r not in seen:
            seen.add(r)
            unique.append(f)
    return unique, missing


def _nn(iri: str):
    import pyoxigraph as ox

    return ox.NamedNode(iri)


def _fmt(name: str):
    import pyoxigraph as ox

    return getattr(ox.RdfFormat, name)
