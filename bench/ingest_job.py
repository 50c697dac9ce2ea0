"""One ingest run in its own process (so the benchmark can sample the RSS of the process tree).

    python -m plankb.bench.ingest_job DOCS --data-dir DIR [--workers 2] [--validate sample|all|none] --json OUT
"""
from __future__ import annotations

import argparse
import json
import resource
import threading
import time
from collections import Counter
from pathlib import Path

from plankb.ingest.load import ingest_paths
from plankb.kb.store import KnowledgeBase


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("docs", nargs="+")
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--validate", default="sample")
    ap.add_argument("--sample-rate", type=float, default=0.02)
    ap.add_argument("--json", required=True)
    a = ap.parse_args()


    import psutil  # psutil: only the benchmarks sample memory (not a runtime dependency)

    timeline: list[list[float]] = []  # [seconds, main RSS MiB, workers RSS MiB]
    done = threading.Event()
    me = psutil.Process()

    def sample() -> None:
        start = time.perf_counter()
        while not done.wait(1.0):
            try:
                kids = sum(c.memory_info().rss for c in me.children(recursive=True))
                timeline.append([round(time.perf_counter() - start, 1), round(me.memory_info().rss / 2**20),
                                 round(kids / 2**20)])
            except psutil.Error:
                pass

    threading.Thread(target=sample, daemon=True).start()
    t0 = time.perf_counter()
    kb = KnowledgeBase.open(a.data_dir)
    t_open = time.perf_counter() - t0
    validate = {"all": True, "none": False}.get(a.validate, a.validate)
    s = ingest_paths(kb, a.docs, progress=False, validate=validate, workers=a.workers, sample_rate=a.sample_rate)
    t1 = time.perf_counter()
    kb.store.flush()
    kb.close()
    t_close = time.perf_counter() - t1
    done.set()
    step = max(1, len(timeline) // 300)
    warnings = Counter(w.split(":")[0] for o in s.outcomes for w in o.warnings)
    out = {
        "summary": s.as_dict() | {"errors": s.errors[:20], "missing_sources": len(s.missing_sources)},
        "seconds_total": round(time.perf_counter() - t0, 3),
        "seconds_open": round(t_open, 3), "seconds_close": round(t_close, 3),
        "warnings_by_code": dict(warnings.most_common(20)),
        "shacl_violations": sum(1 for o in s.outcomes for w in o.warnings if w.startswith("SHACL")),
        "shacl_examples": sorted({w for o in s.outcomes for w in o.warnings if w.startswith("SHACL")})[:5],
        "link_warnings": len(s.link_warnings),
        "link_warning_examples": s.link_warnings[:5],
        "maxrss_self_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "maxrss_children_mib": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
        "rss_timeline_mib": timeline[::step],
    }
    Path(a.json).write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps(out["summary"], ensure_ascii=False))


if __name__ == "__main__":
    main()
