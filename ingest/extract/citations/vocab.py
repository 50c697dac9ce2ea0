"""The vocabularies citations are read with (ingest/vocab): document types, issuer codes, named
issuers, provinces, known laws and national documents; each loaded once.
"""
from __future__ import annotations

from functools import lru_cache

from plankb.ingest.extract.citations import patterns as P
from plankb.kb.text import canonical_tones, fold


# ---------------------------------------------------------------- vocabularies
@lru_cache(maxsize=None)
def doc_types() -> dict[str, dict[str, str]]:
    return {row["code"]: row for row in P.read_vocab("doc_types")}


@lru_cache(maxsize=None)
def type_by_alias() -> dict[str, str]:
    return {fold(a): row["code"] for row in P.read_vocab("doc_types") for a in row["aliases"].split("|") if a}


@lru_cache(maxsize=None)
def symbol_types() -> dict[str, str]:
    """Upper-cased symbol type code -> canonical code ('QĐ', 'TTg'…)."""
    return {row["symbol_code"].upper(): row["code"] for row in P.read_vocab("doc_types") if row["symbol_code"]}


@lru_cache(maxsize=None)
def issuer_codes() -> dict[str, tuple[str, str, str]]:
    """Upper-cased symbol issuer code -> (canonical code, issuer name, level)."""
    return {
        row["symbol"].upper(): (row["symbol"], row["issuer"], row["level"])
        for row in P.read_vocab("issuers")
        if row["symbol"]
    }


@lru_cache(maxsize=None)
def named_issuers() -> dict[str, tuple[str, str]]:
    """Folded issuer name -> (name, level)."""
    out: dict[str, tuple[str, str]] = {}
    for row in P.read_vocab("issuers"):
        out.setdefault(fold(row["issuer"]), (row["issuer"], row["level"]))
    out[fold("Thủ tướng")] = ("Thủ tướng Chính phủ", "national")
    return out


@lru_cache(maxsize=None)
def _provinces() -> dict[str, tuple[str, str]]:
    """Folded province name or alias -> (short name, 'tỉnh' | 'thành phố')."""
    out: dict[str, tuple[str, str]] = {}
    for row in P.read_vocab("provinces"):
        for n in [row["name"], *row["aliases"].split("|")]:
            if n:
                out[fold(n)] = (row["name"], row["type"])
    return out


def known_province(name: str | None) -> tuple[str, str] | None:
    if not name:
        return None
    return _provinces().get(fold(name))


@lru_cache(maxsize=None)
def known_laws() -> dict[str, str]:
    return {fold(n): canonical_tones(n) for n in P.KNOWN_LAWS}


@lru_cache(maxsize=1)
def national_documents() -> dict[tuple[str, str, str], dict[str, str]]:
    """Well-known national documents that CCHC plans cite, often without a date (vocab data)."""
    return {(r["doc_type"], r["number"].lstrip("0") or "0", r["symbol"]): r for r in P.read_vocab("national_documents")}
