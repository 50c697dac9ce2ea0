"""In-process parts of `plankb bench`: query latency (trace_task, find_tasks, plan_gaps, search and
four SPARQL queries), re-alignment of every pair, and the cost of adding and removing one plan.
"""
from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Any, Callable

from plankb.bench.common import latency_stats
from plankb.bench.synth import plan_corpus, write_document
from plankb.ingest.extract.document import extract_document
from plankb.ingest.load import ingest_record, remove_plan
from plankb.kb.align import align_kb
from plankb.kb.catalog import search
from plankb.kb.link import collect
from plankb.kb.query.gaps import plan_gaps
from plankb.kb.query.trace import find_tasks, trace_task
from plankb.kb.store import KnowledgeBase

PREFIXES = """PREFIX pk: <http://plankb.org/ontology#>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""


# ---------------------------------------------------------------------------- query latency
def _sample_ids(kb, seed: int) -> dict:
    """Parameters for the query benchmarks, drawn reproducibly from the KB."""
    r = random.Random(seed)
    tasks = kb.select("SELECT ?t ?id WHERE { ?t a pk:Task ; dcterms:identifier ?id ; pk:plan/pk:level ?l } ")
    commune = [t for t in tasks if "phuong-" in t["id"] or "xa-" in t["id"] or "dac-khu" in t["id"]] or tasks
    units = kb.select("""SELECT DISTINCT ?u ?id WHERE { ?t pk:leadUnit ?u . ?u dcterms:identifier ?id }""")
    plans = kb.select("SELECT ?p ?id ?level WHERE { ?p a pk:Plan ; dcterms:identifier ?id ; pk:level ?level }")
    child_plans = [p for p in plans if p["level"] == "commune"] or plans
    legal = kb.select("""SELECT ?key (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p eli:based_on ?l . ?l pk:citationKey ?key ;
        pk:issuerLevel "province" } GROUP BY ?key ORDER BY DESC(?n) LIMIT 5""") or \
        kb.select("SELECT ?key WHERE { ?l pk:citationKey ?key } LIMIT 1")
    return {
        "tasks": r.sample(commune, min(len(commune), 60)),
        "units": r.sample(units, min(len(units), 40)),
        "plans": r.sample(child_plans, min(len(child_plans), 30)),
        "legal": [x["key"] for x in legal],
        "words": ["chuyển đổi số", "một cửa", "tài sản công", "vị trí việc làm", "Văn phòng HĐND", "PAR INDEX",
                  "hài lòng", "kiểm soát thủ tục", "Đề án 06", "dữ liệu dân cư"],
    }


def sparql_queries(params: dict) -> dict[str, str]:
    """The four SPARQL benchmark queries, parameters inlined (same text for every engine)."""
    task = params["tasks"][0]["t"]
    unit = params["units"][0]["u"]
    key = params["legal"][0] if params["legal"] else "nq-76-2021-nq-cp"
    return {
        "sparql_tasks_by_area": PREFIXES + """SELECT ?area (COUNT(?task) AS ?tasks) WHERE {
  ?task a pk:Task ; pk:area ?a . ?a skos:notation ?area } GROUP BY ?area ORDER BY ?area""",
        "sparql_unit_tasks": PREFIXES + f"""SELECT DISTINCT ?task ?text ?planId ?role WHERE {{
  VALUES ?unit {{ <{unit}> }}
  {{ ?task pk:leadUnit ?unit . BIND("lead" AS ?role) }} UNION {{ ?task pk:supportUnit ?unit . BIND("support" AS ?role) }}
  ?task pk:text ?text ; pk:plan/dcterms:identifier ?planId }} ORDER BY ?planId ?task""",
        "sparql_trace_task": PREFIXES + f"""SELECT DISTINCT ?plan ?ancestor ?ancestorLevel ?basis ?basisId WHERE {{
  VALUES ?task {{ <{task}> }}
  ?task pk:plan ?plan . ?plan pk:parentPlan* ?ancestor . ?ancestor pk:level ?ancestorLevel ; eli:based_on ?basis .
  OPTIONAL {{ ?basis eli:id_local ?basisId }} }} ORDER BY ?ancestorLevel ?basisId""",
        "sparql_plans_citing": PREFIXES + f"""SELECT DISTINCT ?plan ?planId ?level ?jurisdiction WHERE {{
  ?legal pk:citationKey "{key}" . ?cited owl:sameAs? ?legal .
  {{ ?plan eli:based_on ?cited }} UNION {{ ?plan eli:cites ?cited }}
  ?plan a pk:Plan ; dcterms:identifier ?planId ; pk:level ?level .
  OPTIONAL {{ ?plan pk:jurisdiction/skos:prefLabel ?jurisdiction }} }} ORDER BY ?planId""",
    }


def _timed(fn: Callable[[], Any], reps: list) -> tuple[float | None, list[float], str | None]:
    """First call (cold) and warm call times over `reps` parameter values."""
    cold, warm, err = None, [], None
    for i, arg in enumerate(reps):
        t = time.perf_counter()
        try:
            fn(arg)
        except Exception as e:  # noqa: BLE001 - reported, not fatal
            err = f"{type(e).__name__}: {e}"[:300]
            continue
        dt = time.perf_counter() - t
        if i == 0:
            cold = dt
        else:
            warm.append(dt)
    return cold, warm, err


def bench_queries(data_dir: Path, seed: int) -> tuple[dict, dict]:
    kb = KnowledgeBase.open(data_dir)
    try:
        t = time.perf_counter()
        params = _sample_ids(kb, seed)
        out: dict[str, Any] = {"parameter_sampling_s": round(time.perf_counter() - t, 3)}

        def record(name: str, fn, args) -> None:
            cold, warm, err = _timed(fn, args)
            out[name] = {**latency_stats(warm), "cold_ms": round(cold * 1000, 1) if cold is not None else None}
            if err:
                out[name]["error"] = err

        try:
            record("trace_task", lambda a: trace_task(kb, a["id"]), params["tasks"])
            record("tasks_of_unit", lambda a: find_tasks(kb, unit=a["id"]), params["units"])
        except ImportError as e:
            out["trace_task"] = out["tasks_of_unit"] = {"error": f"not available: {e}"}
        try:
            record("plan_gaps", lambda a: plan_gaps(kb, a["id"]), params["plans"])
        except ImportError as e:
            out["plan_gaps"] = {"error": f"not available: {e}"}
        try:
            record("search", lambda w: search(kb, w, limit=20), params["words"] * 3)
        except ImportError as e:
            out["search"] = {"error": f"not available: {e}"}
        queries = sparql_queries(params)
        for name, q in queries.items():
            record(name, lambda _a, q=q: list(kb.query(q)), list(range(12)))
        return out, {"params": params, "sparql": queries}
    finally:
        kb.close()


# ---------------------------------------------------------------------------- alignment
def bench_align(data_dir: Path) -> dict:
    """Recompute every (child, parent) alignment (kb.align.align_kb(force=True)) on the ingested KB."""
    kb = KnowledgeBase.open(data_dir)
    try:
        t0 = time.perf_counter()
        rep = align_kb(kb, force=True)
        dt = time.perf_counter() - t0
        pairs = len(rep.aligned)
        return {"pairs": pairs, "task_links": rep.task_links, "seconds": round(dt, 2),
                "ms_per_pair": round(dt / pairs * 1000, 1) if pairs else None, "warnings": len(rep.warnings)}
    except ImportError as e:
        return {"error": f"not available: {e}"}
    finally:
        kb.close()


# ---------------------------------------------------------------------------- adding one plan
def extra_plans(tmp: Path, seed: int, n: int = 3) -> list[Path]:
    """Plans that are not in the corpus: five-year plans of communes (the corpus has yearly ones)."""
    out = []
    for code in ("31", "24", "1")[:n]:
        specs = plan_corpus(province_codes=[code], communes=1, seed=seed + 7, five_year_communes=1.0, docx_share=0.0,
                            national=False)
        spec = next(s for s in specs if s.level == "commune" and s.period[0] != s.period[1])
        spec.fmt = "text"
        e = write_document(spec, tmp, seed + 7)
        out.append(tmp / e["file"])
    return out


def bench_add(data_dir: Path, seed: int, runs: int = 3) -> dict:
    tmp = data_dir.parent / "extra"
    files = extra_plans(tmp, seed, runs)
    kb = KnowledgeBase.open(data_dir)
    rows = []
    try:
        plans_before = len(kb.plans())
        for f in files:
            t0 = time.perf_counter()
            rec = extract_document(f)
            t1 = time.perf_counter()
            o = ingest_record(kb, rec, link=True, validate=True)
            t2 = time.perf_counter()
            removed = remove_plan(kb, rec.id) if o.status in ("added", "replaced") else False
            t3 = time.perf_counter()
            rows.append({"file": f.name, "status": o.status, "extract_s": round(t1 - t0, 3),
                         "ingest_record_s": round(t2 - t1, 3), "remove_s": round(t3 - t2, 3), "removed": removed})
    finally:
        kb.close()
    add = [r["extract_s"] + r["ingest_record_s"] for r in rows]
    # the one part of an addition that reads the whole KB: the catalog (one pk:linkFacts literal per document)
    kb = KnowledgeBase.open(data_dir)
    try:
        t0 = time.perf_counter()
        cat = collect(kb.store, {kb.iris.links_graph, kb.iris.ontology_graph})
        collect_s = round(time.perf_counter() - t0, 3)
    finally:
        kb.close()
    return {"plans_in_kb": plans_before, "runs": rows, "add_median_s": round(sorted(add)[len(add) // 2], 3) if add else None,
            "catalog_read_s": collect_s, "catalog_plans": len(cat.plans), "catalog_cited_documents": len(cat.legal)}
