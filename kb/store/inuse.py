"""Who holds the knowledge base: the marker a running server leaves, and the error for a locked store.

Oxigraph (RocksDB) lets one process at a time open a data directory for writing. `plankb serve`
holds it for as long as it runs and writes `<data dir>/server.json` (pid, address) while it
does, so that a second writer (`plankb ingest`, another `plankb serve`) fails with an error that
names the server and says what to do instead, and the read-only commands (`plankb sparql`,
`stats`, `export`, `trace` …) can fall back to a read-only snapshot (see api.cli).
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from plankb.kb.errors import StoreInUse

MARKER = "server.json"


def write_marker(data_dir: str | os.PathLike[str], url: str) -> Path | None:
    """Record that this process serves `data_dir` at `url`; None if the folder is not writable."""
    path = Path(data_dir) / MARKER
    try:
        path.write_text(json.dumps({"pid": os.getpid(), "url": url}), encoding="utf-8")
    except OSError:
        return None
    return path


def remove_marker(data_dir: str | os.PathLike[str]) -> None:
    """Remove the marker if this process wrote it."""
    path = Path(data_dir) / MARKER
    info = read_marker(data_dir)
    if info is not None and info.get("pid") == os.getpid():
        try:
            path.unlink()
        except OSError:
            pass


def read_marker(data_dir: str | os.PathLike[str]) -> dict | None:
    """The marker of a live server on `data_dir` ({'pid', 'url'}), or None (absent, stale, garbled)."""
    try:
        info = json.loads((Path(data_dir) / MARKER).read_text(encoding="utf-8"))
        pid = int(info["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if pid != os.getpid():
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None  # a server that died without cleaning up
        except PermissionError:
            pass  # alive, another user's
    return {"pid": pid, "url": str(info.get("url") or "")}


def is_lock_error(error: BaseException) -> bool:
    """An OSError from opening a store whose RocksDB LOCK another process (or this one) holds."""
    text = str(error).lower()
    return "lock" in text and ("resource temporarily unavailable" in text or "lock hold by" in text
                               or "no locks available" in text)


def in_use_error(data_dir: str | os.PathLike[str], store_dir: str | os.PathLike[str]) -> StoreInUse:
    """The error for a store that another process holds, naming the server if one is recorded."""
    info = read_marker(data_dir)
    if info is not None:
        url = info["url"].rstrip("/")
        where = f"pid {info['pid']}" + (f", {url}/" if url else "")
        endpoint = f"{url}/sparql" if url else "its /sparql endpoint"
        return StoreInUse(
            f"{store_dir}: the knowledge base is in use by a running server ({where}); stop it, or send "
            f"changes to the server's admin endpoint ({endpoint}, SPARQL Update with the admin token)")
    return StoreInUse(
        f"{store_dir}: the knowledge base is in use by another process (a running `plankb serve` or "
        "`plankb ingest`); wait for it or stop it")
