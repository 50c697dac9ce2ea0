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
    from plankb.ingest.extract.document import extract_document
    from plankb.kb.errors import InputError

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


def _open_kb(data_dir: Optional[Path], write: bool = False):
    """The KB for a command. A command that only reads (`write=False`) still works while a server
    holds the store (one writer per folder): it reads a read-only snapshot instead."""
    from plankb.kb.errors import StoreError, StoreInUse
    from plankb.kb.store import KnowledgeBase

    try:
        return KnowledgeBase.open(data_dir)
    except StoreInUse as e:
        if write:
            _fail(str(e))
        try:
            kb = KnowledgeBase.open_read_only(data_dir)
        except StoreError:
            _fail(str(e))
        typer.echo("note: the knowledge base is in use by another process; reading a snapshot of it", err=True)
        return kb
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

    from plankb.kb.errors import StoreError

    kb = _open_kb(data_dir, write=True)
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
        from plankb.kb.ids import PREFIXES

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
    from plankb.kb.store.export import FORMATS, export_bytes

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


@app.command()
def link(
    data_dir: Optional[Path] = DATA_DIR_OPTION,
) -> None:
    """Recompute the links graph (cited documents -> plans, parent plans) and every alignment from
    the document graphs' triples: after SPARQL updates made by hand, or a write to a server that
    failed half-way."""
    import time

    from plankb.kb.align import align_kb
    from plankb.kb.link import rebuild

    kb = _open_kb(data_dir, write=True)
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


# ---------------------------------------------------------------- questions (kb.trace, kb.gaps)
FORMAT_OPTION = typer.Option("text", "--format", "-f", help="text | json")


def _dump(obj) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")


def _check_format(format: str) -> None:
    if format not in ("text", "json"):
        _fail(f"unknown format {format!r}: choose text or json")


@app.command()
def trace(
    task: Optional[str] = typer.Argument(None, help="Task id, as `plankb tasks` lists them"),
    all_tasks: bool = typer.Option(False, "--all", help="Trace every task (with --format json: one JSON list)"),
    format: str = FORMAT_OPTION,
    data_dir: Optional[Path] = DATA_DIR_OPTION,
) -> None:
    """Trace a task up to national sources: parent plan's tasks, parent plans, legal bases, and the gaps."""
    from plankb.kb.query.trace import render_trace, trace_all, trace_task

    _check_format(format)
    if not task and not all_tasks:
        _fail("give a TASK id or --all")
    kb = _open_kb(data_dir)
    try:
        if all_tasks:
            traces = trace_all(kb)
        else:
            try:
                traces = [trace_task(kb, task)]
            except KeyError:
                _fail(f"unknown task {task!r} (`plankb tasks` lists the ids)")
    finally:
        kb.close()
    if format == "json":
        data = [t.model_dump(mode="json") for t in traces]
        _dump(data if all_tasks else data[0])
    else:
        typer.echo("\n\n".join(render_trace(t) for t in traces))


@app.command()
def tasks(
    plan: Optional[str] = typer.Option(None, "--plan", help="Plan id (or a fragment of its id, title or place)"),
    unit: Optional[str] = typer.Option(None, "--unit", help="Unit name or id (diacritics optional; aliases match)"),
    counterparts: bool = typer.Option(False, "--counterparts", help="With --unit: add its counterparts' tasks at other levels"),
    area: Optional[str] = typer.Option(None, "--area", help="Reform area code or name"),
    q: Optional[str] = typer.Option(None, "--q", "-q", help="Words the task text contains (diacritics optional)"),
    format: str = FORMAT_OPTION,
    data_dir: Optional[Path] = DATA_DIR_OPTION,
) -> None:
    """List tasks with their ids (what `plankb trace` takes); by plan, by unit (lead or support), area, text."""
    from plankb.kb.query.trace import find_tasks

    _check_format(format)
    kb = _open_kb(data_dir)
    try:
        rows = find_tasks(kb, plan=plan, unit=unit, counterparts=counterparts, area=area, q=q)
    except KeyError as e:
        _fail(f"not found: {e.args[0] if e.args else e}")
    finally:
        kb.close()
    if format == "json":
        _dump([r.model_dump(mode="json") for r in rows])
        return
    for r in rows:
        role = f" [{r.role}{' via ' + r.via_counterpart if r.via_counterpart else ''}]" if r.role else ""
        lead = f" ({', '.join(r.lead_units)})" if r.lead_units else ""
        text = " ".join(r.text.split())
        typer.echo(f"{r.id}{role}{lead}\n    {text[:200] + ('…' if len(text) > 200 else '')}")
    typer.echo(f"{len(rows)} tasks", err=True)


@app.command()
def gaps(
    plan: str = typer.Argument(..., help="Plan id (or a fragment of its id, title or place)"),
    format: str = FORMAT_OPTION,
    data_dir: Optional[Path] = DATA_DIR_OPTION,
) -> None:
    """Parent tasks and indicators a plan leaves out, weakened indicators, tasks without lead unit or deadline."""
    from plankb.kb.query.gaps import plan_gaps, render_gaps

    _check_format(format)
    kb = _open_kb(data_dir)
    try:
        rep = plan_gaps(kb, plan)
    except KeyError as e:
        _fail(f"not found: {e.args[0] if e.args else e}")
    finally:
        kb.close()
    if format == "json":
        _dump(rep.model_dump(mode="json"))
    else:
        typer.echo(render_gaps(rep))


@app.command()
def legal(
    doc: str = typer.Argument(..., help="Document key ('nq-76-2021-nq-cp') or number ('76/NQ-CP', 'NQ 76')"),
    format: str = FORMAT_OPTION,
    data_dir: Optional[Path] = DATA_DIR_OPTION,
) -> None:
    """Everything that rests on a legal document: the plans citing it, the plans below them, their tasks."""
    from plankb.kb.query.trace import AmbiguousDocument, legal_dependents

    _check_format(format)
    kb = _open_kb(data_dir)
    try:
        res = legal_dependents(kb, doc)
    except AmbiguousDocument as e:
        _fail(f"{doc!r} matches several documents: {', '.join(e.candidates)}")
    except KeyError:
        _fail(f"unknown document {doc!r}")
    finally:
        kb.close()
    if format == "json":
        _dump({**res, "tasks": [t.model_dump(mode="json") for t in res["tasks"]]})
        return
    d = res["document"]
    state = "in the KB" + (f" as plan {d['resolves_to']}" if d.get("resolves_to") else "") if d.get("ingested") \
        else "not in the KB"
    typer.echo(f"{d['label']}  [{d['key']} · {d.get('level') or '?'} · {state}]")
    if d.get("title"):
        typer.echo(f"  {d['title']}")
    typer.echo(f"plans resting on it: {len(res['plans'])}")
    for p in res["plans"]:
        via = f" via {p['via']}" if p.get("via") else ""
        typer.echo(f"  - {p['id']} [{p.get('level') or '?'}] {p['relation']}{via}")
    typer.echo(f"tasks of those plans: {len(res['tasks'])}")
    if res["citing_tasks"]:
        typer.echo("tasks naming it in their text:")
        for t in res["citing_tasks"]:
            typer.echo(f"  - {t}")


VIZ_KINDS = ("task", "plan", "unit", "legal")


@app.command()
def viz(
    target: str = typer.Argument(..., help="Task id, plan id, unit id, or legal document key or number ('76/NQ-CP')"),
    output: Path = typer.Option(..., "--output", "-o", help="HTML file to write"),
    kind: Optional[str] = typer.Option(None, "--kind", "-k", help="task | plan | unit | legal (default: guessed from TARGET)"),
    layout: Optional[str] = typer.Option(None, "--layout", help="auto | hierarchical | layered | physics "
                                                                  "(default: hierarchical for tasks and legal documents, physics otherwise)"),
    links: bool = typer.Option(False, "--links/--no-links", help="Keep node links (/tasks/…) for a page served next to `plankb serve`"),
    data_dir: Optional[Path] = DATA_DIR_OPTION,
) -> None:
    """Write a standalone interactive graph page (offline, opens from file://): a task's trace, a plan with
    its tasks, parents and legal bases, a unit's tasks and counterparts, or what rests on a legal document."""
    from plankb.api.pages_data import plans_beside_tasks, subgraph_for
    from plankb.viz.network import LAYOUTS, render_html

    if kind is not None and kind not in VIZ_KINDS:
        _fail(f"unknown kind {kind!r}: choose one of {', '.join(VIZ_KINDS)}")
    if layout is not None and layout not in LAYOUTS:
        _fail(f"unknown layout {layout!r}: choose one of {', '.join(LAYOUTS)}")
    kb = _open_kb(data_dir)
    try:
        try:
            graph, focus, title = subgraph_for(kb, target, kind)
        except KeyError:
            _fail(f"nothing named {target!r}" + (f" of kind {kind}" if kind else "")
                  + " (`plankb tasks`, `plankb stats` and `plankb legal` list the ids)")
    finally:
        kb.close()
    chosen = layout or ("hierarchical" if graph.nodes[focus].get("kind") in ("task", "legal_document") else "physics")
    if not links:
        graph = graph.copy()
        for _, d in graph.nodes(data=True):
            d.pop("url", None)
    html = render_html(graph, title=title, layout=chosen, focus=focus, standalone=True)
    if graph.nodes[focus].get("kind") == "task":
        html = plans_beside_tasks(html)
    try:
        output.write_text(html, encoding="utf-8")
    except OSError as e:
        _fail(f"{output}: {e.strerror or e}")
    typer.echo(f"wrote {output} ({graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges)", err=True)


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

    from plankb.api.app import Settings, create_app
    from plankb.kb.errors import StoreError

    kb = _open_kb(data_dir, write=True)
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


# ---------------------------------------------------------------- synthetic corpus and benchmarks
@app.command()
def synth(
    out: Path = typer.Option(..., "--out", "-o", help="Folder to write the corpus to (docs/, truth/, manifest.json)"),
    provinces: int = typer.Option(34, "--provinces", help="How many provinces, in official code order"),
    communes: Optional[int] = typer.Option(None, "--communes", help="At most this many communes per province (default: all)"),
    seed: int = typer.Option(0, "--seed", help="Random seed (the same seed gives the same documents)"),
    province: Optional[list[str]] = typer.Option(None, "--province", help="Only these provinces (code or name; repeatable)"),
    five_year_communes: float = typer.Option(0.0, "--five-year-communes", help="Share of communes with a 2026-2030 plan too"),
    docx_share: float = typer.Option(0.15, "--docx-share", help="Share of documents written as .docx"),
) -> None:
    """Write a synthetic national corpus of plans (real names and codes) with a ground-truth JSON per document."""
    from plankb.bench.synth import write_corpus

    m = write_corpus(out, provinces=provinces, communes=communes, seed=seed, province_codes=province,
                     five_year_communes=five_year_communes, docx_share=docx_share, progress=sys.stderr.isatty())
    c = m["counts"]
    typer.echo(f"wrote {c['documents']} documents ({c['national']} national, {c['province']} province, "
               f"{c['commune']} commune; {c['docx']} .docx, {c['markdown']} .md; {c['tasks']} tasks, "
               f"{c['bytes'] / 1e6:.1f} MB) to {out} in {m['seconds']} s", err=True)


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def bench(
    ctx: typer.Context,
    part: Optional[str] = typer.Argument(None, help="'accuracy': only the extraction-accuracy report (needs --corpus)"),
    corpus: Optional[Path] = typer.Option(None, "--corpus", help="accuracy: a corpus written by `plankb synth`"),
    workers: int = typer.Option(2, "--workers", help="Worker processes"),
    limit: Optional[int] = typer.Option(None, "--limit", help="accuracy: only the first N documents"),
    json_out: Optional[Path] = typer.Option(None, "--json", help="accuracy: write the report as JSON here"),
) -> None:
    """Benchmarks (bench/run.py; other options such as --scale seed|province|country are passed on), or
    `plankb bench accuracy --corpus DIR` for extraction accuracy against a synthetic corpus."""
    repo = Path(__file__).resolve().parent.parent
    if not (repo / "bench" / "run.py").is_file():
        _fail("the benchmarks live in the source tree (bench/), which is not next to this installation")
    sys.path.insert(0, str(repo))
    if part == "accuracy":
        if corpus is None:
            _fail("give --corpus DIR (a corpus written by `plankb synth`)")
        from plankb.bench.accuracy import evaluate, print_report

        rep = evaluate(corpus, workers=workers, limit=limit)
        print_report(rep)
        if json_out is not None:
            json_out.write_text(json.dumps(rep, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        return
    if part is not None:
        _fail(f"unknown benchmark part {part!r} (use options, e.g. --scale country --only ingest,queries)")
    from plankb.bench.run import main as bench_main

    raise typer.Exit(bench_main(["--workers", str(workers), *ctx.args]))


@app.callback(invoke_without_command=True)
def _default(ctx: typer.Context) -> None:
    """Knowledge base of Vietnamese administrative-reform (CCHC) plans. With no command: serve."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(serve, paths=[], data_dir=None, host="127.0.0.1", port=8000, seeds=True)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
