"""The read model over the knowledge base: plans, tasks, units, legal documents, indicators, search.

What the REST API (`api/routers/`) returns and what the HTML pages show. Every function takes the
`KnowledgeBase` first and returns frozen pydantic models carrying their ids and URLs (`url`: the
HTML page, `api_url`: its JSON twin):

    list_plans(kb, level=, province=, period=, q=, limit=, offset=)   -> Listing[PlanSummary]
    get_plan(kb, plan_id)                                            -> PlanDetail (sections as a task tree)
    list_tasks(kb, unit=, role=, area=, plan=, level=, deadline_from=, deadline_to=, q=, limit=, offset=)
                                                                     -> Listing[TaskSummary]
    get_task(kb, task_id, context=False)                             -> TaskDetail
    list_units(kb, q=, jurisdiction=, level=, limit=, offset=)       -> Listing[UnitSummary]
    get_unit(kb, unit_id, counterparts=False)                        -> UnitDetail
    list_legal(kb, q=, ingested=, limit=, offset=)                   -> Listing[LegalRef]
    get_legal(kb, key)                                               -> LegalDetail
    list_indicators(kb, plan=, area=, q=, limit=, offset=)           -> Listing[Indicator]
    get_indicator(kb, indicator_id)                                  -> Indicator
    search(kb, q, kinds=, limit=, offset=)                           -> Listing[SearchHit]

Unknown ids raise `KeyError`. Text filters are insensitive to case and diacritics
(`kb.text.fold`): `q` matches a phrase at word starts ('hanh chinh cong' finds 'hành chính
công'), `unit` / `province` / `jurisdiction` match words of a name ('phong van hoa xa hoi' finds
'Phòng Văn hoá – Xã hội'); `search` wants every word, in any order, and ranks phrases first.
Traces, gap reports and counterparts come from `kb.trace` and `kb.gaps`.

The KB is read once into an in-memory index (a few SPARQL queries over the union of graphs),
rebuilt after any write (`KnowledgeBase._version` changes): a list costs microseconds per item.
The source text of a document is not stored in the KB: a task carries its file path, sha256 and
character span (`TaskDetail.source`); `get_task(context=True)` reads the file when it is still
there, unchanged, and returns the text around the span.
"""
from __future__ import annotations

import datetime as dt
import re
import threading
import unicodedata
import weakref
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Generic, Iterable, Literal, TypeVar
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field, computed_field
from pyoxigraph import Literal as OxLiteral, NamedNode

from plankb.kb.ids import PREFIXES
from plankb.kb.models import AREAS, Area, Level
from plankb.kb.text import fold

if TYPE_CHECKING:
    from plankb.kb.store import KnowledgeBase

PK = PREFIXES["pk"]
ELI = PREFIXES["eli"]
SKOS = PREFIXES["skos"]
DCT = PREFIXES["dcterms"]
PROV = PREFIXES["prov"]
RDF = PREFIXES["rdf"]
OWL = PREFIXES["owl"]
Kind = Literal["plan", "task", "unit", "legal", "indicator"]
KINDS: tuple[str, ...] = Kind.__args__  # type: ignore[attr-defined]
Role = Literal["lead", "support"]
Relation = Literal["adopted_by", "based_on", "parent_plan", "cites"]
T = TypeVar("T")

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


# ====================================================================== models
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


class UnitRef(Model):
    id: str
    label: str = Field(description="Canonical name, e.g. 'Phòng Văn hóa - Xã hội'")
    jurisdiction: str | None = Field(None, description="The jurisdiction the unit belongs to")

    @computed_field
    @property
    def url(self) -> str:
        return ui_url("unit", self.id)

    @computed_field
    @property
    def api_url(self) -> str:
        return api_url("unit", self.id)


class PlanRef(Model):
    id: str
    title: str | None = None
    level: Level
    jurisdiction: str | None = None
    period_start: int | None = None
    period_end: int | None = None

    @computed_field
    @property
    def url(self) -> str:
        return ui_url("plan", self.id)

    @computed_field
    @property
    def api_url(self) -> str:
        return api_url("plan", self.id)


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


class LegalRef(Model):
    """A cited document (legal basis, parent plan, adopting decision, other citation)."""

    key: str = Field(description="Identity key: type, number, symbol, year, issuer ('nq-76-2021-nq-cp')")
    number: str | None = Field(None, description="Number and symbol as printed ('76/NQ-CP')")
    doc_type: str | None = Field(None, description="Type code: NQ, QĐ, NĐ, KH, LUAT…")
    title: str | None = None
    issuer: str | None = None
    date: dt.date | None = None
    year: int | None = None
    ingested: bool = Field(False, description="True when the document (or the plan it adopts) is in the KB")
    plan_id: str | None = Field(None, description="The ingested plan this document is or adopts")

    @computed_field
    @property
    def label(self) -> str:
        return " ".join(x for x in (self.doc_type_name, self.number) if x) or self.title or self.key

    @property
    def doc_type_name(self) -> str | None:
        return _DOC_TYPE_NAMES.get(self.doc_type or "", self.doc_type) if self.number else None

    @computed_field
    @property
    def url(self) -> str:
        return ui_url("legal", self.key)

    @computed_field
    @property
    def api_url(self) -> str:
        return api_url("legal", self.key)


class ParentPlan(Model):
    """A plan this plan implements: the citation, the ingested plan it resolves to (if any), and how."""

    legal: LegalRef | None = Field(None, description="The document cited as parent (None: linked without one)")
    plan: PlanRef | None = Field(None, description="The ingested parent plan; None: a missing source")
    method: str | None = Field(None, description="How the citation was resolved: adopting-decision, number, metadata")
    score: float | None = None


class TaskRef(Model):
    id: str
    path: str | None = None
    text: str
    plan_id: str

    @computed_field
    @property
    def url(self) -> str:
        return ui_url("task", self.id)

    @computed_field
    @property
    def api_url(self) -> str:
        return api_url("task", self.id)


class TaskSummary(Model):
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

    @computed_field
    @property
    def url(self) -> str:
        return ui_url("task", self.id)

    @computed_field
    @property
    def api_url(self) -> str:
        return api_url("task", self.id)


class TaskNode(Model):
    """A task in its plan's tree."""

    id: str
    path: str | None = None
    text: str
    area: Area
    lead_units: list[UnitRef] = Field(default_factory=list)
    support_units: list[UnitRef] = Field(default_factory=list)
    deadline: Deadline | None = None
    children: list[TaskNode] = Field(default_factory=list)

    @computed_field
    @property
    def url(self) -> str:
        return ui_url("task", self.id)


class Section(Model):
    """A numbered section of the plan ('II.1'), holding its top-level tasks."""

    path: str = Field(description="Section path ('II.1'); '' for tasks outside any numbered section")
    heading: str | None = Field(None, description="The reform area of its tasks when they share one")
    area: Area | None = None
    tasks: list[TaskNode]


class Indicator(Model):
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

    @computed_field
    @property
    def url(self) -> str:
        return ui_url("plan", self.plan_id) + "#" + quote(self.id, safe="")

    @computed_field
    @property
    def api_url(self) -> str:
        return api_url("indicator", self.id)


class SourceRef(Model):
    """Where an item's text is in its source file (spans index the file's decoded NFC text)."""

    path: str | None = Field(None, description="The file path as given at ingest")
    sha256: str | None = None
    start: int | None = None
    end: int | None = None


class SourceContext(Model):
    before: str
    text: str
    after: str


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


class Counterpart(Model):
    """A unit holding the same role (for the same reform area) one level up or down."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    unit_id: str
    name: str | None = None
    jurisdiction: str | None = None
    level: Level | None = None
    role: str | None = Field(None, description="The shared role: standing, lead")
    area: Area | None = Field(None, description="The shared reform area (None for the standing agency)")

    @computed_field
    @property
    def url(self) -> str:
        return ui_url("unit", self.unit_id)


class UnitDetail(UnitSummary):
    plans: list[PlanRef] = Field(default_factory=list, description="Plans naming the unit")
    counterparts: list[Counterpart] | None = Field(
        None, description="Units with the same function at other levels (kb.trace.unit_counterparts); "
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


class SearchHit(Model):
    kind: Kind
    id: str
    label: str
    snippet: str = Field(description="The matching text, shortened around the first match")
    score: float
    plan_id: str | None = None

    @computed_field
    @property
    def url(self) -> str:
        if self.kind == "indicator" and self.plan_id:
            return ui_url("plan", self.plan_id) + "#" + quote(self.id, safe="")
        return ui_url(self.kind, self.id)

    @computed_field
    @property
    def api_url(self) -> str:
        return api_url(self.kind, self.id)


TaskNode.model_rebuild()

_DOC_TYPE_NAMES = {
    "NQ": "Nghị quyết", "QĐ": "Quyết định", "NĐ": "Nghị định", "TT": "Thông tư", "CT": "Chỉ thị",
    "KL": "Kết luận", "KH": "Kế hoạch", "TB": "Thông báo", "CV": "Công văn", "ĐA": "Đề án", "LUAT": "Luật",
}


# ====================================================================== text matching
@lru_cache(maxsize=4096)
def _fold_char(c: str) -> str:
    if c.isspace():
        return " "
    d = "".join(x for x in unicodedata.normalize("NFD", c) if not unicodedata.combining(x))
    return d.replace("đ", "d").replace("Đ", "D").replace("\u2013", "-").replace("\u2014", "-").lower()


def fold_map(text: str) -> tuple[str, list[int]]:
    """(folded text, index of each folded character in `text`), whitespace runs collapsed.

    >>> fold_map("Hành  chính")[0]
    'hanh chinh'
    """
    out: list[str] = []
    idx: list[int] = []
    for i, c in enumerate(unicodedata.normalize("NFC", text)):
        f = _fold_char(c)
        if f == " " and out and out[-1] == " ":
            continue
        for ch in f:
            out.append(ch)
            idx.append(i)
    return "".join(out), idx


def name_key(text: str) -> str:
    """Folded words only, padded with spaces: names compare regardless of tones and punctuation.

    >>> name_key("Phòng Văn hoá – Xã hội")
    ' phong van hoa xa hoi '
    """
    return " " + " ".join(re.findall(r"\w+", fold(text))) + " "


class Query:
    """A full-text query, case and diacritics ignored (`kb.text.fold`).

    `matches`: the words occur in that order as a phrase, each at the start of a word, with only
    spaces or punctuation between them ('hanh chinh cong' matches 'Trung tâm Phục vụ hành chính
    công'; 'phuc vu hanh' matches it too). `matches_all`: every word occurs at a word start, in
    any order (what `search` accepts, ranking phrase matches first).

    >>> q = Query.parse("hanh chinh cong")
    >>> q.matches(fold("Trung tâm Phục vụ hành chính công")), q.matches(fold("hành chính, công khai"))
    (True, True)
    >>> q.matches(fold("công tác hành chính")), q.matches_all(fold("công tác hành chính"))
    (False, True)
    """

    __slots__ = ("text", "phrase", "words", "_phrase_re", "_word_res", "_whole_res")

    def __init__(self, text: str, words: tuple[str, ...]):
        self.text = text
        self.words = words
        self.phrase = " ".join(words)
        self._phrase_re = re.compile(r"(?<!\w)" + r"\W+".join(re.escape(w) for w in words))
        self._word_res = [re.compile(r"(?<!\w)" + re.escape(w)) for w in words]
        self._whole_res = [re.compile(r"(?<!\w)" + re.escape(w) + r"(?!\w)") for w in words]

    @classmethod
    def parse(cls, q: str | None) -> "Query | None":
        """None when `q` has no word (the filter is then ignored)."""
        words = tuple(re.findall(r"\w+", fold(q or "")))
        return cls(q or "", words) if words else None

    def matches(self, folded: str) -> bool:
        return all(w in folded for w in self.words) and self._phrase_re.search(folded) is not None

    def matches_all(self, folded: str) -> bool:
        # plain substring tests first (cheap), word-start regexes only for the candidates left
        return all(w in folded for w in self.words) and all(r.search(folded) for r in self._word_res)

    def score(self, folded: str, original: str | None = None) -> float:
        """0 unless every word occurs; more for the phrase, for whole words, for exact diacritics."""
        if not self.matches_all(folded):
            return 0.0
        s = 1.0
        m = self._phrase_re.search(folded)
        if m:
            s += 2.0 + (0.5 if m.start() == 0 else 0.0)
        s += 0.5 * sum(1 for r in self._whole_res if r.search(folded)) / len(self.words)
        if original is not None and self.text.strip() and self.text.strip().lower() in original.lower():
            s += 0.5
        return s

    def snippet(self, text: str, width: int = 160) -> str:
        """`text` shortened to about `width` characters around the first match."""
        text = " ".join(text.split())
        if len(text) <= width:
            return text
        folded, idx = fold_map(text)
        m = self._phrase_re.search(folded) or next((m for r in self._word_res if (m := r.search(folded))), None)
        centre = idx[m.start()] if m and idx else 0
        start = max(0, min(centre - width // 3, len(text) - width))
        end = start + width
        return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")


# ====================================================================== sorting
_ROMAN_RE = re.compile(r"^[IVXLC]+$")
_LETTERS = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def _roman(s: str) -> int:
    total = 0
    for a, b in zip(s, s[1:] + " "):
        v = _ROMAN[a]
        total += -v if b != " " and _ROMAN[b] > v else v
    return total


def path_key(path: str | None) -> tuple:
    """Sort key for section paths: roman numerals, then numbers, then letters in Vietnamese order.

    >>> sorted(["II.1.2.10", "II.1.2.2", "I.1", "II.1.đ", "II.1.e", "II.1.d"], key=path_key)
    ['I.1', 'II.1.2.2', 'II.1.2.10', 'II.1.d', 'II.1.đ', 'II.1.e']
    """
    key = []
    for seg in (path or "").split("."):
        if seg.isdigit():
            key.append((1, int(seg), ""))
        elif _ROMAN_RE.match(seg):
            key.append((0, _roman(seg), ""))
        elif len(seg) == 1 and seg.lower() in _LETTERS:
            key.append((2, _LETTERS.index(seg.lower()), ""))
        else:
            key.append((3, 0, seg))
    return tuple(key)


# ====================================================================== the index
@dataclass
class _Task:
    iri: str
    id: str
    plan: str  # plan IRI
    text: str
    path: str | None
    area: str
    origin: str | None
    parent: str | None
    lead: list[str]
    support: list[str]
    leader: str | None
    products: list[str]
    deadline: Deadline | None
    start: int | None
    end: int | None
    folded: str = ""


@dataclass
class _Plan:
    iri: str
    summary: PlanSummary
    ref: PlanRef
    source: SourceRef
    adopted_by: str | None
    based_on: list[str]
    parent_refs: list[str]
    cites: list[str]
    parents: list[str]
    folded: str = ""


@dataclass
class _Unit:
    iri: str
    summary: UnitSummary
    ref: UnitRef
    key: str  # name_key of the label and aliases, joined
    folded: str = ""


@dataclass
class _Legal:
    iri: str
    detail: dict[str, Any]
    ref: LegalRef
    folded: str = ""


@dataclass
class _Index:
    """Everything the catalog shows, read from the KB once per KB version."""

    iris: Any
    area_labels: dict[str, str] = field(default_factory=dict)
    plans: dict[str, _Plan] = field(default_factory=dict)  # by IRI
    plan_ids: dict[str, str] = field(default_factory=dict)  # id -> IRI
    tasks: dict[str, _Task] = field(default_factory=dict)  # by IRI
    task_ids: dict[str, str] = field(default_factory=dict)
    tasks_by_plan: dict[str, list[str]] = field(default_factory=dict)
    children_of: dict[str, list[str]] = field(default_factory=dict)
    units: dict[str, _Unit] = field(default_factory=dict)
    unit_ids: dict[str, str] = field(default_factory=dict)
    unit_tasks: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # unit IRI -> [(task IRI, role)]
    unit_plans: dict[str, list[str]] = field(default_factory=dict)
    plan_units: dict[str, list[str]] = field(default_factory=dict)
    legal: dict[str, _Legal] = field(default_factory=dict)  # by IRI (plans excluded)
    legal_keys: dict[str, str] = field(default_factory=dict)  # key -> IRI (sameAs aliases included)
    cited_by: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # legal IRI -> [(plan IRI, relation)]
    indicators: dict[str, Indicator] = field(default_factory=dict)  # by id
    indicator_folded: dict[str, str] = field(default_factory=dict)
    indicators_by_plan: dict[str, list[str]] = field(default_factory=dict)

    # ------------------------------------------------------------ refs
    def unit_ref(self, iri: str) -> UnitRef:
        u = self.units.get(iri)
        if u is not None:
            return u.ref
        ident = (self.iris.kind_and_id(iri) or ("unit", iri))[1]
        return UnitRef(id=ident, label=ident)

    def task_ref(self, t: _Task) -> TaskRef:
        return TaskRef(id=t.id, path=t.path, text=t.text, plan_id=self.plans[t.plan].ref.id)

    def task_summary(self, t: _Task, role: str | None = None) -> TaskSummary:
        return TaskSummary(
            id=t.id, path=t.path, text=t.text, area=t.area, area_label=self.area_labels.get(t.area, t.area),
            plan=self.plans[t.plan].ref, lead_units=[self.unit_ref(u) for u in t.lead],
            support_units=[self.unit_ref(u) for u in t.support], deadline=t.deadline, role=role,
        )


def _describe(kb: "KnowledgeBase", cls: str) -> dict[str, dict[str, list]]:
    """{subject IRI: {predicate IRI: [values]}} for every instance of `cls` (each value once)."""
    from plankb.kb.store import to_python

    out: dict[str, dict[str, list]] = {}
    # The subjects first, then their triples: over the union of graphs a description repeated in
    # k graphs (a legal document cited by k plans) gives k rows per triple, where the plain
    # join `?s a cls ; ?p ?o` gave k² (minutes at country scale).
    query = f"SELECT DISTINCT ?s ?p ?o WHERE {{ {{ SELECT DISTINCT ?s WHERE {{ ?s a {cls} }} }} ?s ?p ?o }}"
    for sol in kb.query(query):
        s, p, o = sol[0], sol[1], sol[2]
        props = out.get(s.value)
        if props is None:
            props = out[s.value] = {}
        vals = props.get(p.value)
        if vals is None:
            vals = props[p.value] = []
        # IRIs and language-tagged strings are their own value; other literals go through to_python
        v = o.value if isinstance(o, NamedNode) or (isinstance(o, OxLiteral) and o.language) else to_python(o)
        if v not in vals:
            vals.append(v)
    for props in out.values():
        for vals in props.values():
            vals.sort(key=lambda v: (str(type(v)), str(v)))
    return out


def _fields(model: BaseModel) -> dict[str, Any]:
    """A model's fields as they are (nested models kept), to build a richer model from it."""
    return {name: getattr(model, name) for name in type(model).model_fields}


def _one(props: dict[str, list], pred: str, default=None):
    vals = props.get(pred)
    return vals[0] if vals else default


def _build(kb: "KnowledgeBase") -> _Index:
    ix = _Index(iris=kb.iris)
    iris = kb.iris

    def short(iri: str | None) -> str | None:
        if iri is None:
            return None
        k = iris.kind_and_id(iri)
        return k[1] if k else iri

    # areas (labels in Vietnamese from the ontology graph)
    for r in kb.select("""SELECT DISTINCT ?code ?label WHERE { ?a a pk:ReformArea ; skos:notation ?code ;
                           skos:prefLabel ?label FILTER(lang(?label) = "vi") }"""):
        ix.area_labels[r["code"]] = r["label"]
    area_of = {iris.area(code): code for code in AREAS}

    # jurisdictions
    jur = _describe(kb, "pk:Jurisdiction")

    def jur_label(j: str | None) -> str | None:
        return _one(jur.get(j or "", {}), SKOS + "prefLabel") if j else None

    def jur_level(j: str | None) -> str | None:
        if not j or j not in jur:
            return None
        props = jur[j]
        if _one(props, PK + "code") == "VN":
            return "national"
        return "commune" if props.get(PK + "province") else "province"

    # sources
    sources = _describe(kb, "pk:SourceFile")

    # links (resolution of cited documents to ingested plans)
    links = _describe(kb, "pk:PlanLink")
    link_of: dict[tuple[str, str], tuple[str | None, float | None]] = {}
    for props in links.values():
        s, t = _one(props, PK + "linkSource"), _one(props, PK + "linkTarget")
        if s and t:
            link_of[(s, t)] = (_one(props, PK + "linkMethod"), _one(props, PK + "linkScore"))

    # plans
    plans = _describe(kb, "pk:Plan")
    for iri, p in plans.items():
        pid = _one(p, DCT + "identifier") or short(iri)
        j = _one(p, PK + "jurisdiction")
        jl = jur_label(j)
        jp = jur.get(j or "", {})
        province_iri = _one(jp, PK + "province")
        level = _one(p, PK + "level", "commune")
        if province_iri:
            province, province_code = jur_label(province_iri), _one(jur.get(province_iri, {}), PK + "code")
        elif level == "province":
            province, province_code = jl, _one(jp, PK + "code")
        else:
            province, province_code = _one(jp, PK + "jurisdictionName"), None
        ref = PlanRef(id=pid, title=_one(p, ELI + "title"), level=level, jurisdiction=jl,
                      period_start=_one(p, PK + "periodStart"), period_end=_one(p, PK + "periodEnd"))
        src = _one(p, PROV + "wasDerivedFrom")
        sp = sources.get(src or "", {})
        summary = PlanSummary(
            **_fields(ref), number=_one(p, ELI + "id_local"),
            is_draft=bool(_one(p, PK + "isDraft", False)), date=_one(p, ELI + "date_document"),
            issuer=_one(p, PK + "issuerName"), jurisdiction_code=_one(jp, PK + "code"), province=province,
            province_code=province_code,
        )
        ix.plans[iri] = _Plan(
            iri=iri, summary=summary, ref=ref,
            source=SourceRef(path=_one(sp, PK + "sourcePath"), sha256=_one(sp, PK + "sha256")),
            adopted_by=_one(p, PK + "adoptedBy"), based_on=p.get(ELI + "based_on", []),
            parent_refs=p.get(PK + "parentPlanRef", []), cites=p.get(ELI + "cites", []),
            parents=p.get(PK + "parentPlan", []),
            folded=fold(" ".join(str(x) for x in (pid, ref.title, summary.number, jl, province, summary.issuer) if x)),
        )
        ix.plan_ids[pid] = iri
    for iri, pl in ix.plans.items():
        for parent in pl.parents:
            ix.children_of.setdefault(parent, []).append(iri)

    # units
    units = _describe(kb, "org:OrganizationalUnit")
    for iri, u in units.items():
        uid = _one(u, DCT + "identifier") or short(iri)
        label = _one(u, SKOS + "prefLabel") or uid
        j = _one(u, PK + "jurisdiction")
        aliases = [a for a in u.get(SKOS + "altLabel", []) if a != label]
        labels = u.get(SKOS + "prefLabel", [])
        aliases += [a for a in labels if a != label and a not in aliases]
        ref = UnitRef(id=uid, label=label, jurisdiction=jur_label(j))
        summary = UnitSummary(
            id=uid, label=label, jurisdiction=ref.jurisdiction, aliases=aliases,
            jurisdiction_code=_one(jur.get(j or "", {}), PK + "code"), level=jur_level(j),
            roles=sorted({short(r) or r for r in u.get(PK + "role", [])},
                         key=lambda r: ("standing", "lead", "support").index(r) if r in ("standing", "lead", "support") else 9),
            areas=[area_of[a] for a in u.get(PK + "area", []) if a in area_of],
        )
        ix.units[iri] = _Unit(iri=iri, summary=summary, ref=ref,
                              key="|".join(name_key(x) for x in [label, *aliases, uid.replace("-", " ")]),
                              folded=fold(" ".join([label, *aliases, ref.jurisdiction or ""])))
        ix.unit_ids[uid] = iri

    # tasks
    tasks = _describe(kb, "pk:Task")
    for iri, t in tasks.items():
        plan = _one(t, PK + "plan")
        if plan not in ix.plans:
            continue
        dl_text = _one(t, PK + "deadlineText")
        deadline = Deadline(text=dl_text, start=_one(t, PK + "deadlineStart"), end=_one(t, PK + "deadlineEnd"),
                            recurrence=_one(t, PK + "recurrence")) if dl_text else None
        task = _Task(
            iri=iri, id=_one(t, DCT + "identifier") or short(iri), plan=plan, text=_one(t, PK + "text", ""),
            path=_one(t, PK + "path"), area=area_of.get(_one(t, PK + "area", ""), "direction"),
            origin=_one(t, PK + "origin"), parent=_one(t, PK + "parentTask"),
            lead=sorted(t.get(PK + "leadUnit", [])), support=sorted(t.get(PK + "supportUnit", [])),
            leader=_one(t, PK + "leader"), products=t.get(PK + "product", []), deadline=deadline,
            start=_one(t, PK + "charStart"), end=_one(t, PK + "charEnd"),
        )
        task.folded = fold(" ".join([task.path or "", task.text, *task.products]))
        ix.tasks[iri] = task
        ix.task_ids[task.id] = iri
    order = sorted(ix.tasks.values(), key=lambda t: (ix.plans[t.plan].ref.id, path_key(t.path), t.id))
    ix.tasks = {t.iri: t for t in order}
    for t in order:
        ix.tasks_by_plan.setdefault(t.plan, []).append(t.iri)
        for u in t.lead:
            ix.unit_tasks.setdefault(u, []).append((t.iri, "lead"))
        for u in t.support:
            ix.unit_tasks.setdefault(u, []).append((t.iri, "support"))
    ix.units = dict(sorted(ix.units.items(), key=lambda kv: (
        _LEVEL_ORDER.get(kv[1].summary.level, 3), fold(kv[1].summary.jurisdiction or ""), fold(kv[1].summary.label),
        kv[1].summary.id)))
    for iri, u in ix.units.items():
        roles = [r for _, r in ix.unit_tasks.get(iri, [])]
        u.summary = u.summary.model_copy(update={"lead_count": roles.count("lead"),
                                                 "support_count": roles.count("support")})
    for pl in ix.plans.values():
        pl.summary = pl.summary.model_copy(update={"task_count": len(ix.tasks_by_plan.get(pl.iri, []))})

    # units named by each plan (described in the plan's graph)
    graph_plan = {iris.graph(pl.ref.id): pl.iri for pl in ix.plans.values()}
    for r in kb.select("SELECT DISTINCT ?g ?u WHERE { GRAPH ?g { ?u a org:OrganizationalUnit } }",
                       use_default_graph_as_union=False):
        plan = graph_plan.get(r["g"])
        if plan and r["u"] in ix.units:
            ix.unit_plans.setdefault(r["u"], []).append(plan)
            ix.plan_units.setdefault(plan, []).append(r["u"])

    # legal documents (cited; ingested plans themselves are not listed here)
    legal = _describe(kb, "eli:LegalResource")
    same_as = {r["a"]: r["b"] for r in kb.select("SELECT DISTINCT ?a ?b WHERE { ?a owl:sameAs ?b }")}
    for iri, d in legal.items():
        if iri in ix.plans or not d.get(PK + "citationKey"):
            continue
        target = _one(d, PK + "adopts") or _one(d, PK + "resolvesTo")
        if target not in ix.plans:
            target = None
        method, score = link_of.get((iri, target), (None, None)) if target else (None, None)
        ingested = _one(d, PK + "ingested")
        ref = LegalRef(
            key=_one(d, PK + "citationKey"), number=_one(d, ELI + "id_local"), doc_type=_one(d, PK + "docTypeCode"),
            title=_one(d, ELI + "title"), issuer=_one(d, PK + "issuerName"), date=_one(d, ELI + "date_document"),
            year=_one(d, PK + "year"), ingested=bool(ingested) if ingested is not None else target is not None,
            plan_id=ix.plans[target].ref.id if target else None,
        )
        detail = dict(symbol=_one(d, PK + "symbol"), issuer_level=_one(d, PK + "issuerLevel"),
                      jurisdiction=_one(d, PK + "jurisdictionName"), target=target, method=method, score=score,
                      same_as=[])
        ix.legal[iri] = _Legal(iri=iri, detail=detail, ref=ref, folded=fold(" ".join(
            str(x) for x in (ref.key, ref.number, ref.title, ref.issuer, ref.label) if x)))
        ix.legal_keys[ref.key] = iri
    for a, b in same_as.items():
        if a in ix.legal and b in ix.legal:
            ix.legal[b].detail["same_as"].append(ix.legal[a].ref.key)
            ix.legal_keys[ix.legal[a].ref.key] = b
    for pl in ix.plans.values():
        rels: list[tuple[str, str]] = []
        if pl.adopted_by:
            rels.append((pl.adopted_by, "adopted_by"))
        rels += [(x, "parent_plan") for x in pl.parent_refs]
        rels += [(x, "based_on") for x in pl.based_on if x not in pl.parent_refs]
        rels += [(x, "cites") for x in pl.cites]
        for legal_iri, rel in rels:
            legal_iri = same_as.get(legal_iri, legal_iri)
            entry = (pl.iri, rel)
            lst = ix.cited_by.setdefault(legal_iri, [])
            if entry not in lst:
                lst.append(entry)

    # indicators
    for iri, d in _describe(kb, "pk:Indicator").items():
        plan = _one(d, PK + "plan")
        if plan not in ix.plans:
            continue
        ind = Indicator(
            id=_one(d, DCT + "identifier") or short(iri), plan_id=ix.plans[plan].ref.id,
            subject=_one(d, PK + "subject"), value=float(_one(d, RDF + "value", 0.0)), unit=_one(d, PK + "measureUnit"),
            comparator=_one(d, PK + "comparator"), period_start=_one(d, PK + "periodStart"),
            period_end=_one(d, PK + "periodEnd"), area=area_of.get(_one(d, PK + "area", "")),
            text=_one(d, PK + "sourceText"), sentence=_one(d, PK + "sentence"),
        )
        ix.indicators[ind.id] = ind
        ix.indicator_folded[ind.id] = fold(" ".join(x for x in (ind.subject, ind.text, ind.sentence) if x))
        ix.indicators_by_plan.setdefault(plan, []).append(ind.id)
    for plan, ids in ix.indicators_by_plan.items():
        ids.sort(key=lambda i: (_num_suffix(i), i))
        pl = ix.plans[plan]
        pl.summary = pl.summary.model_copy(update={"indicator_count": len(ids)})
    return ix


def _num_suffix(ident: str) -> int:
    m = re.search(r"(\d+)$", ident)
    return int(m.group(1)) if m else 0


_cache: "weakref.WeakKeyDictionary[Any, tuple[Any, _Index]]" = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def index(kb: "KnowledgeBase") -> _Index:
    """The catalog's index of `kb`, rebuilt when the KB has changed since it was built."""
    version = getattr(kb, "_version", None)
    with _lock:
        hit = _cache.get(kb)
        if hit is not None and hit[0] == version:
            return hit[1]
        ix = _build(kb)
        _cache[kb] = (version, ix)
        return ix


def invalidate(kb: "KnowledgeBase") -> None:
    """Forget the index of `kb` (the next call rebuilds it)."""
    with _lock:
        _cache.pop(kb, None)


def _page(items: list[T], limit: int, offset: int) -> Listing[T]:
    return Listing[Any](items=items[offset:offset + limit], total=len(items), limit=limit, offset=offset)


def _period(value: str | None) -> tuple[int, int] | None:
    """'2026' -> (2026, 2026) ; '2026-2030' / '2026–2030' -> (2026, 2030); ValueError otherwise."""
    if value is None or not value.strip():
        return None
    m = re.fullmatch(r"\s*(\d{4})\s*(?:[-–—/]\s*(\d{4}))?\s*", value)
    if not m:
        raise ValueError(f"period {value!r}: expected YYYY or YYYY-YYYY")
    a = int(m.group(1))
    b = int(m.group(2)) if m.group(2) else None
    return (a, b if b is not None else -1)


# ====================================================================== plans
def list_plans(kb: "KnowledgeBase", *, level: str | None = None, province: str | None = None,
               period: str | None = None, q: str | None = None, limit: int = 50, offset: int = 0
               ) -> Listing[PlanSummary]:
    """Ingested plans, by id. `province`: name (diacritics optional) or code; `period`: 'YYYY'
    (plans whose period covers the year) or 'YYYY-YYYY' (exactly that period); `q`: words in the
    id, title, number, jurisdiction or issuer."""
    ix = index(kb)
    per = _period(period)
    pkey = name_key(province) if province and province.strip() else None
    query = Query.parse(q)
    out = []
    for pl in sorted(ix.plans.values(), key=lambda p: p.ref.id):
        s = pl.summary
        if level and s.level != level:
            continue
        if pkey is not None:
            names = [s.province, s.jurisdiction if s.level == "province" else None]
            codes = {s.province_code} | ({s.jurisdiction_code} if s.level == "province" else set())
            if province.strip() not in codes and not any(n and pkey in name_key(n) for n in names):
                continue
        if per is not None:
            a, b = per
            if s.period_start is None:
                continue
            if b == -1:
                if not (s.period_start <= a <= (s.period_end or s.period_start)):
                    continue
            elif (s.period_start, s.period_end) != (a, b):
                continue
        if query and not query.matches(pl.folded):
            continue
        out.append(s)
    return _page(out, limit, offset)


def _plan_iri(ix: _Index, plan_id: str) -> str:
    iri = ix.plan_ids.get(plan_id)
    if iri is None:
        raise KeyError(plan_id)
    return iri


def _task_tree(ix: _Index, plan_iri: str) -> list[Section]:
    ids = ix.tasks_by_plan.get(plan_iri, [])
    kids: dict[str, list[str]] = {}
    roots: list[str] = []
    for iri in ids:
        parent = ix.tasks[iri].parent
        if parent and parent in ix.tasks and parent != iri:
            kids.setdefault(parent, []).append(iri)
        else:
            roots.append(iri)

    def node(iri: str, seen: frozenset = frozenset()) -> TaskNode:
        t = ix.tasks[iri]
        return TaskNode(id=t.id, path=t.path, text=t.text, area=t.area,
                        lead_units=[ix.unit_ref(u) for u in t.lead],
                        support_units=[ix.unit_ref(u) for u in t.support], deadline=t.deadline,
                        children=[node(k, seen | {iri}) for k in kids.get(iri, []) if k not in seen])

    sections: dict[str, list[str]] = {}
    for iri in roots:
        path = ix.tasks[iri].path or ""
        sections.setdefault(path.rpartition(".")[0], []).append(iri)
    out = []
    for path, members in sections.items():
        areas = {ix.tasks[m].area for m in members}
        area = areas.pop() if len(areas) == 1 else None
        out.append(Section(path=path, area=area, heading=ix.area_labels.get(area) if area else None,
                           tasks=[node(m) for m in members]))
    return out


def get_plan(kb: "KnowledgeBase", plan_id: str) -> PlanDetail:
    """One plan with its sections (tasks as a tree), indicators, legal bases, parents and children."""
    ix = index(kb)
    pl = ix.plans[_plan_iri(ix, plan_id)]

    def legal_ref(iri: str) -> LegalRef | None:
        entry = ix.legal.get(iri)
        return entry.ref if entry else None

    parents: list[ParentPlan] = []
    covered: set[str] = set()
    for ref_iri in pl.parent_refs:
        entry = ix.legal.get(ref_iri)
        if entry is None:
            continue
        target = entry.detail["target"]
        parents.append(ParentPlan(legal=entry.ref, plan=ix.plans[target].ref if target else None,
                                  method=entry.detail["method"], score=entry.detail["score"]))
        if target:
            covered.add(target)
    for parent in pl.parents:
        if parent in covered or parent not in ix.plans:
            continue
        via = next((ix.legal[b] for b in pl.based_on if b in ix.legal and ix.legal[b].detail["target"] == parent), None)
        parents.append(ParentPlan(legal=via.ref if via else None, plan=ix.plans[parent].ref,
                                  method=via.detail["method"] if via else None,
                                  score=via.detail["score"] if via else None))
    legal_bases = [r for r in (legal_ref(b) for b in pl.based_on) if r]
    units = sorted((ix.units[u].ref for u in ix.plan_units.get(pl.iri, [])), key=lambda u: fold(u.label))
    return PlanDetail(
        **_fields(pl.summary),
        source=pl.source,
        adopted_by=legal_ref(pl.adopted_by) if pl.adopted_by else None,
        legal_bases=sorted(legal_bases, key=_legal_order),
        citations=sorted((r for r in (legal_ref(c) for c in pl.cites) if r), key=_legal_order),
        parents=parents,
        children=sorted((ix.plans[c].ref for c in ix.children_of.get(pl.iri, []) if c in ix.plans),
                        key=lambda p: p.id),
        sections=_task_tree(ix, pl.iri),
        indicators=[ix.indicators[i] for i in ix.indicators_by_plan.get(pl.iri, [])],
        units=units,
    )


_LEVEL_ORDER = {"national": 0, "province": 1, "commune": 2, None: 3}


def _legal_order(r: LegalRef) -> tuple:
    return (r.date is None, r.date or dt.date.min, r.key)


# ====================================================================== tasks
def _unit_matches(ix: _Index, unit: str) -> set[str]:
    """Unit IRIs a `unit` filter means: an exact unit id, else every unit whose name contains the words."""
    unit = unit.strip()
    if unit in ix.unit_ids:
        return {ix.unit_ids[unit]}
    key = name_key(unit)
    if key.strip() == "":
        return set()
    return {iri for iri, u in ix.units.items() if key in u.key}


def list_tasks(kb: "KnowledgeBase", *, unit: str | None = None, area: str | None = None,
               plan: str | None = None, role: str | None = None, deadline_from: dt.date | None = None,
               deadline_to: dt.date | None = None, q: str | None = None, level: str | None = None,
               limit: int = 50, offset: int = 0) -> Listing[TaskSummary]:
    """Tasks, by plan and section path.

    `unit`: a unit id or words of its name (any jurisdiction; 'phong van hoa xa hoi'); `role`:
    lead / support (with `unit`); `plan`: a plan id; `area`: an area code; `deadline_from` /
    `deadline_to`: the due date (end of the deadline's interval, else its start) lies in the
    range, tasks without a dated deadline are left out; `q`: words of the text, path or products.
    An unknown unit or plan gives an empty list (ask `get_unit`/`get_plan` to get a 404)."""
    ix = index(kb)
    query = Query.parse(q)
    deadline_from, deadline_to = _as_date(deadline_from), _as_date(deadline_to)
    if plan is not None:
        plan_iri = ix.plan_ids.get(plan)
        candidates: Iterable[tuple[str, str | None]] = ((t, None) for t in ix.tasks_by_plan.get(plan_iri or "", []))
    else:
        plan_iri = None
        candidates = ((t, None) for t in ix.tasks)
    if unit is not None and unit.strip():
        wanted = _unit_matches(ix, unit)
        roles: dict[str, str] = {}
        for u in wanted:
            for t, r in ix.unit_tasks.get(u, []):
                if role and r != role:
                    continue
                if roles.get(t) != "lead":  # lead wins when a name matches units with both roles
                    roles[t] = r
        candidates = ((t, roles[t]) for t in ix.tasks if t in roles
                      and (plan_iri is None or ix.tasks[t].plan == plan_iri) and (plan is None or plan_iri))
    out = []
    for t_iri, r in candidates:
        t = ix.tasks[t_iri]
        if area and t.area != area:
            continue
        if level and ix.plans[t.plan].ref.level != level:
            continue
        if deadline_from or deadline_to:
            due = t.deadline.due if t.deadline else None
            if due is None or (deadline_from and due < deadline_from) or (deadline_to and due > deadline_to):
                continue
        if query and not query.matches(t.folded):
            continue
        out.append((t, r))
    return Listing[TaskSummary](items=[ix.task_summary(t, r) for t, r in out[offset:offset + limit]],
                                total=len(out), limit=limit, offset=offset)


def _as_date(value: "dt.date | str | None") -> "dt.date | None":
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def get_task(kb: "KnowledgeBase", task_id: str, *, context: bool = False, context_chars: int = 300) -> TaskDetail:
    """One task: its plan, units, deadline, parent and sub-tasks, and where it is in the source file.

    With `context`, the source file is read (if it is still at its path with the same sha256) and
    `context_chars` characters either side of the task's span are returned."""
    ix = index(kb)
    iri = ix.task_ids.get(task_id)
    if iri is None:
        raise KeyError(task_id)
    t = ix.tasks[iri]
    pl = ix.plans[t.plan]
    children = [ix.task_ref(ix.tasks[c]) for c in ix.tasks_by_plan.get(t.plan, [])
                if ix.tasks[c].parent == iri and c != iri]
    source = SourceRef(path=pl.source.path, sha256=pl.source.sha256, start=t.start, end=t.end)
    summary = ix.task_summary(t)
    return TaskDetail(
        **_fields(summary),
        origin=t.origin, leader=t.leader, products=list(t.products),
        parent=ix.task_ref(ix.tasks[t.parent]) if t.parent in ix.tasks else None,
        children=children, source=source,
        context=source_context(source, context_chars) if context else None,
    )


def source_context(source: SourceRef, chars: int = 300) -> SourceContext | None:
    """The text around `source`'s span, read from its file; None if the file is gone or changed."""
    import hashlib
    from pathlib import Path

    if not source.path or source.start is None or source.end is None:
        return None
    path = Path(source.path)
    try:
        if not path.is_file() or (source.sha256 and hashlib.sha256(path.read_bytes()).hexdigest() != source.sha256):
            return None
        from plankb.ingest.read import read_document

        text = read_document(path).text
    except Exception:  # unreadable now: the page shows the task text alone
        return None
    s, e = source.start, source.end
    if e > len(text) or s > e:
        return None
    return SourceContext(before=text[max(0, s - chars):s], text=text[s:e], after=text[e:e + chars])


# ====================================================================== units
def list_units(kb: "KnowledgeBase", *, q: str | None = None, jurisdiction: str | None = None,
               level: str | None = None, limit: int = 50, offset: int = 0) -> Listing[UnitSummary]:
    """Units, by jurisdiction then name. `q`: words of the name or an alias; `jurisdiction`: words
    of the jurisdiction's name or its code; `level`: national / province / commune."""
    ix = index(kb)
    query = Query.parse(q)
    jkey = name_key(jurisdiction) if jurisdiction and jurisdiction.strip() else None
    out = []
    for u in ix.units.values():  # by level, jurisdiction, name (sorted when indexed)
        s = u.summary
        if query and not query.matches(u.folded):
            continue
        if jkey is not None and jurisdiction.strip() != s.jurisdiction_code and jkey not in name_key(s.jurisdiction or ""):
            continue
        if level and s.level != level:
            continue
        out.append(s)
    return _page(out, limit, offset)


def get_unit(kb: "KnowledgeBase", unit_id: str, *, counterparts: bool = False) -> UnitDetail:
    """One unit, the plans naming it and (with `counterparts`) the units with the same function
    at other levels (kb.trace.unit_counterparts)."""
    ix = index(kb)
    iri = ix.unit_ids.get(unit_id)
    if iri is None:
        raise KeyError(unit_id)
    u = ix.units[iri]
    plans = {p for p in ix.unit_plans.get(iri, [])} | {ix.tasks[t].plan for t, _ in ix.unit_tasks.get(iri, [])}
    cps = None
    if counterparts:
        from plankb.kb.query.trace import unit_counterparts

        cps = [Counterpart.model_validate(c) for c in unit_counterparts(kb, unit_id)]
    return UnitDetail(**_fields(u.summary),
                      plans=sorted((ix.plans[p].ref for p in plans if p in ix.plans), key=lambda p: p.id),
                      counterparts=cps)


# ====================================================================== legal documents
def _legal_iri(ix: _Index, key: str) -> str:
    """By key (sameAs aliases included), else by number as printed ('76/NQ-CP') when unambiguous."""
    iri = ix.legal_keys.get(key)
    if iri is not None:
        return iri
    k = fold(key).replace(" ", "")
    hits = {e.iri for e in ix.legal.values() if e.ref.number and fold(e.ref.number).replace(" ", "") == k}
    if len(hits) == 1:
        return hits.pop()
    raise KeyError(key)


def get_legal(kb: "KnowledgeBase", key: str) -> LegalDetail:
    """A cited document: what it is, which ingested plan it resolves to, and which plans cite it how.
    `key` is its identity key ('nq-76-2021-nq-cp'), or its number when only one document has it."""
    ix = index(kb)
    e = ix.legal[_legal_iri(ix, key)]
    d = e.detail
    cited = [PlanCitation(plan=ix.plans[p].ref, relation=r) for p, r in ix.cited_by.get(e.iri, []) if p in ix.plans]
    cited.sort(key=lambda c: (_LEVEL_ORDER.get(c.plan.level, 3), c.plan.id,
                              ("adopted_by", "parent_plan", "based_on", "cites").index(c.relation)))
    return LegalDetail(
        **_fields(e.ref),
        symbol=d["symbol"], issuer_level=d["issuer_level"], jurisdiction=d["jurisdiction"],
        same_as=sorted(d["same_as"]), resolves_to=ix.plans[d["target"]].ref if d["target"] else None,
        link_method=d["method"], link_score=d["score"], cited_by=cited,
    )


def list_legal(kb: "KnowledgeBase", *, q: str | None = None, ingested: bool | None = None,
               limit: int = 50, offset: int = 0) -> Listing[LegalRef]:
    """Cited documents, most cited first. `ingested=False`: the missing sources."""
    ix = index(kb)
    query = Query.parse(q)
    aliases = {k for e in ix.legal.values() for k in e.detail["same_as"]}
    out = [e for e in ix.legal.values() if e.ref.key not in aliases
           and (ingested is None or e.ref.ingested == ingested) and (not query or query.matches(e.folded))]
    out.sort(key=lambda e: (-len({p for p, _ in ix.cited_by.get(e.iri, [])}), e.ref.key))
    return _page([e.ref for e in out], limit, offset)


# ====================================================================== indicators
def list_indicators(kb: "KnowledgeBase", *, plan: str | None = None, area: str | None = None,
                    q: str | None = None, limit: int = 50, offset: int = 0) -> Listing[Indicator]:
    ix = index(kb)
    query = Query.parse(q)
    if plan is not None:
        ids = ix.indicators_by_plan.get(ix.plan_ids.get(plan, ""), [])
    else:
        ids = [i for p in sorted(ix.indicators_by_plan, key=lambda p: ix.plans[p].ref.id)
               for i in ix.indicators_by_plan[p]]
    out = [ix.indicators[i] for i in ids
           if (not area or ix.indicators[i].area == area) and (not query or query.matches(ix.indicator_folded[i]))]
    return _page(out, limit, offset)


def get_indicator(kb: "KnowledgeBase", indicator_id: str) -> Indicator:
    ix = index(kb)
    return ix.indicators[indicator_id]


# ====================================================================== search
_KIND_WEIGHT = {"plan": 1.0, "legal": 0.9, "unit": 0.8, "indicator": 0.5, "task": 0.6}


@dataclass(frozen=True)
class _Doc:
    """One searchable thing: what is shown and what is matched."""

    kind: str
    id: str
    label: str
    text: str  # shown in the snippet, and where exact-diacritic matches are looked for
    folded: str  # everything matched, folded
    name_folded: str  # the name part, folded (a match there ranks higher)
    plan_id: str | None = None


def _search_docs(ix: _Index) -> list[_Doc]:
    docs = getattr(ix, "_docs", None)
    if docs is not None:
        return docs
    docs = []
    for pl in ix.plans.values():
        s = pl.summary
        text = " · ".join(x for x in (s.title, s.number, s.jurisdiction, s.issuer, s.id) if x)
        docs.append(_Doc("plan", s.id, s.title or s.id, text, pl.folded, fold(s.title or s.id)))
    aliases = {k for e in ix.legal.values() for k in e.detail["same_as"]}
    for e in ix.legal.values():
        if e.ref.key in aliases:
            continue
        r = e.ref
        name = r.label + (f" {r.title}" if r.title and r.number else "")
        docs.append(_Doc("legal", r.key, name, " · ".join(x for x in (r.label, r.title, r.issuer) if x), e.folded,
                         fold(name)))
    for u in ix.units.values():
        s = u.summary
        label = f"{s.label} ({s.jurisdiction})" if s.jurisdiction else s.label
        docs.append(_Doc("unit", s.id, label, " · ".join([s.label, *s.aliases, s.jurisdiction or ""]), u.folded,
                         fold(" ".join([s.label, *s.aliases]))))
    for t in ix.tasks.values():
        docs.append(_Doc("task", t.id, f"{t.path} {t.text}" if t.path else t.text, t.text, t.folded, "",
                         ix.plans[t.plan].ref.id))
    for i in ix.indicators.values():
        label = " ".join(x for x in (i.subject, i.text) if x) or str(i.value)
        docs.append(_Doc("indicator", i.id, label, i.sentence or label, ix.indicator_folded[i.id],
                         fold(i.subject or ""), i.plan_id))
    ix._docs = docs  # type: ignore[attr-defined]
    return docs


_RESULT_ITEMS = 500_000


class _SearchIndex:
    """The search documents and an inverted index over their folded words.

    Documents with the same (folded text, shown text, folded name) share one entry ("group"): they
    score the same. `postings[token]` lists the groups having a word that is `token`; a query word
    matches at a word start exactly when it is a prefix of some word of the text, so its candidates
    are the union over the vocabulary words it prefixes (found by bisection). Candidates are then
    scored by `Query.score` on the full text, as a scan would: the index only skips the rest.
    """

    def __init__(self, docs: list[_Doc]):
        order = {k: i for i, k in enumerate(KINDS)}
        self.docs = sorted(docs, key=lambda d: (order[d.kind], d.id))  # position: the tie-break
        self.kind_rank = [order[d.kind] for d in self.docs]
        group_of: dict[tuple[str, str, str], int] = {}
        self.groups: list[tuple[str, str, str]] = []
        self.group_docs: list[list[int]] = []
        postings: dict[str, list[int]] = {}
        word_re = re.compile(r"\w+")
        for i, d in enumerate(self.docs):
            sig = (d.folded, d.text, d.name_folded)
            g = group_of.get(sig)
            if g is None:
                g = group_of[sig] = len(self.groups)
                self.groups.append(sig)
                self.group_docs.append([])
                for tok in set(word_re.findall(d.folded)):
                    lst = postings.get(tok)
                    if lst is None:
                        postings[tok] = [g]
                    else:
                        lst.append(g)
            self.group_docs[g].append(i)
        self.postings = postings
        self.vocab = sorted(postings)
        self._prefix_cache: dict[str, frozenset[int]] = {}
        self._results: "dict[tuple, list[tuple[float, int]]]" = {}  # recent queries' ranked matches
        self._result_items = 0
        self._lock = threading.Lock()

    def groups_with_prefix(self, word: str) -> frozenset[int]:
        hit = self._prefix_cache.get(word)
        if hit is not None:
            return hit
        import bisect

        out: set[int] = set()
        vocab = self.vocab
        j = bisect.bisect_left(vocab, word)
        while j < len(vocab) and vocab[j].startswith(word):
            out.update(self.postings[vocab[j]])
            j += 1
        hit = frozenset(out)
        with self._lock:
            if len(self._prefix_cache) >= 4096:
                self._prefix_cache.clear()
            self._prefix_cache[word] = hit
        return hit

    def ranked(self, query: Query, kinds: frozenset[str]) -> list[tuple[float, int]]:
        """[(score, document position)] of every match, best first (ties: kind order, then id)."""
        key = (query.text, query.words, kinds)
        hit = self._results.get(key)
        if hit is not None:
            return hit
        sets = sorted((self.groups_with_prefix(w) for w in set(query.words)), key=len)
        cand = set(sets[0])
        for other in sets[1:]:
            cand &= other
            if not cand:
                break
        scored: list[tuple[float, int]] = []
        weights = [_KIND_WEIGHT[k] for k in KINDS]
        for g in cand:
            folded, text, name_folded = self.groups[g]
            score = query.score(folded, text)
            if score <= 0:
                continue
            if name_folded and query.matches_all(name_folded):
                score += 1.0
            for i in self.group_docs[g]:
                d = self.docs[i]
                if d.kind in kinds:
                    scored.append((-round(score * weights[self.kind_rank[i]], 4), i))
        scored.sort()
        out = [(-neg, i) for neg, i in scored]
        with self._lock:  # bounded: at most _RESULT_ITEMS (score, position) pairs kept in all
            if self._result_items + len(out) > _RESULT_ITEMS or len(self._results) >= 256:
                self._results.clear()
                self._result_items = 0
            if len(out) <= _RESULT_ITEMS:
                self._results[key] = out
                self._result_items += len(out)
        return out


_search_lock = threading.Lock()


def _search_index(ix: _Index) -> _SearchIndex:
    si = getattr(ix, "_search", None)
    if si is None:
        with _search_lock:
            si = getattr(ix, "_search", None)
            if si is None:
                si = _SearchIndex(_search_docs(ix))
                ix._search = si  # type: ignore[attr-defined]
    return si


def warm(kb: "KnowledgeBase") -> None:
    """Build the catalog index and the search index of `kb` now (e.g. when a server starts)."""
    _search_index(index(kb))


def search(kb: "KnowledgeBase", q: str, *, kinds: Iterable[str] | None = None, limit: int = 20,
           offset: int = 0) -> Listing[SearchHit]:
    """Plans, tasks, units, legal documents and indicators whose text has every word of `q`
    (at word starts; case and diacritics ignored), best first: whole-phrase and exact-diacritic
    matches, and matches in names, rank above scattered words in long text."""
    ix = index(kb)
    query = Query.parse(q)
    if query is None:
        return Listing[SearchHit](items=[], total=0, limit=limit, offset=offset)
    si = _search_index(ix)
    ranked = si.ranked(query, frozenset(kinds or KINDS))
    items = []
    for score, i in ranked[offset:offset + limit]:
        d = si.docs[i]
        items.append(SearchHit(kind=d.kind, id=d.id, label=d.label, snippet=query.snippet(d.text), score=score,
                               plan_id=d.plan_id))
    return Listing[SearchHit](items=items, total=len(ranked), limit=limit, offset=offset)
