"""The alignment graph of a child plan in RDF: `alignment_triples` of one pair, in `align_graph`.

A `pk:Alignment` node per parent (fingerprinted by both files' sha256 and `ALIGNER_VERSION`),
`pk:TaskLink`, `pk:IndicatorLink` and `pk:UnitLink` nodes, and the direct triples
`pk:implements`, `pk:parentIndicator`, `pk:counterpart`.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING

from plankb.kb.align.indicators import INDICATOR_METHOD
from plankb.kb.align.pair import PairAlignment
from plankb.kb.align.tasks import TASK_METHOD, THRESHOLD
from plankb.kb.align.units import UNIT_METHOD
from plankb.kb.ids import PK, encode_id
from plankb.kb.terms import iri, lit, typed

if TYPE_CHECKING:
    from plankb.kb.store import KnowledgeBase

ALIGNER_VERSION = "1"
XSD = "http://www.w3.org/2001/XMLSchema#"
PROV = "http://www.w3.org/ns/prov#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def align_graph(kb: "KnowledgeBase", child_id: str) -> str:
    """{base}graph/align/{child plan id}: the alignment graph of one child plan."""
    return f"{kb.iris.base}graph/align/{encode_id(child_id)}"


def _mint(kb: "KnowledgeBase", kind: str, a: str, b: str) -> str:
    return f"{kb.iris.base}{kind}/{encode_id(a)}--{encode_id(b)}"


def alignment_triples(kb: "KnowledgeBase", pa: PairAlignment, generated_at: datetime | None = None
                      ) -> list[tuple[str, str, str]]:
    def p(local: str) -> str:
        return f"<{PK}{local}>"

    def dec(x: float) -> str:
        return f'"{x:.4f}"^^<{XSD}decimal>'

    a_type = f"<{RDF_TYPE}>"
    entity = f"<{PROV}Entity>"
    at = generated_at or datetime.now(timezone.utc).replace(microsecond=0)
    out: list[tuple[str, str, str]] = []
    node = iri(_mint(kb, "alignment", pa.child.id, pa.parent.id))
    out += [
        (node, a_type, p("Alignment")), (node, a_type, entity),
        (node, p("child"), iri(pa.child.iri)), (node, p("parent"), iri(pa.parent.iri)),
        (node, p("alignerVersion"), lit(ALIGNER_VERSION)),
        (node, p("method"), lit(TASK_METHOD)),
        (node, p("threshold"), dec(THRESHOLD)),
        (node, f"<{PROV}generatedAtTime>", typed(at)),
    ]
    if pa.child.sha256:
        out.append((node, p("childSha256"), lit(pa.child.sha256)))
    if pa.parent.sha256:
        out.append((node, p("parentSha256"), lit(pa.parent.sha256)))
    ids = {t.iri: t.id for t in [*pa.child.tasks, *pa.parent.tasks]}
    for m in pa.tasks:
        link = iri(_mint(kb, "task-link", ids[m.child], ids[m.parent]))
        out += [
            (iri(m.child), p("implements"), iri(m.parent)),
            (link, a_type, p("TaskLink")), (link, a_type, entity),
            (link, p("child"), iri(m.child)), (link, p("parent"), iri(m.parent)),
            (link, p("score"), dec(m.score)), (link, p("rank"), typed(m.rank)),
            (link, p("method"), lit(m.method)),
            (link, p("childEvidence"), lit(m.child_evidence, "vi")),
            (link, p("parentEvidence"), lit(m.parent_evidence, "vi")),
            (link, p("alignment"), node),
        ]
    for child, (score, parent) in sorted(pa.misses.items()):
        # no link: keep the best candidate and its score as the evidence of the gap
        out += [(iri(child), p("bestCandidate"), iri(parent)), (iri(child), p("bestCandidateScore"), dec(score))]
    iids = {i.iri: i.id for i in [*pa.child.indicators, *pa.parent.indicators]}
    for v in pa.indicators:
        a = iids[v.child] if v.child else pa.child.id
        b = iids[v.parent] if v.parent else "none"
        link = iri(_mint(kb, "indicator-link", a, b))
        out += [
            (link, a_type, p("IndicatorLink")), (link, a_type, entity),
            (link, p("verdict"), lit(v.verdict)),
            (link, p("method"), lit(INDICATOR_METHOD)),
            (link, p("alignment"), node),
        ]
        if v.child:
            out.append((link, p("child"), iri(v.child)))
        if v.parent:
            out.append((link, p("parent"), iri(v.parent)))
        if v.child and v.parent:
            out.append((iri(v.child), p("parentIndicator"), iri(v.parent)))
        if v.score is not None:
            out.append((link, p("score"), dec(v.score)))
    for u in pa.units:
        link = iri(_mint(kb, "unit-link", _short(kb, u.child), _short(kb, u.parent)))
        out += [
            (iri(u.child), p("counterpart"), iri(u.parent)),
            (link, a_type, p("UnitLink")), (link, a_type, entity),
            (link, p("child"), iri(u.child)), (link, p("parent"), iri(u.parent)),
            (link, p("method"), lit(UNIT_METHOD)),
            (link, p("alignment"), node),
        ]
        for r in sorted(u.roles):
            out.append((link, p("sharedRole"), iri(kb.iris.role(r))))
        for ar in sorted(u.areas):
            out.append((link, p("area"), iri(kb.iris.area(ar))))
    return out


def _short(kb: "KnowledgeBase", iri_: str) -> str:
    k = kb.iris.kind_and_id(iri_)
    return k[1] if k else iri_
