"""Result formats of the SPARQL endpoint and their content negotiation: `choose_format`.

The tables list, per query form, the media types served (SELECT/ASK: SPARQL JSON, XML, CSV,
TSV; CONSTRUCT/DESCRIBE: Turtle, N-Triples, JSON-LD, RDF/XML, N-Quads, TriG; plus the HTML
page), their aliases and their `format=` names; `choose_format` picks one from `format=` or
Accept (raising `NotAcceptable`), `content_type` adds the charset where it belongs.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from plankb.api.negotiation import NotAcceptable, negotiate


@dataclass(frozen=True)
class Format:
    """One response format: canonical media type, accepted aliases and `format=` names."""

    key: str
    media_type: str
    aliases: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    w3_format: str | None = None  # IRI in http://www.w3.org/ns/formats/ for the service description

    @property
    def offers(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)


RESULT_FORMATS: tuple[Format, ...] = (
    Format("json", "application/sparql-results+json", ("application/json",), ("json", "srj"), "SPARQL_Results_JSON"),
    Format("xml", "application/sparql-results+xml", ("application/xml", "text/xml"), ("xml", "srx"), "SPARQL_Results_XML"),
    Format("csv", "text/csv", (), ("csv",), "SPARQL_Results_CSV"),
    Format("tsv", "text/tab-separated-values", (), ("tsv",), "SPARQL_Results_TSV"),
)
GRAPH_FORMATS: tuple[Format, ...] = (
    Format("turtle", "text/turtle", ("application/x-turtle", "application/turtle", "text/n3", "text/rdf+n3"),
           ("turtle", "ttl", "n3"), "Turtle"),
    Format("ntriples", "application/n-triples", (), ("nt", "ntriples", "n-triples"), "N-Triples"),
    Format("jsonld", "application/ld+json", ("application/json", "application/x-json+ld"),
           ("jsonld", "json-ld", "json"), "JSON-LD"),
    Format("rdfxml", "application/rdf+xml", ("application/xml", "text/xml"), ("rdfxml", "rdf+xml", "rdf", "xml"),
           "RDF_XML"),
    Format("nquads", "application/n-quads", (), ("nq", "nquads", "n-quads"), "N-Quads"),
    Format("trig", "application/trig", (), ("trig",), "TriG"),
)
HTML_FORMAT = Format("html", "text/html", ("application/xhtml+xml",), ("html",))

RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML, "nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG,
}
_CHARSET_TYPES = {"text/csv", "text/tab-separated-values", "text/turtle", "application/n-triples",
                  "application/n-quads", "application/trig", "text/n3", "text/rdf+n3", "text/html"}


def formats_for(form: str) -> tuple[Format, ...]:
    return RESULT_FORMATS if form in ("SELECT", "ASK") else GRAPH_FORMATS


def choose_format(form: str | None, accept: str | None, format_params: Sequence[str] = (),
                  html: bool = True) -> Format:
    """The response format for a query form (None: no query, i.e. the service description).

    `format=` values win over Accept; the first recognised one is used (SPARQLWrapper sends
    several). Raises `NotAcceptable`.
    """
    table = formats_for(form) if form else GRAPH_FORMATS
    candidates = (*table, HTML_FORMAT) if html else table
    what = f"{form} queries" if form else "the service description"
    if format_params:
        for value in format_params:
            v = value.strip().lower()
            for f in candidates:
                if v in f.names or v in f.offers:
                    return f
        names = sorted({n for f in candidates for n in f.names} | {f.media_type for f in candidates})
        raise NotAcceptable(f"format={', '.join(format_params)}", names, what)
    offers = [f.media_type for f in candidates] + [a for f in candidates for a in f.aliases]
    chosen = negotiate(accept, offers)
    if chosen is None:
        raise NotAcceptable(accept, [f.media_type for f in candidates], what)
    fmt = next(f for f in candidates if chosen in f.offers)
    # Report the media type the client named (an alias such as application/json) as the response type.
    return fmt if chosen == fmt.media_type else Format(fmt.key, chosen, (), fmt.names, fmt.w3_format)


def content_type(media_type: str) -> str:
    return f"{media_type}; charset=utf-8" if media_type in _CHARSET_TYPES else media_type
