"""The catalog's response models: frozen pydantic models of plans, tasks, units, legal documents,
indicators and search hits, each carrying its id and its URLs (`kb.catalog.urls`).

`Listing[T]` (one page of a filtered list) is the main shape the catalog returns; `fields(model)`
copies a model's fields to build a richer one from it.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, computed_field

from plankb.kb.catalog.urls import ApiLinked, Linked, api_url
from plankb.kb.models import Area, Level
from plankb.kb.query.source import SourceContext, SourceRef  # re-exported: the catalog's responses use them

Kind = Literal["plan", "task", "unit", "legal", "indicator"]
KINDS: tuple[str, ...] = Kind.__args__  # type: ignore[attr-defined]
Role = Literal["lead", "support"]
Relation = Literal["adopted_by", "based_on", "parent_plan", "cites"]
T = TypeVar("T")


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Listing(Model, Generic[T]):
    """One page of a filtered list: the items, how many matched in all, and the window."""

    items: list[T]
    total: int = Field(description="Items matching the filters (all pages)")
    limit: int
    offset: int


class Deadline(Model):
    text: str = Field(description="Deadline wording as printed: 'Quý I/2026', 'Định kỳ tháng cuối quý'")
    start: dt.date | None = Field(None, description="Start of the interval the wording allows")
    end: dt.date | None = Field(None, description="End of that interval (the due date)")
    recurrence: str | None = Field(None, description="'quarterly', 'monthly', 'annual'…")

    @property
    def due(self) -> dt.date | None:
        return self.end or self.start


class UnitRef(ApiLinked, Model):
    link_kind: ClassVar[str] = "unit"

    id: str
    label: str = Field(description="Canonical name, e.g. 'Phòng Văn hóa - Xã hội'")
    jurisdiction: str | None = Field(None, description="The jurisdiction the unit belongs to")


class PlanRef(ApiLinked, Model):
    link_kind: ClassVar[str] = "plan"

    id: str
    title: str | None = None
    level: Level
    jurisdiction: str | None = None
    period_start: int | None = None
    period_end: int | None = None


class PlanSummary(PlanRef):
    number: str | None = Field(None, description="Number as printed ('69/KH-UBND'); None in drafts")
    is_draft: bool = False
    date: dt.date | None = None
    issuer: str | None = None
    jurisdiction_code: str | None = None
    province: str | None = Field(None, description="Province (the jurisdiction itself for a province plan)")
    province_code: str | None = None
    task_count: int = 0
    indicator_count: int = 0


class _LegalLabel(Model):
    """A cited document's computed `label` (a base, so it comes before `url` in the JSON, as it did)."""

    @computed_field
    @property
    def label(self) -> str:
        return " ".join(x for x in (self.doc_type_name, self.number) if x) or self.title or self.key

    @property
    def doc_type_name(self) -> str | None:
        return _DOC_TYPE_NAMES.get(self.doc_type or "", self.doc_type) if self.number else None


class LegalRef(ApiLinked, _LegalLabel):
    """A cited document (legal basis, parent plan, adopting decision, other citation)."""

    link_kind: ClassVar[str] = "legal"
    link_id: ClassVar[str] = "key"

    key: str = Field(description="Identity key: type, number, symbol, year, issuer ('nq-76-2021-nq-cp')")
    number: str | None = Field(None, description="Number and symbol as printed ('76/NQ-CP')")
    doc_type: str | None = Field(None, description="Type code: NQ, QĐ, NĐ, KH, LUAT…")
    title: str | None = None
    issuer: str | None = None
    date: dt.date | None = None
    year: int | None = None
    ingested: bool = Field(False, description="True when the document (or the plan it adopts) is in the KB")
    plan_id: str | None = Field(None, description="The ingested plan this document is or adopts")


class ParentPlan(Model):
    """A plan this plan implements: the citation, the ingested plan it resolves to (if any), and how."""

    legal: LegalRef | None = Field(None, description="The document cited as parent (None: linked without one)")
    plan: PlanRef | None = Field(None, description="The ingested parent plan; None: a missing source")
    method: str | None = Field(None, description="How the citation was resolved: adopting-decision, number, metadata")
    score: float | None = None


class TaskRef(ApiLinked, Model):
    link_kind: ClassVar[str] = "task"

    id: str
    path: str | None = None
    text: str
    plan_id: str


class TaskSummary(ApiLinked, Model):
    link_kind: ClassVar[str] = "task"

    id: str
    path: str | None = Field(None, description="Section path in the plan: 'II.1.a'")
    text: str
    area: Area
    area_label: str
    plan: PlanRef
    lead_units: list[UnitRef] = Field(default_factory=list)
    support_units: list[UnitRef] = Field(default_factory=list)
    deadline: Deadline | None = None
    role: Role | None = Field(None, description="The filtered unit's role (only when listing by unit)")


class TaskNode(Linked, Model):
    """A task in its plan's tree."""

    link_kind: ClassVar[str] = "task"

    id: str
    path: str | None = None
    text: str
    area: Area
    lead_units: list[UnitRef] = Field(default_factory=list)
    support_units: list[UnitRef] = Field(default_factory=list)
    deadline: Deadline | None = None
    children: list[TaskNode] = Field(default_factory=list)


class Section(Model):
    """A numbered section of the plan ('II.1'), holding its top-level tasks."""

    path: str = Field(description="Section path ('II.1'); '' for tasks outside any numbered section")
    heading: str | None = Field(None, description="The reform area of its tasks when they share one")
    area: Area | None = None
    tasks: list[TaskNode]


class Indicator(ApiLinked, Model):
    link_kind: ClassVar[str] = "indicator"  # its page: its plan's, /plans/{plan}#{id}

    id: str
    plan_id: str
    subject: str | None = Field(None, description="What is measured")
    value: float
    unit: str | None = Field(None, description="'%', 'cuộc', 'cấp độ'…")
    comparator: str | None = Field(None, description="'>=', '>', '=', '<=', 'top', 'reduce_by'")
    period_start: int | None = None
    period_end: int | None = None
    area: Area | None = None
    text: str | None = Field(None, description="The target as printed: 'tối thiểu 95%'")
    sentence: str | None = None


class PlanDetail(PlanSummary):
    source: SourceRef
    adopted_by: LegalRef | None = Field(None, description="The decision the plan is attached to")
    legal_bases: list[LegalRef] = Field(default_factory=list, description="Căn cứ (eli:based_on), parents included")
    citations: list[LegalRef] = Field(default_factory=list, description="Other documents the plan cites")
    parents: list[ParentPlan] = Field(default_factory=list)
    children: list[PlanRef] = Field(default_factory=list, description="Ingested plans that implement this one")
    sections: list[Section] = Field(default_factory=list, description="The tasks as a tree, by section")
    indicators: list[Indicator] = Field(default_factory=list)
    units: list[UnitRef] = Field(default_factory=list, description="Units the plan names")


class TaskDetail(TaskSummary):
    origin: str | None = Field(None, description="'prose' or 'table' (an appendix row)")
    leader: str | None = None
    products: list[str] = Field(default_factory=list)
    parent: TaskRef | None = None
    children: list[TaskRef] = Field(default_factory=list)
    source: SourceRef
    context: SourceContext | None = Field(None, description="Surrounding source text, when asked for and available")


class UnitSummary(UnitRef):
    aliases: list[str] = Field(default_factory=list)
    jurisdiction_code: str | None = None
    level: Level | None = Field(None, description="Level of the unit's jurisdiction")
    roles: list[str] = Field(default_factory=list, description="standing / lead / support, as the plans say")
    areas: list[Area] = Field(default_factory=list)
    lead_count: int = 0
    support_count: int = 0


class Counterpart(Linked, Model):
    """A unit holding the same role (for the same reform area) one level up or down."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    link_kind: ClassVar[str] = "unit"
    link_id: ClassVar[str] = "unit_id"

    unit_id: str
    name: str | None = None
    jurisdiction: str | None = None
    level: Level | None = None
    role: str | None = Field(None, description="The shared role: standing, lead")
    area: Area | None = Field(None, description="The shared reform area (None for the standing agency)")


class UnitDetail(UnitSummary):
    plans: list[PlanRef] = Field(default_factory=list, description="Plans naming the unit")
    counterparts: list[Counterpart] | None = Field(
        None, description="Units with the same function at other levels (kb.query.trace.unit_counterparts); "
                          "only when asked for")

    @computed_field
    @property
    def tasks_url(self) -> str:
        return api_url("unit", self.id) + "/tasks"


class PlanCitation(Model):
    plan: PlanRef
    relation: Relation


class LegalDetail(LegalRef):
    symbol: str | None = None
    issuer_level: Level | None = None
    jurisdiction: str | None = None
    same_as: list[str] = Field(default_factory=list, description="Keys of the same document cited another way")
    resolves_to: PlanRef | None = Field(None, description="The ingested plan this document is or adopts")
    link_method: str | None = None
    link_score: float | None = None
    cited_by: list[PlanCitation] = Field(default_factory=list)


class SearchHit(ApiLinked, Model):
    link_kind_field: ClassVar[str | None] = "kind"

    kind: Kind
    id: str
    label: str
    snippet: str = Field(description="The matching text, shortened around the first match")
    score: float
    plan_id: str | None = None


TaskNode.model_rebuild()

_DOC_TYPE_NAMES = {
    "NQ": "Nghị quyết", "QĐ": "Quyết định", "NĐ": "Nghị định", "TT": "Thông tư", "CT": "Chỉ thị",
    "KL": "Kết luận", "KH": "Kế hoạch", "TB": "Thông báo", "CV": "Công văn", "ĐA": "Đề án", "LUAT": "Luật",
}




def fields(model: BaseModel) -> dict[str, Any]:
    """A model's fields as they are (nested models kept), to build a richer model from it."""
    return {name: getattr(model, name) for name in type(model).model_fields}
