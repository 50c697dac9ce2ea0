"""A task's source text: `source_context(source, chars, read_text)`, the text around its span.

The source text of a document is not stored in the KB: a task carries its file path, sha256 and
character span (`SourceRef`). The file is read again only while it is still at its path with the
same sha256, by `read_text(path)`, which must return the text the spans index (decoded, NFC):
callers above the KB pass ingest's reader (`lambda p: read_document(p).text`). Without one, only
plain UTF-8 text files are read (`read_plain_text`): the KB does not know the other formats.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path
from typing import Callable

from pydantic import BaseModel, ConfigDict, Field

TextReader = Callable[[Path], str]


class SourceRef(BaseModel):
    """Where an item's text is in its source file (spans index the file's decoded NFC text)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    path: str | None = Field(None, description="The file path as given at ingest")
    sha256: str | None = None
    start: int | None = None
    end: int | None = None


class SourceContext(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    before: str
    text: str
    after: str


_PLAIN_SUFFIXES = {".txt", ".text", ".md", ".markdown"}
_LINE_SEPARATOR_RE = re.compile("\r\n?|[\u2028\u2029\x85]")


def read_plain_text(path: Path) -> str:
    """A plain UTF-8 text file's text as ingest reads it (newlines as \\n, NFC); ValueError otherwise."""
    if path.suffix.lower() not in _PLAIN_SUFFIXES:
        raise ValueError(f"{path}: not a plain-text file")
    text = path.read_bytes().decode("utf-8-sig")
    return unicodedata.normalize("NFC", _LINE_SEPARATOR_RE.sub("\n", text))


def source_context(source: SourceRef, chars: int = 300, read_text: TextReader | None = None) -> SourceContext | None:
    """The text around `source`'s span, read from its file; None if the file is gone or changed."""
    if not source.path or source.start is None or source.end is None:
        return None
    path = Path(source.path)
    try:
        if not path.is_file() or (source.sha256 and hashlib.sha256(path.read_bytes()).hexdigest() != source.sha256):
            return None
        text = (read_text or read_plain_text)(path)
    except Exception:  # unreadable now: the page shows the task text alone
        return None
    s, e = source.start, source.end
    if e > len(text) or s > e:
        return None
    return SourceContext(before=text[max(0, s - chars):s], text=text[s:e], after=text[e:e + chars])
