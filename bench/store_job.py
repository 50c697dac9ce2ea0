"""Load an N-Quads file into a store in its own process and time some queries (benchmark helper).

    python -m plankb.bench.store_job rdflib FILE.nq --queries Q.json --json OUT [--reps 3]
    python -m plankb.bench.store_job oxigraph-memory FILE.nq --queries Q.json --json OUT
    python -m plankb.bench.store_job oxigraph-disk FILE.nq --dir DIR --json OUT

rdflib: `Dataset(default_union=True)` (what rdflib-endpoint serves), so the queries see the union
of the named graphs as pyoxigraph's `use_default_graph_as_union` does. Memory is the process's
RSS growth during the load (psutil), time is wall clock.
"""
from __future__ import annotations

import argparse
import gc
import json
import time
from pathlib import Path

import pyoxigraph as ox

from plankb.bench.common import du


def rss() -> int:
    import psutil  # psutil: only the benchmarks sample memory (not a runtime dependency)

    return psutil.Process().memory_info().rss


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("engine", choices=["rdflib", "oxigraph-memory", "oxigraph-disk"])
    ap.add_argument("file")
    ap.add_argument("--queries")
    ap.add_argument("--json", required=True)
    ap.add_argument("--dir")
    ap.add_argument("--reps", type=int, default=3)
    a = ap.parse_args()
    queries = json.loads(Path(a.queries).read_text(encoding="utf-8")) if a.queries else {}
    out: dict = {"engine": a.engine}
    gc.collect()
    r0 = rss()
    t0 = time.perf_counter()
    if a.engine == "rdflib":
        import rdflib  # rdflib is heavy: loaded only for SHACL, rdflib graphs or the rdflib comparison

        ds = rdflib.Dataset(default_union=True)
        ds.parse(a.file, format="nquads")
        n = len(ds)
        run = lambda q: len(list(ds.query(q)))  # noqa: E731
    elif a.engine == "oxigraph-memory":

        store = ox.Store()
        store.bulk_load(path=a.file, format=ox.RdfFormat.N_QUADS)
        n = len(store)
        run = lambda q: len(list(store.query(q, use_default_graph_as_union=True)))  # noqa: E731
    else:

        store = ox.Store(a.dir)
        store.bulk_load(path=a.file, format=ox.RdfFormat.N_QUADS)
        store.flush()
        n = len(store)
        run = lambda q: len(list(store.query(q, use_default_graph_as_union=True)))  # noqa: E731
    load = time.perf_counter() - t0
    gc.collect()
    grown = rss() - r0
    with open(a.file, "rb") as f:  # quads in the file (rdflib's len() counts the union's distinct triples)
        quads = sum(1 for line in f if line.strip() and not line.startswith(b"#"))
    out |= {"quads": quads, "store_len": n, "load_seconds": round(load, 3),
            "us_per_quad": round(load / max(quads, 1) * 1e6, 2),
            "rss_growth_mib": round(grown / 1024 / 1024, 1), "bytes_per_quad": round(grown / max(quads, 1), 1)}
    if a.engine == "oxigraph-disk":
        out["disk_mib"] = round(du(a.dir) / 1024 / 1024, 1)
    results = {}
    for name, q in queries.items():
        times, rows = [], None
        for _ in range(a.reps):
            t = time.perf_counter()
            rows = run(q)
            times.append(time.perf_counter() - t)
        results[name] = {"rows": rows, "seconds": [round(x, 4) for x in times]}
        Path(a.json).write_text(json.dumps(out | {"queries": results}, indent=1), encoding="utf-8")  # partial results
    out["queries"] = results
    Path(a.json).write_text(json.dumps(out, indent=1), encoding="utf-8")
    print(json.dumps({k: v for k, v in out.items() if k != "queries"}))


if __name__ == "__main__":
    main()
