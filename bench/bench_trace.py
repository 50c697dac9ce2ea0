"""Latency of the trace and unit questions at seed scale (p50 / p95 in milliseconds).

    python bench/bench_trace.py [--repeat N] [--seeds DIR]

Builds an in-memory KB of the seed plans (ingest, links, alignment), then times, per call:
trace_task for every task, find_tasks by unit (with and without counterparts), unit_counterparts,
legal_dependents, plan_gaps and the alignment of the Ái Quốc / Hải Phòng pair. The first trace
after a change rebuilds the plan catalog; that cold call is reported on its own line. The target
is < 50 ms per trace and per unit query (the bar of issue 4); this is a report, not a test.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from plankb.ingest.load import ingest_paths
from plankb.kb import align as A
from plankb.kb.query import trace as T
from plankb.kb.query.gaps import plan_gaps
from plankb.kb.store import KnowledgeBase

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def pct(values: list[float], q: float) -> float:
    v = sorted(values)
    if not v:
        return float("nan")
    k = min(len(v) - 1, max(0, round(q * (len(v) - 1))))
    return v[k]


def timed(fn, *args, **kw) -> float:
    t = time.perf_counter()
    fn(*args, **kw)
    return (time.perf_counter() - t) * 1000.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="passes over every task (default 3)")
    ap.add_argument("--seeds", type=Path, default=ROOT / "examples" / "seeds")
    args = ap.parse_args()

    t0 = time.perf_counter()
    kb = KnowledgeBase.in_memory()
    summary = ingest_paths(kb, [args.seeds], progress=False, validate=False)
    print(f"ingest (extract + load + link + align) of {len(summary.outcomes)} files: "
          f"{(time.perf_counter() - t0) * 1000:.0f} ms, {kb.triple_count()} quads")

    ids = T.all_task_ids(kb)
    cold = timed(T.trace_task, kb, ids[0])
    results: dict[str, list[float]] = {k: [] for k in (
        "trace_task", "find_tasks(unit)", "find_tasks(unit, counterparts)", "unit_counterparts",
        "find_tasks(plan)", "legal_dependents", "plan_gaps", "align_pair 000-001")}
    units = ["Phòng Văn hóa - Xã hội", "phong van hoa xa hoi", "Sở Nội vụ", "Văn phòng HĐND và UBND",
             "Trung tâm Phục vụ hành chính công"]
    unit_ids = ["phuong-ai-quoc-10660.phong-van-hoa-xa-hoi", "thanh-pho-hai-phong-31.so-noi-vu",
                "thanh-pho-hai-phong-31.so-tu-phap"]
    plans = [p["id"] for p in kb.plans()]
    child = A.load_plan(kb, kb.iris.plan("phuong-ai-quoc-10660.cchc-2026-2030"))
    parent = A.load_plan(kb, kb.iris.plan("thanh-pho-hai-phong-31.cchc-2026-2030"))
    for _ in range(args.repeat):
        for i in ids:
            results["trace_task"].append(timed(T.trace_task, kb, i))
        for u in units:
            results["find_tasks(unit)"].append(timed(T.find_tasks, kb, unit=u))
            results["find_tasks(unit, counterparts)"].append(timed(T.find_tasks, kb, unit=u, counterparts=True))
        for u in unit_ids:
            results["unit_counterparts"].append(timed(T.unit_counterparts, kb, u))
        for p in plans:
            results["find_tasks(plan)"].append(timed(T.find_tasks, kb, plan=p))
            results["plan_gaps"].append(timed(plan_gaps, kb, p))
        for d in ("nq-76-2021-nq-cp", "NQ 76", "600/QĐ-UBND", "282/QĐ-TTg"):
            results["legal_dependents"].append(timed(T.legal_dependents, kb, d))
        results["align_pair 000-001"].append(timed(A.align_pair, child, parent))

    print(f"{'call':<34}{'n':>6}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    print(f"{'trace_task (cold: catalog build)':<34}{1:>6}{cold:>10.2f}{cold:>10.2f}{cold:>10.2f}")
    for k, v in results.items():
        print(f"{k:<34}{len(v):>6}{statistics.median(v):>10.2f}{pct(v, 0.95):>10.2f}{max(v):>10.2f}")
    slow = [k for k in ("trace_task", "find_tasks(unit)", "find_tasks(unit, counterparts)", "unit_counterparts")
            if pct(results[k], 0.95) >= 50.0]
    print("target < 50 ms (p95) for trace and unit queries:", "met" if not slow else f"NOT met: {', '.join(slow)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
