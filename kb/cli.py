"""The `plankb` command line. Commands import their stages lazily so `plankb --help` stays fast.

Each command lives in its own function; input errors are printed as 'PATH: reason' with a
non-zero exit code and no traceback.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

app = typer.Typer(
    name="plankb",
    help="Knowledge base of Vietnamese administrative-reform (CCHC) plans.",
    no_args_is_help=False,
    add_completion=False,
)

SEEDS_DIR = Path(__file__).resolve().parent.parent / "examples" / "seeds"


def _fail(message: str, code: int = 1) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


@app.command()
def extract(
    files: list[Path] = typer.Argument(..., help="Plan documents (.txt, .md, .html, .docx)"),
    format: str = typer.Option("json", "--format", "-f", help="json | summary"),
) -> None:
    """Extract structured records from plan documents and print them (JSON list, one object per file)."""
    from ingest.pipeline import extract_document
    from kb.errors import InputError

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


# ---------------------------------------------------------------- knowledge base (kb.store)
DATA_DIR_OPTION = typer.Option(
    None, "--data-dir", envvar="PLANKB_DATA_DIR",
    help="Knowledge-base folder (default: env PLANKB_DATA_DIR, else the user data folder)",
)


def _open_kb(data_dir: Optional[Path]):
    from kb.errors import StoreError
    from kb.store import KnowledgeBase

    try:
        return KnowledgeBase.open(data_dir)
    except StoreError as e:
        _fail(str(e))


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
    from rich.console import Console

    from kb.errors import StoreError

    kb = _open_kb(data_dir)
    try:
        summary = kb.ingest_paths(paths, progress=progress and not as_json, validate=validate)
    except StoreError as e:
        _fail(str(e))
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
            _fail(f"{file}: {e.strerror or e}")
    if not query:
        _fail("give a query or --file FILE")
    if format not in ("table", "json", "csv"):
        _fail(f"unknown format {format!r}: choose table, json or csv")
    kb = _open_kb(data_dir)
    try:
        _print_query(kb, query, format)
    finally:
        kb.close()


def _print_query(kb, query: str, format: str) -> None:
    import pyoxigraph as ox

    try:
        result = kb.query(query)
    except SyntaxError as e:
        _fail(f"SPARQL syntax: {e}")
    if isinstance(result, ox.QueryBoolean):
        if format == "json":
            sys.stdout.write(json.dumps({"head": {}, "boolean": bool(result)}) + "\n")
        else:
            typer.echo("true" if result else "false")
        return
    if isinstance(result, ox.QueryTriples):
        fmt = ox.RdfFormat.N_TRIPLES if format == "csv" else ox.RdfFormat.TURTLE
        from kb.ids import PREFIXES

        sys.stdout.write(ox.serialize(result, format=fmt, prefixes=PREFIXES if fmt == ox.RdfFormat.TURTLE else None).decode("utf-8"))
        return
    if format == "json":
        sys.stdout.write(result.serialize(format=ox.QueryResultsFormat.JSON).decode("utf-8") + "\n")
    elif format == "csv":
        sys.stdout.write(result.serialize(format=ox.QueryResultsFormat.CSV).decode("utf-8"))
    else:
        from rich.console import Console
        from rich.table import Table

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
    from kb.export import FORMATS, export_bytes

    if format not in FORMATS:
        _fail(f"unknown format {format!r}: choose one of {', '.join(FORMATS)}")
    kb = _open_kb(data_dir)
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
            _fail(f"{output}: {e.strerror or e}")
        typer.echo(f"wrote {output} ({len(data)} bytes)", err=True)


@app.command()
def stats(
    data_dir: Optional[Path] = DATA_DIR_OPTION,
    as_json: bool = typer.Option(False, "--json", help="Print as JSON"),
) -> None:
    """Counts of plans, tasks, units, legal documents and indicators; per-plan table; missing sources."""
    kb = _open_kb(data_dir)
    try:
        counts, plans, missing = _stats(kb)
    finally:
        kb.close()
    if as_json:
        out = {"counts": counts, "plans": plans, "missing_sources": missing}
        sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    _print_stats(counts, plans, missing)


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
    from rich.console import Console
    from rich.table import Table

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


@app.command()
def serve(
    paths: list[Path] = typer.Argument(None, help="Plan files or folders to ingest before serving"),
    data_dir: Optional[Path] = DATA_DIR_OPTION,
    host: str = typer.Option("127.0.0.1", "--host", envvar="PLANKB_HOST", help="Bind address (loopback by default)"),
    port: int = typer.Option(8000, "--port", envvar="PLANKB_PORT"),
    seeds: bool = typer.Option(True, "--seeds/--no-seeds", help="Ingest the bundled seed plans into an empty KB"),
) -> None:
    """Serve the knowledge base: web UI, REST API and SPARQL endpoint (the default command)."""
    import uvicorn

    from api.app import Settings, create_app
    from kb.errors import StoreError

    kb = _open_kb(data_dir)
    try:
        todo = list(paths or [])
        if not todo and seeds and not kb.plans():
            todo = [SEEDS_DIR]
        if todo:
            summary = kb.ingest_paths(todo, progress=True)
            for err in summary.errors:
                typer.echo(f"error: {err}", err=True)
            typer.echo(f"ingested: {summary.added} added, {summary.replaced} replaced, "
                       f"{summary.unchanged} unchanged, {summary.failed} failed", err=True)
    except StoreError as e:
        kb.close()
        _fail(str(e))
    settings = Settings.from_env(data_dir=kb.data_dir if hasattr(kb, "data_dir") else data_dir, host=host, port=port)
    typer.echo(f"plankb: http://{host}:{port}/  (SPARQL: http://{host}:{port}/sparql)", err=True)
    try:
        uvicorn.run(create_app(settings, kb), host=host, port=port, log_level="warning")
    finally:
        kb.close()


@app.callback(invoke_without_command=True)
def _default(ctx: typer.Context) -> None:
    """Knowledge base of Vietnamese administrative-reform (CCHC) plans. With no command: serve."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(serve, paths=[], data_dir=None, host="127.0.0.1", port=8000, seeds=True)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
