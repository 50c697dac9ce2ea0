"""The read model over the knowledge base: plans, tasks, units, legal documents, indicators, search.

What the REST API (`api/routers/`) returns and what the HTML pages show. Every function takes the
`KnowledgeBase` first and returns frozen pydantic models carrying their ids and URLs (`url`: the
HTML page, `api_url`: its JSON twin):

    list_plans(kb, level=, province=, period=, q=, limit=, offset=)   -> Listing[PlanSummary]
    get_plan(kb, plan_id)                                            -> PlanDetail (sections as a task tree)
    list_tasks(kb, unit=, role=, area=, plan=, level=, deadline_from=, deadline_to=, q=, limit=, offset=)
                                                                     -> Listing[TaskSummary]
    get_task(kb, task_id, context=False)                             -> TaskDetail
    list_units(kb, q=, jurisdiction=, level=, limit=, offset=)       -> Listing[UnitSummary]
    get_unit(kb, unit_id, counterparts=False)                        -> UnitDetail
    list_legal(kb, q=, ingested=, limit=, offset=)                   -> Listing[LegalRef]
    get_legal(kb, key)                                               -> LegalDetail
    list_indicators(kb, plan=, area=, q=, limit=, offset=)           -> Listing[Indicator]
    get_indicator(kb, indicator_id)                                  -> Indicator
    search(kb, q, kinds=, limit=, offset=)                           -> Listing[SearchHit]

Unknown ids raise `KeyError`. Text filters are insensitive to case and diacritics
(`kb.text.fold`): `q` matches a phrase at word starts ('hanh chinh cong' finds 'hành chính
công'), `unit` / `province` / `jurisdiction` match words of a name ('phong van hoa xa hoi' finds
'Phòng Văn hoá – Xã hội'); `search` wants every word, in any order, and ranks phrases first.
Traces, gap reports and counterparts come from `kb.query.trace` and `kb.query.gaps`.

The KB is read once into an in-memory index (a few SPARQL queries over the union of graphs),
rebuilt after any write (`KnowledgeBase.cached`, per `KnowledgeBase.version`): a list costs
microseconds per item. The source text of a document is not stored in the KB: a task carries its
file path, sha256 and character span (`TaskDetail.source`); `get_task(context=True, read_text=)`
reads the file when it is still there, unchanged, and returns the text around the span.

The modules: `schemas` (the response models), `urls` (their URLs), `keys` and `query` (text
matching and sort keys), `index` (the per-KB-version index and its build), `lists` (the list_* /
get_* functions), `source` (source-text context), `search` (full-text search). This package
re-exports their public names.
"""
from __future__ import annotations

from plankb.kb.catalog.index import index
from plankb.kb.catalog.keys import fold_map, name_key, path_key
from plankb.kb.catalog.lists import (
    get_indicator,
    get_legal,
    get_plan,
    get_task,
    get_unit,
    list_indicators,
    list_legal,
    list_plans,
    list_tasks,
    list_units,
)
from plankb.kb.catalog.query import Query
from plankb.kb.catalog.schemas import (
    KINDS,
    Counterpart,
    Deadline,
    Indicator,
    Kind,
    LegalDetail,
    LegalRef,
    Listing,
    Model,
    ParentPlan,
    PlanCitation,
    PlanDetail,
    PlanRef,
    PlanSummary,
    Relation,
    Role,
    SearchHit,
    Section,
    SourceContext,
    SourceRef,
    TaskDetail,
    TaskNode,
    TaskRef,
    TaskSummary,
    UnitDetail,
    UnitRef,
    UnitSummary,
)

# the module `search` is shadowed by its function below: `catalog.search(kb, q)`
from plankb.kb.catalog.search import _KIND_WEIGHT, _search_docs, search, warm  # noqa: E402
from plankb.kb.catalog.urls import api_url, ui_url
from plankb.kb.query.source import TextReader, read_plain_text, source_context
from plankb.kb.text import fold

__all__ = [
    "KINDS", "Counterpart", "Deadline", "Indicator", "Kind", "LegalDetail", "LegalRef", "Listing", "Model",
    "ParentPlan", "PlanCitation", "PlanDetail", "PlanRef", "PlanSummary", "Query", "Relation", "Role", "SearchHit",
    "Section", "SourceContext", "SourceRef", "TaskDetail", "TaskNode", "TaskRef", "TaskSummary", "TextReader",
    "UnitDetail", "UnitRef", "UnitSummary", "api_url", "fold", "fold_map", "get_indicator", "get_legal",
    "get_plan", "get_task", "get_unit", "index", "list_indicators", "list_legal", "list_plans", "list_tasks",
    "list_units", "name_key", "path_key", "read_plain_text", "search", "source_context", "ui_url", "warm",
    "_KIND_WEIGHT", "_search_docs",
]

# doctest.testmod(catalog) (tests/test_catalog.py) runs the examples of the re-exported helpers
__test__ = {"ui_url": ui_url, "fold_map": fold_map, "name_key": name_key, "path_key": path_key, "Query": Query}
