"""Tasks from prose (items under the task sections) and from appendix tables.

Task part of a plan = the top-level sections whose heading names tasks or solutions
("II. NHIỆM VỤ TRỌNG TÂM", "2. NHIỆM VỤ, GIẢI PHÁP", "III. GIẢI PHÁP THỰC HIỆN",
"II. CHỈ TIÊU KẾT QUẢ … VÀ NHÓM NHIỆM VỤ, GIẢI PHÁP TRỌNG TÂM"). Inside it, numbered sections are
area containers ("1. Cải cách thể chế"); their "Chỉ tiêu…" subsections hold indicators and their
"Cơ quan thực hiện" subsections hold assignments, not tasks. Every lettered item, bullet and
paragraph below is a task, nested as printed; a numbered section with no items is itself a task.
"""
from __future__ import annotations

import re

from plankb.ingest.extract.areas import classify_area, heading_area
from plankb.ingest.extract.deadlines import parse_deadline
from plankb.ingest.extract.units import (
    ASSIGNMENT_SECTION_RE,
    AreaAssignment,
    UnitRegistry,
    find_units,
    fold_keep_length,
)
from plankb.kb.models import Section, Span, Task
from plankb.kb.text import fold, squash

# "II. NHIỆM VỤ TRỌNG TÂM", "2. NHIỆM VỤ, GIẢI PHÁP", "III. GIẢI PHÁP THỰC HIỆN", "II. NỘI DUNG, MỤC TIÊU, NHIỆM VỤ"
TASK_PART_RE = re.compile(r"nhiem vu|giai phap")
# "1.1. Chỉ tiêu kết quả cần đạt được"
INDICATOR_SECTION_RE = re.compile(r"^chi tieu")
# "(Kèm theo Danh mục nhiệm vụ tại Phụ lục II)", "(Có Phụ lục chi tiết …)"
NOTE_RE = re.compile(r"^\(.*\)\.?$")
# table header cells, folded: "TT", "Nhiệm vụ", "Nội dung/ sản phẩm", "Lãnh đạo UBND phường chủ trì",
# "Cơ quan, đơn vị chủ trì", "Cơ quan, đơn vị phối hợp", "Thời gian hoàn thành"
COLUMN_RES: list[tuple[str, re.Pattern[str]]] = [
    ("index", re.compile(r"^(?:s?tt|so tt|so thu tu)$")),
    ("leader", re.compile(r"lanh dao")),
    ("product", re.compile(r"san pham|ket qua")),
    ("support", re.compile(r"phoi hop")),
    ("lead", re.compile(r"chu tri")),
    ("deadline", re.compile(r"thoi gian|thoi han|tien do|hoan thanh")),
    ("task", re.compile(r"nhiem vu|noi dung|ten")),
]
ROMAN_CELL_RE = re.compile(r"^[IVX]{1,5}$")


def task_part(sections: list[Section]) -> list[Section]:
    return [s for s in sections if TASK_PART_RE.search(fold(s.heading)) and s.kind in ("roman", "number")]


def _id_path(path: str) -> str:
    return path.replace("đ", "dd").replace("(", "_").replace(")", "")


def section_area(sec: Section, inherited: str | None) -> str | None:
    return heading_area(sec.heading) or inherited


class TaskBuilder:
    def __init__(self, plan_id: str, text: str, cleaned: str, folded: str, registry: UnitRegistry, roles: AreaAssignment):
        self.plan_id, self.text, self.cleaned, self.folded = plan_id, text, cleaned, folded
        self.registry, self.roles = registry, roles
        self.tasks: list[Task] = []

    def _units_for(self, area: str) -> tuple[list[str], list[str]]:
        return list(self.roles.lead.get(area, [])), list(self.roles.support.get(area, []))

    def add_prose(self, sec: Section, area: str, parent: Task | None) -> Task | None:
        text = sec.heading
        if not text or NOTE_RE.match(text) or len(text.split()) < 3:
            return None
        lead, support = self._units_for(area)
        task = Task(
            id=f"{self.plan_id}.{_id_path(sec.path)}",
            path=sec.path,
            text=text,
            area=area,  # type: ignore[arg-type]
            origin="prose",
            parent_id=parent.id if parent else None,
            lead_units=lead,
            support_units=support,
            span=Span(start=sec.span.start, end=sec.body_end if sec.kind != "number" else sec.span.end),
        )
        self.tasks.append(task)
        return task

    def walk_items(self, sec: Section, area: str, parent: Task | None) -> None:
        for child in sec.children:
            if child.kind in ("letter", "bullet", "paragraph"):
                t = self.add_prose(child, area, parent)
                self.walk_items(child, area, t or parent)
            elif child.kind == "number":
                self.walk_container(child, area)

    def walk_container(self, sec: Section, inherited: str | None) -> None:
        h = fold_keep_length(sec.heading)
        if INDICATOR_SECTION_RE.search(h.strip()) or ASSIGNMENT_SECTION_RE.search(h):
            return
        area = heading_area(sec.heading) or (classify_area(sec.heading) if inherited is None else inherited) or "direction"
        has_items = any(c.kind in ("letter", "bullet", "paragraph", "number") for c in sec.children)
        if not has_items and sec.kind == "number" and len(sec.heading.split()) >= 12:
            self.add_prose(sec, area, None)  # "6. Đẩy mạnh ứng dụng khoa học và công nghệ … ;" (no items)
            return
        self.walk_items(sec, area, None)

    def add_table(self, table, group_area_default: str = "direction") -> None:
        """Tasks from an appendix table with a header row naming its columns."""
        rows = table.rows
        header_i, cols = None, {}
        for i, row in enumerate(rows[:5]):
            found = {}
            for j, (cell, _) in enumerate(row):
                f = fold(cell)
                for name, rx in COLUMN_RES:
                    if rx.search(f) and name not in found:
                        found[name] = j
                        break
            if "task" in found and ("lead" in found or "deadline" in found):
                header_i, cols = i, found
                break
        if header_i is None:
            return
        area, group = group_area_default, "I"
        current: dict | None = None
        merged: list[dict] = []
        for i in range(header_i + 1, len(rows)):
            row = rows[i]
            cells = [c for c, _ in row]
            get = lambda name: cells[cols[name]] if name in cols and cols[name] < len(cells) else ""  # noqa: E731
            idx = get("index").strip()
            if re.fullmatch(r"\d{1,2}", idx) and all(re.fullmatch(r"\d{1,2}", c.strip() or "0") for c in cells[:4] if c.strip()) and idx == "1" and get("task").strip() == "2":
                continue  # the column-number row "1 2 3 4 5 6 7"
            if ROMAN_CELL_RE.match(idx):
                group = idx
                area = heading_area(get("task")) or classify_area(get("task"), default=area) or area
                current = None
                continue
            if re.fullmatch(r"\d{1,3}", idx):
                current = {"index": idx, "group": group, "area": area, "cells": {k: [get(k)] for k in cols}, "spans": [table.row_spans[i]], "subrows": []}
                merged.append(current)
                continue
            if current is None:
                continue
            filled = [k for k in ("lead", "support", "deadline") if get(k).strip()]
            if not get("task").strip() and not get("leader").strip() and len(filled) >= 2:
                current["subrows"].append({k: get(k) for k in cols})  # one row with two sub-rows
            else:
                for k in cols:  # a row split by a page break: append the fragments
                    if get(k).strip():
                        current["cells"][k].append(get(k))
            current["spans"].append(table.row_spans[i])
        for r in merged:
            c = {k: squash(" ".join(v)) for k, v in r["cells"].items()}
            span = Span(start=r["spans"][0].start, end=r["spans"][-1].end)
            lead = self._table_units(c.get("lead", ""), span, "lead", r["area"])
            support = self._table_units(c.get("support", ""), span, "support", r["area"])
            deadline_text = c.get("deadline", "")
            for sub in r["subrows"]:
                lead += [u for u in self._table_units(sub.get("lead", ""), span, "lead", r["area"]) if u not in lead]
                support += [u for u in self._table_units(sub.get("support", ""), span, "support", r["area"]) if u not in support]
                if sub.get("deadline"):
                    deadline_text = f"{deadline_text}; {squash(sub['deadline'])}" if deadline_text else squash(sub["deadline"])
            products = [squash(p) for p in re.split(r"(?:^|\s)-\s+|,\s(?=[A-ZĐ])|/(?=[A-ZĐ])", c.get("product", "")) if p and p.strip()]
            path = f"PL.{r['group']}.{r['index']}"
            self.tasks.append(
                Task(
                    id=f"{self.plan_id}.{_id_path(path)}",
                    path=path,
                    text=c.get("task", ""),
                    area=r["area"],
                    origin="table",
                    lead_units=lead,
                    support_units=support,
                    leader=c.get("leader") or None,
                    products=products,
                    deadline=parse_deadline(deadline_text),
                    span=span,
                )
            )

    def _table_units(self, cell: str, span: Span, role: str, area: str) -> list[str]:
        """Canonical names of the units in a table cell (searched inside the row's source span)."""
        if not cell.strip():
            return []
        names = []
        # find the cell text inside the row span so mentions keep their offsets
        for s, e in _cell_spans(self.cleaned, span, cell):
            for u in find_units(self.text, self.folded, s, e, self.registry):
                self.registry.role(u, role, area)  # type: ignore[arg-type]
                if u.name not in names:
                    names.append(u.name)
        if not names:
            names.append(squash(cell))  # an unknown unit keeps its printed name
        return names


def _cell_spans(cleaned: str, span: Span, cell: str):
    """Spans of the fragments of `cell` inside the row span (cells may be split by page breaks)."""
    region = cleaned[span.start : span.end]
    out = []
    for frag in re.split(r"\s{2,}", cell):
        frag = frag.strip()
        if not frag:
            continue
        i = region.find(frag)
        if i == -1:
            words = frag.split()
            i = region.find(" ".join(words[:3])) if words else -1
            if i == -1:
                continue
        out.append((span.start + i, span.start + i + len(frag)))
    if not out:
        out.append((span.start, span.end))
    return out


def extract_tasks(plan_id, text, cleaned, folded, seg, registry, roles) -> list[Task]:
    """All tasks of a plan: prose items under the task sections, then appendix table rows."""
    b = TaskBuilder(plan_id, text, cleaned, folded, registry, roles)
    for part in task_part(seg.sections):
        numbered = [c for c in part.children if c.kind == "number"]
        for child in part.children:
            if child.kind == "number":
                b.walk_container(child, None)
            elif child.kind in ("letter", "bullet", "paragraph") and not numbered:
                # an overview paragraph naming several areas is not a task ("tập trung vào 6 nội dung…")
                if len({heading_area(p) for p in re.split(r"[;:]", child.heading) if heading_area(p)}) >= 3:
                    continue
                area = classify_area(child.heading, default="direction") or "direction"
                t = b.add_prose(child, area, None)
                b.walk_items(child, area, t)
    for table in seg.tables:
        b.add_table(table)
    return b.tasks
