"""`plankb extract | ingest | sparql | export | stats | link`: documents in, the knowledge base out."""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Optional

import pyoxigraph as ox
import typer
from rich.console import Console
from rich.table import Table

from plankb.api.cli import common
from plankb.api.cli.common import DATA_DIR_OPTION, app, fail
from plankb.ingest.extract.document import extract_document
from plankb.ingest.load import ingest_paths
from plankb.kb.align import align_kb
from plankb.kb.errors import InputError, StoreError
from plankb.kb.export import FORMATS, export_bytes
from plankb.kb.ids import PREFIXES
from plankb.kb.link import rebuild


@app.command()
def extract(
    files: list[Path] = typer.Argument(..., help="Plan documents (.txt, .md, .html, .docx)"),
    format: str = typer.Option("json", "--format", "-f", help="json | summary"),
) -> None:
    """Extract structured records from plan documents and print them (JSON list, one object per file)."""
    records, failed = [], []
    for f in files:
        try:
            records.append(extract_document(f))
        except InputError as e:
            failed.append(str(e))
            typer.echo(f"error: {e}", err=True)
    if format == "json":
        out = [r.model_dump(mode="json", exclude={"sections"}) for r in records]
        sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
    else:
        for r in records:
            typer.echo(
                f"{r.source}: {r.level} {r.jurisdiction.name if r.jurisdiction else '?'} "
                f"{r.period.start if r.period else '?'}-{r.period.end if r.period else '?'} "
                f"citations={len(r.citations)} tasks={len(r.tasks)} units={len(r.units)} "
                f"indicators={len(r.indicators)} warnings={len(r.warnings)}"
            )
    if failed:
        raise typer.Exit(2)


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(..., help="Plan files or folders (searched recursively)"),
    data_dir: Optional[Path] = DATA_DIR_OPTION,
    validate: bool = typer.Option(True, "--validate/--no-validate", help="Check each document with SHACL"),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show a progress bar"),
    show_warnings: bool = typer.Option(False, "--warnings", help="List every warning"),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON"),
) -> None:
    """Extract plan documents and add them to the knowledge base (exit 2 if any file failed)."""
    kb = common.open_kb(data_dir, write=True)
    try:
        summary = ingest_paths(kb, paths, progress=progress and not as_json, validate=validate)
    except StoreError as e:
        fail(str(e))
    finally:
        kb.close()
    if as_json:
        sys.stdout.write(json.dumps(summary.as_dict() | {"warnings": summary.warnings}, ensure_ascii=False, indent=2) + "\n")
    else:
        console = Console()
        console.print(summary.table())
        if summary.missing_sources:
            console.print(f"missing sources (cited, not ingested): {len(summary.missing_sources)}")
        if show_warnings:
            for w in summary.warnings:
                console.print(f"[yellow]warning[/]: {w}", markup=True, highlight=False)
        elif summary.warnings:
            console.print(f"{len(summary.warnings)} warnings (--warnings to list them)")
    for err in summary.errors:
        typer.echo(f"error: {err}", err=True)
    if summary.failed:
        raise typer.Exit(2)


@app.command()
def sparql(
    query: Optional[str] = typer.Argument(None, help="SPARQL query text (or use --file)"),
    file: Optional[Path] = typer.Option(None, "--file", "-F", help="Read the query from a file (.rq)"),
    format: str = typer.Option("table", "--format", "-f", help="table | json | csv (CONSTRUCT: turtle)"),
    data_dir: Optional[Path] = DATA_DIR_OPTION,
) -> None:
    """Run a SPARQL query over all graphs of the knowledge base (plankb prefixes predeclared)."""
    if file is not None:
        try:
            query = file.read_text(encoding="utf-8")
        except OSError as e:
            fail(f"{file}: {e.strerror or e}")
    if not query:
        fail("give a query or --file FILE")
    if format not in ("table", "json", "csv"):
        fail(f"unknown format {format!r}: choose table, json or csv")
    kb = common.open_kb(data_dir)
    try:
        _print_query(kb, query, format)
    finally:
        kb.close()


def _print_query(kb, query: str, format: str) -> None:
    try:
        result = kb.query(query)
    except SyntaxError as e:
        fail(f"SPARQL syntax: {e}")
    if isinstance(result, ox.QueryBoolean):
        if format == "json":
            sys.stdout.write(json.dumps({"head": {}, "boolean": bool(result)}) + "\n")
        else:
            typer.echo("true" if result else "false")
        return
    if isinstance(result, ox.QueryTriples):
        fmt = ox.RdfFormat.N_TRIPLES if format == "csv" else ox.RdfFormat.TURTLE
        sys.stdout.write(ox.serialize(result, format=fmt, prefixes=PREFIXES if fmt == ox.RdfFormat.TURTLE else None).decode("utf-8"))
        return
    if format == "json":
        sys.stdout.write(result.serialize(format=ox.QueryResultsFormat.JSON).decode("utf-8") + "\n")
    elif format == "csv":
        sys.stdout.write(result.serialize(format=ox.QueryResultsFormat.CSV).decode("utf-8"))
    else:
        names = [v.value for v in result.variables]
        table = Table(*names)
        n = 0
        for sol in result:
            table.add_row(*["" if sol[v] is None else sol[v].value for v in names])
            n += 1
        Console().print(table)
        typer.echo(f"{n} rows", err=True)


@app.command()
def export(
    format: str = typer.Option("trig", "--format", "-f", help="trig | nquads | turtle | jsonld | graphml | gexf | csv"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to FILE (default: standard output)"),
    data_dir: Optional[Path] = DATA_DIR_OPTION,
) -> None:
    """Export the knowledge base (RDF with named graphs, graphml/gexf graph, or a task CSV)."""
    if format not in FORMATS:
        fail(f"unknown format {format!r}: choose one of {', '.join(FORMATS)}")
    kb = common.open_kb(data_dir)
    try:
        data = export_bytes(kb, format)
    finally:
        kb.close()
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        try:
            output.write_bytes(data)
        except OSError as e:
            fail(f"{output}: {e.strerror or e}")
        typer.echo(f"wrote {output} ({len(data)} bytes)", err=True)


@app.command()
def stats(
    data_dir: Optional[Path] = DATA_DIR_OPTION,
    as_json: bool = typer.Option(False, "--json", help="Print as JSON"),
) -> None:
    """Counts of plans, tasks, units, legal documents and indicators; per-plan table; missing sources."""
    kb = common.open_kb(data_dir)
    try:
        counts, plans, missing = _stats(kb)
    finally:
        kb.close()
    if as_json:
        out = {"counts": counts, "plans": plans, "missing_sources": missing}
        sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    _print_stats(counts, plans, missing)


@app.command()
def link(
    data_dir: Optional[Path] = DATA_DIR_OPTION,
) -> None:
    """Recompute the links graph (cited documents -> plans, parent plans) and every alignment from
    the document graphs' triples: after SPARQL updates made by hand, or a write to a server that
    failed half-way."""
    kb = common.open_kb(data_dir, write=True)
    try:
        t0 = time.perf_counter()
        rep, refreshed = rebuild(kb)
        if refreshed:
            typer.echo(f"linking facts rewritten for {refreshed} documents", err=True)
        al = align_kb(kb, force=True)
        for w in rep.warnings + al.warnings:
            typer.echo(f"warning: {w}", err=True)
        typer.echo(f"links: {len(rep.links)} cited documents resolved, {len(rep.parent_plans)} parent-plan edges, "
                   f"{len(rep.missing)} missing sources; alignments: {len(al.aligned)} pairs "
                   f"({al.task_links} task links) in {time.perf_counter() - t0:.1f} s")
    finally:
        kb.close()


def _stats(kb):
    counts = kb.select("""SELECT
        (COUNT(DISTINCT ?plan) AS ?plans) (COUNT(DISTINCT ?task) AS ?tasks) (COUNT(DISTINCT ?unit) AS ?units)
        (COUNT(DISTINCT ?ind) AS ?indicators) (COUNT(DISTINCT ?legal) AS ?legal_documents) WHERE {
        { ?plan a pk:Plan } UNION { ?task a pk:Task } UNION { ?unit a org:OrganizationalUnit }
        UNION { ?ind a pk:Indicator } UNION { ?legal pk:citationKey ?k } }""")[0]
    plans = kb.plans()
    missing = kb.missing_sources()
    counts |= {"missing_sources": len(missing), "quads": kb.triple_count(), "data_dir": str(kb.path)}
    return counts, plans, missing


def _print_stats(counts, plans, missing) -> None:
    console = Console()
    t = Table("what", "count", title="plankb stats")
    for k, v in counts.items():
        t.add_row(k, str(v))
    console.print(t)
    if plans:
        pt = Table("plan", "level", "jurisdiction", "period", "tasks", title="plans")
        for p in plans:
            period = f"{p.get('start', '?')}-{p.get('end', '?')}"
            pt.add_row(p["id"], p["level"], p.get("jurisdiction", ""), period, str(p["tasks"]))
        console.print(pt)
    if missing:
        mt = Table("cited document", "title", "cited by", title="missing sources (cited, not ingested)")
        for m in missing:
            mt.add_row(m.get("idLocal") or m["key"], (m.get("title") or "")[:80], str(m["citedBy"]))
        console.print(mt)
