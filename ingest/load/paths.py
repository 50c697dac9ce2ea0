"""Load files and folders into the KB: `ingest_paths` (the loader that `plankb ingest`, the server
and the benchmarks use). It conducts: read → extract (plankb.ingest.extract) → RDF (kb.rdf) →
SHACL → store (kb.store), then link (kb.link) and align (kb.align) once at the end. One bad file
never stops the batch; workers > 1 takes the bulk path (plankb.ingest.load.bulk)."""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Iterable, Literal

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

from plankb.ingest.extract.document import extract_document
from plankb.ingest.load.bulk import ingest_parallel, sampled
from plankb.ingest.load.files import expand_paths, file_sha256
from plankb.ingest.load.outcome import IngestOutcome, IngestSummary
from plankb.ingest.load.record import ingest_record
from plankb.kb import link as linking
from plankb.kb.errors import InputError, StoreError
from plankb.kb.store import KnowledgeBase

ValidateMode = Literal["all", "sample", "none"]
DEFAULT_SAMPLE_RATE = 0.02  # validate='sample': about one document in fifty (and always the first)


def ingest_paths(kb: KnowledgeBase, paths: Iterable[str | os.PathLike[str]], progress: bool = True,
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
        ingest_parallel(kb, files, mode, workers, sample_rate, progress, summary)
        return _finish(kb, summary, t0)

    def one(f: Path) -> IngestOutcome:
        try:
            try:
                known = kb.graphs_with(sha256=file_sha256(f))
            except OSError as e:
                raise InputError(str(f), f"cannot read the file ({e.strerror or e})") from e
            if known:  # same bytes already in the KB: skip extraction
                g, plan_id = sorted(known.items())[0]
                return IngestOutcome(path=str(f), status="unchanged", plan_id=plan_id, graph=g)
            record = extract_document(f)
            check = mode == "all" or mode == "sample" and sampled(record.sha256, sample_rate, summary.validated == 0)
            summary.validated += check
            return ingest_record(kb, record, link=False, validate=check)
        except InputError as e:
            return IngestOutcome(path=str(f), status="failed", error=str(e))
        except StoreError:
            raise
        except Exception as e:  # an extractor bug on one file must not stop the batch
            return IngestOutcome(path=str(f), status="failed", error=f"{f}: {type(e).__name__}: {e}")

    if progress and files:
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
    return _finish(kb, summary, t0)

def _finish(kb: KnowledgeBase, summary: IngestSummary, t0: float) -> IngestSummary:
    """After the documents: link once (links graph and alignments), then the summary's totals."""
    t1 = time.perf_counter()
    if summary.added or summary.replaced:
        try:
            rep = linking.link_plans(kb)
            summary.link_warnings = rep.warnings
        except StoreError:
            raise
        except Exception as e:  # the documents are in; only the derived links graph is stale
            summary.link_warnings = [f"links graph not recomputed: {type(e).__name__}: {e}"]
    t2 = time.perf_counter()
    summary.phases["link"] = t2 - t1
    summary.missing_sources = [r["key"] for r in kb.missing_sources()]
    summary.triple_count = kb.triple_count()
    summary.phases["finish"] = time.perf_counter() - t2
    summary.seconds = time.perf_counter() - t0
    return summary


def _validate_mode(validate: bool | str) -> str:
    if validate is True or validate == "all":
        return "all"
    if validate is False or validate == "none":
        return "none"
    if validate == "sample":
        return "sample"
    raise ValueError(f"validate must be True, False, 'all', 'sample' or 'none', not {validate!r}")
