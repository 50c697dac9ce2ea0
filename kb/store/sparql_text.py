"""SPARQL text as plankb writes it, read without a parser: `plan_update` (the per-graph steps of
an update), `query_form`, `split_operations`, and the small N-Triples/VALUES writers the server
backend sends."""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import pyoxigraph as ox


def _iri(value: str) -> str:
    return str(ox.NamedNode(value))  # validates; '<…>'


# ---------------------------------------------------------------- SPARQL text
_TOKEN_RE = re.compile(r'''
    (?P<comment>\#[^\n\r]*)
  | (?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'
               |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<open>\{) | (?P<close>\}) | (?P<semi>;)
  | (?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)
  | (?P<pname>[A-Za-z_][A-Za-z0-9_.-]*:[A-Za-z0-9_.%\-\u00C0-\uFFFF]*)
  | (?P<word>[A-Za-z_][A-Za-z0-9_-]*)
  | (?P<other>[^"'<{};\#A-Za-z_?$]+|.)
''', re.VERBOSE | re.DOTALL)
_QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
_DEFINES_RE = re.compile(r"\A(?:\s*define\s[^\n]*\n)*", re.IGNORECASE)
_DROP_RE = re.compile(r"\A\s*DROP\s+(?:SILENT\s+)?GRAPH\s*<([^<>\s]*)>\s*\Z", re.IGNORECASE)
_INSERT_RE = re.compile(r"\A\s*INSERT\s+DATA\s*\{\s*GRAPH\s*<([^<>\s]*)>\s*\{(.*)\}\s*\}\s*\Z",
                        re.IGNORECASE | re.DOTALL)
_DELETE_RE = re.compile(r"\A\s*DELETE\s+DATA\s*\{\s*GRAPH\s*<([^<>\s]*)>\s*\{(.*)\}\s*\}\s*\Z",
                        re.IGNORECASE | re.DOTALL)


def _tokens(text: str) -> Iterator[re.Match]:
    return _TOKEN_RE.finditer(text)


def query_form(text: str) -> str | None:
    """SELECT, CONSTRUCT, DESCRIBE or ASK: the first such keyword outside strings, IRIs, comments.

    >>> query_form('PREFIX a: <http://x/ask#> # CONSTRUCT\\n select * { ?s ?p "ASK" }')
    'SELECT'
    """
    for m in _tokens(text):
        if m.lastgroup == "word" and m.group().upper() in _QUERY_FORMS:
            return m.group().upper()
    return None


def _has_word(text: str, word: str) -> bool:
    return any(m.lastgroup == "word" and m.group().upper() == word for m in _tokens(text))


def split_operations(update: str) -> list[str]:
    """The operations of a SPARQL Update text (split at `;` outside braces, strings and IRIs)."""
    ops, depth, start = [], 0, 0
    for m in _tokens(update):
        kind = m.lastgroup
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
        elif kind == "semi" and depth == 0:
            ops.append(update[start:m.start()])
            start = m.end()
    ops.append(update[start:])
    return [op for op in ops if op.strip() and any(t.lastgroup != "comment" and t.group().strip()
                                                     for t in _tokens(op))]


def plan_update(update: str) -> list[tuple] | None:
    """plankb's own write shape as steps, or None for anything else (sent as it is).

    Steps: ('drop', graph), ('put', graph, triples) (the graph was dropped before: replace it),
    ('post', graph, triples) (add to it), ('delete', graph, triples) (remove them from it).

    >>> plan_update('DROP SILENT GRAPH <http://g/1> ;\\nINSERT DATA { GRAPH <http://g/1> {\\n'
    ...             '<http://s> <http://p> "a } b" .\\n} }')[0][:2]
    ('put', 'http://g/1')
    """
    steps: list[tuple] = []
    dropped: dict[str, int] = {}  # graph -> index of its drop step, while not yet written
    for op in split_operations(update):
        m = _DROP_RE.match(op)
        if m:
            dropped[m.group(1)] = len(steps)
            steps.append(("drop", m.group(1)))
            continue
        m = _DELETE_RE.match(op)
        if m:
            try:
                steps.append(("delete", m.group(1), list(ox.parse(m.group(2), format=ox.RdfFormat.N_TRIPLES))))
            except (SyntaxError, ValueError):
                return None
            continue
        m = _INSERT_RE.match(op)
        if not m:
            return None
        graph, body = m.group(1), m.group(2)
        try:
            triples = list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
        except (SyntaxError, ValueError):
            return None
        at = dropped.pop(graph, None)
        if at is not None:
            steps[at] = None  # type: ignore[call-overload]  # the PUT replaces the drop
            steps.append(("put", graph, triples))
        else:
            steps.append(("post", graph, triples))
    return [s for s in steps if s is not None]


def _with_prologue(text: str, prefixes: Mapping[str, str] | None) -> str:
    """`text` with PREFIX declarations for the `prefixes` it does not declare itself (after any
    leading Virtuoso `define` lines, which must come first)."""
    if not prefixes:
        return text
    declared = {m.group(1) for m in re.finditer(r"PREFIX\s+([A-Za-z0-9_.-]*):", text, re.IGNORECASE)}
    lines = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes.items() if p not in declared)
    head = _DEFINES_RE.match(text).group()
    return head + lines + text[len(head):]


def _term(value: Any) -> str:
    if isinstance(value, (ox.NamedNode, ox.BlankNode, ox.Literal)):
        return str(value)
    if isinstance(value, str):
        return _iri(value)
    raise TypeError(f"not an RDF term: {value!r}")


def _values_clause(substitutions: Mapping[Any, Any]) -> str:
    """A trailing VALUES for pyoxigraph's `substitutions` (joined with the WHERE clause's result)."""
    names = [k.value if isinstance(k, ox.Variable) else str(k).lstrip("?$") for k in substitutions]
    terms = [_term(v) for v in substitutions.values()]
    return f"\nVALUES ({' '.join('?' + n for n in names)}) {{ ({' '.join(terms)}) }}"


def _ntriples(triples: Iterable[ox.Triple]) -> bytes:
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)


def _chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]
