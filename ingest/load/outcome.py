"""What happened to each file of an ingest: `IngestOutcome` per document, `IngestSummary` per batch
(with its rich table for the command line)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from rich.table import Table

Status = Literal["added", "replaced", "unchanged", "failed"]


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


