"""Result writers: serialise solutions (`write_solutions`), ASK booleans (`write_boolean`) and
triples (`write_triples`) in a negotiated format (`Format.key`); SPARQL JSON and XML are written
here, CSV/TSV by hand, RDF by pyoxigraph."""
from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

import pyoxigraph as ox

from plankb.api.sparql.formats import RDF_FORMATS
from plankb.api.sparql.jobs import QueryFailed

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _json_term(t: Any) -> dict[str, Any]:
    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, ox.Literal):
        d: dict[str, Any] = {"type": "literal", "value": t.value}
        if t.language:
            d["xml:lang"] = t.language
        elif t.datatype.value != XSD_STRING:
            d["datatype"] = t.datatype.value
        return d
    return {"type": "triple", "value": {"subject": _json_term(t.subject), "predicate": _json_term(t.predicate),
                                        "object": _json_term(t.object)}}


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(s: str) -> str:
    return xml_escape(_XML_INVALID.sub("\ufffd", s))


def _xml_term(t: Any) -> str:
    if isinstance(t, ox.NamedNode):
        return f"<uri>{_xml_text(t.value)}</uri>"
    if isinstance(t, ox.BlankNode):
        return f"<bnode>{_xml_text(t.value)}</bnode>"
    if isinstance(t, ox.Literal):
        attrs = ""
        if t.language:
            attrs = f" xml:lang={quoteattr(t.language)}"
        elif t.datatype.value != XSD_STRING:
            attrs = f" datatype={quoteattr(t.datatype.value)}"
        return f"<literal{attrs}>{_xml_text(t.value)}</literal>"
    return (f"<triple><subject>{_xml_term(t.subject)}</subject><predicate>{_xml_term(t.predicate)}</predicate>"
            f"<object>{_xml_term(t.object)}</object></triple>")


def _csv_value(t: Any) -> str:
    if t is None:
        return ""
    if isinstance(t, ox.BlankNode):
        return f"_:{t.value}"
    if isinstance(t, (ox.NamedNode, ox.Literal)):
        return t.value
    return str(t)


def write_solutions(variables: list[str], rows: list[list[Any]], fmt: str) -> bytes:
    if fmt == "json":
        bindings = [{v: _json_term(t) for v, t in zip(variables, row) if t is not None} for row in rows]
        return json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}},
                          ensure_ascii=False, separators=(",", ":")).encode()
    if fmt == "xml":
        out = ['<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
               "<head>", *(f"<variable name={quoteattr(v)}/>" for v in variables), "</head><results>"]
        for row in rows:
            out.append("<result>")
            out.extend(f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                       for v, t in zip(variables, row) if t is not None)
            out.append("</result>")
        out.append("</results></sparql>\n")
        return "\n".join(out).encode()
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(variables)
        w.writerows([_csv_value(t) for t in row] for row in rows)
        return buf.getvalue().encode()
    if fmt == "tsv":  # terms in N-Triples/Turtle syntax (tabs and newlines escaped)
        lines = ["\t".join(f"?{v}" for v in variables)]
        lines.extend("\t".join("" if t is None else str(t) for t in row) for row in rows)
        return ("\n".join(lines) + "\n").encode()
    raise QueryFailed("internal", f"format {fmt} does not fit SELECT results")


def write_boolean(value: bool, fmt: str) -> bytes:
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}, separators=(",", ":")).encode()
    if fmt == "xml":
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>\n").encode()
    if fmt in ("csv", "tsv"):  # not defined by the CSV/TSV spec; Oxigraph writes the bare word
        return b"true" if value else b"false"
    raise QueryFailed("internal", f"format {fmt} does not fit ASK results")


def write_triples(triples: list[Any], fmt: str, prefixes: Mapping[str, str]) -> bytes:
    rdf_format = RDF_FORMATS.get(fmt)
    if rdf_format is None:
        raise QueryFailed("internal", f"format {fmt} does not fit CONSTRUCT results")
    items: Iterable[Any] = triples
    if rdf_format in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
        items = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]
    used = dict(prefixes) if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
    return ox.serialize(items, format=rdf_format, prefixes=used)
