"""Deterministic, readable IRIs for everything in the knowledge base (no blank nodes).

    plan          {base}plan/{PlanRecord.id}
    task          {base}task/{Task.id}
    legal doc     {base}legal/{Citation.key}
    unit          {base}unit/{Unit.id}
    jurisdiction  {base}jurisdiction/{province_code}            (province)
                  {base}jurisdiction/{province_code}/{code}     (commune: codes alone collide,
                                                                 phường Ba Đình is 4 and so is Cao Bằng)
                  {base}jurisdiction/VN                         (the country: national plans and
                                                                 their ministries, code NATIONAL_CODE)
    indicator     {base}indicator/{Indicator.id}
    area          {base}area/{code}
    document type {base}doc-type/{slug(code)}
    role          {base}role/{role}
    issuer        {base}issuer/{slug(issuer [+ jurisdiction])}
    source file   {base}source/{sha256}
    named graph   {base}graph/{PlanRecord.id}, plus {base}graph/links and {base}graph/ontology
    plan link     {base}link/{slug(legal key)}--{plan id}

Ids are kept readable: letters (Vietnamese included), digits and '-._~' stay as they are,
anything else is percent-encoded (UTF-8), so the same id always gives the same IRI.

>>> IRIs("http://x.org/id/").task("ai-quoc-2026-2030.II.1.a")
'http://x.org/id/task/ai-quoc-2026-2030.II.1.a'
>>> IRIs("http://x.org/id/").jurisdiction("10660", "31")
'http://x.org/id/jurisdiction/31/10660'
"""
from __future__ import annotations

from urllib.parse import quote, unquote

from plankb.kb.settings import base_iri
from plankb.kb.text import fold, slug

ONTOLOGY = "http://plankb.org/ontology#"
# Code of the national jurisdiction ('Việt Nam'): national plans (ingest.extract.header.NATIONAL) and the
# units of the national level (ministries, ingest.extract.units) share {base}jurisdiction/VN.
NATIONAL_CODE = "VN"
DEFAULT_DATA_BASE = "http://plankb.org/id/"

PREFIXES: dict[str, str] = {
    "pk": ONTOLOGY,
    "eli": "http://data.europa.eu/eli/ontology#",
    "org": "http://www.w3.org/ns/org#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
# The namespaces, each declared once: f"{PK}Plan", f"{ELI}based_on"
PK = PREFIXES["pk"]
ELI = PREFIXES["eli"]
ORG = PREFIXES["org"]
SKOS = PREFIXES["skos"]
PROV = PREFIXES["prov"]
DCT = PREFIXES["dcterms"]
RDF = PREFIXES["rdf"]
XSD = PREFIXES["xsd"]


def sparql_values(var: str, iris) -> str:
    """A VALUES clause binding ?var to the IRIs (sorted); '' for None (no restriction)."""
    return "" if iris is None else f"VALUES ?{var} {{ {' '.join(f'<{i}>' for i in sorted(iris))} }}\n"


def sparql_prefixes(base: str | None = None) -> str:
    """PREFIX lines for every namespace plankb uses (plus `id:` for the data base)."""
    lines = [f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items()]
    lines.append(f"PREFIX id: <{base or base_iri()}>")
    return "\n".join(lines) + "\n"


def encode_id(value: str) -> str:
    """Percent-encode what is not safe in an IRI path segment; keep letters and digits.

    >>> encode_id("plan.II.1.đ")
    'plan.II.1.đ'
    >>> encode_id("a b/c")
    'a%20b%2Fc'
    """
    out = []
    for ch in value:
        if ch.isalnum() or ch in "-._~":
            out.append(ch)
        else:
            out.append(quote(ch, safe=""))
    return "".join(out)


class IRIs:
    """IRI minting for one base. `IRIs()` uses the base in force (env PLANKB_BASE_IRI)."""

    def __init__(self, base: str | None = None):
        b = base or base_iri()
        self.base = b if b.endswith(("/", "#")) else b + "/"

    def _mint(self, kind: str, value: str) -> str:
        return f"{self.base}{kind}/{encode_id(value)}"

    def plan(self, plan_id: str) -> str:
        return self._mint("plan", plan_id)

    def task(self, task_id: str) -> str:
        return self._mint("task", task_id)

    def legal(self, key: str) -> str:
        return self._mint("legal", key)

    def unit(self, unit_id: str) -> str:
        return self._mint("unit", unit_id)

    def indicator(self, indicator_id: str) -> str:
        return self._mint("indicator", indicator_id)

    def area(self, code: str) -> str:
        return self._mint("area", code)

    def doc_type(self, code: str) -> str:
        return self._mint("doc-type", slug(code) or "other")

    def role(self, role: str) -> str:
        return self._mint("role", role)

    def issuer(self, name: str, jurisdiction: str | None = None) -> str:
        text = name
        if jurisdiction and fold(jurisdiction) not in fold(name):
            text = f"{name} {jurisdiction}"
        return self._mint("issuer", slug(text, max_len=120) or "unknown")

    def jurisdiction(self, code: str, province_code: str | None = None) -> str:
        """Province: jurisdiction/{code}; commune: jurisdiction/{province_code}/{code}."""
        if province_code and province_code != code:
            return f"{self.base}jurisdiction/{encode_id(province_code)}/{encode_id(code)}"
        return self._mint("jurisdiction", code)

    def jurisdiction_by_name(self, name: str) -> str:
        """Fallback when the extractor found no official code (recorded as a warning)."""
        return self._mint("jurisdiction", "name-" + slug(name))

    def source(self, sha256: str) -> str:
        return self._mint("source", sha256)

    def graph(self, plan_id: str) -> str:
        return self._mint("graph", plan_id)

    @property
    def links_graph(self) -> str:
        return f"{self.base}graph/links"

    @property
    def ontology_graph(self) -> str:
        return f"{self.base}graph/ontology"

    def link(self, legal_key: str, plan_id: str) -> str:
        return self._mint("link", f"{slug(legal_key, 120)}--{plan_id}")

    # ------------------------------------------------------------------ reverse
    def kind_and_id(self, iri: str) -> tuple[str, str] | None:
        """('task', 'ai-quoc.II.1.a') for a task IRI; None for an IRI outside this base.

        >>> IRIs("http://x.org/id/").kind_and_id("http://x.org/id/legal/nq-76-2021-nq-cp")
        ('legal', 'nq-76-2021-nq-cp')
        """

        if not iri.startswith(self.base):
            return None
        rest = iri[len(self.base):]
        kind, _, value = rest.partition("/")
        if not value:
            return None
        return kind, unquote(value)


def iris(base: str | None = None) -> IRIs:
    return IRIs(base)
