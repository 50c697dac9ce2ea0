"""Writing alignment graphs: each named graph replaced by its N-Triples body (`write_graphs`).

Small sets go in one SPARQL update (one transaction); above `ALIGN_BATCH_BYTES` they are written
in batches (N-Quads loads on an embedded store, several updates on a server).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import pyoxigraph as ox

if TYPE_CHECKING:
    from plankb.kb.store import KnowledgeBase

# Above this size the alignment graphs are written in batches (N-Quads loads on an embedded store,
# several updates on a server) instead of one update: one 200 MB SPARQL update takes minutes to
# parse and 5 GB of memory at country scale.
ALIGN_BATCH_BYTES = 16 * 1024 * 1024


def write_graphs(kb: "KnowledgeBase", graphs: list[tuple[str, str | None]],
                 batch_bytes: int = ALIGN_BATCH_BYTES) -> None:
    """Replace each named graph by its N-Triples body (None: drop it). Small sets in one update
    (one transaction); above `batch_bytes` in batches, each batch's graphs written whole."""
    total = sum(len(b or "") for _, b in graphs)
    if total <= batch_bytes:
        ops = []
        for g, body in graphs:
            ops.append(f"DROP SILENT GRAPH <{g}>")
            if body:
                ops.append(f"INSERT DATA {{ GRAPH <{g}> {{\n{body}}} }}")
        if ops:
            kb.store.update(" ;\n".join(ops))
        return
    bulk = isinstance(kb.store, ox.Store)  # a SPARQL server gets batched updates
    batch: list[tuple[str, str | None]] = []
    size = written = 0

    def flush() -> None:
        nonlocal size, written
        if not batch:
            return
        drops = " ;\n".join(f"DROP SILENT GRAPH <{g}>" for g, _ in batch)
        if bulk:
            kb.store.update(drops)
            nq = "".join(line[:-1] + f"<{g}> .\n" for g, body in batch if body
                         for line in body.splitlines() if line.endswith(" ."))
            kb.store.load(nq, format=ox.RdfFormat.N_QUADS)
            written += size
            if written > 3 * batch_bytes and kb.path is not None:
                kb.store.flush()
                written = 0
        else:
            kb.store.update(drops + "".join(f" ;\nINSERT DATA {{ GRAPH <{g}> {{\n{b}}} }}" for g, b in batch if b))
        batch.clear()
        size = 0

    for g, body in graphs:
        batch.append((g, body))
        size += len(body or "")
        if size > batch_bytes:
            flush()
    flush()
