"""What the HTML pages show beyond `kb.catalog`: Vietnamese labels, source excerpts, search
highlighting, home-page groups. Read-only helpers over a `KnowledgeBase` for `api.routers.pages`:

    source_excerpt(task)             -> SourceExcerpt           the task's sentence in its source file
    highlight(text, q)               -> [(segment, matched)]    search words marked in a snippet
    plans_by_level(kb)               -> [LevelGroup]            the home page's plans by level and province
    counts(kb) / recent_documents(kb)                           the home page's figures and latest documents

The graph views (kb_graph, trace_graph, plan_graph, unit_graph, legal_graph, overview_graph,
subgraph_for, node_link) live in plankb.viz.views, shared with `plankb viz`, and
plans_beside_tasks in plankb.viz.page; they are re-exported here for the pages. Nothing here
builds HTML: the templates escape every string.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plankb.ingest.extract.areas import area_labels  # reform-area labels in Vietnamese (ingest/vocab)
from plankb.ingest.extract.clean import clean_text
from plankb.ingest.read import read_document
from plankb.kb import catalog
from plankb.viz.page import plans_beside_tasks
from plankb.viz.views import (
    GraphIndex,
    kb_graph,
    legal_graph,
    node_link,
    overview_graph,
    plan_graph,
    resolve_target,
    subgraph_for,
    trace_graph,
    unit_graph,
)

if TYPE_CHECKING:
    from plankb.kb.store import KnowledgeBase

__all__ = [
    "COMPARATOR_LABELS", "GraphIndex", "KIND_LABELS", "LEVEL_LABELS", "LEVEL_ORDER", "LINK_METHOD_LABELS",
    "LevelGroup", "ORIGIN_LABELS", "ProvinceGroup", "RECURRENCE_LABELS", "RELATION_LABELS", "ROLE_LABELS",
    "SourceExcerpt", "VERDICT_LABELS", "area_labels", "counts", "highlight", "kb_graph", "legal_graph",
    "node_link", "overview_graph", "plan_graph", "plans_beside_tasks", "plans_by_level", "recent_documents",
    "resolve_target", "source_excerpt", "subgraph_for", "trace_graph", "unit_graph",
]

# ---------------------------------------------------------------- Vietnamese labels
LEVEL_LABELS = {"national": "Trung ương", "province": "Cấp tỉnh", "commune": "Cấp xã"}
LEVEL_ORDER = ("national", "province", "commune")
ROLE_LABELS = {"standing": "Cơ quan thường trực CCHC", "lead": "Chủ trì", "support": "Phối hợp"}
KIND_LABELS = {"plan": "Kế hoạch", "task": "Nhiệm vụ", "unit": "Đơn vị", "legal": "Văn bản pháp lý",
               "legal_document": "Văn bản pháp lý", "indicator": "Chỉ tiêu", "jurisdiction": "Địa bàn",
               "area": "Lĩnh vực"}
# kb.align's indicator verdicts, as a child plan treats its parent's target
VERDICT_LABELS = {"adopted": "giữ nguyên", "weakened": "giảm", "dropped": "bỏ", "strengthened": "nâng cao",
                  "new": "mới"}
RELATION_LABELS = {
    "part_of": "thuộc kế hoạch", "implements": "thực hiện nhiệm vụ cấp trên", "parent_plan": "kế hoạch cấp trên",
    "based_on": "căn cứ", "cites": "trích dẫn", "adopted_by": "ban hành kèm theo",
    "via_parent_plan": "qua kế hoạch cấp trên",
}
LINK_METHOD_LABELS = {"metadata": "khớp theo cơ quan, tên, giai đoạn, địa bàn", "number": "khớp theo số hiệu",
                      "adopting-decision": "theo quyết định ban hành kèm theo"}
ORIGIN_LABELS = {"prose": "nội dung kế hoạch", "table": "bảng phụ lục"}
RECURRENCE_LABELS = {"quarterly": "hằng quý", "monthly": "hằng tháng", "annual": "hằng năm",
                     "yearly": "hằng năm", "weekly": "hằng tuần", "semiannual": "6 tháng một lần"}
COMPARATOR_LABELS = {">=": "tối thiểu", ">": "trên", "=": "đạt", "<=": "tối đa", "<": "dưới", "top": "trong nhóm",
                     "reduce_by": "giảm"}


# ---------------------------------------------------------------- source excerpt
@dataclass
class SourceExcerpt:
    """The task's span in its source file, split for display: `before` · [`span_before` · **`mark`** ·
    `span_after`] · `after`. `available` False: `reason` says why (file gone, changed, no span)."""

    available: bool
    reason: str | None = None
    path: str | None = None
    before: str = ""
    span_before: str = ""
    mark: str = ""
    span_after: str = ""
    after: str = ""
    start: int | None = None
    end: int | None = None


def _last_lines(text: str, n: int) -> str:
    parts = text.split("\n")
    out = "\n".join(parts[-n:]) if len(parts) > n else text
    return out if len(out) <= 400 else "…" + out[-400:]


def _first_lines(text: str, n: int) -> str:
    parts = text.split("\n")
    out = "\n".join(parts[:n]) if len(parts) > n else text
    return out if len(out) <= 400 else out[:400] + "…"


def _readable(text: str) -> str:
    return re.sub(r" {2,}", " ", clean_text(text))


def source_excerpt(task: "catalog.TaskDetail", chars: int = 600) -> SourceExcerpt:
    """Read the task's source file (only if it is still at its path with the same sha256) and cut
    the sentence out with a few lines of context around it; the task's own text is `mark`."""
    src = task.source
    if not src.path:
        return SourceExcerpt(False, "Kế hoạch không ghi đường dẫn tệp nguồn.")
    if src.start is None or src.end is None:
        return SourceExcerpt(False, "Nhiệm vụ không có vị trí trong tệp nguồn.", path=src.path)
    path = Path(src.path)
    if not path.is_file():
        return SourceExcerpt(False, "Tệp nguồn không còn ở đường dẫn đã nạp.", path=src.path)
    try:
        if src.sha256 and hashlib.sha256(path.read_bytes()).hexdigest() != src.sha256:
            return SourceExcerpt(False, "Tệp nguồn đã thay đổi kể từ khi nạp (mã sha256 khác).", path=src.path)
    except OSError:
        return SourceExcerpt(False, "Không đọc được tệp nguồn.", path=src.path)
    ctx = catalog.source_context(src, chars, read_text=lambda p: read_document(p).text)
    if ctx is None:
        return SourceExcerpt(False, "Không đọc được đoạn văn bản nguồn.", path=src.path)
    # as the extractor read it: conversion debris (<i>…</i>, **bold**, [bookmark: …]) blanked
    ctx = catalog.SourceContext(before=_readable(ctx.before), text=_readable(ctx.text), after=_readable(ctx.after))
    span = ctx.text
    needle = " ".join(task.text.split())
    i = span.find(task.text)
    length = len(task.text)
    if i < 0 and needle:  # whitespace differs (line breaks inside the sentence): match on words
        folded, idx = catalog.fold_map(span)
        j = folded.find(catalog.fold(needle))
        if j >= 0:
            i, k = idx[j], idx[min(j + len(catalog.fold(needle)), len(idx)) - 1] + 1
            length = k - i
    if i < 0:
        return SourceExcerpt(True, path=src.path, before=_last_lines(ctx.before, 3), mark=span,
                             after=_first_lines(ctx.after, 3), start=src.start, end=src.end)
    return SourceExcerpt(True, path=src.path, before=_last_lines(ctx.before, 3), span_before=span[:i],
                         mark=span[i:i + length], span_after=span[i + length:], after=_first_lines(ctx.after, 3),
                         start=src.start, end=src.end)


# ---------------------------------------------------------------- search highlighting
def highlight(text: str, q: str | None) -> list[tuple[str, bool]]:
    """`text` cut into (segment, is_match) pieces where words of `q` start (diacritics ignored),
    for the template to wrap matches in <mark> (each segment is escaped there)."""
    if not q or not text:
        return [(text, False)]
    words = [w for w in re.findall(r"\w+", catalog.fold(q)) if w]
    if not words:
        return [(text, False)]
    folded, idx = catalog.fold_map(text)
    hits: list[tuple[int, int]] = []
    for w in words:
        for m in re.finditer(r"(?<!\w)" + re.escape(w), folded):
            a = idx[m.start()]
            b = idx[m.end() - 1] + 1
            hits.append((a, b))
    if not hits:
        return [(text, False)]
    hits.sort()
    merged: list[list[int]] = []
    for a, b in hits:
        gap = text[merged[-1][1]:a] if merged else ""
        if merged and (a <= merged[-1][1] or (len(gap) <= 2 and not re.search(r"\w", gap))):  # 'hành chính công', '76/NQ-CP': one mark
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    out, pos = [], 0
    for a, b in merged:
        if a > pos:
            out.append((text[pos:a], False))
        out.append((text[a:b], True))
        pos = b
    if pos < len(text):
        out.append((text[pos:], False))
    return out


# ---------------------------------------------------------------- home page
@dataclass
class ProvinceGroup:
    name: str
    code: str | None
    plans: list[Any]


@dataclass
class LevelGroup:
    level: str
    label: str
    provinces: list[ProvinceGroup]

    @property
    def count(self) -> int:
        return sum(len(p.plans) for p in self.provinces)


def plans_by_level(kb: "KnowledgeBase") -> list[LevelGroup]:
    """Plans grouped by level (national, province, commune), then by province, with counts."""
    plans = catalog.list_plans(kb, limit=100_000).items
    out = []
    for level in LEVEL_ORDER:
        provs: dict[str, ProvinceGroup] = {}
        for p in plans:
            if p.level != level:
                continue
            name = p.province or p.jurisdiction or ("Trung ương" if level == "national" else "Chưa xác định")
            grp = provs.setdefault(name, ProvinceGroup(name, p.province_code, []))
            grp.plans.append(p)
        if provs:
            groups = sorted(provs.values(), key=lambda g: catalog.fold(g.name))
            for grp in groups:
                grp.plans.sort(key=lambda p: (catalog.fold(p.jurisdiction or ""), -(p.period_start or 0), p.id))
            out.append(LevelGroup(level, LEVEL_LABELS[level], groups))
    return out


def counts(kb: "KnowledgeBase") -> dict[str, int]:
    ix = catalog.index(kb)
    aliases = {k for e in ix.legal.values() for k in e.detail["same_as"]}
    return {"plans": len(ix.plans), "tasks": len(ix.tasks), "units": len(ix.units),
            "legal": sum(1 for e in ix.legal.values() if e.ref.key not in aliases),
            "indicators": len(ix.indicators),
            "missing": sum(1 for e in ix.legal.values() if e.ref.key not in aliases and not e.ref.ingested)}


def recent_documents(kb: "KnowledgeBase", n: int = 10) -> list[dict]:
    """The most recent dated documents: ingested plans and cited documents, newest first."""
    rows: list[dict] = []
    for p in catalog.list_plans(kb, limit=100_000).items:
        if p.date:
            rows.append({"date": p.date, "label": " ".join(x for x in ("Kế hoạch", p.number) if x),
                         "title": p.title, "url": p.url, "kind": "plan", "ingested": True})
    for d in catalog.list_legal(kb, limit=100_000).items:
        if d.date:
            rows.append({"date": d.date, "label": d.label, "title": d.title, "url": d.url, "kind": "legal",
                         "ingested": d.ingested, "issuer": d.issuer})
    rows.sort(key=lambda r: (r["date"], r["label"]), reverse=True)
    return rows[:n]
