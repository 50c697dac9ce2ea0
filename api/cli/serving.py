"""`plankb serve` (also bare `plankb`): ingest what is given, then serve the web UI, REST API and SPARQL."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from plankb.api.app import Settings, create_app
from plankb.api.cli import common
from plankb.api.cli.common import DATA_DIR_OPTION, SEEDS_DIR, app, fail
from plankb.ingest.load import ingest_paths
from plankb.kb.errors import StoreError


@app.command()
def serve(
    paths: list[Path] = typer.Argument(None, help="Plan files or folders to ingest before serving"),
    data_dir: Optional[Path] = DATA_DIR_OPTION,
    host: str = typer.Option("127.0.0.1", "--host", envvar="PLANKB_HOST", help="Bind address (loopback by default)"),
    port: int = typer.Option(8000, "--port", envvar="PLANKB_PORT"),
    seeds: bool = typer.Option(True, "--seeds/--no-seeds", help="Ingest the bundled seed plans into an empty KB"),
) -> None:
    """Serve the knowledge base: web UI, REST API and SPARQL endpoint (the default command)."""
    import uvicorn  # the ASGI server: loaded only to serve

    kb = common.open_kb(data_dir, write=True)
    try:
        todo = list(paths or [])
        if not todo and seeds and not kb.plans():
            todo = [SEEDS_DIR]
        if todo:
            summary = ingest_paths(kb, todo, progress=True)
            for err in summary.errors:
                typer.echo(f"error: {err}", err=True)
            typer.echo(f"ingested: {summary.added} added, {summary.replaced} replaced, "
                       f"{summary.unchanged} unchanged, {summary.failed} failed", err=True)
    except StoreError as e:
        kb.close()
        fail(str(e))
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
