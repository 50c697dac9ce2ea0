"""The bulk path of `ingest_paths` (workers > 1): `ingest_parallel`. A pool of worker processes
reads, extracts, builds RDF and (if sampled) validates; this process loads the N-Quads in batches,
each batch one transaction (each document is still written entirely or not at all)."""
from __future__ import annotations

import multiprocessing as mp
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

from plankb.ingest.extract.document import extract_document
from plankb.ingest.load.files import file_sha256
from plankb.ingest.load.outcome import IngestOutcome, IngestSummary
from plankb.kb import link as linking
from plankb.kb.errors import InputError, StoreError
from plankb.kb.rdf import build
from plankb.kb.store import KnowledgeBase, shacl_validate

BULK_BATCH_DOCS = 64  # bulk path: documents per load transaction ...
BULK_BATCH_BYTES = 8 * 1024 * 1024  # ... or N-Quads bytes, whichever comes first
BULK_WINDOW_PER_WORKER = 4  # documents in flight per worker process
# RocksDB keeps what is written in memory tables until they are flushed to disk: without a flush
# every so often the process grows by ~1 KB per quad loaded (3 GB for the country corpus).
BULK_FLUSH_BYTES = 48 * 1024 * 1024  # N-Quads loaded between two `Store.flush()` calls


def source_index(kb: KnowledgeBase) -> tuple[dict[str, tuple[str, str]], dict[str, set[str]], set[str]]:
    """One pass over what is stored: sha256 -> (graph, plan id), source path -> graphs, graphs."""
    rows = kb.select("""SELECT ?g ?id ?sha ?path WHERE { GRAPH ?g {
        ?plan a pk:Plan ; dcterms:identifier ?id ; prov:wasDerivedFrom ?src .
        ?src pk:sha256 ?sha ; pk:sourcePath ?path } }""", use_default_graph_as_union=False)
    by_sha: dict[str, tuple[str, str]] = {}
    by_path: dict[str, set[str]] = {}
    for r in sorted(rows, key=lambda r: r["g"]):
        by_sha.setdefault(r["sha"], (r["g"], r["id"]))
        by_path.setdefault(r["path"], set()).add(r["g"])
    return by_sha, by_path, {r["g"] for r in rows}


def ingest_parallel(kb: KnowledgeBase, files: list[Path], mode: str, workers: int, sample_rate: float, progress: bool,
                     summary: IngestSummary) -> None:
    """The bulk path of `ingest_paths` (see there): a process pool prepares, the caller loads."""
    t0 = time.perf_counter()
    by_sha, by_path, graphs = source_index(kb)
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
        check = mode == "all" or mode == "sample" and sampled(sha, sample_rate, not jobs)
        summary.validated += check
        jobs.append((str(f), kb.base, check, generated_at))
        slots.append(None)

    if jobs:  # documents will change before the links do: the next linking recomputes them all
        kb.write(linking.clear_marker_update(kb.iris))
    batch: list[str] = []
    pending: list[IngestOutcome] = []
    written: set[str] = set()
    size = unflushed = 0

    def flush() -> None:
        nonlocal size, unflushed
        if not batch:
            return
        try:
            kb.store.load("".join(batch), format=ox.RdfFormat.N_QUADS)  # one transaction
            unflushed += size
            if kb.path is not None and unflushed > BULK_FLUSH_BYTES:
                kb.store.flush()  # memory tables to disk: bounded memory
                unflushed = 0
        except OSError as e:
            raise StoreError(f"{kb.path or 'in-memory store'}: write failed ({e})") from e
        finally:
            kb.mark_changed()
        batch.clear()
        pending.clear()
        size = 0

    results: list[IngestOutcome] = []
    ctx = mp.get_context("spawn")  # never fork a process that holds an open RocksDB store
    bar = job = None
    if progress and jobs:
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
                        kb.write(" ;\n".join(ops))
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


def sampled(sha256: str, rate: float, first: bool = False) -> bool:
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
        record = extract_document(path)
        doc = build(record, base, datetime.fromisoformat(generated_at))
        nquads = doc.nquads()
        s, p, o = linking.facts_quad(linking.fragment_of(nquads, doc.graph))
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
