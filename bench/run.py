"""plankb benchmarks: ingest, alignment, query latency, HTTP load, rdflib comparison, accuracy.

    python -m plankb.bench.run --scale seed|province|country [--only ingest,queries,…] [--workers 2]
    plankb bench --scale country

Scales: `seed` (the five seed plans), `province` (the national plan, Hà Nội's two plans and its
126 communes' yearly plans, synthetic: bench.synth), `country` (all 34 provinces and 3,321 communes:
3,390 documents). The synthetic corpus is written once under --work (default
/tmp/plankb-bench/{scale}-seed{seed}) and reused.

Parts (`--only` picks some; default: all):

* `ingest`   end-to-end ingest (read, extract, resolve, RDF, SHACL sample, load, link, align) into
             an on-disk store, in a child process whose process-tree RSS is sampled: documents/s,
             MB/s, peak RSS, store size on disk, seconds per phase;
* `align`    all (child, parent) alignments recomputed (kb.align.align_kb(force=True)): s per pair;
* `queries`  latency p50/p95 of trace_task, find_tasks(unit=…), plan_gaps, catalog.search and four
             SPARQL queries, in process on the ingested store (first call reported apart: caches);
* `add`      cost of adding one plan (extract + ingest_record with linking and alignment) to the KB
             as it is, and of removing it again;
* `rdflib`   the same data (N-Quads dump) in rdflib's in-memory Dataset and in pyoxigraph (memory and
             bulk load on disk): load time, µs and bytes per quad, the four SPARQL queries;
* `http`     the real server (`plankb serve --no-seeds`) under 16 concurrent clients for --duration
             seconds: the four SPARQL queries and the REST routes; then rdflib-endpoint serving the
             same N-Quads with the same SPARQL requests;
* `accuracy` extraction against the synthetic ground truth (bench.accuracy), and the parent-plan
             links of the ingested KB against the truth.

Results: a table on stdout and JSON in bench/results/{scale}-{timestamp}.json (and {scale}-latest.json).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pyoxigraph
from rich.console import Console
from rich.table import Table

from plankb.bench import common
from plankb.bench.accuracy import evaluate
from plankb.bench.common import PYTHON, REPO, du, load_average, mib, run_measured
from plankb.bench.http_load import bench_http
from plankb.bench.latency import bench_add, bench_align, bench_queries
from plankb.bench.stores import bench_rdflib, dump_nquads
from plankb.bench.synth import write_corpus
from plankb.kb.store import KnowledgeBase

RESULTS = REPO / "bench" / "results"


SEEDS = REPO / "examples" / "seeds"


PARTS = ("ingest", "align", "queries", "rdflib", "http", "accuracy", "add")


PROVINCE = "1"  # Hà Nội: 126 communes


# ---------------------------------------------------------------------------- corpus
def corpus_for(scale: str, work: Path, seed: int) -> tuple[Path, Path | None, dict]:
    """(documents folder, corpus folder with truth or None, corpus facts)."""
    if scale == "seed":
        files = sorted(SEEDS.glob("*.txt"))
        return SEEDS, None, {"documents": len(files), "bytes": sum(f.stat().st_size for f in files), "synthetic": False}

    out = work / f"{scale}-seed{seed}" / "corpus"
    manifest = out / "manifest.json"
    if not manifest.exists():
        kwargs = {"province_codes": [PROVINCE]} if scale == "province" else {}
        m = write_corpus(out, seed=seed, progress=sys.stderr.isatty(), **kwargs)
    else:
        m = json.loads(manifest.read_text(encoding="utf-8"))
    return out / "docs", out, {**m["counts"], "generation_seconds": m["seconds"], "synthetic": True,
                               "options": m["options"]}


# ---------------------------------------------------------------------------- ingest
def bench_ingest(docs: Path, data_dir: Path, workers: int, validate: str, corpus_bytes: int, n_docs: int) -> dict:
    if data_dir.exists():
        shutil.rmtree(data_dir)
    js = data_dir.parent / "plankb.ingest.json"
    cmd = [PYTHON, "-m", "plankb.bench.ingest_job", str(docs), "--data-dir", str(data_dir), "--workers", str(workers),
           "--validate", validate, "--json", str(js)]
    load_before = load_average()
    rc, seconds, peak, peak_main, tail = run_measured(cmd, timeout=7200)
    cpu = common.last_cpu_seconds
    if rc != 0:
        return {"error": f"exit {rc}", "output": tail}
    job = json.loads(js.read_text(encoding="utf-8"))
    s = job["summary"]
    raw_size = du(data_dir)
    # the write-ahead log is folded into the sorted tables when the store is next opened
    subprocess.run([PYTHON, "-c", f"import pyoxigraph as ox; s = ox.Store({str(data_dir / 'store')!r}); s.flush()"],
                   check=False, cwd=REPO)
    return {
        "documents": n_docs, "added": s["added"], "failed": s["failed"], "errors": s["errors"],
        "seconds": round(seconds, 2), "seconds_in_job": job["seconds_total"], "cpu_seconds": round(cpu, 1),
        "load_average_before": load_before, "load_average_after": load_average(),
        "docs_per_s": round(n_docs / seconds, 2), "mb_per_s": round(corpus_bytes / 1e6 / seconds, 3),
        "peak_rss_tree_mib": mib(peak), "peak_rss_main_mib": mib(peak_main),
        "maxrss_main_mib": job["maxrss_self_mib"], "maxrss_worker_mib": job["maxrss_children_mib"],
        "store_mib": mib(du(data_dir)), "store_mib_before_reopen": mib(raw_size), "quads": s["triples"], "tasks": s["tasks"], "phases_s": s["phases"],
        "validated_with_shacl": s["validated"], "shacl_violations": job["shacl_violations"],
        "shacl_examples": job["shacl_examples"], "warnings_by_code": job["warnings_by_code"],
        "link_warnings": job["link_warnings"], "link_warning_examples": job["link_warning_examples"],
        "missing_sources": s["missing_sources"], "workers": workers, "validate": validate,
    }


# ---------------------------------------------------------------------------- accuracy
def bench_accuracy(corpus: Path, data_dir: Path | None, workers: int) -> dict:
    kb = None
    if data_dir is not None and data_dir.exists():
        kb = KnowledgeBase.open(data_dir)
    try:
        rep = evaluate(corpus, workers=workers, kb=kb)
    finally:
        if kb is not None:
            kb.close()
    return rep


# ---------------------------------------------------------------------------- targets and output
def targets(res: dict) -> dict:
    t: dict[str, dict] = {}
    ing = res.get("ingest", {})
    if "seconds" in ing:
        t["ingest_within_10_min"] = {"target": "<= 600 s", "value": ing["seconds"], "met": ing["seconds"] <= 600}
        t["ingest_peak_rss_4_gib"] = {"target": "<= 4096 MiB", "value": ing["peak_rss_tree_mib"],
                                      "met": ing["peak_rss_tree_mib"] <= 4096}
    q = res.get("queries", {})
    if q.get("trace_task", {}).get("p95_ms") is not None:
        t["trace_p95_50ms"] = {"target": "<= 50 ms", "value": q["trace_task"]["p95_ms"], "met": q["trace_task"]["p95_ms"] <= 50}
    if q.get("tasks_of_unit", {}).get("p95_ms") is not None:
        t["tasks_of_unit_p95_100ms"] = {"target": "<= 100 ms", "value": q["tasks_of_unit"]["p95_ms"],
                                        "met": q["tasks_of_unit"]["p95_ms"] <= 100}
    h = res.get("http", {})
    if "sparql_throughput_ratio" in h:  # the engine alone (result cache off): the honest comparison
        t["sparql_10x_rdflib_endpoint"] = {"target": ">= 10x", "value": h["sparql_throughput_ratio"],
                                           "met": h["sparql_throughput_ratio"] >= 10}
    if "sparql_throughput_ratio_cached" in h:
        t["sparql_10x_rdflib_endpoint_as_served"] = {"target": ">= 10x", "value": h["sparql_throughput_ratio_cached"],
                                                     "met": h["sparql_throughput_ratio_cached"] >= 10}
    return t


def machine() -> dict:
    import psutil  # psutil: only the benchmarks sample memory (not a runtime dependency)
    import rdflib  # rdflib is heavy: loaded only for SHACL, rdflib graphs or the rdflib comparison

    try:
        import rdflib_endpoint  # optional: the rdflib comparison in the http benchmark
        ep = getattr(rdflib_endpoint, "__version__", None)
        if ep is None:
            ep = version("rdflib-endpoint")
    except ImportError:
        ep = None
    return {"cpus": os.cpu_count(), "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(), "platform": platform.platform(),
            "pyoxigraph": pyoxigraph.__version__, "rdflib": rdflib.__version__, "rdflib_endpoint": ep}


def print_table(res: dict) -> None:

    c = Console()
    t = Table("measure", "value", title=f"plankb bench: {res['scale']} ({res['corpus'].get('documents')} documents)")
    ing = res.get("ingest", {})
    if "seconds" in ing:
        t.add_row("ingest end-to-end", f"{ing['seconds']} s · {ing['docs_per_s']} docs/s · {ing['mb_per_s']} MB/s "
                  f"· {ing['cpu_seconds']} CPU s")
        t.add_row("ingest phases", ", ".join(f"{k} {v} s" for k, v in ing["phases_s"].items()))
        t.add_row("peak RSS (process tree / main)", f"{ing['peak_rss_tree_mib']} / {ing['peak_rss_main_mib']} MiB")
        t.add_row("store on disk", f"{ing['store_mib']} MiB · {ing['quads']} quads")
        t.add_row("SHACL", f"{ing['validated_with_shacl']} documents validated, {ing['shacl_violations']} violations")
    elif ing:
        t.add_row("ingest", str(ing.get("error")))
    al = res.get("align", {})
    if "seconds" in al:
        t.add_row("alignment (all pairs, forced)", f"{al['seconds']} s · {al['pairs']} pairs · {al['ms_per_pair']} ms/pair "
                  f"· {al['task_links']} task links")
    for name, v in res.get("queries", {}).items():
        if isinstance(v, dict) and "p50_ms" in v:
            t.add_row(f"query {name}", f"p50 {v['p50_ms']} ms · p95 {v['p95_ms']} ms · cold {v['cold_ms']} ms")
        elif isinstance(v, dict) and "error" in v:
            t.add_row(f"query {name}", v["error"][:80])
    add = res.get("add", {})
    if add.get("add_median_s") is not None:
        t.add_row("add one plan (extract+link+align)", f"{add['add_median_s']} s median ({add['plans_in_kb']} plans in KB); "
                  f"of which reading the catalog {add.get('catalog_read_s')} s")
    rd = res.get("rdflib", {})
    for eng, v in rd.items():
        if "load_seconds" in v:
            t.add_row(f"load {eng}", f"{v['load_seconds']} s · {v['us_per_quad']} µs/quad · "
                      f"{v.get('bytes_per_quad')} B/quad · RSS +{v.get('rss_growth_mib')} MiB")
            for qn, qv in v.get("queries", {}).items():
                t.add_row(f"  {eng} {qn}", f"{min(qv['seconds']) * 1000:.1f} ms best ({qv['rows']} rows)")
    h = res.get("http", {})
    for k in ("plankb_sparql", "plankb_cached_sparql", "plankb_rest", "rdflib_endpoint_sparql"):
        v = h.get(k)
        if v and "requests_per_s" in v:
            t.add_row(f"HTTP {k}", f"{v['requests_per_s']} req/s · p50 {v['all'].get('p50_ms')} ms · "
                      f"p95 {v['all'].get('p95_ms')} ms · errors {v['errors']} ({v['clients']} clients)")
    for suffix, label in (("", "cache off"), ("_cached", "as served")):
        if f"sparql_throughput_ratio{suffix}" in h:
            t.add_row(f"SPARQL throughput vs rdflib-endpoint ({label})", f"{h['sparql_throughput_ratio' + suffix]}x (mix)")
        for name, r in h.get(f"sparql_throughput_ratio_each{suffix}", {}).items():
            x = h["plankb" + suffix + "_sparql_each"][name]
            y = h["rdflib_endpoint_sparql_each"][name]
            t.add_row(f"  {name} alone ({label})", f"{x['requests_per_s']} vs {y['requests_per_s']} req/s = {r}x · p95 "
                      f"{x['all'].get('p95_ms')} vs {y['all'].get('p95_ms')} ms")
    acc = res.get("accuracy")
    if acc and "sets" in acc:
        t.add_row("accuracy tasks F1 / lead units / jurisdiction",
                  f"{acc['sets']['tasks']['f1']} / {acc['task_lead_units']['accuracy']} / {acc['fields']['jurisdiction']['accuracy']}")
        if "links" in acc:
            t.add_row("parent-plan links P/R", f"{acc['links']['precision']} / {acc['links']['recall']}")
    for name, v in res.get("targets", {}).items():
        t.add_row(f"target {name}", f"{'MET' if v['met'] else 'MISSED'}: {v['value']} ({v['target']})")
    c.print(t)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="plankb.bench.run", description=__doc__.split("\n")[0])
    ap.add_argument("--scale", choices=["seed", "province", "country"], default="seed")
    ap.add_argument("--only", default=",".join(PARTS), help=f"comma-separated parts: {','.join(PARTS)}")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--validate", default="sample", choices=["sample", "all", "none"])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--work", default="/tmp/plankb-bench")
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--duration", type=float, default=20.0)
    ap.add_argument("--rdflib-timeout", type=float, default=1800.0)
    ap.add_argument("--add-runs", type=int, default=3, help="plans added (and removed) one at a time by `add`")
    ap.add_argument("--resume", action="store_true",
                    help="keep the parts already measured in the work folder's partial.json (same scale, seed)")
    ap.add_argument("--out", default=str(RESULTS))
    a = ap.parse_args(argv)
    parts = [p.strip() for p in a.only.split(",") if p.strip()]
    work = Path(a.work) / f"{a.scale}-seed{a.seed}"
    work.mkdir(parents=True, exist_ok=True)
    data_dir = work / "kb"
    partial = work / "partial.json"
    res: dict[str, Any] = {}
    if a.resume and partial.exists():
        res = json.loads(partial.read_text(encoding="utf-8"))
    command = "python -m plankb.bench.run " + " ".join(argv if argv is not None else sys.argv[1:])
    res.setdefault("commands", []).append(command)
    res |= {"scale": a.scale, "machine": machine(), "options": vars(a)}
    res.setdefault("started", time.strftime("%Y-%m-%dT%H:%M:%S"))
    res.setdefault("load_average", {})["start"] = load_average()
    docs, corpus, facts = corpus_for(a.scale, Path(a.work), a.seed)
    res["corpus"] = facts
    n_docs, n_bytes = facts["documents"], facts["bytes"]

    def save(part: str) -> None:
        res["load_average"][f"after_{part}"] = load_average()
        partial.write_text(json.dumps(res, ensure_ascii=False, indent=1, default=str), encoding="utf-8")

    if "ingest" in parts:
        print(f"[bench] ingest {n_docs} documents with {a.workers} workers …", file=sys.stderr)
        res["ingest"] = bench_ingest(docs, data_dir, a.workers, a.validate, n_bytes, n_docs)
        save("ingest")
    if "align" in parts:
        print("[bench] alignment …", file=sys.stderr)
        res["align"] = bench_align(data_dir)
        save("align")
    extra: dict = {}
    if {"queries", "http", "rdflib"} & set(parts):
        print("[bench] query latency …", file=sys.stderr)
        q, extra = bench_queries(data_dir, a.seed)
        if "queries" in parts:
            res["queries"] = q
        res["query_parameters"] = {"sparql": extra["sparql"], "legal_key": extra["params"]["legal"][:1]}
        save("queries")
    nq = None
    if "rdflib" in parts or "http" in parts:
        nq = work / "plankb.kb.nq"
        if not nq.exists() or nq.stat().st_mtime < (data_dir / "store").stat().st_mtime:
            dump_nquads(data_dir, nq)
    if "rdflib" in parts:
        print("[bench] rdflib / oxigraph loads …", file=sys.stderr)
        res["rdflib"] = bench_rdflib(nq, extra["sparql"], work, a.rdflib_timeout)
        save("rdflib")
    if "http" in parts:
        print(f"[bench] HTTP, {a.clients} clients × {a.duration:.0f} s …", file=sys.stderr)
        res["http"] = bench_http(data_dir, nq, extra["sparql"], extra["params"], a.clients, a.duration, work,
                                 a.rdflib_timeout)
        save("http")
    if "accuracy" in parts and corpus is not None:
        print("[bench] accuracy …", file=sys.stderr)
        res["accuracy"] = bench_accuracy(corpus, data_dir, a.workers)
        save("accuracy")
    if "add" in parts:  # last: at full scale one add (and remove) relinks the whole KB
        print("[bench] add one plan …", file=sys.stderr)
        res["add"] = bench_add(data_dir, a.seed, a.add_runs)
        save("add")
    res["targets"] = targets(res)
    res["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S")
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    text = json.dumps(res, ensure_ascii=False, indent=1, default=str)
    name = a.scale
    (out / f"{name}-{stamp}.json").write_text(text, encoding="utf-8")
    (out / f"{name}-latest.json").write_text(text, encoding="utf-8")
    print_table(res)
    print(f"[bench] results: {out / f'{name}-{stamp}.json'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
