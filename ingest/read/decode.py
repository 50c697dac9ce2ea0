"""Decode the bytes of a text file: byte-order marks, UTF-8, Windows-1258 recognised as Vietnamese.

Public verb: `decode_text(raw)`; also the checks the other readers share (`refuse_binary`,
`normalise`, `is_blank`).
"""
from __future__ import annotations

import codecs
import re
import unicodedata

from plankb.ingest.read.common import Refused

NOT_TEXT = "not UTF-8/UTF-16/Windows-1258 text"
BINARY = "binary or garbled content, not a text document"


_BOMS = (  # UTF-32 first: its LE BOM starts with the UTF-16 LE BOM
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def refuse_empty_bytes(raw: bytes) -> None:
    if not raw:
        raise Refused("empty document (0 bytes)")


def decode_bom(raw: bytes) -> tuple[str, str] | None:
    """Decode text that starts with a byte-order mark; None if there is no BOM."""
    for bom, enc in _BOMS:
        if raw.startswith(bom):
            try:
                return raw[len(bom):].decode(enc.removesuffix("-sig")), enc
            except UnicodeDecodeError:
                raise Refused(f"{BINARY} (invalid {enc.upper().removesuffix('-SIG')} after its byte-order mark)") from None
    return None


def decode_unicode(raw: bytes) -> tuple[str, str] | None:
    """(text, encoding) for bytes with a byte-order mark or in strict UTF-8; None otherwise, after
    refusing bytes that look binary (the caller then guesses a legacy code page)."""
    bom = decode_bom(raw)
    if bom is not None:
        return bom
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    refuse_binary_bytes(raw)
    return None


def decode_text(raw: bytes) -> tuple[str, str]:
    """Bytes of a plain-text file -> (text, encoding name)."""
    unicode = decode_unicode(raw)
    if unicode is not None:
        return unicode
    legacy = decode_cp1258(raw)
    if legacy is not None:
        return legacy, "cp1258"
    raise Refused(NOT_TEXT)


# C0 control bytes other than TAB, LF, VT, FF, CR (same in UTF-8 and every code page).
_CONTROL_BYTES = bytes(range(0, 9)) + bytes(range(14, 32)) + b"\x7f"


def refuse_binary_bytes(raw: bytes) -> None:
    """Before guessing a legacy code page: NUL bytes or many control bytes mean binary data."""
    if b"\x00" in raw:
        raise Refused(BINARY)
    controls = len(raw) - len(raw.translate(None, _CONTROL_BYTES))
    if controls > max(2, len(raw) // 200):
        raise Refused(BINARY)


def decode_cp1258(raw: bytes) -> str | None:
    """Windows-1258 text, or None unless the result looks like Vietnamese text."""
    try:
        text = raw.decode("cp1258")
    except UnicodeDecodeError:  # bytes undefined in cp1258
        return None
    return text if _looks_vietnamese(text) else None


def _count(pattern: re.Pattern[str], text: str) -> int:
    """Number of characters of `text` matched by a one-character `pattern` (fast on large text)."""
    return len(text) - len(pattern.sub("", text))


# Patterns match runs, so that `_count` replaces few, long matches.
_SPACE_CHAR_RE = re.compile(r"\s+")
_LETTER_CHAR_RE = re.compile(r"(?:[^\W\d_]|[\u0300-\u036f])+")  # letters and combining marks
_HIGH_CHAR_RE = re.compile(r"[^\x00-\x7f]+")
_HIGH_LETTER_RE = re.compile(r"(?:[^\W\d_\x00-\x7f]|[\u0300-\u036f])+")
_VIETNAMESE_RE = re.compile("[ăâêôơưđĂÂÊÔƠƯĐ\u0300\u0301\u0303\u0309\u0323]+")
# Control characters that do not belong in text (TAB, LF, VT, FF, CR and NEL are allowed) and U+FFFD.
_BAD_CHAR_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ufffd]+")
_SAMPLE = 1 << 20  # characters of a large text examined by the Vietnamese heuristic


def _looks_vietnamese(text: str) -> bool:
    """Letters dominate, almost no control characters, and Vietnamese letters or tone marks occur."""
    if len(text) > 2 * _SAMPLE:  # judge a large file by its beginning and its middle
        middle = len(text) // 2
        text = text[:_SAMPLE] + text[middle:middle + _SAMPLE]
    if _count(_BAD_CHAR_RE, text) * 1000 > len(text):
        return False
    visible = len(text) - _count(_SPACE_CHAR_RE, text)
    letters = _count(_LETTER_CHAR_RE, text)
    if not visible or letters * 2 < visible:
        return False
    # The non-ASCII characters must be mostly letters and tone marks, not symbols.
    high = _count(_HIGH_CHAR_RE, text)
    if high and _count(_HIGH_LETTER_RE, text) * 10 < high * 6:
        return False
    return _count(_VIETNAMESE_RE, text) * 50 >= letters


def refuse_binary(text: str) -> None:
    """NUL characters, or more than a trace of control characters / U+FFFD, mean binary data."""
    if "\x00" in text:
        raise Refused(BINARY)
    if _count(_BAD_CHAR_RE, text) > max(2, len(text) // 200):
        raise Refused(BINARY)


_VISIBLE_RE = re.compile("[^\\s\u200b\u200c\u200d\u2060\ufeff]")  # not whitespace, not zero-width
_LINE_SEPARATOR_RE = re.compile("\r\n?|[\u2028\u2029\x85]")


def is_blank(text: str) -> bool:
    return _VISIBLE_RE.search(text) is None


def normalise(text: str) -> str:
    """Newlines (CRLF, CR, U+2028, U+2029, NEL) -> \\n, then Unicode NFC."""
    return unicodedata.normalize("NFC", _LINE_SEPARATOR_RE.sub("\n", text))
