"""Render the figures of bench/results/*-latest.json as the Markdown tables of docs/PERFORMANCE.md.

    python -m plankb.bench.report            # rewrite the part of docs/PERFORMANCE.md between the markers
    python -m plankb.bench.report --print    # print it instead
"""
from __future__ import annotations

import argparse
import json

from plankb.bench.common import REPO

RESULTS = REPO / "bench" / "results"
DOC = REPO / "docs" / "PERFORMANCE.md"
BEGIN, END = "<!-- results:begin (python -m plankb.bench.report) -->", "<!-- results:end -->"
RUNS = [("seed", "seed"), ("province", "province"), ("country-before", "country, before †"), ("country", "country")]
# † the first full-country run (2026-11-23, before the indexed and incremental linker): kept for comparison
FILES = {"country-before": "country-20261123-193033.json"}


def _load() -> dict[str, dict]:
    out = {}
    for key, _ in RUNS:
        f = RESULTS / FILES.get(key, f"{key}-latest.json")
        if f.exists():
            out[key] = json.loads(f.read_text(encoding="utf-8"))
    return out


def _g(d: dict, *path, default="–"):
    for p in path:
        if not isinstance(d, dict) or p not in d or d[p] is None:
            return default
        d = d[p]
    return d


def _ms(v) -> str:
    if v in ("–", None):
        return "–"
    return f"{v:,.1f}" if v < 100 else f"{v:,.0f}"


def _rate(run: dict):
    """Requests per second from the raw counts (the result files round to 0.1: 2 answers in 130 s
    would read 0.0)."""
    if not isinstance(run, dict) or not run.get("duration_s"):
        return "–"
    return run.get("ok_requests", 0) / run["duration_s"]


def _fmt_rate(v) -> str:
    if v == "–":
        return v
    return f"{v:,.0f}" if v >= 100 else f"{v:.1f}" if v >= 1 else f"{v:.3f}"


def _row(label: str, cells: list) -> str:
    return f"| {label} | " + " | ".join(str(c) for c in cells) + " |"


def render(res: dict[str, dict]) -> str:
    runs = [(k, name) for k, name in RUNS if k in res]
    head = "| | " + " | ".join(name for _, name in runs) + " |\n|---|" + "---|" * len(runs)
    L = [BEGIN, "", "## Results", "", "### Ingest, alignment, queries", "", head]
    col = lambda f: [f(res[k]) for k, _ in runs]  # noqa: E731
    L.append(_row("documents (MB)", col(lambda r: f"{r['corpus']['documents']:,} ({r['corpus']['bytes'] / 1e6:.1f})")))
    L.append(_row("quads in the store", col(lambda r: f"{_g(r, 'ingest', 'quads'):,}" if _g(r, 'ingest', 'quads') != '–' else '–')))
    L.append(_row("**ingest, end to end** (s)", col(lambda r: f"**{_g(r, 'ingest', 'seconds')}**")))
    L.append(_row("… extract + load / link + align (s)",
                  col(lambda r: f"{_g(r, 'ingest', 'phases_s', 'extract_load')} / {_g(r, 'ingest', 'phases_s', 'link')}")))
    L.append(_row("… CPU seconds (process tree)", col(lambda r: _g(r, "ingest", "cpu_seconds"))))
    L.append(_row("documents/s · MB/s", col(lambda r: f"{_g(r, 'ingest', 'docs_per_s')} · {_g(r, 'ingest', 'mb_per_s')}")))
    L.append(_row("**peak RSS**, process tree (main) MiB",
                  col(lambda r: f"**{_g(r, 'ingest', 'peak_rss_tree_mib')}** ({_g(r, 'ingest', 'peak_rss_main_mib')})")))
    L.append(_row("store on disk MiB", col(lambda r: _g(r, "ingest", "store_mib"))))
    L.append(_row("SHACL: documents validated (violations)",
                  col(lambda r: f"{_g(r, 'ingest', 'validated_with_shacl')} ({_g(r, 'ingest', 'shacl_violations')})")))
    L.append(_row("alignment, all pairs forced: s (pairs, ms/pair)",
                  col(lambda r: f"{_g(r, 'align', 'seconds')} ({_g(r, 'align', 'pairs')}, {_g(r, 'align', 'ms_per_pair')})")))
    for q, label in (("trace_task", "**trace_task** p50 / p95 (cold) ms"),
                     ("tasks_of_unit", "**find_tasks(unit=…)** p50 / p95 (cold) ms"),
                     ("plan_gaps", "plan_gaps p50 / p95 (cold) ms"), ("search", "catalog.search p50 / p95 (cold) ms"),
                     ("sparql_tasks_by_area", "SPARQL tasks per area p50 / p95 ms"),
                     ("sparql_unit_tasks", "SPARQL tasks of a unit p50 / p95 ms"),
                     ("sparql_trace_task", "SPARQL task → plans → bases p50 / p95 ms"),
                     ("sparql_plans_citing", "SPARQL plans citing a decision p50 / p95 ms")):
        L.append(_row(label, col(lambda r, q=q: f"{_ms(_g(r, 'queries', q, 'p50_ms'))} / {_ms(_g(r, 'queries', q, 'p95_ms'))}"
                                 + (f" ({_ms(_g(r, 'queries', q, 'cold_ms'))})" if "cold" in label else ""))))
    L.append(_row("**add one plan** to the KB: extract + ingest_record(link) s",
                  col(lambda r: f"**{_g(r, 'add', 'add_median_s')}** ({_g(r, 'add', 'plans_in_kb')} plans)")))
    L.append(_row("… of which reading the KB's catalog s", col(lambda r: _g(r, "add", "catalog_read_s"))))
    L.append(_row("remove it again s", col(lambda r: " · ".join(str(x["remove_s"]) for x in _g(r, "add", "runs", default=[])) or "–")))
    L += ["", "† the first full-country run (`bench/results/country-20261123-193033.json`), with the linker that "
          "scored every cited document against every plan, wrote all alignments in one SPARQL update and relinked "
          "the whole KB for each added plan; see \"What changed\".", ""]
    # rdflib
    L += ["### The same data in rdflib and pyoxigraph", "", "| | " + " | ".join(n for k, n in runs if "rdflib" in res[k])
          + " |\n|---|" + "---|" * sum("rdflib" in res[k] for k, _ in runs)]
    rr = [(k, n) for k, n in runs if "rdflib" in res[k]]
    for eng, label in (("rdflib", "rdflib Dataset (memory)"), ("oxigraph-memory", "pyoxigraph in memory, bulk_load"),
                       ("oxigraph-disk", "pyoxigraph on disk, bulk_load")):
        L.append(_row(f"{label}: load s · µs/quad · bytes/quad",
                      [f"{_g(res[k], 'rdflib', eng, 'load_seconds')} · {_g(res[k], 'rdflib', eng, 'us_per_quad')} · "
                       f"{_g(res[k], 'rdflib', eng, 'bytes_per_quad')}" for k, _ in rr]))
    for q in ("sparql_tasks_by_area", "sparql_unit_tasks", "sparql_trace_task", "sparql_plans_citing"):
        def cell(r, q=q):
            parts = []
            for eng in ("rdflib", "oxigraph-memory"):
                s = _g(r, "rdflib", eng, "queries", q, "seconds")
                parts.append(_ms(min(s) * 1000) if isinstance(s, list) else "–")
            return " / ".join(parts)
        L.append(_row(f"{q}: rdflib / pyoxigraph-memory ms (best)", [cell(res[k]) for k, _ in rr]))
    # http
    hh = [(k, n) for k, n in runs if "http" in res[k]]
    if hh:
        L += ["", "### HTTP, 16 concurrent clients", "", "| | " + " | ".join(n for _, n in hh) + " |\n|---|" + "---|" * len(hh)]
        for key, label in (("plankb_sparql", "plankb SPARQL, result cache off, 4-query mix: req/s · p50 / p95 ms · errors"),
                           ("plankb_cached_sparql", "plankb SPARQL as served (result cache on), same mix"),
                           ("rdflib_endpoint_sparql", "rdflib-endpoint, same mix: req/s · p50 / p95 ms · errors"),
                           ("plankb_rest", "plankb REST mix (trace, unit tasks, gaps, search): req/s · p50 / p95 ms")):
            L.append(_row(label, [f"{_g(res[k], 'http', key, 'requests_per_s')} · {_ms(_g(res[k], 'http', key, 'all', 'p50_ms'))} / "
                                  f"{_ms(_g(res[k], 'http', key, 'all', 'p95_ms'))} · {_g(res[k], 'http', key, 'errors')}"
                                  for k, _ in hh]))
        for suffix, label in (("", "cache off"), ("_cached", "as served")):
            L.append(_row(f"**throughput ratio vs rdflib-endpoint**, mix, {label}",
                          [f"**{_g(res[k], 'http', 'sparql_throughput_ratio' + suffix)}×**" for k, _ in hh]))
            for q in ("sparql_tasks_by_area", "sparql_unit_tasks", "sparql_trace_task", "sparql_plans_citing"):
                def each(r, q=q, suffix=suffix):
                    a = _rate(_g(r, "http", f"plankb{suffix}_sparql_each", q, default={}))
                    b = _rate(_g(r, "http", "rdflib_endpoint_sparql_each", q, default={}))
                    ratio = (f"{a / b:,.0f}" if a / b >= 100 else f"{a / b:.1f}") if a not in ("–", 0) and b not in ("–", 0) else "–"
                    a, b = _fmt_rate(a), _fmt_rate(b)
                    p95 = _g(r, "http", f"plankb{suffix}_sparql_each", q, "all", "p95_ms")
                    p95b = _g(r, "http", "rdflib_endpoint_sparql_each", q, "all", "p95_ms")
                    return f"{a} vs {b} req/s ({ratio}×); p95 {_ms(p95)} vs {_ms(p95b)} ms" if a != "–" else "–"
                L.append(_row(f"{q} alone, {label}: plankb vs rdflib-endpoint", [each(res[k]) for k, _ in hh]))
        for key, label in (("plankb_rest", "REST"),):
            for name in ("api_trace", "api_unit_tasks", "api_plan_gaps", "api_search"):
                L.append(_row(f"… {name} p50 / p95 ms (under the REST mix)",
                              [f"{_ms(_g(res[k], 'http', key, 'by_request', name, 'p50_ms'))} / "
                               f"{_ms(_g(res[k], 'http', key, 'by_request', name, 'p95_ms'))}" for k, _ in hh]))
        L.append(_row("server RSS MiB (process tree): plankb / rdflib-endpoint",
                      [f"{_g(res[k], 'http', 'plankb_cached_rss_mib', default=_g(res[k], 'http', 'plankb_rss_mib'))} / "
                       f"{_g(res[k], 'http', 'rdflib_endpoint_rss_mib')}" for k, _ in hh]))
        L.append(_row("startup s: plankb / rdflib-endpoint (loading)",
                      [f"{_g(res[k], 'http', 'plankb_startup_s')} / {_g(res[k], 'http', 'rdflib_endpoint_startup_s')}" for k, _ in hh]))
    # accuracy
    aa = [(k, n) for k, n in runs if "accuracy" in res[k]]
    if aa:
        L += ["", "### Extraction accuracy at scale (synthetic corpus)", "",
              "| | " + " | ".join(n for _, n in aa) + " |\n|---|" + "---|" * len(aa)]
        for f in ("level", "jurisdiction", "period", "number", "is_draft", "date"):
            L.append(_row(f"{f} accuracy", [_g(res[k], "accuracy", "fields", f, "accuracy") for k, _ in aa]))
        L.append(_row("adopting decision accuracy", [_g(res[k], "accuracy", "adopted_by", "accuracy") for k, _ in aa]))
        for s, label in (("legal_bases", "legal bases"), ("parent_plans", "parent plans"),
                         ("parent_plans_explicit", "parent plans cited with their subject"),
                         ("citations", "cited documents"), ("tasks", "tasks"), ("indicators", "indicators"),
                         ("units", "units")):
            L.append(_row(f"{label} P / R", [f"{_g(res[k], 'accuracy', 'sets', s, 'precision')} / "
                                             f"{_g(res[k], 'accuracy', 'sets', s, 'recall')}" for k, _ in aa]))
        L.append(_row("task count exact (mean abs. error)",
                      [f"{_g(res[k], 'accuracy', 'task_count_exact', 'accuracy')} ({_g(res[k], 'accuracy', 'task_count_mean_abs_error')})"
                       for k, _ in aa]))
        for f, label in (("task_area", "task area"), ("task_lead_units", "task lead units"),
                         ("task_support_units", "task supporting units"), ("task_deadline_text", "task deadline wording")):
            L.append(_row(f"{label} accuracy (n)", [f"{_g(res[k], 'accuracy', f, 'accuracy')} ({_g(res[k], 'accuracy', f, 'n')})"
                                                    for k, _ in aa]))
        L.append(_row("laws cited by name, recall", [_g(res[k], "accuracy", "laws_by_name", "recall") for k, _ in aa]))
        L.append(_row("**parent-plan links in the KB** P / R",
                      [f"**{_g(res[k], 'accuracy', 'links', 'precision')} / {_g(res[k], 'accuracy', 'links', 'recall')}**"
                       for k, _ in aa]))
    # targets
    L += ["", "### Targets (full country, 2 cores)", "", "| target | country, before † | country |",
          "|---|---|---|"]
    names = sorted({t for k, _ in runs if k.startswith("country") for t in res[k].get("targets", {})})
    for t in names:
        cells = []
        for k in ("country-before", "country"):
            v = _g(res.get(k, {}), "targets", t, default=None)
            cells.append("–" if v is None else f"{'met' if v['met'] else '**missed**'}: {v['value']} ({v['target']})")
        L.append(_row(t, cells))
    L += ["", "Result files: " + ", ".join(f"`bench/results/{FILES.get(k, k + '-latest.json')}`" for k, _ in runs) + ".",
          "", END]
    return "\n".join(L)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--print", action="store_true")
    a = ap.parse_args()
    text = render(_load())
    if a.print:
        print(text)
        return
    doc = DOC.read_text(encoding="utf-8")
    if BEGIN in doc and END in doc:
        doc = doc[: doc.index(BEGIN)] + text + doc[doc.index(END) + len(END):]
    else:
        doc = doc.replace("__RESULTS__", text)
    DOC.write_text(doc, encoding="utf-8")
    print(f"updated {DOC}")


if __name__ == "__main__":
    main()
