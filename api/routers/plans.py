"""/api/plans: list (filter by level, province, period), one plan, its gaps."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from plankb.api.negotiation import ProblemError
from plankb.api.routers.deps import KB, Limit, Offset, not_found
from plankb.api.schemas import INVALID, PROBLEMS, Page
from plankb.kb import catalog
from plankb.kb.models import Level
from plankb.kb.query.gaps import GapReport, plan_gaps

router = APIRouter(prefix="/api/plans", tags=["plans"], responses=PROBLEMS)

PlanId = Annotated[str, Path(description="Plan id, e.g. 'phuong-ai-quoc-10660.cchc-2026-2030' (dots allowed)")]


@router.get("", response_model=Page[catalog.PlanSummary], responses=INVALID, summary="List plans")
def list_plans(
    request: Request, kb: KB,
    level: Annotated[Level | None, Query(description="national, province or commune")] = None,
    province: Annotated[str | None, Query(description="Province name (diacritics optional: 'hai phong') or code ('31')")] = None,
    period: Annotated[str | None, Query(description="'2026': plans covering that year; '2026-2030': that period exactly",
                                        pattern=r"^\s*\d{4}\s*([-–/]\s*\d{4}\s*)?$")] = None,
    q: Annotated[str | None, Query(description="Words of the id, title, number, jurisdiction or issuer")] = None,
    limit: Limit = 50, offset: Offset = 0,
):
    try:
        listing = catalog.list_plans(kb, level=level, province=province, period=period, q=q, limit=limit, offset=offset)
    except ValueError as e:
        raise ProblemError(422, "Unprocessable Content", str(e), slug="invalid-request") from None
    return Page[catalog.PlanSummary].of(listing, request)


@router.get("/{plan_id}", response_model=catalog.PlanDetail, summary="One plan",
            description="The plan with its sections (tasks as a tree), indicators, legal bases, "
                        "parent plans (resolved or missing) and children plans.")
def get_plan(plan_id: PlanId, kb: KB):
    try:
        return catalog.get_plan(kb, plan_id)
    except KeyError:
        raise not_found("plan", plan_id) from None


@router.get("/{plan_id}/gaps", response_model=GapReport, summary="What the plan dropped or weakened",
            description="Parent-plan tasks with no counterpart in this plan, parent indicators it dropped "
                        "or weakened, and its own tasks without a lead unit or a deadline (kb.query.gaps.plan_gaps).")
def get_plan_gaps(plan_id: PlanId, kb: KB):
    if plan_id not in catalog.index(kb).plan_ids:
        raise not_found("plan", plan_id)
    try:
        return plan_gaps(kb, plan_id)
    except KeyError:
        raise not_found("plan", plan_id) from None
