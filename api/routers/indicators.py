"""/api/indicators: the plans' quantified targets (list, one)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from plankb.api.routers.deps import KB, Limit, Offset, not_found
from plankb.api.schemas import INVALID, PROBLEMS, Page
from plankb.kb import catalog
from plankb.kb.models import Area

router = APIRouter(prefix="/api/indicators", tags=["indicators"], responses=PROBLEMS)


@router.get("", response_model=Page[catalog.Indicator], responses=INVALID, summary="List indicators")
def list_indicators(
    request: Request, kb: KB,
    plan: Annotated[str | None, Query(description="Plan id")] = None,
    area: Annotated[Area | None, Query(description="Reform area code")] = None,
    q: Annotated[str | None, Query(description="Phrase in the subject or sentence, diacritics optional")] = None,
    limit: Limit = 50, offset: Offset = 0,
):
    return Page[catalog.Indicator].of(catalog.list_indicators(kb, plan=plan, area=area, q=q, limit=limit,
                                                              offset=offset), request)


@router.get("/{indicator_id}", response_model=catalog.Indicator, summary="One indicator")
def get_indicator(indicator_id: Annotated[str, Path(description="Indicator id")], kb: KB):
    try:
        return catalog.get_indicator(kb, indicator_id)
    except KeyError:
        raise not_found("indicator", indicator_id) from None
