"""`plankb trace | tasks | gaps | legal | viz`: the questions analysts ask, on the command line."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from plankb.api.cli import common
from plankb.api.cli.common import (
    DATA_DIR_OPTION,
    FORMAT_OPTION,
    app,
    check_format,
    dump,
    fail,
)
from plankb.kb.query.gaps import plan_gaps, render_gaps
from plankb.kb.query.trace import (
    AmbiguousDocument,
    find_tasks,
    legal_dependents,
    render_trace,
    trace_all,
    trace_task,
)
from plankb.viz.network import LAYOUTS, render_html
from plankb.viz.page import plans_beside_tasks
from plankb.viz.views import subgraph_for


@app.command()
def trace(
    task: Optional[str] = typer.Argument(None, help="Task id, as `plankb tasks` lists them"),
    all_tasks: bool = typer.Option(False, "--all", help="Trace every task (with --format json: one JSON list)"),
    format: str = FORMAT_OPTION,
    data_dir: Optional[Path] = DATA_DIR_OPTION,
) -> None:
    """Trace a task up to national sources: parent plan's tasks, parent plans, legal bases, and the gaps."""
    check_format(format)
    if not task and not all_tasks:
        fail("give a TASK id or --all")
    kb = common.open_kb(data_dir)
    try:
        if all_tasks:
            traces = trace_all(kb)
        else:
            try:
                traces = [trace_task(kb, task)]
            except KeyError:
                fail(f"unknown task {task!r} (`plankb tasks` lists the ids)")
    finally:
        kb.close()
    if format == "json":
        data = [t.model_dump(mode="json") for t in traces]
        dump(data if all_tasks else data[0])
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
    check_format(format)
    rows = common.ask(data_dir, lambda kb: find_tasks(kb, plan=plan, unit=unit, counterparts=counterparts, area=area, q=q))
    if format == "json":
        dump([r.model_dump(mode="json") for r in rows])
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
    check_format(format)
    rep = common.ask(data_dir, lambda kb: plan_gaps(kb, plan))
    if format == "json":
        dump(rep.model_dump(mode="json"))
    else:
        typer.echo(render_gaps(rep))


@app.command()
def legal(
    doc: str = typer.Argument(..., help="Document key ('nq-76-2021-nq-cp') or number ('76/NQ-CP', 'NQ 76')"),
    format: str = FORMAT_OPTION,
    data_dir: Optional[Path] = DATA_DIR_OPTION,
) -> None:
    """Everything that rests on a legal document: the plans citing it, the plans below them, their tasks."""
    check_format(format)
    kb = common.open_kb(data_dir)
    try:
        res = legal_dependents(kb, doc)
    except AmbiguousDocument as e:
        fail(f"{doc!r} matches several documents: {', '.join(e.candidates)}")
    except KeyError:
        fail(f"unknown document {doc!r}")
    finally:
        kb.close()
    if format == "json":
        dump({**res, "tasks": [t.model_dump(mode="json") for t in res["tasks"]]})
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
    if kind is not None and kind not in VIZ_KINDS:
        fail(f"unknown kind {kind!r}: choose one of {', '.join(VIZ_KINDS)}")
    if layout is not None and layout not in LAYOUTS:
        fail(f"unknown layout {layout!r}: choose one of {', '.join(LAYOUTS)}")
    kb = common.open_kb(data_dir)
    try:
        try:
            graph, focus, title = subgraph_for(kb, target, kind)
        except KeyError:
            fail(f"nothing named {target!r}" + (f" of kind {kind}" if kind else "")
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
        fail(f"{output}: {e.strerror or e}")
    typer.echo(f"wrote {output} ({graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges)", err=True)
