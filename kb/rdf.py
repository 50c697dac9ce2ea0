"""PlanRecord -> RDF: one named graph per document ({base}graph/{plan id}).

The builder writes N-Triples terms directly (strings), which is ~20x cheaper than building
rdflib terms; the same triples then become N-Quads text, a SPARQL `INSERT DATA` block (what the
store writes, in one transaction), pyoxigraph Quads, or an rdflib Graph (for SHACL and
serialisation).

Shared nodes (legal documents, units, jurisdictions, issuers) have the same IRI in every graph
that mentions them, so NQ 76/NQ-CP cited by four plans is one node described in four graphs.
Whether a cited document was ingested (`pk:ingested`) is decided later, in the links graph
(`kb.link`), because it depends on the other documents in the KB.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

import pyoxigraph as ox

from plankb.kb.ids import PREFIXES, IRIs
from plankb.kb.models import AREAS, Citation, Jurisdiction, PlanRecord, Problem, Span
from plankb.kb.terms import PK, SKOS, A, C, P, iri, lit, term, typed
from plankb.kb.text import canonical_tones, fold, slug


def _parse_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def id_local(c: Citation) -> str | None:
    """Number and symbol as usually printed: '76/NQ-CP', '137/2024/NĐ-CP', '68-NQ/TW'.

    >>> from kb.models import Span
    >>> id_local(Citation(surface="Kết luận số 205-KL/TW", number="205", symbol="KL/TW", span=Span(start=0, end=1)))
    '205-KL/TW'
    """
    if not c.number or not c.symbol:
        return c.number
    if "/" in c.symbol:  # Party style: 68-NQ/TW
        return f"{c.number}-{c.symbol}"
    m = re.search(re.escape(c.number) + r"\s*/\s*(\d{4})\s*/", c.surface)
    if m:
        return f"{c.number}/{m.group(1)}/{c.symbol}"
    return f"{c.number}/{c.symbol}"


@dataclass
class DocumentRDF:
    """The RDF of one document: its named graph IRI, triples (N-Triples terms) and warnings."""

    plan: str
    graph: str
    triples: list[tuple[str, str, str]] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.triples)

    def ntriples(self) -> str:
        return "".join(f"{s} {p} {o} .\n" for s, p, o in self.triples)

    def nquads(self) -> str:
        g = f"<{self.graph}>"
        return "".join(f"{s} {p} {o} {g} .\n" for s, p, o in self.triples)

    def insert_data(self) -> str:
        """A SPARQL Update `INSERT DATA` operation writing the triples into the named graph."""
        return f"INSERT DATA {{ GRAPH <{self.graph}> {{\n{self.ntriples()}}} }}"

    def quads(self) -> list:

        return list(ox.parse(self.nquads(), format=ox.RdfFormat.N_QUADS))

    def to_rdflib(self):
        """An rdflib Graph with the triples (identifier = the named graph IRI), prefixes bound."""
        import rdflib  # rdflib is heavy: loaded only for SHACL, rdflib graphs or the rdflib comparison

        g = rdflib.Graph(identifier=rdflib.URIRef(self.graph))
        for prefix, ns in PREFIXES.items():
            g.bind(prefix, ns)
        g.parse(data=self.ntriples(), format="nt")
        return g


class _Builder:
    def __init__(self, record: PlanRecord, ids: IRIs, generated_at: datetime | None):
        self.r = record
        self.ids = ids
        self.generated_at = generated_at or datetime.now(timezone.utc).replace(microsecond=0)
        self.out = DocumentRDF(plan=ids.plan(record.id), graph=ids.graph(record.id))
        self._seen: set[tuple[str, str, str]] = set()
        self._described: set[str] = set()
        self._unit_index: dict[str, str] = {}
        self.plan = iri(self.out.plan)
        j = record.jurisdiction
        self.j_iri = self._jurisdiction(j) if j else None
        self.province_iri: str | None = None

    # ------------------------------------------------------------------ helpers
    def add(self, s: str, p: str, o: str | None) -> None:
        if o is None:
            return
        t = (s, p, o)
        if t not in self._seen:
            self._seen.add(t)
            self.out.triples.append(t)

    def text(self, s: str, p: str, value: str | None, lang: str | None = "vi") -> None:
        if value is not None and value.strip():
            self.add(s, p, lit(value.strip(), lang))

    def warn(self, code: str, message: str, span: Span | None = None) -> None:
        if not any(w.code == code and w.message == message for w in self.out.warnings):
            self.out.warnings.append(Problem(code=code, message=message, span=span))

    def span(self, s: str, span: Span | None) -> None:
        if span is not None:
            self.add(s, P["charStart"], typed(span.start))
            self.add(s, P["charEnd"], typed(span.end))

    def area(self, code: str | None) -> str | None:
        if code is None:
            return None
        if code not in AREAS:
            self.warn("unknown-area", f"reform area {code!r} is not in the scheme")
            return None
        return iri(self.ids.area(code))

    # ------------------------------------------------------------------ jurisdictions
    def _jurisdiction(self, j: Jurisdiction) -> str:
        province = None
        if j.province and j.province_code and j.province_code != j.code:
            province = iri(self.ids.jurisdiction(j.province_code))
            self.add(province, A, C["Jurisdiction"])
            self.text(province, P["prefLabel"], j.province)
            self.add(province, P["code"], lit(j.province_code))
        if j.code:
            node = iri(self.ids.jurisdiction(j.code, j.province_code if province else None))
        else:
            node = iri(self.ids.jurisdiction_by_name(j.name))
            self.warn("jurisdiction-without-code", f"no official code for {j.name!r}; IRI minted from the name")
        self.add(node, A, C["Jurisdiction"])
        self.text(node, P["prefLabel"], j.name)
        if j.code:
            self.add(node, P["code"], lit(j.code))
        self.text(node, P["jurisdictionType"], j.type)
        if province:
            self.add(node, P["province"], province)
            self.province_iri = province
        elif j.province and j.province_code is None and j.province != j.name:
            self.text(node, P["jurisdictionName"], j.province)
        return node

    def unit_jurisdiction(self, code: str | None, name: str | None) -> str | None:
        """The unit's jurisdiction node; units with no stated jurisdiction belong to the plan's.

        A unit of another jurisdiction (Bộ Nội vụ, 'Việt Nam', in a city plan) gets a node of its
        own, described here with the name and code the record gives."""
        j = self.r.jurisdiction
        if j is not None:
            if code and code == j.code or not code and (name is None or fold(name) == fold(j.name)):
                return self.j_iri
            if self.province_iri and (code and code == j.province_code
                                      or not code and j.province and fold(name or "") == fold(j.province)):
                return self.province_iri
        if not code and not name:
            return self.j_iri
        node = iri(self.ids.jurisdiction(code) if code else self.ids.jurisdiction_by_name(name or ""))
        if node not in self._described:
            self._described.add(node)
            self.add(node, A, C["Jurisdiction"])
            self.text(node, P["prefLabel"], name or code)
            if code:
                self.add(node, P["code"], lit(code))
        return node

    # ------------------------------------------------------------------ legal documents
    def issuer(self, name: str | None, jurisdiction: str | None) -> str | None:
        if not name:
            return None
        node = iri(self.ids.issuer(name, jurisdiction))
        if node not in self._described:
            self._described.add(node)
            self.add(node, A, C["Issuer"])
            label = name if not jurisdiction or fold(jurisdiction) in fold(name) else f"{name} ({jurisdiction})"
            self.text(node, P["prefLabel"], label)
        return node

    def legal(self, c: Citation) -> str | None:
        if not c.key:
            self.warn("citation-without-key", f"citation {c.surface[:80]!r} has no identity key; no node made", c.span)
            return None
        node = iri(self.ids.legal(c.key))
        if node in self._described:
            return node
        self._described.add(node)
        self.add(node, A, C["LegalResource"])
        self.add(node, P["citationKey"], lit(c.key))
        if c.doc_type:
            self.add(node, P["type_document"], self.doc_type(c.doc_type, c.doc_type_name))
            self.add(node, P["docTypeCode"], lit(c.doc_type))
        self.add(node, P["id_local"], lit(id_local(c)) if id_local(c) else None)
        self.add(node, P["number"], lit(c.number) if c.number else None)
        self.add(node, P["symbol"], lit(c.symbol) if c.symbol else None)
        self.add(node, P["year"], typed(c.year) if c.year else None)
        d = _parse_date(c.date)
        if c.date and d is None:
            self.warn("bad-date", f"citation date {c.date!r} is not ISO 8601", c.span)
        self.add(node, P["date_document"], typed(d) if d else None)
        self.text(node, P["issuerName"], c.issuer)
        self.add(node, P["passed_by"], self.issuer(c.issuer, c.jurisdiction))
        self.add(node, P["issuerLevel"], lit(c.issuer_level) if c.issuer_level else None)
        self.text(node, P["jurisdictionName"], c.jurisdiction)
        self.text(node, P["title"], c.name)
        return node

    def doc_type(self, code: str, name: str | None) -> str:
        """The document-type concept; typed in every graph so SHACL sees unknown codes too."""
        node = iri(self.ids.doc_type(code))
        if node not in self._described:
            self._described.add(node)
            self.add(node, A, term(PK, "DocumentType"))
            self.add(node, term(SKOS, "notation"), lit(code))
            self.text(node, P["prefLabel"], name)
        return node

    # ------------------------------------------------------------------ units
    def index_units(self) -> None:
        for u in self.r.units:
            for name in [u.name, *u.aliases]:
                self._unit_index.setdefault(fold(canonical_tones(name)), u.id)

    def unit_ref(self, name: str) -> str:
        uid = self._unit_index.get(fold(canonical_tones(name)))
        if uid is None:
            j = self.r.jurisdiction

            uid = f"{slug(j.name) if j else 'unknown'}--{slug(name)}"
            self._unit_index[fold(canonical_tones(name))] = uid
            node = iri(self.ids.unit(uid))
            self.add(node, A, C["OrganizationalUnit"])
            self.text(node, P["prefLabel"], name)
            self.add(node, P["jurisdiction"], self.j_iri)
            self.warn("unit-not-listed", f"unit {name!r} named by a task is not in the record's units")
        return iri(self.ids.unit(uid))

    @staticmethod
    def _parent_by_path(path: str | None, by_path: dict[str, str]) -> str | None:
        """The task whose path is the longest proper prefix of `path` ('II.1.a.1' -> 'II.1.a')."""
        parts = (path or "").split(".")
        for n in range(len(parts) - 1, 0, -1):
            found = by_path.get(".".join(parts[:n]))
            if found:
                return found
        return None

    # ------------------------------------------------------------------ the document
    def build(self) -> DocumentRDF:
        r, add, text = self.r, self.add, self.text
        p = self.plan
        add(p, A, C["Plan"])
        add(p, A, C["LegalResource"])
        add(p, P["identifier"], lit(r.id))
        text(p, P["title"], r.title)
        doc_type = r.doc_type or "KH"
        add(p, P["type_document"], self.doc_type(doc_type, "Kế hoạch" if doc_type == "KH" else None))
        add(p, P["docTypeCode"], lit(doc_type))
        if r.number:
            add(p, P["id_local"], lit(r.number))
        add(p, P["isDraft"], typed(r.is_draft))
        add(p, P["level"], lit(r.level))
        if r.period:
            add(p, P["periodStart"], typed(r.period.start))
            add(p, P["periodEnd"], typed(r.period.end))
        d = _parse_date(r.date)
        if r.date and d is None:
            self.warn("bad-date", f"plan date {r.date!r} is not ISO 8601")
        add(p, P["date_document"], typed(d) if d else None)
        add(p, P["jurisdiction"], self.j_iri)
        if self.j_iri is None:
            self.warn("plan-without-jurisdiction", "the plan's jurisdiction is unknown")
        text(p, P["issuerName"], r.issuer)
        j = r.jurisdiction
        # a national body (Thủ tướng Chính phủ) is one issuer, the same node its cited decisions have
        add(p, P["passed_by"], self.issuer(r.issuer, j.name if j and r.level != "national" else None))
        add(p, P["ingested"], typed(True))

        if r.adopted_by is not None:
            node = self.legal(r.adopted_by)
            if node:
                add(p, P["adoptedBy"], node)
                add(node, P["adopts"], p)
        bases = {self.legal(c) for c in r.legal_bases} - {None}
        for node in sorted(bases):  # type: ignore[type-var]
            add(p, P["based_on"], node)
        for c in r.parent_plans:
            node = self.legal(c)
            if node:
                add(p, P["parentPlanRef"], node)
                add(p, P["based_on"], node)
                bases.add(node)
        for c in r.citations:
            node = self.legal(c)
            if node and node not in bases:
                add(p, P["cites"], node)

        # provenance
        src = iri(self.ids.source(r.sha256))
        add(p, P["wasDerivedFrom"], src)
        add(p, P["generatedAtTime"], typed(self.generated_at))
        if r.extractor_version:
            add(p, P["extractorVersion"], lit(r.extractor_version))
        add(src, A, C["SourceFile"])
        add(src, A, C["Entity"])
        add(src, P["sha256"], lit(r.sha256))
        add(src, P["sourcePath"], lit(r.source))

        # units
        self.index_units()
        for u in r.units:
            node = iri(self.ids.unit(u.id))
            add(node, A, C["OrganizationalUnit"])
            add(node, P["identifier"], lit(u.id))
            text(node, P["prefLabel"], u.name)
            for alias in u.aliases:
                if alias.strip() and alias.strip() != u.name.strip():
                    text(node, P["altLabel"], alias)
            for role in u.roles:
                add(node, P["role"], iri(self.ids.role(role)))
            for a in u.areas:
                add(node, P["area"], self.area(a))
            add(node, P["jurisdiction"], self.unit_jurisdiction(u.jurisdiction_code, u.jurisdiction))

        # tasks
        task_ids = {t.id for t in r.tasks}
        by_path = {t.path: t.id for t in r.tasks if t.path}
        for t in r.tasks:
            node = iri(self.ids.task(t.id))
            add(node, A, C["Task"])
            add(node, P["identifier"], lit(t.id))
            add(node, P["plan"], p)
            text(node, P["text"], t.text)
            if t.path:
                add(node, P["path"], lit(t.path))
            add(node, P["area"], self.area(t.area))
            add(node, P["origin"], lit(t.origin))
            parent_id = t.parent_id or self._parent_by_path(t.path, by_path)
            if parent_id:
                if parent_id not in task_ids:
                    self.warn("dangling-parent-task", f"task {t.id} names parent {parent_id}, not a task of the plan", t.span)
                add(node, P["parentTask"], iri(self.ids.task(parent_id)))
            for name in t.lead_units:
                add(node, P["leadUnit"], self.unit_ref(name))
            for name in t.support_units:
                add(node, P["supportUnit"], self.unit_ref(name))
            text(node, P["leader"], t.leader)
            for product in t.products:
                text(node, P["product"], product)
            if t.deadline is not None:
                dl = t.deadline
                text(node, P["deadlineText"], dl.text)
                add(node, P["deadlineStart"], typed(dl.start) if dl.start else None)
                add(node, P["deadlineEnd"], typed(dl.end) if dl.end else None)
                add(node, P["recurrence"], lit(dl.recurrence) if dl.recurrence else None)
            self.span(node, t.span)

        # indicators
        for ind in r.indicators:
            node = iri(self.ids.indicator(ind.id))
            add(node, A, C["Indicator"])
            add(node, P["identifier"], lit(ind.id))
            add(node, P["plan"], p)
            text(node, P["subject"], ind.subject)
            add(node, P["value"], typed(float(ind.value)))
            if ind.unit:
                add(node, P["measureUnit"], lit(ind.unit))
            if ind.comparator:
                add(node, P["comparator"], lit(ind.comparator))
            if ind.period:
                add(node, P["periodStart"], typed(ind.period.start))
                add(node, P["periodEnd"], typed(ind.period.end))
            add(node, P["area"], self.area(ind.area))
            text(node, P["sourceText"], ind.surface)
            text(node, P["sentence"], ind.sentence)
            self.span(node, ind.span)
        return self.out


def build(record: PlanRecord, base: str | None = None, generated_at: datetime | None = None) -> DocumentRDF:
    """The document's RDF (triples as N-Triples terms) plus conversion warnings."""
    return _Builder(record, IRIs(base), generated_at).build()


def to_graph(record: PlanRecord, base: str | None = None, generated_at: datetime | None = None):
    """The document as an rdflib Graph (for SHACL and serialisation)."""
    return build(record, base, generated_at).to_rdflib()


def to_quads(record: PlanRecord, base: str | None = None, generated_at: datetime | None = None) -> list:
    """The document as pyoxigraph Quads in its named graph."""
    return build(record, base, generated_at).quads()


def to_nquads(record: PlanRecord, base: str | None = None, generated_at: datetime | None = None) -> str:
    """The document as N-Quads text (what `plankb export --format nquads` writes per graph)."""
    return build(record, base, generated_at).nquads()
