"""/api/search: plans, tasks, units, legal documents and indicators in one ranked list."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from plankb.api.routers.deps import KB, Limit, Offset
from plankb.api.schemas import PROBLEMS, Page
from plankb.kb import catalog

router = APIRouter(prefix="/api/search", tags=["search"], responses=PROBLEMS)


@router.get("", response_model=Page[catalog.SearchHit], summary="Search everything",
            description="Every word of `q` must occur (case and diacritics ignored: 'hanh chinh cong' finds "
                        "'hành chính công'); whole-phrase, exact-diacritic and name matches rank first.")
def search(
    request: Request, kb: KB,
    q: Annotated[str, Query(min_length=1, max_length=500, description="Words to find")],
    kind: Annotated[list[catalog.Kind] | None, Query(description="Only these kinds (repeatable)")] = None,
    limit: Limit = 20, offset: Offset = 0,
):
    return Page[catalog.SearchHit].of(catalog.search(kb, q, kinds=kind, limit=limit, offset=offset), request)
