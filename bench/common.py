"""Helpers shared by the benchmarks: process-tree RSS sampling, percentiles, ports, disk usage."""
from __future__ import annotations

import os
import resource
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
last_cpu_seconds = 0.0  # CPU time of the last run_measured command (and its descendants)
PYTHON = sys.executable


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0-100) by linear interpolation; None for no values."""
    if not values:
        return None
    v = sorted(values)
    k = (len(v) - 1) * q / 100.0
    lo, hi = int(k), min(int(k) + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def latency_stats(seconds: list[float]) -> dict:
    """p50 / p95 / mean / max in milliseconds."""
    ms = [s * 1000 for s in seconds]
    if not ms:
        return {"n": 0}
    return {"n": len(ms), "p50_ms": round(percentile(ms, 50), 2), "p95_ms": round(percentile(ms, 95), 2),
            "mean_ms": round(statistics.fmean(ms), 2), "max_ms": round(max(ms), 2)}


class TreeRSS:
    """Samples the summed RSS of a process and all its descendants (psutil) in a thread."""

    def __init__(self, pid: int, interval: float = 0.2):
        import psutil  # psutil: only the benchmarks sample memory (not a runtime dependency)

        self.proc = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self.peak_main = 0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        import psutil  # psutil: only the benchmarks sample memory (not a runtime dependency)

        try:
            procs = [self.proc] + self.proc.children(recursive=True)
        except psutil.Error:
            return
        total = 0
        for p in procs:
            try:
                rss = p.memory_info().rss
            except psutil.Error:
                continue
            total += rss
            if p.pid == self.proc.pid:
                self.peak_main = max(self.peak_main, rss)
        self.peak = max(self.peak, total)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> "TreeRSS":
        self._t.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._t.join()


def run_measured(cmd: list[str], timeout: float | None = None, env: dict | None = None) -> tuple[int, float, int, int, str]:
    """Run a command; returns (exit code, seconds, peak tree RSS, peak main RSS, stdout+stderr tail).
    The CPU seconds (user + system) of the command and its descendants are in `last_cpu_seconds`."""

    global last_cpu_seconds
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=REPO, env=env, text=True)
    with TreeRSS(p.pid) as mon:
        try:
            out, _ = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            out, _ = p.communicate()
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    last_cpu_seconds = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return p.returncode, time.perf_counter() - t0, mon.peak, mon.peak_main, (out or "")[-4000:]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_http(url: str, timeout: float, proc=None) -> bool:
    import httpx  # httpx: loaded only when an HTTP client is needed

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            httpx.get(url, timeout=2.0)
            return True
        except httpx.HTTPError:
            time.sleep(0.3)
    return False


def du(path: str | os.PathLike) -> int:
    """Bytes used by the files under path."""
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            try:
                total += os.path.getsize(os.path.join(root, f))
            except OSError:
                pass
    return total


def mib(n: int | float | None) -> float | None:
    return None if n is None else round(n / 1024 / 1024, 1)


def load_average() -> list[float]:
    """1, 5 and 15-minute load averages: other work on the machine slows every wall-clock figure."""
    return [round(x, 2) for x in os.getloadavg()]
