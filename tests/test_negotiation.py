"""Content negotiation: Accept parsing, q-value/wildcard scoring and the SPARQL format choice."""
from __future__ import annotations

import pytest

from plankb.api.negotiation import NotAcceptable, negotiate, parse_accept, quality
from plankb.api.sparql import choose_format

RESULTS = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
           "text/tab-separated-values"]
RDF = ["text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"]


@pytest.mark.parametrize(
    "accept, offers, expected",
    [
        (None, RESULTS, "application/sparql-results+json"),
        ("", RESULTS, "application/sparql-results+json"),
        ("*/*", RESULTS, "application/sparql-results+json"),
        ("*/*", RDF, "text/turtle"),
        ("text/csv", RESULTS, "text/csv"),
        ("TEXT/CSV", RESULTS, "text/csv"),
        ("text/csv;charset=utf-8", RESULTS, "text/csv"),
        ("text/*", RESULTS, "text/csv"),
        ("text/*;q=0.5, application/sparql-results+xml", RESULTS, "application/sparql-results+xml"),
        ("application/sparql-results+json;q=0.1, text/tab-separated-values;q=0.9", RESULTS,
         "text/tab-separated-values"),
        # the most specific range decides: text/csv is excluded although text/* is welcome
        ("text/*, text/csv;q=0", RESULTS, "text/tab-separated-values"),
        ("*/*;q=0.1, application/*;q=0", RESULTS, "text/csv"),
        # equal q: the server's order of preference wins
        ("text/csv, application/sparql-results+json", RESULTS, "application/sparql-results+json"),
        ("application/ld+json;q=0.9, text/turtle;q=0.8", RDF, "application/ld+json"),
        # a browser's Accept
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", RDF + ["text/html"], "text/html"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", RESULTS + ["application/xml"],
         "application/xml"),
        # nothing acceptable
        ("image/png", RESULTS, None),
        ("text/csv;q=0", ["text/csv"], None),
        ("application/*", ["text/turtle"], None),
        # junk entries are ignored; only junk means "anything"
        ("garbage, text/csv", RESULTS, "text/csv"),
        ("garbage", RESULTS, "application/sparql-results+json"),
        ("text/csv;q=abc", RESULTS, "text/csv"),
        ("*/csv", RESULTS, "application/sparql-results+json"),
    ],
)
def test_negotiate(accept, offers, expected):
    assert negotiate(accept, offers) == expected


def test_parse_accept_reads_q_and_ignores_extensions():
    ranges = parse_accept("text/csv; q=0.5; level=1, */*;q=2, application/json")
    assert [(r.type, r.subtype, r.q) for r in ranges] == [("text", "csv", 0.5), ("*", "*", 1.0),
                                                         ("application", "json", 1.0)]
    assert quality(ranges, "text/csv") == 0.5
    assert quality(ranges, "image/png") == 1.0


@pytest.mark.parametrize(
    "form, accept, format_params, key, media_type",
    [
        ("SELECT", None, [], "json", "application/sparql-results+json"),
        ("SELECT", "application/json", [], "json", "application/json"),
        ("SELECT", "application/sparql-results+xml", [], "xml", "application/sparql-results+xml"),
        ("ASK", "text/tab-separated-values", [], "tsv", "text/tab-separated-values"),
        ("CONSTRUCT", None, [], "turtle", "text/turtle"),
        ("DESCRIBE", "application/n-triples", [], "ntriples", "application/n-triples"),
        ("CONSTRUCT", "application/ld+json", [], "jsonld", "application/ld+json"),
        ("CONSTRUCT", "application/rdf+xml", [], "rdfxml", "application/rdf+xml"),
        ("CONSTRUCT", "application/n-quads", [], "nquads", "application/n-quads"),
        ("CONSTRUCT", "application/trig", [], "trig", "application/trig"),
        ("SELECT", "text/html", [], "html", "text/html"),
        (None, None, [], "turtle", "text/turtle"),  # service description
        (None, "text/html,*/*;q=0.8", [], "html", "text/html"),
        # format= overrides Accept; SPARQLWrapper sends several values
        ("SELECT", "application/sparql-results+xml", ["csv"], "csv", "text/csv"),
        ("SELECT", None, ["json", "application/sparql-results+json"], "json", "application/sparql-results+json"),
        ("CONSTRUCT", None, ["json"], "jsonld", "application/ld+json"),
        ("CONSTRUCT", None, ["xml"], "rdfxml", "application/rdf+xml"),
        ("CONSTRUCT", None, ["rdf+xml", "application/rdf+xml"], "rdfxml", "application/rdf+xml"),
        ("CONSTRUCT", "text/csv", ["n3"], "turtle", "text/turtle"),
        ("SELECT", None, ["text/tab-separated-values"], "tsv", "text/tab-separated-values"),
        ("SELECT", None, ["html"], "html", "text/html"),
    ],
    ids=lambda v: str(v),
)
def test_choose_format(form, accept, format_params, key, media_type):
    fmt = choose_format(form, accept, format_params)
    assert (fmt.key, fmt.media_type) == (key, media_type)


@pytest.mark.parametrize(
    "form, accept, format_params, listed",
    [
        ("SELECT", "text/turtle", [], "application/sparql-results+json"),
        ("CONSTRUCT", "text/csv", [], "text/turtle"),
        ("SELECT", None, ["turtle"], "csv"),
        ("CONSTRUCT", None, ["csv"], "turtle"),
        ("SELECT", None, ["bogus"], "json"),
    ],
)
def test_choose_format_not_acceptable_lists_alternatives(form, accept, format_params, listed):
    with pytest.raises(NotAcceptable) as err:
        choose_format(form, accept, format_params)
    assert err.value.status_code == 406
    assert listed in err.value.extra["acceptable"]
