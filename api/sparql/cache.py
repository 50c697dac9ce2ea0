"""The result cache: `ResultCache` (answers by key, bounded in bytes, LRU) and `SharedAnswers`,
whose `answer(run, job)` serves a request from the cache, from an identical evaluation already
under way, or by running it once.

Keys are a digest of the job (query text, format, dataset, row cap) and the KB generation: the
endpoint's count of SPARQL Updates plus the KB's own write counter, so a write makes every older
entry unreachable. Queries during an update bypass the cache. Answers carry a weak ETag (the key
plus a per-process nonce).
"""
from __future__ import annotations

import asyncio
import hashlib
import secrets
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

from plankb.api.sparql.jobs import Job, Outcome, job_digest


class ResultCache:
    """Serialised query answers by key, bounded in bytes; the least recently used go first.

    The key (`SharedAnswers.key` makes it) holds the KB generation, so a write makes every older
    entry unreachable: they age out. `clear()` drops them at once."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max(0, int(max_bytes))
        # an answer larger than this is served but not kept (it would push out many small ones)
        self.max_entry_bytes = self.max_bytes // 4
        self._entries: OrderedDict[str, tuple[Outcome, int]] = OrderedDict()
        self._lock = threading.Lock()
        self.bytes = 0
        self.hits = self.misses = self.evictions = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: str) -> Outcome | None:
        with self._lock:
            hit = self._entries.get(key)
            if hit is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return hit[0]

    def put(self, key: str, outcome: Outcome) -> bool:
        size = len(outcome.body) + len(key) + 256
        if size > self.max_entry_bytes:
            return False
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.bytes -= old[1]
            self._entries[key] = (outcome, size)
            self.bytes += size
            while self.bytes > self.max_bytes and self._entries:
                _, (_, dropped) = self._entries.popitem(last=False)
                self.bytes -= dropped
                self.evictions += 1
        return True

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.bytes = 0


def etag_matches(header: str | None, etag: str) -> bool:
    """If-None-Match against our ETag, weak comparison (RFC 9110 13.1.2)."""
    if not header:
        return False
    if header.strip() == "*":
        return True
    ours = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == ours for tag in header.split(","))


class SharedAnswers:
    """Cached and in-flight answers for one endpoint, and the generation that keys them.

    `cache` is None (no caching) until `enable()`; `writing()` brackets a SPARQL Update."""

    def __init__(self, generation_source: Callable[[], Any] | None):
        self.cache: ResultCache | None = None
        self._generation_source = generation_source
        self._writes = 0  # updates through this endpoint (started and finished)
        self._updating = 0
        self._instance = secrets.token_hex(4)  # ETags of an earlier run of the server never match
        self._inflight: dict[str, asyncio.Future[Outcome]] = {}

    def enable(self, max_bytes: int) -> None:
        self.cache = ResultCache(max_bytes)

    def generation(self) -> tuple[int, Any] | None:
        """The KB generation to key cached answers with; None when answers must not be cached."""
        if self.cache is None or self._updating or self._generation_source is None:
            return None
        return (self._writes, self._generation_source())

    def key(self, job: Job, generation: tuple[int, Any]) -> tuple[str, str]:
        """The cache key of `job` at `generation`, and its weak ETag."""
        key = hashlib.sha256(f"{generation}\x1e{job_digest(job)}".encode()).hexdigest()
        return key, f'W/"{self._instance}-{key[:32]}"'

    async def answer(self, run: Callable[[Job], Awaitable[Outcome]], job: Job, key: str,
                     generation: tuple[int, Any]) -> tuple[Outcome, str]:
        """The answer to `job` and how it was found: hit, shared (an identical request was being
        evaluated) or miss. Raises what `run` raises."""
        assert self.cache is not None
        outcome = self.cache.get(key)
        if outcome is not None:
            return outcome, "hit"
        future = self._inflight.get(key)
        state = "shared" if future is not None else "miss"
        if future is None:  # evaluate once; identical requests meanwhile wait for this answer
            future = asyncio.ensure_future(self._evaluate(run, job, key, generation))
            self._inflight[key] = future
            future.add_done_callback(lambda f, k=key: self._settled(k, f))
        return await asyncio.shield(future), state

    async def _evaluate(self, run: Callable[[Job], Awaitable[Outcome]], job: Job, key: str,
                        generation: tuple[int, Any]) -> Outcome:
        outcome = await run(job)
        # kept only if no write started or ended meanwhile (it may have read either state)
        if self.cache is not None and self.generation() == generation:
            self.cache.put(key, outcome)
        return outcome

    def _settled(self, key: str, future: asyncio.Future[Outcome]) -> None:
        if self._inflight.get(key) is future:
            del self._inflight[key]
        if not future.cancelled():
            future.exception()  # retrieved: no "exception never retrieved" warning when all waiters left

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Around an update: the generation changes when it starts (queries meanwhile bypass the
        cache) and again when it ends, failed or not; the cache is emptied."""
        self._updating += 1
        self._writes += 1
        try:
            yield
        finally:
            self._writes += 1
            self._updating -= 1
            if self.cache is not None:
                self.cache.clear()
