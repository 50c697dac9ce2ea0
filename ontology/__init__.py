"""The one documented model: plankb.ttl (classes, reform areas, document types), shapes.ttl
(SHACL) and queries/*.rq (the example analyst queries). Data only; `DIR` locates it."""
from pathlib import Path

DIR = Path(__file__).resolve().parent
ONTOLOGY_FILE = DIR / "plankb.ttl"
SHAPES_FILE = DIR / "shapes.ttl"
QUERIES_DIR = DIR / "queries"
