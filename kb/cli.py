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


def main() -> None:
    app()


if __name__ == "__main__":
    main()
