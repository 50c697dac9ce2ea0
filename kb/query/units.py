"""Units by name and their counterparts: `units_named(kb, name)` finds units by id, name or alias
(diacritics and tone style optional); `unit_counterparts(kb, unit_id)` lists the units holding the
same role for the same reform area one level up or down (kb.align's `pk:UnitLink`)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from plankb.kb.query.common import local_id, norm_name

if TYPE_CHECKING:
    from plankb.kb.store import KnowledgeBase


def units_named(kb: "KnowledgeBase", name: str) -> list[dict]:
    """Units whose id, name or alias matches `name`: exact (normalised) first, else containing it.

    Returns [{iri, id, name, jurisdiction}]; several when the name exists in several jurisdictions."""
    by_unit = kb.cached("query.units", _unit_index)
    q = norm_name(name)
    raw = name.strip()
    exact = [u for u in by_unit.values() if raw in (u["id"], u["iri"]) or q in u["norms"]]
    if not exact and q:
        exact = [u for u in by_unit.values() if any(q in n for n in u["norms"])]
    return sorted(({k: v for k, v in u.items() if k != "norms"} for u in exact), key=lambda u: u["iri"])


def _unit_index(kb: "KnowledgeBase") -> dict[str, dict]:
    """Every unit with its normalised names and aliases (per graph: no union duplicates)."""
    rows = kb.select("""SELECT ?u ?id ?label ?alt ?jur WHERE { GRAPH ?g { ?u a org:OrganizationalUnit ; skos:prefLabel ?label .
        OPTIONAL { ?u dcterms:identifier ?id } OPTIONAL { ?u skos:altLabel ?alt }
        OPTIONAL { ?u pk:jurisdiction ?j . ?j skos:prefLabel ?jur } } }""", use_default_graph_as_union=False)
    by_unit: dict[str, dict] = {}
    for r in rows:
        u = by_unit.setdefault(r["u"], {"iri": r["u"], "id": None, "names": set(), "labels": set(),
                                        "name": None, "jurisdiction": None})
        u["id"] = u["id"] or r.get("id")
        u["jurisdiction"] = u["jurisdiction"] or r.get("jur")
        u["names"].add(r["label"])
        u["labels"] |= {r["label"], r["alt"]} if r.get("alt") else {r["label"]}
    for u in by_unit.values():
        u["id"] = u["id"] or local_id(kb, u["iri"])
        u["name"] = sorted(u.pop("names"))[0]
        u["norms"] = {norm_name(l) for l in u.pop("labels")}
    return by_unit


def unit_counterparts(kb: "KnowledgeBase", unit_id: str) -> list[dict]:
    """Units holding the same role for the same reform area one level up or down.

    [{unit_id, name, jurisdiction, level, role, area}], one row per (counterpart, role, area);
    area is None for the standing agency. KeyError for an unknown unit."""
    iri = unit_id if unit_id.startswith(("http://", "https://")) else kb.iris.unit(unit_id)
    if not kb.ask(f"ASK {{ <{iri}> a org:OrganizationalUnit }}"):
        found = units_named(kb, unit_id)
        if len(found) != 1:
            raise KeyError(unit_id)
        iri = found[0]["iri"]
    rows = kb.select(f"""SELECT DISTINCT ?other ?role ?area WHERE {{
        {{ ?l a pk:UnitLink ; pk:child <{iri}> ; pk:parent ?other }} UNION {{ ?l a pk:UnitLink ; pk:parent <{iri}> ; pk:child ?other }}
        ?l pk:sharedRole ?r . ?r skos:notation ?role .
        OPTIONAL {{ ?l pk:area ?a . ?a skos:notation ?area }} }}""")
    info = _unit_info(kb, {r["other"] for r in rows})
    out = []
    for r in rows:
        u = info.get(r["other"], {})
        area = r.get("area") if r["role"] == "lead" else None
        row = {"unit_id": u.get("id") or local_id(kb, r["other"]), "name": u.get("name"), "jurisdiction": u.get("jurisdiction"),
               "level": u.get("level"), "role": r["role"], "area": area}
        if row not in out:
            out.append(row)
    return sorted(out, key=lambda x: (x["level"] or "", x["unit_id"], x["role"], x["area"] or ""))


def _unit_info(kb: "KnowledgeBase", iris: set[str]) -> dict[str, dict]:
    if not iris:
        return {}
    out: dict[str, dict] = {}
    for u in sorted(iris):
        for r in kb.select(f"""SELECT (MIN(STR(?n)) AS ?name) (MIN(?i) AS ?id) (MIN(STR(?j)) AS ?jur) (MIN(?lv) AS ?level) WHERE {{
                <{u}> skos:prefLabel ?n . OPTIONAL {{ <{u}> dcterms:identifier ?i }}
                OPTIONAL {{ <{u}> pk:jurisdiction ?jj . ?jj skos:prefLabel ?j .
                           OPTIONAL {{ ?plan pk:jurisdiction ?jj ; a pk:Plan ; pk:level ?lv }} }} }}"""):
            out[u] = {"id": r.get("id") or local_id(kb, u), "name": r.get("name"), "jurisdiction": r.get("jur"),
                      "level": r.get("level")}
    return out


def _counterpart_edges(kb: "KnowledgeBase") -> dict[str, set[str]]:
    adj: dict[str, set[str]] = {}
    for r in kb.select("SELECT DISTINCT ?a ?b WHERE { ?a pk:counterpart ?b }"):
        adj.setdefault(r["a"], set()).add(r["b"])
        adj.setdefault(r["b"], set()).add(r["a"])
    return adj


def counterpart_closure(kb: "KnowledgeBase", start: set[str]) -> dict[str, str]:
    """{counterpart IRI: the start unit it was reached from}, across any number of levels."""
    adj = kb.cached("query.counterparts", _counterpart_edges)
    out: dict[str, str] = {}
    for s in sorted(start):
        todo = [s]
        seen = {s}
        while todo:
            x = todo.pop()
            for y in sorted(adj.get(x, ())):
                if y not in seen:
                    seen.add(y)
                    todo.append(y)
                    if y not in start:
                        out.setdefault(y, s)
    return out

