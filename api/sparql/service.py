"""What the endpoint shows when it gets no query: the service description (`service_description`,
an `sd:Service` with its formats and named graphs) and the HTML query page (`render_page`, with
the example queries of `load_examples`)."""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pyoxigraph as ox
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from plankb import ontology
from plankb.api.sparql.formats import GRAPH_FORMATS, RESULT_FORMATS, Format
from plankb.api.sparql.results import write_triples

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
DEFAULT_EXAMPLES_DIR = ontology.QUERIES_DIR

SD = "http://www.w3.org/ns/sparql-service-description#"
W3_FORMATS = "http://www.w3.org/ns/formats/"


def service_description(endpoint: str, store: ox.Store, fmt: Format, *, update: bool) -> bytes:
    """An `sd:Service` describing this endpoint, its formats and its named graphs."""
    def nn(iri: str) -> ox.NamedNode:
        return ox.NamedNode(iri)

    rdf_type = nn("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    svc, dataset, default = nn(endpoint), nn(endpoint + "#dataset"), nn(endpoint + "#default-graph")
    t = [
        ox.Triple(svc, rdf_type, nn(SD + "Service")),
        ox.Triple(svc, nn(SD + "endpoint"), svc),
        ox.Triple(svc, nn("http://purl.org/dc/terms/title"),
                  ox.Literal("plankb: điểm truy vấn SPARQL về kế hoạch cải cách hành chính", language="vi")),
        ox.Triple(svc, nn(SD + "supportedLanguage"), nn(SD + "SPARQL11Query")),
        ox.Triple(svc, nn(SD + "feature"), nn(SD + "UnionDefaultGraph")),
        ox.Triple(svc, nn(SD + "defaultDataset"), dataset),
        ox.Triple(dataset, rdf_type, nn(SD + "Dataset")),
        ox.Triple(dataset, nn(SD + "defaultGraph"), default),
        ox.Triple(default, rdf_type, nn(SD + "Graph")),
    ]
    if update:
        t.append(ox.Triple(svc, nn(SD + "supportedLanguage"), nn(SD + "SPARQL11Update")))
    for f in (*RESULT_FORMATS, *GRAPH_FORMATS):
        if f.w3_format:
            t.append(ox.Triple(svc, nn(SD + "resultFormat"), nn(W3_FORMATS + f.w3_format)))
    for k, g in enumerate(sorted(str(g.value) for g in store.named_graphs() if isinstance(g, ox.NamedNode))):
        ng = nn(f"{endpoint}#named-graph-{k + 1}")
        t += [ox.Triple(dataset, nn(SD + "namedGraph"), ng), ox.Triple(ng, rdf_type, nn(SD + "NamedGraph")),
              ox.Triple(ng, nn(SD + "name"), nn(g))]
    prefixes = {"sd": SD, "formats": W3_FORMATS, "dcterms": "http://purl.org/dc/terms/"}
    return write_triples(t, fmt.key, prefixes)


def load_examples(directory: Path | None) -> list[dict[str, str]]:
    """Example queries from `*.rq` files: title = the first comment line, else the file name."""
    if directory is None or not directory.is_dir():
        return []
    examples = []
    for path in sorted(directory.glob("*.rq")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        first = next((ln for ln in text.splitlines() if ln.strip()), "")
        title = first.lstrip("#").strip() if first.lstrip().startswith("#") else ""
        examples.append({"name": path.stem, "title": title or path.stem.replace("_", " "), "query": text})
    return examples


DEFAULT_QUERY = """\
PREFIX pk: <http://plankb.org/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>

# Số bộ ba (triple) trong mỗi đồ thị nguồn
SELECT ?g (COUNT(*) AS ?n)
WHERE { GRAPH ?g { ?s ?p ?o } }
GROUP BY ?g
ORDER BY DESC(?n)
"""


def render_page(templates: Jinja2Templates, request: Request, query: str, *, autorun: bool,
                examples_dir: Path | None, prefixes: Mapping[str, str], timeout: float, max_rows: int,
                read_only: bool) -> HTMLResponse:
    """The HTML query page (`sparql.html`), `query` in the editor (run at once with `autorun`)."""
    root = request.scope.get("root_path", "")
    try:
        static = root + str(request.app.url_path_for("static", path="/")).rstrip("/")
    except Exception:  # noqa: BLE001 - no static mount named "static"
        static = root + "/static"
    context = {
        "endpoint": request.url.path,
        "query": query or DEFAULT_QUERY,
        "autorun": autorun,
        "examples": load_examples(examples_dir),
        "prefixes": prefixes,
        "static": static,
        "timeout": timeout,
        "max_rows": max_rows,
        "read_only": read_only,
        "result_formats": RESULT_FORMATS,
        "graph_formats": GRAPH_FORMATS,
    }
    response = templates.TemplateResponse(request, "sparql.html", context)
    response.headers["Vary"] = "Accept"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
