"""Fuzz the SPARQL analyser that guards the endpoint (SERVICE, FROM, updates): any text -> analyze_query.
It must never raise, and the linear tokenizer must lex as the plain regex scan does.

    python tests/fuzz/fuzz_sparql.py -max_total_time=60
"""
from __future__ import annotations

from pathlib import Path

try:
    from tests.fuzz._common import ROOT, atheris, run
except ImportError:  # run as a script
    from _common import ROOT, atheris, run  # type: ignore[no-redef]

if atheris is not None:
    with atheris.instrument_imports():
        from plankb.api import sparql
else:
    from plankb.api import sparql


def TestOneInput(data: bytes) -> None:  # noqa: N802 - atheris' name
    text = data.decode("utf-8", "replace")[:20_000]
    sparql.analyze_query(text)
    fast = sparql.tokenize(text)
    slow = [sparql.Token(m.lastgroup or "punct", m.group()) for m in sparql._TOKEN_RE.finditer(text)
            if m.lastgroup not in ("ws", "comment")]
    if fast and fast[-1].kind == "unterminated":
        fast = fast[:-1]
        slow = slow[:len(fast)]
    if fast != slow:
        raise AssertionError(f"tokenize differs from the regex scan on {text[:200]!r}")


if __name__ == "__main__":
    run(TestOneInput, [ROOT / "ontology" / "queries"])
