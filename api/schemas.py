"""API-only envelopes: `Page[T]` for lists, `Problem` for errors (RFC 9457), and the OpenAPI
`responses` entries the routers declare. The things themselves are `kb.catalog`'s models (and
`kb.query.trace` / `kb.query.gaps` for traces and gaps): the API adds no second copy of them.
"""
from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request

from plankb.api.negotiation import PROBLEM_JSON
from plankb.kb.query.trace import TaskRow

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list. Follow `next` (a path with its query) until it is null."""

    model_config = ConfigDict(frozen=True)

    items: list[T]
    total: int = Field(description="Items matching the filters, all pages together")
    limit: int = Field(description="Items per page")
    offset: int = Field(description="Index of the first item of this page")
    next: str | None = Field(None, description="The next page (path and query), null on the last page")

    @classmethod
    def of(cls, listing: Any, request: Request) -> "Page[T]":
        """Wrap a `kb.catalog.Listing` (items, total, limit, offset), linking the next page."""
        return cls(items=list(listing.items), total=listing.total, limit=listing.limit, offset=listing.offset,
                   next=next_link(request, listing.total, listing.limit, listing.offset))

    @classmethod
    def slice(cls, items: list, request: Request, limit: int, offset: int) -> "Page[T]":
        """A page of a full list."""
        return cls(items=items[offset:offset + limit], total=len(items), limit=limit, offset=offset,
                   next=next_link(request, len(items), limit, offset))


def next_link(request: Request, total: int, limit: int, offset: int) -> str | None:
    if offset + limit >= total:
        return None
    url = request.url.include_query_params(offset=offset + limit, limit=limit)
    return f"{url.path}?{url.query}"


class DependentPlan(BaseModel):
    """A plan resting on a legal document, directly (`relation`) or through its parent (`via`)."""

    model_config = ConfigDict(extra="allow")

    id: str
    label: str | None = None
    level: str | None = None
    jurisdiction: str | None = None
    relation: str = Field(description="parent_plan, based_on, adopted_by, cites, or via_parent_plan")
    via: str | None = Field(None, description="The parent plan it rests on the document through")
    url: str | None = None


class LegalDependents(BaseModel):
    """What rests on a legal document (kb.query.trace.legal_dependents)."""

    model_config = ConfigDict(extra="allow")

    document: dict[str, Any] = Field(description="The document: key, id_local, label, title, level, ingested…")
    plans: list[DependentPlan]
    tasks: list[TaskRow] = Field(description="The tasks of those plans")
    citing_tasks: list[str] = Field(default_factory=list, description="Ids of tasks whose text names the document")


class Problem(BaseModel):
    """An error (RFC 9457 problem details), sent as application/problem+json."""

    model_config = ConfigDict(extra="allow")

    type: str = Field("about:blank", description="A URI naming the kind of problem")
    title: str = Field(description="Short summary: 'Not Found'")
    status: int
    detail: str | None = Field(None, description="What went wrong with this request")
    instance: str | None = Field(None, description="The request path")


def _problem(description: str) -> dict[str, Any]:
    """An OpenAPI response entry whose body is a Problem, as application/problem+json only
    (`api.app` adds the Problem schema to the components)."""
    return {"description": description,
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}


NOT_FOUND = {404: _problem("Nothing with that id (problem+json)")}
INVALID = {422: _problem("A parameter is missing or invalid (problem+json)")}
PROBLEMS = {**NOT_FOUND, **INVALID}
