"""The `rdflib` part of `plankb bench`: the KB's N-Quads loaded in rdflib's in-memory Dataset and
in pyoxigraph (memory, load time, µs and bytes per quad, the SPARQL queries).
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph as ox

from plankb.bench.common import PYTHON, mib, run_measured
from plankb.kb.store import KnowledgeBase


# ---------------------------------------------------------------------------- rdflib and oxigraph loads
def dump_nquads(data_dir: Path, path: Path) -> int:

    kb = KnowledgeBase.open(data_dir)
    try:
        kb.store.dump(str(path), format=ox.RdfFormat.N_QUADS)
        return len(kb.store)
    finally:
        kb.close()


def bench_rdflib(nq: Path, queries: dict, work: Path, timeout: float) -> dict:
    qf = work / "queries.json"
    qf.write_text(json.dumps(queries), encoding="utf-8")
    out = {}
    for engine in ("oxigraph-memory", "oxigraph-disk", "rdflib"):
        js = work / f"store-{engine}.json"
        js.unlink(missing_ok=True)
        cmd = [PYTHON, "-m", "plankb.bench.store_job", engine, str(nq), "--json", str(js)]
        if engine != "oxigraph-disk":
            cmd += ["--queries", str(qf), "--reps", "3" if engine != "rdflib" else "2"]
        else:
            d = work / "bulk-disk"
            shutil.rmtree(d, ignore_errors=True)
            cmd += ["--dir", str(d)]
        rc, seconds, peak, _, tail = run_measured(cmd, timeout=timeout)
        res = json.loads(js.read_text()) if js.exists() else {}
        res |= {"exit": rc, "wall_s": round(seconds, 1), "peak_rss_mib": mib(peak)}
        if rc != 0:
            res["output"] = tail[-1500:]
        if engine == "oxigraph-disk":
            shutil.rmtree(work / "bulk-disk", ignore_errors=True)
        out[engine] = res
    return out
