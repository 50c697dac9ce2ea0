"""Writing the corpus: each document, its ground-truth JSON and the manifest.

Main entry point: `write_corpus(out, ...)`; `write_document` writes one planned document.
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Iterable

from plankb.bench.synth.blocks import Truth
from plankb.bench.synth.common import TRUTH_SCHEMA
from plankb.bench.synth.layouts import compose
from plankb.bench.synth.mess import Mess
from plankb.bench.synth.render import render_docx, render_text
from plankb.bench.synth.specs import Spec, plan_corpus
from plankb.kb.text import slug


def _truth(spec: Spec, truth: Truth, meta: dict, rel: str, fmt: str) -> dict:
    p = spec.place
    jur = None
    if p is not None:
        jur = {"name": p.name, "code": p.code, "type": p.type,
               "province": p.province_name if p.level == "commune" else None,
               "province_code": p.province_code if p.level == "commune" else p.code}
    bases = [b.truth() for b in spec.bases]
    cites = dict(truth.citations)
    for b in spec.bases:
        cites.setdefault(b.key, b.truth())
    if spec.adopted_by is not None:
        cites.setdefault(spec.adopted_by.key, spec.adopted_by.truth())
    return {
        "schema": TRUTH_SCHEMA,
        "id": spec.key,
        "file": rel,
        "format": fmt,
        "style": spec.style + ("+table" if spec.style == "D" and any(t["origin"] == "table" for t in truth.tasks) else ""),
        "level": spec.level,
        "jurisdiction": jur,
        "period": {"start": spec.period[0], "end": spec.period[1]},
        "title": meta["title"],
        "number": meta["number"],
        "is_draft": spec.is_draft,
        "date": meta["date"],
        "adopted_by": None if spec.adopted_by is None or spec.adopted_blank else spec.adopted_by.truth(),
        "legal_bases": bases,
        "parent_plans": [b for b in bases if b["is_plan"]],
        # parents whose citation prints what they are ('… về ban hành Kế hoạch …'), not only number and date
        "parent_plans_explicit": [b for b in bases if b["is_plan"] and meta["base_forms"].get(b["key"]) == "full"],
        "parent_docs": [b.plan_doc for b in spec.bases if b.plan_doc],
        "citations": sorted(cites.values(), key=lambda c: c["key"]),
        "tasks": truth.tasks,
        "task_count": len(truth.tasks),
        "units": sorted(truth.units.values(), key=lambda u: u["function"]),
        "indicators": truth.indicators,
        "mess": sorted(truth.mess),
    }


EXT = {"text": ".txt", "markdown": ".md", "docx": ".docx"}


def doc_path(spec: Spec) -> str:
    """Relative path of a document under DIR/docs."""
    if spec.place is None:
        return "00-national/national_2026-2030"
    p = spec.place
    prov_code = p.code if p.level == "province" else p.province_code
    prov_short = p.short if p.level == "province" else p.province_short
    period = f"{spec.period[0]}" if spec.period[0] == spec.period[1] else f"{spec.period[0]}-{spec.period[1]}"
    folder = f"{int(prov_code):02d}-{slug(prov_short)}"
    if p.level == "province":
        return f"{folder}/province_{period}"
    return f"{folder}/{slug(p.cap)}-{slug(p.short)}_{p.code}_{period}"


def write_document(spec: Spec, out: Path, seed: int) -> dict:
    """Compose, render and write one document and its truth; returns its manifest entry."""
    blocks, truth, meta = compose(spec, seed)
    mess = Mess(spec, seed, truth)
    rel = "docs/" + doc_path(spec) + EXT[spec.fmt]
    path = out / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if spec.fmt == "docx":
        render_docx(blocks, mess, path, truth)
    else:
        path.write_text(render_text(blocks, mess, spec.fmt == "markdown" or spec.style == "C", truth), encoding="utf-8")
    t = _truth(spec, truth, meta, rel, spec.fmt)
    trel = "truth/" + doc_path(spec) + ".json"
    (out / trel).parent.mkdir(parents=True, exist_ok=True)
    (out / trel).write_text(json.dumps(t, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return {"id": spec.key, "file": rel, "truth": trel, "level": spec.level, "format": spec.fmt, "style": t["style"],
            "province_code": (spec.place.province_code or spec.place.code) if spec.place else None,
            "tasks": t["task_count"], "parent_docs": t["parent_docs"], "bytes": path.stat().st_size}


def write_corpus(out: str | Path, provinces: int = 34, communes: int | None = None, seed: int = 0,
                 province_codes: Iterable[str] | None = None, five_year_communes: float = 0.0,
                 docx_share: float = 0.15, national: bool = True, progress: bool = False) -> dict:
    """Write the corpus under `out` (see the package docstring); returns the manifest."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    specs = plan_corpus(provinces, communes, seed, province_codes, five_year_communes, docx_share, national)
    entries = []
    if progress:
        from rich.progress import (
            Progress,  # heavy, and only for an interactive terminal
        )

        with Progress(transient=True) as bar:
            job = bar.add_task("synth", total=len(specs))
            for s in specs:
                entries.append(write_document(s, out, seed))
                bar.advance(job)
    else:
        entries = [write_document(s, out, seed) for s in specs]
    manifest = {
        "schema": "plankb-synth-manifest/1",
        "seed": seed,
        "options": {"provinces": provinces, "communes": communes, "province_codes": list(province_codes or []),
                    "five_year_communes": five_year_communes, "docx_share": docx_share, "national": national},
        "counts": {"documents": len(entries),
                   "national": sum(e["level"] == "national" for e in entries),
                   "province": sum(e["level"] == "province" for e in entries),
                   "commune": sum(e["level"] == "commune" for e in entries),
                   "docx": sum(e["format"] == "docx" for e in entries),
                   "markdown": sum(e["format"] == "markdown" for e in entries),
                   "tasks": sum(e["tasks"] for e in entries),
                   "bytes": sum(e["bytes"] for e in entries)},
        "seconds": round(time.perf_counter() - t0, 2),
        "documents": entries,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest
