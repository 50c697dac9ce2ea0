"""The `plankb` command line: `main()` runs the Typer app whose commands the modules here register.

Modules: `common` (the app, the knowledge-base option, output helpers), `store_commands` (extract,
ingest, sparql, export, stats, link), `questions` (trace, tasks, gaps, legal, viz), `serving`
(serve, the default command) and `bench_commands` (synth, bench). Importing a module registers its
commands; the order here is the order `plankb --help` lists them.
"""
from __future__ import annotations

# importing a module registers its commands, in this order (the order of `plankb --help`)
from plankb.api.cli import store_commands  # isort: skip
from plankb.api.cli import questions  # isort: skip
from plankb.api.cli import serving  # isort: skip
from plankb.api.cli import bench_commands  # isort: skip
from plankb.api.cli.common import app

COMMAND_MODULES = (store_commands, questions, serving, bench_commands)

__all__ = ["COMMAND_MODULES", "app", "main"]


def main() -> None:
    app()
