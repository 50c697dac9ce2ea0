"""`plankb synth | bench`: the synthetic national corpus and the benchmarks (plankb.bench)."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from plankb.api.cli.common import REPO, app, fail
from plankb.bench.accuracy import evaluate, print_report
from plankb.bench.run import main as bench_main
from plankb.bench.synth import write_corpus


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
    if not (REPO / "bench" / "run.py").is_file():
        fail("the benchmarks live in the source tree (bench/), which is not next to this installation")
    sys.path.insert(0, str(REPO))
    if part == "accuracy":
        if corpus is None:
            fail("give --corpus DIR (a corpus written by `plankb synth`)")
        rep = evaluate(corpus, workers=workers, limit=limit)
        print_report(rep)
        if json_out is not None:
            json_out.write_text(json.dumps(rep, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        return
    if part is not None:
        fail(f"unknown benchmark part {part!r} (use options, e.g. --scale country --only ingest,queries)")
    raise typer.Exit(bench_main(["--workers", str(workers), *ctx.args]))
