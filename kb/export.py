"""Export the KB: RDF (trig, nquads, turtle, jsonld), graphs (graphml, gexf) and a task table (csv).

- trig / nquads / jsonld keep the named graphs (one per document, plus links and ontology).
- turtle is the union of all graphs, each triple once.
- graphml / gexf are the networkx projection of the KB (kb.query.graph).
- csv is one row per task (plan, area, lead, support, deadline), UTF-8 with a BOM so Excel
  shows Vietnamese correctly.
"""
from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import pyoxigraph as ox

from plankb.kb.ids import PREFIXES
from plankb.kb.query.graph import networkx_graph

if TYPE_CHECKING:
    from plankb.kb.store import KnowledgeBase

FORMATS = ("trig", "nquads", "turtle", "jsonld", "graphml", "gexf", "csv")
EXTENSIONS = {"trig": ".trig", "nquads": ".nq", "turtle": ".ttl", "jsonld": ".jsonld", "graphml": ".graphml",
              "gexf": ".gexf", "csv": ".csv"}
MEDIA_TYPES = {"trig": "application/trig", "nquads": "application/n-quads", "turtle": "text/turtle",
               "jsonld": "application/ld+json", "graphml": "application/graphml+xml", "gexf": "application/gexf+xml",
               "csv": "text/csv; charset=utf-8"}

CSV_COLUMNS = ["task_id", "plan_id", "plan_title", "jurisdiction", "level", "path", "area", "area_label", "text",
               "lead", "support", "leader", "deadline", "deadline_start", "deadline_end", "recurrence", "char_start", "char_end"]

TASKS_QUERY = """
SELECT ?task ?tid ?pid ?ptitle ?jur ?level ?path ?acode ?alabel ?text ?leader ?dtext ?dstart ?dend ?rec ?cs ?ce
       (GROUP_CONCAT(DISTINCT ?leadLabel; SEPARATOR="; ") AS ?lead)
       (GROUP_CONCAT(DISTINCT ?supLabel; SEPARATOR="; ") AS ?support) WHERE {
  ?task a pk:Task ; dcterms:identifier ?tid ; pk:text ?text ; pk:plan ?plan .
  ?plan dcterms:identifier ?pid ; pk:level ?level .
  OPTIONAL { ?plan eli:title ?ptitle }
  OPTIONAL { ?plan pk:jurisdiction/skos:prefLabel ?jur }
  OPTIONAL { ?task pk:path ?path }
  OPTIONAL { ?task pk:area ?area . ?area skos:notation ?acode ; skos:prefLabel ?alabel FILTER(lang(?alabel) = "vi") }
  OPTIONAL { ?task pk:leadUnit/skos:prefLabel ?leadLabel }
  OPTIONAL { ?task pk:supportUnit/skos:prefLabel ?supLabel }
  OPTIONAL { ?task pk:leader ?leader }
  OPTIONAL { ?task pk:deadlineText ?dtext }
  OPTIONAL { ?task pk:deadlineStart ?dstart }
  OPTIONAL { ?task pk:deadlineEnd ?dend }
  OPTIONAL { ?task pk:recurrence ?rec }
  OPTIONAL { ?task pk:charStart ?cs ; pk:charEnd ?ce }
} GROUP BY ?task ?tid ?pid ?ptitle ?jur ?level ?path ?acode ?alabel ?text ?leader ?dtext ?dstart ?dend ?rec ?cs ?ce
ORDER BY ?pid ?cs ?tid
"""


def tasks_table(kb: "KnowledgeBase") -> list[dict]:
    """One dict per task with the CSV_COLUMNS keys (strings; empty when unknown)."""
    names = {"tid": "task_id", "pid": "plan_id", "ptitle": "plan_title", "jur": "jurisdiction", "level": "level",
             "path": "path", "acode": "area", "alabel": "area_label", "text": "text", "lead": "lead",
             "support": "support", "leader": "leader", "dtext": "deadline", "dstart": "deadline_start",
             "dend": "deadline_end", "rec": "recurrence", "cs": "char_start", "ce": "char_end"}
    rows = []
    seen: set[str] = set()
    for r in kb.select(TASKS_QUERY):
        if r["tid"] in seen:  # a task described in two graphs with different optional values
            continue
        seen.add(r["tid"])
        rows.append({col: "" if r.get(var) is None else str(r[var]) for var, col in names.items()})
    return rows


def _rdf(kb: "KnowledgeBase", fmt: str) -> bytes:

    prefixes = {**PREFIXES, "id": kb.base}
    if fmt == "trig":
        return kb.store.dump(format=ox.RdfFormat.TRIG, prefixes=prefixes)
    if fmt == "nquads":
        return kb.store.dump(format=ox.RdfFormat.N_QUADS)
    if fmt == "jsonld":
        return kb.store.dump(format=ox.RdfFormat.JSON_LD)
    if fmt == "turtle":
        triples = {ox.Triple(q.subject, q.predicate, q.object) for q in kb.store}
        ordered = sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
        return ox.serialize(ordered, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    raise ValueError(fmt)


def _graph(kb: "KnowledgeBase", fmt: str) -> bytes:
    import networkx as nx  # networkx is heavy: loaded only when a graph is built

    g = networkx_graph(kb)
    buf = io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(g, buf, encoding="utf-8")
    else:
        nx.write_gexf(g, buf, encoding="utf-8")
    return buf.getvalue()


def _csv(kb: "KnowledgeBase") -> bytes:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    w.writeheader()
    w.writerows(tasks_table(kb))
    return buf.getvalue().encode("utf-8-sig")


def export_bytes(kb: "KnowledgeBase", fmt: str) -> bytes:
    """The whole KB in `fmt` (one of FORMATS) as bytes."""
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt in ("graphml", "gexf"):
        return _graph(kb, fmt)
    if fmt == "csv":
        return _csv(kb)
    return _rdf(kb, fmt)


def export(kb: "KnowledgeBase", fmt: str, out: str | os.PathLike[str] | BinaryIO | None = None) -> bytes | None:
    """Write the export to a path or binary stream; with `out=None` return the bytes."""
    data = export_bytes(kb, fmt)
    if out is None:
        return data
    if isinstance(out, (str, os.PathLike)):
        Path(out).write_bytes(data)
    else:
        out.write(data)
    return None
