"""The `http` part of `plankb bench`: the real server under concurrent clients (SPARQL and REST
routes), then rdflib-endpoint serving the same data.
"""
from __future__ import annotations

import os
import subprocess
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from plankb.bench.common import (
    PYTHON,
    REPO,
    free_port,
    latency_stats,
    mib,
    wait_for_http,
)


# ---------------------------------------------------------------------------- HTTP load
def http_load(base: str, requests: list[tuple[str, str, dict, dict]], clients: int, duration: float,
              timeout: float = 60.0) -> dict:
    """`clients` threads, each with its own connection, cycling through `requests` for `duration` s."""
    import httpx  # httpx: loaded only when an HTTP client is needed

    lat: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    statuses: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    lock = threading.Lock()
    stop = time.monotonic() + duration

    def worker(k: int) -> None:
        with httpx.Client(base_url=base, timeout=timeout) as c:
            i = k
            while time.monotonic() < stop:
                name, path, params, headers = requests[i % len(requests)]
                i += 1
                t = time.perf_counter()
                try:
                    r = c.get(path, params=params, headers=headers)
                    r.read()
                    dt = time.perf_counter() - t
                    with lock:
                        statuses[name][r.status_code] += 1
                        if r.status_code == 200:
                            lat[name].append(dt)
                        else:
                            errors[name] += 1
                except httpx.HTTPError:
                    with lock:
                        errors[name] += 1
                        statuses[name][0] += 1

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - t0
    total = sum(len(v) for v in lat.values())
    return {
        "clients": clients, "duration_s": round(wall, 1), "ok_requests": total, "requests_per_s": round(total / wall, 1),
        "errors": sum(errors.values()),
        "all": latency_stats([x for v in lat.values() for x in v]),
        "by_request": {n: {**latency_stats(lat[n]), "errors": errors.get(n, 0),
                           "statuses": dict(statuses[n]), "per_s": round(len(lat[n]) / wall, 2)}
                       for n in sorted(set(lat) | set(errors))},
    }


def _serve(cmd: list[str], url: str, startup: float, log: Path, env: dict | None = None) -> subprocess.Popen | None:
    fh = open(log, "w")
    p = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, cwd=REPO,
                         env={**os.environ, **env} if env else None)
    if not wait_for_http(url, startup, p):
        p.terminate()
        return None
    return p


def _drain(pid: int, limit: float = 900.0) -> float:
    """Wait until the server process is idle (CPU < 5 % over a second); seconds waited."""
    import psutil  # psutil: only the benchmarks sample memory (not a runtime dependency)

    t0 = time.perf_counter()
    proc = psutil.Process(pid)
    proc.cpu_percent(None)
    while time.perf_counter() - t0 < limit:
        if proc.cpu_percent(interval=1.0) < 5.0:
            break
    return round(time.perf_counter() - t0, 1)


def _stop(p: subprocess.Popen | None) -> None:
    if p is None:
        return
    p.terminate()
    try:
        p.wait(timeout=20)
    except subprocess.TimeoutExpired:
        p.kill()


def bench_http(data_dir: Path, nq: Path | None, queries: dict, params: dict, clients: int, duration: float,
               work: Path, rdflib_startup: float) -> dict:
    import psutil  # psutil: only the benchmarks sample memory (not a runtime dependency)

    sparql = [(name, "/sparql", {"query": q}, {"Accept": "application/sparql-results+json"}) for name, q in queries.items()]
    rest = []
    for t in params["tasks"][:20]:
        rest.append(("api_trace", f"/api/tasks/{t['id']}/trace", {}, {}))
    for u in params["units"][:20]:
        rest.append(("api_unit_tasks", f"/api/units/{u['id']}/tasks", {}, {}))
    for p in params["plans"][:20]:
        rest.append(("api_plan_gaps", f"/api/plans/{p['id']}/gaps", {}, {}))
    for w in params["words"]:
        rest.append(("api_search", "/api/search", {"q": w}, {}))
    out: dict[str, Any] = {}
    each = max(10.0, duration / 2)
    # twice: the query engine alone (result cache off), then as served by default (cache on: the
    # same query text is evaluated once per KB version, which this load mostly measures)
    for prefix, env in (("plankb", {"PLANKB_QUERY_CACHE_BYTES": "0"}), ("plankb_cached", {})):
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env_cmd = [PYTHON, "-m", "plankb.api.cli", "serve", "--no-seeds", "--data-dir", str(data_dir), "--port", str(port)]
        t0 = time.perf_counter()
        p = _serve(env_cmd, f"{base}/sparql", 300, work / f"serve-{prefix}.log", env)
        if p is None:
            out[prefix] = {"error": "server did not start", "log": (work / f"serve-{prefix}.log").read_text()[-2000:]}
            continue
        try:
            out[f"{prefix}_startup_s"] = round(time.perf_counter() - t0, 1)
            # warm the caches (catalog, trace, search index) once, as a running server would be
            import httpx  # httpx: loaded only when an HTTP client is needed

            for name, path, prm, hdr in {r[0]: r for r in rest}.values():
                try:
                    httpx.get(base + path, params=prm, headers=hdr, timeout=300)
                except httpx.HTTPError:
                    pass
            out[f"{prefix}_sparql"] = http_load(base, sparql, clients, duration)
            # each query alone: a mix is as fast as its slowest query
            out[f"{prefix}_sparql_each"] = {r[0]: http_load(base, [r], clients, each) for r in sparql}
            if prefix == "plankb_cached":
                out["plankb_rest"] = http_load(base, rest, clients, duration)
            out[f"{prefix}_rss_mib"] = mib(sum(x.memory_info().rss for x in [psutil.Process(p.pid)] +
                                               psutil.Process(p.pid).children(recursive=True)))
        finally:
            _stop(p)
    if nq is not None:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        exe = str(Path(PYTHON).parent / "rdflib-endpoint")
        t0 = time.perf_counter()
        # rdflib-endpoint (0.6) serves SPARQL at "/", plankb at "/sparql": same requests otherwise
        p = _serve([exe, "serve", str(nq), "--host", "127.0.0.1", "--port", str(port)], f"{base}/",
                   rdflib_startup, work / "serve-rdflib.log")
        if p is None:
            out["rdflib_endpoint"] = {"error": f"did not start within {rdflib_startup:.0f} s (loading the data)",
                                      "log": (work / "serve-rdflib.log").read_text()[-1500:]}
        else:
            try:
                out["rdflib_endpoint_startup_s"] = round(time.perf_counter() - t0, 1)
                at_root = [(n, "/", prm, hdr) for n, _, prm, hdr in sparql]
                out["rdflib_endpoint_sparql"] = http_load(base, at_root, clients, duration, timeout=120)
                # requests the clients gave up on are still evaluated by the server: let it finish
                # them before the next measurement, or that one measures the previous backlog
                drained = {"mix": _drain(p.pid)}
                out["rdflib_endpoint_sparql_each"] = {}
                for r in at_root:
                    out["rdflib_endpoint_sparql_each"][r[0]] = http_load(base, [r], clients, each, timeout=120)
                    drained[r[0]] = _drain(p.pid)
                out["rdflib_endpoint_drain_s"] = drained
                out["rdflib_endpoint_rss_mib"] = mib(psutil.Process(p.pid).memory_info().rss)
            finally:
                _stop(p)
        for prefix, suffix in (("plankb", ""), ("plankb_cached", "_cached")):
            a, b = out.get(f"{prefix}_sparql", {}), out.get("rdflib_endpoint_sparql", {})
            if a.get("requests_per_s") and b.get("requests_per_s"):
                out[f"sparql_throughput_ratio{suffix}"] = round(a["requests_per_s"] / b["requests_per_s"], 1)
            ratios = {}
            for name in queries:
                x = out.get(f"{prefix}_sparql_each", {}).get(name, {}).get("requests_per_s")
                y = out.get("rdflib_endpoint_sparql_each", {}).get(name, {}).get("requests_per_s")
                if x and y:
                    ratios[name] = round(x / y, 1)
            if ratios:
                out[f"sparql_throughput_ratio_each{suffix}"] = ratios
    return out
