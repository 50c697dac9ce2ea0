"""/api/tasks: list (filter by unit, area, plan, deadline range, full text), one task, its trace."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from plankb.api.routers.deps import KB, Limit, Offset, not_found
from plankb.api.schemas import INVALID, PROBLEMS, Page
from plankb.ingest.read import read_document
from plankb.kb import catalog
from plankb.kb.models import Area, Level
from plankb.kb.query.trace import Trace, trace_task

router = APIRouter(prefix="/api/tasks", tags=["tasks"], responses=PROBLEMS)

TaskId = Annotated[str, Path(description="Task id: plan id + '.' + section path "
                                         "('phuong-ai-quoc-10660.cchc-2026-2030.II.1.a')")]


@router.get("", response_model=Page[catalog.TaskSummary], responses=INVALID, summary="List tasks")
def list_tasks(
    request: Request, kb: KB,
    unit: Annotated[str | None, Query(description="Unit id, or words of a unit's name in any jurisdiction, "
                                                  "diacritics optional ('phong van hoa xa hoi')")] = None,
    role: Annotated[catalog.Role | None, Query(description="With `unit`: only tasks it leads / supports")] = None,
    area: Annotated[Area | None, Query(description="Reform area code")] = None,
    plan: Annotated[str | None, Query(description="Plan id")] = None,
    level: Annotated[Level | None, Query(description="Level of the task's plan")] = None,
    deadline_from: Annotated[dt.date | None, Query(description="Due on or after (YYYY-MM-DD); undated tasks are left out")] = None,
    deadline_to: Annotated[dt.date | None, Query(description="Due on or before (YYYY-MM-DD)")] = None,
    q: Annotated[str | None, Query(description="Phrase in the text, path or products, case and diacritics "
                                               "ignored ('hanh chinh cong')")] = None,
    limit: Limit = 50, offset: Offset = 0,
):
    listing = catalog.list_tasks(kb, unit=unit, role=role, area=area, plan=plan, level=level,
                                 deadline_from=deadline_from, deadline_to=deadline_to, q=q,
                                 limit=limit, offset=offset)
    return Page[catalog.TaskSummary].of(listing, request)


@router.get("/{task_id}", response_model=catalog.TaskDetail, summary="One task")
def get_task(
    task_id: TaskId, kb: KB,
    context: Annotated[bool, Query(description="Add the surrounding source text (read from the file if "
                                               "it is still there, unchanged)")] = False,
):
    try:
        return catalog.get_task(kb, task_id, context=context, read_text=lambda p: read_document(p).text)
    except KeyError:
        raise not_found("task", task_id) from None


@router.get("/{task_id}/trace", response_model=Trace, summary="Trace a task to its sources",
            description="The chain from the task up through its parent plans' tasks to the national "
                        "documents, each hop with its evidence, and the gaps met on the way (kb.query.trace).")
def get_task_trace(task_id: TaskId, kb: KB):
    try:
        return trace_task(kb, task_id)
    except KeyError:
        raise not_found("task", task_id) from None
