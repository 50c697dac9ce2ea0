"""From files to the KB: the loader conducts read → extract → RDF → SHACL → store, then link and
align. `ingest_paths(kb, paths)` for files and folders (bulk path with workers > 1),
`ingest_record(kb, record)` for one extracted document, `remove_plan(kb, plan_id)`."""
from plankb.ingest.load.bulk import (
    BULK_BATCH_BYTES,
    BULK_BATCH_DOCS,
    ingest_parallel,
    sampled,
)
from plankb.ingest.load.files import SUPPORTED_EXTENSIONS, expand_paths, file_sha256
from plankb.ingest.load.outcome import IngestOutcome, IngestSummary, Status
from plankb.ingest.load.paths import DEFAULT_SAMPLE_RATE, ValidateMode, ingest_paths
from plankb.ingest.load.record import ingest_record, remove_plan

__all__ = [
    "BULK_BATCH_BYTES", "BULK_BATCH_DOCS", "DEFAULT_SAMPLE_RATE", "SUPPORTED_EXTENSIONS", "IngestOutcome",
    "IngestSummary", "Status", "ValidateMode", "expand_paths", "file_sha256", "ingest_parallel", "ingest_paths",
    "ingest_record", "remove_plan", "sampled",
]
