"""The KB as a networkx MultiDiGraph, for the UI's graph views and graphml/gexf export.

Node id = IRI; attributes (strings and numbers only, so graphml/gexf can hold them):
`kind` (plan, task, unit, legal_document, indicator, jurisdiction, area), `label` (Vietnamese,
with diacritics), `id` (the short id), `url` (UI path: /plans/{id}, /tasks/{id}, /units/{id},
/legal/{key}), `level` (plans), `area` (tasks, indicators), `ingested` (legal documents: 1/0).
Edges carry `relation`: based_on, cites, parent_plan, adopts, resolves_to, part_of, lead,
support, parent_task, in_jurisdiction, measures, area. Edge key = relation, so each relation
appears once between two nodes however many graphs state it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from plankb.kb.text import clip

if TYPE_CHECKING:
    import networkx as nx

    from plankb.kb.store import KnowledgeBase

LABEL_MAX = 140


def networkx_graph(kb: "KnowledgeBase") -> "nx.MultiDiGraph":
    """The networkx projection of the KB (`to_networkx`), built once per KB version; do not modify it."""
    return kb.cached("networkx", to_networkx)


def to_networkx(kb: "KnowledgeBase") -> "nx.MultiDiGraph":
    """Project the KB onto typed nodes and labelled edges (see module doc)."""
    import networkx as nx  # heavy: loaded only when a graph is asked for

    g = nx.MultiDiGraph()
    ids = kb.iris

    # a year-less citation node owl:sameAs a dated one is drawn as the dated node
    same = {r["a"]: r["b"] for r in kb.select("SELECT DISTINCT ?a ?b WHERE { ?a owl:sameAs ?b }")}

    def node(iri: str, **attrs) -> None:
        if iri in same:
            return
        attrs = {k: v for k, v in attrs.items() if v is not None}
        if iri in g:
            for k, v in attrs.items():
                g.nodes[iri].setdefault(k, v)
        else:
            g.add_node(iri, **attrs)

    def edge(u: str, v: str, relation: str) -> None:
        u, v = same.get(u, u), same.get(v, v)
        if u in g and v in g and not g.has_edge(u, v, key=relation):
            g.add_edge(u, v, key=relation, relation=relation)

    # areas
    area_code = {}
    for r in kb.select("""SELECT DISTINCT ?a ?code ?label WHERE { GRAPH ?o { ?a a pk:ReformArea ; skos:notation ?code ;
                          skos:prefLabel ?label FILTER(lang(?label) = "vi") } }""", use_default_graph_as_union=False):
        area_code[r["a"]] = r["code"]
        node(r["a"], kind="area", label=r["label"], id=r["code"])
    # jurisdictions
    for r in sorted(kb.select("SELECT DISTINCT ?j ?label ?code WHERE { ?j a pk:Jurisdiction ; skos:prefLabel ?label OPTIONAL { ?j pk:code ?code } }"),
                    key=lambda r: (r["j"], r["label"])):
        node(r["j"], kind="jurisdiction", label=r["label"], id=r.get("code", ""))
    # plans
    for r in sorted(kb.select("""SELECT DISTINCT ?p ?id ?level ?title ?number WHERE { ?p a pk:Plan ; dcterms:identifier ?id ; pk:level ?level
                                OPTIONAL { ?p eli:title ?title } OPTIONAL { ?p eli:id_local ?number } }"""), key=lambda r: r["p"]):
        label = r.get("title") or r["id"]
        node(r["p"], kind="plan", label=clip(label, LABEL_MAX), id=r["id"], level=r["level"], url=f"/plans/{r['id']}",
             number=r.get("number"))
    plans = {n for n, d in g.nodes(data=True) if d["kind"] == "plan"}
    # legal documents (not plans). A cited document is described in every graph that cites it, so
    # one query with several OPTIONALs multiplies rows across graphs and stalls on a large KB:
    # fetch each property separately and join here.
    def column(prop_query: str) -> dict[str, str]:
        out: dict[str, str] = {}
        for r in kb.select(prop_query):
            if r["l"] not in out or str(r["v"]) < str(out[r["l"]]):
                out[r["l"]] = r["v"]
        return out

    keys = column("SELECT DISTINCT ?l ?v WHERE { ?l a eli:LegalResource ; pk:citationKey ?v }")
    idls = column("SELECT DISTINCT ?l ?v WHERE { ?l a eli:LegalResource ; eli:id_local ?v }")
    titles = column("SELECT DISTINCT ?l ?v WHERE { ?l a eli:LegalResource ; eli:title ?v }")
    types = column("""SELECT DISTINCT ?l ?v WHERE { ?l a eli:LegalResource ; eli:type_document ?td .
                      ?td skos:prefLabel ?v FILTER(lang(?v) = "vi") }""")
    ingested: dict[str, bool] = {}
    for r in kb.select("SELECT DISTINCT ?l ?v WHERE { ?l a eli:LegalResource ; pk:ingested ?v }"):
        ingested[r["l"]] = ingested.get(r["l"], False) or bool(r["v"])  # true in any graph wins
    for l, key in sorted(keys.items()):
        if l in plans:
            continue
        head = " ".join(x for x in (types.get(l), idls.get(l)) if x) or key
        node(l, kind="legal_document", label=head, id=key, url=f"/legal/{key}",
             title=clip(titles[l], LABEL_MAX) if l in titles else None,
             ingested=int(ingested[l]) if l in ingested else None)
    # units
    for r in sorted(kb.select("""SELECT DISTINCT ?u ?id ?label WHERE { ?u a org:OrganizationalUnit ; skos:prefLabel ?label
                                 OPTIONAL { ?u dcterms:identifier ?id } }"""), key=lambda r: (r["u"], r["label"])):
        uid = r.get("id") or (ids.kind_and_id(r["u"]) or ("", r["u"]))[1]
        node(r["u"], kind="unit", label=r["label"], id=uid, url=f"/units/{uid}")
    # tasks
    for r in sorted(kb.select("""SELECT DISTINCT ?t ?id ?text ?path ?area WHERE { ?t a pk:Task ; dcterms:identifier ?id ; pk:text ?text
                                 OPTIONAL { ?t pk:path ?path } OPTIONAL { ?t pk:area ?area } }"""), key=lambda r: r["t"]):
        prefix = f"{r['path']} " if r.get("path") else ""
        node(r["t"], kind="task", label=clip(prefix + r["text"], LABEL_MAX), id=r["id"], url=f"/tasks/{r['id']}",
             area=area_code.get(r.get("area", "")))
    # indicators
    for r in sorted(kb.select("""SELECT DISTINCT ?i ?id ?surface ?subject ?value ?area ?pid WHERE {
                                 ?i a pk:Indicator ; dcterms:identifier ?id ; rdf:value ?value ; pk:plan/dcterms:identifier ?pid
                                 OPTIONAL { ?i pk:sourceText ?surface } OPTIONAL { ?i pk:subject ?subject }
                                 OPTIONAL { ?i pk:area ?area } }"""), key=lambda r: r["i"]):
        label = " ".join(x for x in (r.get("subject"), r.get("surface")) if x) or str(r["value"])
        node(r["i"], kind="indicator", label=clip(label, LABEL_MAX), id=r["id"], url=f"/plans/{r['pid']}#{r['id']}",
             value=r["value"], area=area_code.get(r.get("area", "")))

    # edges
    rels = {
        "eli:based_on": "based_on", "eli:cites": "cites", "pk:parentPlan": "parent_plan", "pk:adopts": "adopts",
        "pk:resolvesTo": "resolves_to", "pk:plan": "part_of", "pk:leadUnit": "lead", "pk:supportUnit": "support",
        "pk:parentTask": "parent_task", "pk:jurisdiction": "in_jurisdiction", "pk:province": "in_jurisdiction",
        "pk:area": "area",
    }
    values = " ".join(rels)
    for r in kb.select(f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?o }}"):
        local = r["p"].rsplit("#", 1)[-1]
        prefix = "eli" if "eli/ontology" in r["p"] else "pk"
        relation = rels[f"{prefix}:{local}"]
        if relation == "part_of" and g.nodes.get(r["s"], {}).get("kind") == "indicator":
            relation = "measures"
        edge(r["s"], r["o"], relation)
    # an unresolved parent plan: parent_plan edge to the cited document itself
    for r in kb.select("""SELECT DISTINCT ?p ?l WHERE { ?p pk:parentPlanRef ?l
                          FILTER NOT EXISTS { ?l pk:adopts|pk:resolvesTo ?target } }"""):
        edge(r["p"], r["l"], "parent_plan")
    return g
