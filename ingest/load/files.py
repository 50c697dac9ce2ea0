"""Which files an ingest reads: `expand_paths` (folders walked, supported extensions) and their
content hash `file_sha256` (what makes an ingest idempotent)."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Iterable

SUPPORTED_EXTENSIONS = (".txt", ".md", ".markdown", ".html", ".htm", ".docx")


def file_sha256(path: str | os.PathLike[str]) -> str:
    """sha256 of a file, read in chunks (memory stays flat however large the file is)."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def expand_paths(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[Path], list[str]]:
    """Files to ingest (folders walked recursively, supported extensions, sorted) and missing paths."""
    files: list[Path] = []
    missing: list[str] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            files += sorted(f for f in path.rglob("*") if f.is_file() and f.suffix.lower() in SUPPORTED_EXTENSIONS
                            and not any(part.startswith(".") for part in f.relative_to(path).parts))
        elif path.is_file():
            files.append(path)
        else:
            missing.append(str(p))
    seen: set[Path] = set()
    unique = []
    for f in files:
        r = f.resolve()
        if r not in seen:
            seen.add(r)
            unique.append(f)
    return unique, missing
