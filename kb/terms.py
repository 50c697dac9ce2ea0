"""N-Triples terms: `iri`, `lit` and `typed` write one term as text; `P` and `C` are the predicates
and classes plankb writes (ELI, W3C ORG, SKOS, PROV-O, DCTERMS and pk:), already as terms.

Writing terms as strings is ~20x cheaper than building rdflib terms (see kb.rdf).
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

from plankb.kb.ids import DCT, ELI, ORG, PK, PROV, RDF, SKOS, XSD

A = f"<{RDF}type>"


def term(ns: str, local: str) -> str:
    """`term(PK, "Plan")` -> '<http://plankb.org/ontology#Plan>'."""
    return f"<{ns}{local}>"


# Predicates used below, as N-Triples terms.
P = {
    name: term(ns, local)
    for name, (ns, local) in {
        "title": (ELI, "title"),
        "based_on": (ELI, "based_on"),
        "cites": (ELI, "cites"),
        "date_document": (ELI, "date_document"),
        "type_document": (ELI, "type_document"),
        "id_local": (ELI, "id_local"),
        "number": (ELI, "number"),
        "passed_by": (ELI, "passed_by"),
        "identifier": (DCT, "identifier"),
        "prefLabel": (SKOS, "prefLabel"),
        "altLabel": (SKOS, "altLabel"),
        "wasDerivedFrom": (PROV, "wasDerivedFrom"),
        "generatedAtTime": (PROV, "generatedAtTime"),
        "value": (RDF, "value"),
        **{
            n: (PK, n)
            for n in (
                "level isDraft periodStart periodEnd jurisdiction issuerName issuerLevel "
                "jurisdictionName docTypeCode symbol year citationKey ingested adoptedBy adopts "
                "parentPlanRef extractorVersion sourceText plan text path origin area parentTask "
                "leadUnit supportUnit leader product deadlineText deadlineStart deadlineEnd "
                "recurrence charStart charEnd role subject measureUnit comparator sentence code "
                "jurisdictionType province sha256 sourcePath"
            ).split()
        },
    }.items()
}

C = {
    "Plan": term(PK, "Plan"),
    "LegalResource": term(ELI, "LegalResource"),
    "Task": term(PK, "Task"),
    "Indicator": term(PK, "Indicator"),
    "Jurisdiction": term(PK, "Jurisdiction"),
    "Issuer": term(PK, "Issuer"),
    "SourceFile": term(PK, "SourceFile"),
    "Entity": term(PROV, "Entity"),
    "OrganizationalUnit": term(ORG, "OrganizationalUnit"),
}

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_NEEDS_ESCAPE_RE = re.compile(r'[\\"\x00-\x1f\x7f]')
_BAD_IRI_RE = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def escape(s: str) -> str:
    """The body of an N-Triples string literal: quotes, backslashes and control characters escaped."""
    def rep(m: re.Match[str]) -> str:
        c = m.group(0)
        return _ESCAPES.get(c) or f"\\u{ord(c):04X}"

    return _NEEDS_ESCAPE_RE.sub(rep, s)


def iri(value: str) -> str:
    """An IRI as an N-Triples term; raises ValueError on characters IRIs cannot hold."""
    if _BAD_IRI_RE.search(value):
        raise ValueError(f"not an IRI: {value!r}")
    return f"<{value}>"


def lit(value: str, lang: str | None = None) -> str:
    """A string literal (NFC, tone marks as printed), optionally language-tagged."""
    v = escape(unicodedata.normalize("NFC", value))
    return f'"{v}"@{lang}' if lang else f'"{v}"'


def typed(value: object) -> str:
    """bool / int / float / date / datetime -> typed literal."""
    if isinstance(value, bool):
        return f'"{"true" if value else "false"}"^^<{XSD}boolean>'
    if isinstance(value, int):
        return f'"{value}"^^<{XSD}integer>'
    if isinstance(value, float):
        text = repr(value)
        if "e" in text or "E" in text:
            return f'"{text}"^^<{XSD}double>'
        return f'"{text}"^^<{XSD}decimal>'
    if isinstance(value, datetime):
        return f'"{value.isoformat()}"^^<{XSD}dateTime>'
    if isinstance(value, date):
        return f'"{value.isoformat()}"^^<{XSD}date>'
    raise TypeError(f"no literal type for {value!r}")
