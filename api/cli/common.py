"""What the `plankb` commands share: the Typer app, the knowledge-base option and opening, output helpers.

Each command lives in its own function in `store_commands`, `questions`, `serving` or `bench_commands`;
input errors are printed as 'PATH: reason' with a non-zero exit code and no traceback.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Callable, NoReturn, Optional, TypeVar

import typer

from plankb.kb.errors import StoreError, StoreInUse
from plankb.kb.store import KnowledgeBase

T = TypeVar("T")

app = typer.Typer(
    name="plankb",
    help="Knowledge base of Vietnamese administrative-reform (CCHC) plans.",
    no_args_is_help=False,
    add_completion=False,
)

REPO = Path(__file__).resolve().parents[2]
SEEDS_DIR = REPO / "examples" / "seeds"


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


DATA_DIR_OPTION = typer.Option(
    None, "--data-dir", envvar="PLANKB_DATA_DIR",
    help="Knowledge-base folder (default: env PLANKB_DATA_DIR, else the user data folder)",
)


def open_kb(data_dir: Optional[Path], write: bool = False):
    """The KB for a command. A command that only reads (`write=False`) still works while a server
    holds the store (one writer per folder): it reads a read-only snapshot instead."""
    try:
        return KnowledgeBase.open(data_dir)
    except StoreInUse as e:
        if write:
            fail(str(e))
        try:
            kb = KnowledgeBase.open_read_only(data_dir)
        except StoreError:
            fail(str(e))
        typer.echo("note: the knowledge base is in use by another process; reading a snapshot of it", err=True)
        return kb
    except StoreError as e:
        fail(str(e))


def ask(data_dir: Optional[Path], question: Callable[[KnowledgeBase], T]) -> T:
    """`question(kb)` on the KB (a snapshot if a server holds it), which is closed after; a
    KeyError (an unknown plan, unit or area) is reported as 'not found'."""
    kb = open_kb(data_dir)
    try:
        return question(kb)
    except KeyError as e:
        fail(f"not found: {e.args[0] if e.args else e}")
    finally:
        kb.close()


FORMAT_OPTION = typer.Option("text", "--format", "-f", help="text | json")


def dump(obj) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")


def check_format(format: str) -> None:
    if format not in ("text", "json"):
        fail(f"unknown format {format!r}: choose text or json")
