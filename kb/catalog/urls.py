"""The catalog's URLs: one builder for the HTML page and JSON twin of every kind of thing.

`ui_url(kind, id)` is the main entry point; `Linked` / `ApiLinked` are the mixins that give a
response model its computed `url` (and `api_url`) from its kind and id, so no model repeats them.
"""
from __future__ import annotations

from typing import ClassVar
from urllib.parse import quote

from pydantic import BaseModel, computed_field

_PLURAL = {"plan": "plans", "task": "tasks", "unit": "units", "legal": "legal", "indicator": "indicators"}


def ui_url(kind: str, ident: str) -> str:
    """The HTML page of a thing: /plans/{id}, /tasks/{id}, /units/{id}, /legal/{key}.

    >>> ui_url("task", "phuong-ai-quoc-10660.cchc-2026-2030.II.1.đ")
    '/tasks/phuong-ai-quoc-10660.cchc-2026-2030.II.1.%C4%91'
    """
    return f"/{_PLURAL[kind]}/{quote(ident, safe='')}"


def api_url(kind: str, ident: str) -> str:
    """The JSON twin of `ui_url`: /api/plans/{id}…"""
    return "/api" + ui_url(kind, ident)


def page_url(kind: str, ident: str, plan_id: str | None = None) -> str:
    """`ui_url`, except an indicator, which is shown on its plan's page: /plans/{plan}#{id}."""
    if kind == "indicator" and plan_id:
        return ui_url("plan", plan_id) + "#" + quote(ident, safe="")
    return ui_url(kind, ident)


class Linked(BaseModel):
    """Mixin: a computed `url`, the HTML page of (`link_kind`, the `link_id` field).

    A model whose kind is one of its fields sets `link_kind_field` instead of `link_kind`."""

    link_kind: ClassVar[str] = ""
    link_kind_field: ClassVar[str | None] = None
    link_id: ClassVar[str] = "id"

    def _link(self) -> tuple[str, str]:
        kind = getattr(self, self.link_kind_field) if self.link_kind_field else self.link_kind
        return kind, getattr(self, self.link_id)

    @computed_field
    @property
    def url(self) -> str:
        return page_url(*self._link(), getattr(self, "plan_id", None))


class ApiLinked(Linked):
    """Mixin: `url` and `api_url`, its JSON twin."""

    @computed_field
    @property
    def api_url(self) -> str:
        return api_url(*self._link())
