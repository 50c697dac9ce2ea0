"""What the router hands an engine and gets back: `Job` (one query evaluation), `Outcome`
(the serialised answer) and `QueryFailed`; `job_digest` names a job for the cache and the
engines' queue policy."""
from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field

from plankb.api.sparql.analysis import DEFAULT_PREFIXES


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


def job_digest(job: Job) -> str:
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
