"""Query evaluation with a deadline and a row cap: `evaluate`, run by an engine's `run(job)`.

`ThreadEngine` (in-memory stores) evaluates in a thread that stops at the next result row after
the deadline; `ProcessEngine` (on-disk stores) keeps a pool of worker processes that open the
store read-only and kills (SIGKILL) and replaces a worker that passes the deadline. Its queue
policy keeps one worker free of queries known to be slow. Both run SPARQL Updates (`update`).
"""
from __future__ import annotations

import asyncio
import logging
import multiprocessing
import queue
import signal
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from plankb.api.sparql.jobs import Job, Outcome, QueryFailed, job_digest
from plankb.api.sparql.results import write_boolean, write_solutions, write_triples

try:
    import resource  # POSIX only: the workers' memory limit
except ImportError:
    resource = None  # type: ignore[assignment]

log = logging.getLogger("plankb.sparql")


class _Stopped(Exception):
    pass


def evaluate(store: ox.Store, job: Job, should_stop: Callable[[], bool] | None = None) -> Outcome:
    """Run `job` on `store` and serialise at most `job.max_rows` rows. Raises QueryFailed.

    pyoxigraph result objects are "unsendable": they must be dropped on the thread that made
    them. So the failure is raised only after the except block, once the traceback (and the
    frame holding the results) is gone.
    """
    try:
        return _evaluate(store, job, should_stop)
    except _Stopped:
        kind, message = "timeout", "stopped at the deadline"
    except SyntaxError as e:
        kind, message = "syntax", str(e)
    except (RuntimeError, ValueError, TypeError) as e:
        kind, message = "evaluation", str(e)
    except OSError as e:
        kind, message = "internal", f"store error: {e}"
    raise QueryFailed(kind, message)


def _evaluate(store: ox.Store, job: Job, should_stop: Callable[[], bool] | None) -> Outcome:
    kwargs: dict[str, Any] = {"prefixes": dict(job.prefixes)}
    if job.default_graphs is not None:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
    elif job.union_default_graph:
        kwargs["use_default_graph_as_union"] = True
    if job.named_graphs is not None:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    result = store.query(job.query, **kwargs)
    if isinstance(result, ox.QueryBoolean):
        return Outcome(write_boolean(bool(result), job.format), 1, False)
    rows: list[Any] = []
    truncated = False
    for item in result:
        if len(rows) >= job.max_rows:
            truncated = True
            break
        if should_stop is not None and not len(rows) % 256 and should_stop():
            raise _Stopped
        rows.append(item)
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        table = [[sol[k] for k in range(len(variables))] for sol in rows]
        return Outcome(write_solutions(variables, table, job.format), len(rows), truncated)
    return Outcome(write_triples(rows, job.format, job.prefixes), len(rows), truncated)


class ThreadEngine:
    """Evaluates in a thread; for in-memory stores. See the module docstring for the limits."""

    mode = "thread"

    def __init__(self, store: ox.Store, timeout: float):
        self.store = store
        self.timeout = timeout

    def start(self) -> None:
        pass

    def close(self) -> None:
        pass

    async def run(self, job: Job) -> Outcome:
        stop = threading.Event()
        try:
            return await asyncio.wait_for(asyncio.to_thread(evaluate, self.store, job, stop.is_set), self.timeout)
        except asyncio.TimeoutError:
            stop.set()
            raise QueryFailed("timeout", "deadline passed") from None

    async def update(self, text: str, prefixes: Mapping[str, str]) -> None:
        await asyncio.to_thread(self.store.update, text, prefixes=dict(prefixes))


def _worker_main(conn: Any, path: str, memory_mb: int | None) -> None:  # runs in a child process
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and kills us
    if memory_mb and resource is not None:
        try:
            limit = memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ValueError, OSError):
            pass
    try:
        store: ox.Store | None = ox.Store.read_only(path)
        open_error = ""
    except OSError as e:
        store, open_error = None, str(e)
    conn.send(("ready", open_error))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            if store is None:
                raise QueryFailed("internal", f"the store could not be opened read-only: {open_error}")
            conn.send(("ok", evaluate(store, job)))
        except QueryFailed as e:
            conn.send(("error", e.kind, e.message))
        except MemoryError:
            conn.send(("error", "crashed", "out of memory"))
        except Exception as e:  # noqa: BLE001 - reported as a 500 without details
            conn.send(("error", "internal", type(e).__name__))


class _Worker:
    def __init__(self, ctx: Any, path: str, memory_mb: int | None, generation: int):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(child, path, memory_mb), daemon=True,
                                   name="plankb-sparql-worker")
        self.process.start()
        child.close()
        self.generation = generation
        self.ready = False

    def kill(self) -> None:
        try:
            self.process.kill()
            self.process.join(timeout=5)
        except (OSError, ValueError, AssertionError):
            pass
        try:
            self.conn.close()
        except OSError:
            pass


class ProcessEngine:
    """A pool of worker processes over an on-disk store opened read-only; killed at the deadline."""

    mode = "process"

    def __init__(self, store: ox.Store | None, path: Path, timeout: float, workers: int = 2,
                 memory_mb: int | None = None, slow_after: float = 0.25):
        self.store = store  # the read-write store, used for updates only
        self.path = str(path)
        self.timeout = timeout
        self.size = max(1, workers)
        self.memory_mb = memory_mb
        # A query text whose last run took `slow_after` s or more (or timed out) is "slow": at most
        # size - 1 slow queries hold a worker at once, so one is always left for the others.
        self.slow_after = slow_after
        self._durations: OrderedDict[str, float] = OrderedDict()
        self._slow_lane = threading.BoundedSemaphore(max(1, self.size - 1))
        # requests wait for a worker in these threads (not in asyncio's small default pool, which
        # would queue them with no deadline)
        self._executor = ThreadPoolExecutor(max_workers=64, thread_name_prefix="plankb-sparql")
        self._ctx = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._workers: set[_Worker] = set()
        self._lock = threading.Lock()
        self._update_lock = threading.Lock()
        self._generation = 0
        self._closed = False

    def start(self) -> None:
        if self.store is not None:
            try:
                self.store.flush()  # so the read-only workers see every committed write
            except OSError:
                pass
        for _ in range(self.size):
            self._spawn()

    def _spawn(self) -> None:
        with self._lock:
            if self._closed:
                return
            w = _Worker(self._ctx, self.path, self.memory_mb, self._generation)
            self._workers.add(w)
        self._idle.put(w)

    def _retire(self, w: _Worker, replace: bool = True) -> None:
        w.kill()
        with self._lock:
            self._workers.discard(w)
            replace = replace and w.generation == self._generation and not self._closed
        if replace:
            self._spawn()

    def _kill_all(self) -> None:
        with self._lock:
            self._generation += 1
            workers, self._workers = list(self._workers), set()
        for w in workers:
            w.kill()
        while True:
            try:
                self._idle.get_nowait()
            except queue.Empty:
                break

    def close(self) -> None:
        with self._lock:
            self._closed = True
        self._kill_all()  # read-only workers hold nothing worth a graceful exit
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _acquire(self, timeout: float) -> _Worker:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            try:
                w = self._idle.get(timeout=max(remaining, 0.001))
            except queue.Empty:
                raise QueryFailed("busy", "all query workers stayed busy") from None
            if w.generation == self._generation and w.process.is_alive():
                return w
            if w.generation == self._generation:  # died while idle
                self._retire(w)

    # ---- queue policy: queries known to be slow never hold every worker
    def _is_slow(self, job: Job) -> bool:
        with self._lock:
            took = self._durations.get(job_digest(job))
        return took is not None and took >= self.slow_after

    def _record(self, job: Job, seconds: float) -> None:
        key = job_digest(job)
        with self._lock:
            self._durations[key] = seconds
            self._durations.move_to_end(key)
            while len(self._durations) > 4096:
                self._durations.popitem(last=False)

    def _roundtrip(self, job: Job, timeout: float) -> Outcome:
        started = time.monotonic()
        slow = self._is_slow(job)
        if slow and not self._slow_lane.acquire(timeout=max(timeout, 0.001)):
            raise QueryFailed("busy", "the workers for slow queries stayed busy")
        try:
            return self._run_on_worker(job, timeout - (time.monotonic() - started))
        finally:
            if slow:
                self._slow_lane.release()

    def _run_on_worker(self, job: Job, timeout: float) -> Outcome:
        started = time.monotonic()
        w = self._acquire(timeout)
        try:
            if not w.ready:  # a fresh worker says when its store is open (or why it is not)
                if not w.conn.poll(max(timeout - (time.monotonic() - started), 0.0)):
                    self._idle.put(w)
                    raise QueryFailed("busy", "the query worker is still starting")
                _, open_error = w.conn.recv()
                if open_error:
                    self._retire(w)
                    raise QueryFailed("internal", f"query worker cannot open the store: {open_error}")
                w.ready = True
        except (EOFError, OSError):
            self._retire(w)
            raise QueryFailed("internal", "a query worker failed to start") from None
        remaining = timeout - (time.monotonic() - started)
        sent = time.monotonic()
        try:
            w.conn.send(job)
            ready = w.conn.poll(max(remaining, 0.0))
            msg = w.conn.recv() if ready else None
        except (EOFError, OSError):
            self._retire(w)
            raise QueryFailed("crashed", "the query process stopped (out of memory?)") from None
        if not ready:
            log.warning("SPARQL query passed its %.1f s deadline; worker %s killed", self.timeout, w.process.pid)
            self._record(job, float("inf"))
            self._retire(w)
            raise QueryFailed("timeout", "deadline passed")
        self._record(job, time.monotonic() - sent)
        self._idle.put(w)
        if msg[0] == "ok":
            return msg[1]
        raise QueryFailed(msg[1], msg[2])

    async def run(self, job: Job) -> Outcome:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._roundtrip, job, self.timeout)

    def _update(self, text: str, prefixes: Mapping[str, str]) -> None:
        if self.store is None:
            raise QueryFailed("internal", "no writable store")
        with self._update_lock:
            # Read-only instances must not stay open while the primary writes: stop them first.
            self._kill_all()
            try:
                self.store.update(text, prefixes=dict(prefixes))
                self.store.flush()
            finally:
                for _ in range(self.size):
                    self._spawn()

    async def update(self, text: str, prefixes: Mapping[str, str]) -> None:
        await asyncio.to_thread(self._update, text, prefixes)
