"""SPARQL text analysis before evaluation: `analyze_query` (and the tokenizer under it).

A small SPARQL tokenizer (comments, strings, IRIs, prefixed names, variables; keywords are
case-insensitive) finds the query form, every `SERVICE` and the `FROM` / `FROM NAMED` IRIs
(resolved through `PREFIX`/`BASE`); `refuse_outside` then refuses what would reach outside the
store (SERVICE, undefined prefixes, graphs the store does not hold).
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urljoin

import pyoxigraph as ox

from plankb.api.negotiation import ProblemError
from plankb.kb.ids import PREFIXES

#: Prefixes every query may use without declaring them (declared ones take precedence).
DEFAULT_PREFIXES: dict[str, str] = dict(PREFIXES)

QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")


_PN_CHARS = r"[\w\-\u00B7\u0300-\u036F\u203F\u2040]"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_PREFIX = rf"(?:[^\W\d_](?:(?:{_PN_CHARS}|\.)*{_PN_CHARS})?)?"
_PN_LOCAL = rf"(?:(?:{_PN_CHARS}|:|{_PLX})(?:(?:{_PN_CHARS}|[.:]|{_PLX})*(?:{_PN_CHARS}|:|{_PLX}))?)?"
_STRING = "|".join((
    r'"""(?:(?:"|"")?(?:[^"\\]|\\.))*"""',
    r"'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''",
    r'"(?:[^"\\\r\n]|\\.)*"',
    r"'(?:[^'\\\r\n]|\\.)*'",
))
_TOKEN_ALTERNATIVES = (
    r"(?P<ws>\s+)",
    r"(?P<comment>\#[^\r\n]*)",
    r"(?P<iri><(?:[^<>\"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)",
    rf"(?P<string>{_STRING})",
    r"(?P<var>[?$][\w\u00B7\u0300-\u036F\u203F\u2040]+)",
    r"(?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)",
    rf"(?P<bnode>_:{_PN_LOCAL})",
    rf"(?P<pname>(?>{_PN_PREFIX}):{_PN_LOCAL})",
    r"(?P<number>\d*\.\d+(?:[eE][+-]?\d+)?|\d+(?:[eE][+-]?\d+)?)",
    r"(?P<word>[^\W\d]\w*)",
    r"(?P<punct>.)",
)
_TOKEN_RE = re.compile("|".join(_TOKEN_ALTERNATIVES), re.DOTALL)
# The same without `pname`, and the run of name characters a failed `pname` scanned: on
# "NQ-NQ-NQ…" or "a.a.a…" (no ':') the prefix would be rescanned to the end of the run from
# every token start in it, quadratic time on a 256 KB query; `tokenize` skips those retries.
_TOKEN_NO_PNAME_RE = re.compile("|".join(a for a in _TOKEN_ALTERNATIVES if "P<pname>" not in a), re.DOTALL)
_PN_RUN_RE = re.compile(rf"(?:{_PN_CHARS}|\.)*")

# Inside something that lexes as an IRI, `SERVICE` followed by an optional variable and a `#`
# could be real syntax if the `<` is in fact a less-than sign: `FILTER(?a<?b)SERVICE?x#>`
# followed by a newline and `{ … }`. Such an "IRI" is treated as containing SERVICE.
_HIDDEN_SERVICE_RE = re.compile(r"(?<![A-Za-z0-9_/\-:%])service(?:[?$]\w*)?#", re.IGNORECASE)
_UCHAR_RE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_LOCAL_ESCAPE_RE = re.compile(r"\\(.)")


@dataclass(frozen=True)
class Token:
    kind: str
    text: str


def tokenize(text: str) -> list[Token]:
    """Significant SPARQL tokens (whitespace and comments dropped). Linear time: where a prefixed
    name failed (a run of name characters not followed by ':'), no later start inside the same
    run can be one, so the rest of the run is lexed without trying. A string literal that does
    not end (a quote where no string matches, or a long-string opener that never closes) makes
    the rest of the text one `unterminated` token: SPARQL has no quote outside strings, IRIs and
    comments, so the text is malformed, and lexing on would rescan to the end from every quote."""
    tokens: list[Token] = []
    pos, n, run_end = 0, len(text), -1
    while pos < n:
        rx = _TOKEN_RE if pos >= run_end else _TOKEN_NO_PNAME_RE
        m = rx.match(text, pos)
        assert m is not None  # `punct` matches any character
        kind = m.lastgroup or "punct"
        if kind == "word" and rx is _TOKEN_RE:
            run_end = _PN_RUN_RE.match(text, pos).end()  # type: ignore[union-attr]
        quote = text[pos]
        if quote in "'\"" and (kind == "punct" or (m.group() == quote * 2 and text[m.end():m.end() + 1] == quote)):
            tokens.append(Token("unterminated", text[pos:]))
            break
        if kind not in ("ws", "comment"):
            tokens.append(Token(kind, m.group()))
        pos = m.end()
    return tokens


class QueryRefused(ProblemError):
    """A query the endpoint will not evaluate (SERVICE, unknown FROM graph, bad form)."""


@dataclass(frozen=True)
class QueryInfo:
    """What `analyze_query` found out about a query or update before it runs."""

    form: str | None  # SELECT, CONSTRUCT, DESCRIBE, ASK; None for updates or unrecognised text
    is_update: bool
    uses_service: bool
    from_graphs: tuple[str, ...] = ()
    from_named_graphs: tuple[str, ...] = ()
    unresolved: tuple[str, ...] = ()  # FROM targets that could not be resolved (undefined prefix)
    malformed: str | None = None  # why the text cannot be SPARQL (refused before evaluation)

    @property
    def has_dataset(self) -> bool:
        return bool(self.from_graphs or self.from_named_graphs or self.unresolved)


def _iri_value(token_text: str) -> str:
    inner = token_text[1:-1]
    return _UCHAR_RE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), inner)


def analyze_query(text: str, prefixes: Mapping[str, str] = DEFAULT_PREFIXES) -> QueryInfo:
    """Tokenize `text` and report its form, SERVICE use and FROM/FROM NAMED IRIs.

    >>> analyze_query("PREFIX g: <http://x/> SELECT * FROM g:a WHERE { ?s ?p ?o }").from_graphs
    ('http://x/a',)
    >>> analyze_query("select * where { # SERVICE <http://x/>\\n ?s ?p ?o }").uses_service
    False
    >>> analyze_query("ASK { sErViCe <http://127.0.0.1:1/> { ?s ?p ?o } }").uses_service
    True
    """
    tokens = tokenize(text)
    declared: dict[str, str] = {}
    base: str | None = None
    form: str | None = None
    is_update = uses_service = False
    from_graphs: list[str] = []
    from_named: list[str] = []
    unresolved: list[str] = []

    def resolve(tok: Token) -> str | None:
        if tok.kind == "iri":
            value = _iri_value(tok.text)
            return urljoin(base, value) if base else value
        if tok.kind == "pname":
            prefix, _, local = tok.text.partition(":")
            ns = declared.get(prefix, prefixes.get(prefix))
            return None if ns is None else ns + _LOCAL_ESCAPE_RE.sub(r"\1", local)
        return None

    i, n = 0, len(tokens)
    while i < n:
        tok = tokens[i]
        word = tok.text.upper() if tok.kind == "word" else None
        if tok.kind == "iri" and _HIDDEN_SERVICE_RE.search(tok.text):
            uses_service = True
        if word == "SERVICE":
            uses_service = True
        elif word == "PREFIX" and i + 2 < n and tokens[i + 1].kind == "pname" and tokens[i + 2].kind == "iri":
            value = _iri_value(tokens[i + 2].text)
            declared[tokens[i + 1].text[:-1]] = urljoin(base, value) if base else value
            i += 3
            continue
        elif word == "BASE" and i + 1 < n and tokens[i + 1].kind == "iri":
            value = _iri_value(tokens[i + 1].text)
            base = urljoin(base, value) if base else value
            i += 2
            continue
        elif word == "FROM" and i + 1 < n:
            named = tokens[i + 1].kind == "word" and tokens[i + 1].text.upper() == "NAMED"
            j = i + 2 if named else i + 1
            if j < n:
                target = resolve(tokens[j])
                if target is None:
                    unresolved.append(tokens[j].text)
                else:
                    (from_named if named else from_graphs).append(target)
                i = j + 1
                continue
        if word and form is None and not is_update:
            if word in QUERY_FORMS:
                form = word
            elif word in UPDATE_KEYWORDS:
                is_update = True
        i += 1
    malformed = "unterminated string literal" if tokens and tokens[-1].kind == "unterminated" else None
    return QueryInfo(form, is_update, uses_service, tuple(from_graphs), tuple(from_named), tuple(unresolved),
                     malformed)



def refuse_outside(store: ox.Store, info: QueryInfo, default_graphs: Sequence[str], named_graphs: Sequence[str]) -> None:
    """Raise `QueryRefused` for SERVICE, an unresolved FROM target, or a graph `store` does not hold."""
    if info.uses_service:
        raise QueryRefused(
            403, "SERVICE not allowed",
            "Federated queries (SERVICE) are disabled: this endpoint only queries its own store "
            "and never fetches other URLs.", slug="service-refused")
    if info.unresolved:
        raise QueryRefused(400, "Unknown prefix",
                           f"FROM target {info.unresolved[0]} uses an undefined prefix.", slug="unknown-graph")
    for iri in (*info.from_graphs, *info.from_named_graphs, *default_graphs, *named_graphs):
        try:
            known = store.contains_named_graph(ox.NamedNode(iri))
        except ValueError:
            known = False
        if not known:
            raise QueryRefused(
                400, "Unknown graph",
                f"<{iri}> is not a graph of this store. FROM / FROM NAMED and default-graph-uri / "
                "named-graph-uri may only name graphs that exist here; nothing is fetched from the web.",
                slug="unknown-graph")
