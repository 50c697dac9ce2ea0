"""Fuzz the readers and the whole extraction: bytes -> file (.txt/.md/.html/.docx by the first byte)
-> read_document -> extract_text. Only kb.errors.InputError may escape.

    python tests/fuzz/fuzz_read.py -max_total_time=60 -rss_limit_mb=2048 [CORPUS_DIR]
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

try:
    from tests.fuzz._common import ROOT, atheris, run
except ImportError:  # run as a script
    from _common import ROOT, atheris, run  # type: ignore[no-redef]

if atheris is not None:
    with atheris.instrument_imports():
        from plankb.ingest.extract.document import extract_text
        from plankb.ingest.read import read_document
else:
    from plankb.ingest.extract.document import extract_text
    from plankb.ingest.read import read_document
from plankb.kb.errors import InputError

SUFFIXES = (".txt", ".md", ".html", ".docx")
_DIR = tempfile.mkdtemp(prefix="plankb-fuzz-")


def TestOneInput(data: bytes) -> None:  # noqa: N802 - atheris' name
    suffix = SUFFIXES[data[0] % len(SUFFIXES)] if data else ".txt"
    path = os.path.join(_DIR, "input" + suffix)
    with open(path, "wb") as f:
        f.write(data[1:])
    try:
        doc = read_document(path)
        extract_text(doc.text, source=path, sha256=doc.sha256)
    except InputError:
        pass


if __name__ == "__main__":
    run(TestOneInput, [ROOT / "examples" / "seeds", Path(__file__).parent / "corpus" / "read"])
