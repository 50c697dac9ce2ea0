"""Fuzz the extractors on text: bytes decoded as UTF-8 (errors replaced), NFC -> extract_text.
Only kb.errors.InputError may escape; every citation span must index its surface.

    python tests/fuzz/fuzz_extract.py -max_total_time=60 [CORPUS_DIR]
"""
from __future__ import annotations

import unicodedata
from pathlib import Path

try:
    from tests.fuzz._common import ROOT, atheris, run
except ImportError:  # run as a script
    from _common import ROOT, atheris, run  # type: ignore[no-redef]

if atheris is not None:
    with atheris.instrument_imports():
        from plankb.ingest.extract.document import extract_text
else:
    from plankb.ingest.extract.document import extract_text
from plankb.kb.errors import InputError


def TestOneInput(data: bytes) -> None:  # noqa: N802 - atheris' name
    text = unicodedata.normalize("NFC", data.decode("utf-8", "replace"))
    try:
        record = extract_text(text, source="fuzz.txt")
    except InputError:
        return
    for c in record.citations:
        if text[c.span.start:c.span.end] != c.surface:
            raise AssertionError(f"citation span {c.span} does not index {c.surface!r}")


if __name__ == "__main__":
    run(TestOneInput, [ROOT / "examples" / "seeds", Path(__file__).parent / "corpus" / "extract"])
