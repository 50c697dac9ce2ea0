"""Dependencies shared by the routers: the KnowledgeBase of the running app, 404s."""
from __future__ import annotations

from typing import Annotated, Any

import pyoxigraph as ox
from fastapi import Depends, Query, Request

from plankb.api.negotiation import ProblemError


def get_kb(request: Request) -> Any:
    """The app's KnowledgeBase (`app.state.kb`). A bare Oxigraph store serves SPARQL only."""
    kb = getattr(request.app.state, "kb", None)
    if kb is None or isinstance(kb, ox.Store):
        raise ProblemError(503, "Service Unavailable",
                           "The REST API needs a plankb knowledge base; this server has a bare SPARQL store.",
                           slug="no-knowledge-base")
    return kb


KB = Annotated[Any, Depends(get_kb)]
Limit = Annotated[int, Query(ge=1, le=500, description="Items per page")]
Offset = Annotated[int, Query(ge=0, description="Index of the first item")]


def not_found(kind: str, ident: str) -> ProblemError:
    """404 problem for an unknown id."""
    return ProblemError(404, "Not Found", f"No {kind} with id {ident!r}.", slug="not-found",
                        extra={"kind": kind, "id": ident})
