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
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Literal

from kb.errors import InputError, StoreError
from kb.ids import IRIs, PREFIXES
from kb.models import PlanRecord

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"
ONTOLOGY_FILE = ONTOLOGY_DIR / "plankb.ttl"
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"
DEFAULT_BASE = "http://plankb.org/id/"
SUPPORTED_EXTENSIONS = (".txt", ".md", ".markdown", ".html", ".htm", ".docx")

Status = Literal["added", "replaced", "unchanged", "failed"]


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
            "triples": self.triple_count, "seconds": round(self.seconds, 3),
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
    """An Oxigraph-backed KB. `KnowledgeBase.open(data_dir)` on disk, `.in_memory()` for tests."""

    def __init__(self, store, base: str | None = None, path: Path | None = None):
        self.store = store
        self.iris = IRIs(base)
        self.base = self.iris.base
        self.path = path
        self._version = 0
        self._nx = None
        self._nx_version = -1
        self._ensure_ontology()

    # ------------------------------------------------------------ construction
    @classmethod
    def in_memory(cls, base: str | None = None) -> "KnowledgeBase":
        import pyoxigraph as ox

        return cls(ox.Store(), base)

    @classmethod
    def open(cls, data_dir: str | os.PathLike[str] | None = None, base: str | None = None) -> "KnowledgeBase":
        """Open (or create) the on-disk store under `data_dir` (default: settings)."""
        import pyoxigraph as ox

        from kb.settings import get_settings

        settings = get_settings(data_dir, base)
        try:
            settings.store_dir.mkdir(parents=True, exist_ok=True)
            store = ox.Store(str(settings.store_dir))
        except OSError as e:
            raise StoreError(f"{settings.store_dir}: cannot open the store ({e})") from e
        return cls(store, settings.base_iri, settings.store_dir)

    @classmethod
    def open_read_only(cls, data_dir: str | os.PathLike[str] | None = None, base: str | None = None) -> "KnowledgeBase":
        import pyoxigraph as ox

        from kb.settings import get_settings

        settings = get_settings(data_dir, base)
        try:
            store = ox.Store.read_only(str(settings.store_dir))
        except OSError as e:
            raise StoreError(f"{settings.store_dir}: cannot open the store read-only ({e})") from e
        kb = cls.__new__(cls)
        kb.store, kb.iris, kb.base, kb.path = store, IRIs(settings.base_iri), settings.base_iri, settings.store_dir
        kb._version, kb._nx, kb._nx_version = 0, None, -1
        return kb

    def close(self) -> None:
        """Flush and drop the store (an on-disk store's lock is released once nothing else holds it)."""
        if self.store is None:
            return
        try:
            self.store.flush()
        except (OSError, AttributeError):
            pass
        if self.path is not None:
            self.store = None
            self._nx = None

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

    def _changed(self) -> None:
        self._version += 1
        self._nx = None

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
        """The networkx projection (kb.graph.to_networkx), cached until the next ingest."""
        if self._nx is None or self._nx_version != self._version:
            from kb.graph import to_networkx

            self._nx = to_networkx(self)
            self._nx_version = self._version
        return self._nx

    def validate(self) -> list[str]:
        """SHACL over the whole KB (all graphs merged, each triple once)."""
        import pyoxigraph as ox

        triples = {ox.Triple(q.subject, q.predicate, q.object) for q in self.store}
        return shacl_validate(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8"), self.base)

    # ------------------------------------------------------------ writes
    def _graphs_with(self, sha256: str | None = None, source_path: str | None = None) -> dict[str, str]:
        """{graph IRI: plan id} of documents derived from a file with this sha256 or path."""
        from kb.rdf import lit

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
        from kb import link as linking
        from kb.rdf import build

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
        ops = [f"DROP SILENT GRAPH <{g}>" for g in drop]
        ops.append(doc.insert_data())
        if link:
            import pyoxigraph as ox

            scratch = ox.Store()
            scratch.load(doc.nquads(), format=ox.RdfFormat.N_QUADS)
            extra = linking.collect(scratch)
            rep = linking.compute(self.store, self.iris, exclude_graphs=drop, extra=extra)
            ops.append(linking.replace_links_update(rep, self.iris))
            outcome.warnings += rep.warnings
        self._write(" ;\n".join(ops))
        outcome.status = "replaced" if drop else "added"
        outcome.tasks, outcome.units, outcome.indicators = len(record.tasks), len(record.units), len(record.indicators)
        keys = {c.key for c in [*record.legal_bases, *record.parent_plans, *record.citations] if c.key}
        outcome.citations = len(keys)
        outcome.triples = len(doc)
        return outcome

    def _write(self, update: str) -> None:
        try:
            self.store.update(update)
        except OSError as e:
            raise StoreError(f"{self.path or 'in-memory store'}: write failed ({e})") from e
        finally:
            self._changed()

    def remove_plan(self, plan_id: str) -> bool:
        """Drop a document's graph (and recompute links). True if it was there."""
        from kb import link as linking

        g = self.iris.graph(plan_id)
        if not self.store.contains_named_graph(_nn(g)):
            return False
        rep = linking.compute(self.store, self.iris, exclude_graphs=[g])
        self._write(f"DROP SILENT GRAPH <{g}> ;\n" + linking.replace_links_update(rep, self.iris))
        return True

    def link(self):
        """Recompute the links graph (kb.link.link_plans)."""
        from kb.link import link_plans

        return link_plans(self)

    def ingest_paths(self, paths: Iterable[str | os.PathLike[str]], progress: bool = True,
                     validate: bool = True) -> IngestSummary:
        """Extract and ingest files and folders (recursively). One bad file does not stop the rest."""
        t0 = time.perf_counter()
        summary = IngestSummary()
        files, missing = expand_paths(paths)
        for m in missing:
            summary.outcomes.append(IngestOutcome(path=m, status="failed", error=f"{m}: no such file or folder"))

        def one(f: Path) -> IngestOutcome:
            try:
                from ingest.pipeline import extract_document

                try:
                    known = self._graphs_with(sha256=hashlib.sha256(f.read_bytes()).hexdigest())
                except OSError as e:
                    raise InputError(str(f), f"cannot read the file ({e.strerror or e})") from e
                if known:  # same bytes already in the KB: skip extraction
                    g, plan_id = sorted(known.items())[0]
                    return IngestOutcome(path=str(f), status="unchanged", plan_id=plan_id, graph=g)
                record = extract_document(f)
                return self.ingest_record(record, link=False, validate=validate)
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
        if summary.added or summary.replaced:
            from kb.link import link_plans

            try:
                rep = link_plans(self)
                summary.link_warnings = rep.warnings
            except StoreError:
                raise
            except Exception as e:  # the documents are in; only the derived links graph is stale
                summary.link_warnings = [f"links graph not recomputed: {type(e).__name__}: {e}"]
        summary.missing_sources = [r["key"] for r in self.missing_sources()]
        summary.triple_count = self.triple_count()
        summary.seconds = time.perf_counter() - t0
        return summary


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
