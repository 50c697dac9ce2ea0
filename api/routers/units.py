"""/api/units: list, one unit (with its counterparts), its tasks across plans and levels."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from plankb.api.routers.deps import KB, Limit, Offset, not_found
from plankb.api.schemas import INVALID, PROBLEMS, Page
from plankb.kb import catalog
from plankb.kb.models import Area, Level
from plankb.kb.query.trace import TaskRow, find_tasks

router = APIRouter(prefix="/api/units", tags=["units"], responses=PROBLEMS)

UnitId = Annotated[str, Path(description="Unit id: jurisdiction + name ('phuong-ai-quoc-10660.phong-van-hoa-xa-hoi')")]


@router.get("", response_model=Page[catalog.UnitSummary], responses=INVALID, summary="List units")
def list_units(
    request: Request, kb: KB,
    q: Annotated[str | None, Query(description="Words of the name or an alias, diacritics optional")] = None,
    jurisdiction: Annotated[str | None, Query(description="Jurisdiction name (words) or code")] = None,
    level: Annotated[Level | None, Query(description="Level of the unit's jurisdiction")] = None,
    limit: Limit = 50, offset: Offset = 0,
):
    listing = catalog.list_units(kb, q=q, jurisdiction=jurisdiction, level=level, limit=limit, offset=offset)
    return Page[catalog.UnitSummary].of(listing, request)


@router.get("/{unit_id}", response_model=catalog.UnitDetail, summary="One unit")
def get_unit(
    unit_id: UnitId, kb: KB,
    counterparts: Annotated[bool, Query(description="Add the units with the same function at other levels")] = False,
):
    try:
        return catalog.get_unit(kb, unit_id, counterparts=counterparts)
    except KeyError:
        raise not_found("unit", unit_id) from None


@router.get("/{unit_id}/tasks", response_model=Page[TaskRow], summary="Tasks of a unit",
            description="Every task the unit leads or supports, in every plan. With `counterparts=true`, also "
                        "the tasks of the units holding the same function at other levels (Sở Nội vụ for a "
                        "commune's Phòng Văn hóa - Xã hội), marked with `via_counterpart` (kb.query.trace.find_tasks).")
def get_unit_tasks(
    request: Request, unit_id: UnitId, kb: KB,
    counterparts: Annotated[bool, Query(description="Include the counterpart units' tasks at other levels")] = False,
    area: Annotated[Area | None, Query(description="Reform area code")] = None,
    q: Annotated[str | None, Query(description="Words of the task text, diacritics optional")] = None,
    limit: Limit = 50, offset: Offset = 0,
):
    if unit_id not in catalog.index(kb).unit_ids:
        raise not_found("unit", unit_id)
    try:
        rows = find_tasks(kb, unit=unit_id, counterparts=counterparts, area=area, q=q)
    except KeyError:
        raise not_found("unit", unit_id) from None
    return Page[TaskRow].slice(rows, request, limit, offset)
