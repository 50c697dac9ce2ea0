"""The store layer: `KnowledgeBase` (open, query, select, write, version and the per-version
cache; kb/store/base.py), SHACL (shacl.py), result values (values.py), exports (export.py),
backends (embedded Oxigraph or a SPARQL 1.1 server; backends.py) and the single-writer lock
(inuse.py). What gets written is decided by the loader, plankb.ingest.load."""
from plankb.kb.ids import PREFIXES
from plankb.kb.store.base import KnowledgeBase
from plankb.kb.store.shacl import shacl_validate
from plankb.kb.store.values import to_python

__all__ = ["PREFIXES", "KnowledgeBase", "shacl_validate", "to_python"]
