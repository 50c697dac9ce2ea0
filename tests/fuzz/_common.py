"""Shared by the atheris harnesses: the one allowed failure, and atheris when it is installed."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

try:  # the `fuzz` extra (pip install -e '.[fuzz]'); the regular tests call TestOneInput without it
    import atheris  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - atheris is optional
    atheris = None


def run(test_one_input, corpus_dirs: list[Path]) -> None:
    """`python tests/fuzz/fuzz_X.py [libFuzzer options] [CORPUS_DIR]`: coverage-guided fuzzing.

    libFuzzer writes the inputs it finds into the first corpus folder: that is CORPUS_DIR if given,
    else a fresh temporary folder, never the seed folders (examples/seeds …), which are read only."""
    import tempfile

    if atheris is None:
        sys.exit("atheris is not installed: pip install -e '.[fuzz]'")
    options = [a for a in sys.argv[1:] if a.startswith("-")]
    folders = [a for a in sys.argv[1:] if not a.startswith("-")] or [tempfile.mkdtemp(prefix="plankb-corpus-")]
    folders += [str(d) for d in corpus_dirs if d.is_dir()]
    atheris.Setup([sys.argv[0], *options, *folders], test_one_input)
    atheris.Fuzz()
