"""/api/legal: cited documents (list, one, and what rests on one)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from plankb.api.routers.deps import KB, Limit, Offset, not_found
from plankb.api.schemas import INVALID, PROBLEMS, LegalDependents, Page
from plankb.kb import catalog
from plankb.kb.query.trace import legal_dependents

router = APIRouter(prefix="/api/legal", tags=["legal"], responses=PROBLEMS)

LegalKey = Annotated[str, Path(description="Identity key ('nq-76-2021-nq-cp'), or the number as printed "
                                           "('76/NQ-CP') when only one document has it")]


@router.get("", response_model=Page[catalog.LegalRef], responses=INVALID, summary="List cited documents",
            description="Documents the plans cite, most cited first; `ingested=false` lists the missing sources.")
def list_legal(
    request: Request, kb: KB,
    q: Annotated[str | None, Query(description="Words of the number, title or issuer, diacritics optional")] = None,
    ingested: Annotated[bool | None, Query(description="Only documents in (true) or missing from (false) the KB")] = None,
    limit: Limit = 50, offset: Offset = 0,
):
    return Page[catalog.LegalRef].of(catalog.list_legal(kb, q=q, ingested=ingested, limit=limit, offset=offset),
                                     request)


# `:path` lets a number with slashes ('76/NQ-CP') through; /dependents is declared first so it wins.
@router.get("/{key:path}/dependents", response_model=LegalDependents, summary="What rests on a document",
            description="Plans and tasks that rest on the document, directly or through the plans built on it "
                        "(kb.query.trace.legal_dependents).")
def get_legal_dependents(key: LegalKey, kb: KB):
    try:
        doc = catalog.get_legal(kb, key)
        return legal_dependents(kb, doc.key)
    except KeyError:
        raise not_found("legal document", key) from None


@router.get("/{key:path}", response_model=catalog.LegalDetail, summary="One cited document")
def get_legal(key: LegalKey, kb: KB):
    try:
        return catalog.get_legal(kb, key)
    except KeyError:
        raise not_found("legal document", key) from None
