"""Colours, shapes and Vietnamese legend labels for the knowledge-base graph.

Plain data (frozen dataclasses in dicts) so the web app, the legend and the
tests all read the same table. Node kinds and edge relations follow the
`kb.query.graph` convention; anything unknown falls back to a neutral grey style
instead of failing.

>>> NODE_KINDS["task"].label
'Nhiệm vụ'
>>> EDGE_RELATIONS["lead"].label
'chủ trì'
>>> level_rank("national") < level_rank("province") < level_rank("commune")
True
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NodeStyle:
    label: str  # Vietnamese legend label
    color: str  # fill colour
    border: str  # border colour
    shape: str  # vis-network shape
    rank: int  # order inside one administrative level (top to bottom)
    size: int = 16


@dataclass(frozen=True)
class LevelStyle:
    label: str
    rank: int  # 0 = top of a hierarchical layout
    border: str


@dataclass(frozen=True)
class EdgeStyle:
    label: str
    color: str
    dashes: bool = False
    width: float = 1.5
    arrows: str = "to"


NODE_KINDS: dict[str, NodeStyle] = {
    "legal_document": NodeStyle("Văn bản pháp lý", "#f4a261", "#b5651d", "box", 0),
    "plan": NodeStyle("Kế hoạch", "#4c78a8", "#2b4a6f", "box", 1),
    "area": NodeStyle("Lĩnh vực", "#b279a2", "#7a4d6e", "hexagon", 2),
    "task": NodeStyle("Nhiệm vụ", "#54a24b", "#2f6b29", "dot", 3, 12),
    "indicator": NodeStyle("Chỉ tiêu", "#eeca3b", "#a88a12", "diamond", 4, 12),
    "unit": NodeStyle("Đơn vị", "#e45756", "#9c2f2e", "ellipse", 5),
    "jurisdiction": NodeStyle("Địa bàn", "#72b7b2", "#3f7f7a", "triangle", 6),
}
OTHER_KIND = NodeStyle("Khác", "#bab0ac", "#6f6764", "dot", 7, 10)

LEVELS: dict[str | None, LevelStyle] = {
    "national": LevelStyle("Trung ương", 0, "#1d3557"),
    "province": LevelStyle("Tỉnh / thành phố", 1, "#457b9d"),
    "commune": LevelStyle("Xã / phường / đặc khu", 2, "#a8dadc"),
    None: LevelStyle("Không xác định cấp", 3, "#999999"),
}

EDGE_RELATIONS: dict[str, EdgeStyle] = {
    "based_on": EdgeStyle("căn cứ", "#b5651d", width=2.5),
    "cites": EdgeStyle("trích dẫn", "#c9a27e", dashes=True),
    "parent_plan": EdgeStyle("kế hoạch cấp trên", "#2b4a6f", width=3),
    "adopts": EdgeStyle("ban hành", "#4c78a8", width=2),
    "resolves_to": EdgeStyle("chính là", "#4c78a8", dashes=True, width=2),
    "part_of": EdgeStyle("thuộc", "#7f9cb8"),
    "lead": EdgeStyle("chủ trì", "#9c2f2e", width=2),
    "support": EdgeStyle("phối hợp", "#e8a0a0", dashes=True),
    "parent_task": EdgeStyle("nhiệm vụ cấp trên", "#2f6b29", width=2),
    "implements": EdgeStyle("thực hiện nhiệm vụ cấp trên", "#2f6b29", width=2.5),
    "counterpart": EdgeStyle("đơn vị tương ứng", "#9c2f2e", dashes=True, width=1.5),
    "in_jurisdiction": EdgeStyle("thuộc địa bàn", "#72b7b2", dashes=True, width=1),
    "measures": EdgeStyle("đo lường", "#a88a12", dashes=True),
    "area": EdgeStyle("lĩnh vực", "#b279a2", dashes=True, width=1),
}
OTHER_RELATION = EdgeStyle("liên quan", "#bbbbbb", dashes=True, width=1)


def node_kind_style(kind: str | None) -> NodeStyle:
    """Style for a node kind; unknown kinds get the grey 'Khác' style."""
    return NODE_KINDS.get(kind or "", OTHER_KIND)


def level_style(level: str | None) -> LevelStyle:
    """Style for an administrative level; unknown levels count as None."""
    return LEVELS.get(level, LEVELS[None])


def level_rank(level: str | None) -> int:
    """0 for national, 1 province, 2 commune, 3 for unknown/None."""
    return level_style(level).rank


def edge_style(relation: str | None) -> EdgeStyle:
    """Style for an edge relation; unknown relations get 'liên quan'."""
    return EDGE_RELATIONS.get(relation or "", OTHER_RELATION)


def vis_node_options(kind: str | None, level: str | None) -> dict:
    """vis-network node options (colour, shape, border) for one kind/level."""
    ks = node_kind_style(kind)
    ls = level_style(level)
    return {
        "shape": ks.shape,
        "size": ks.size,
        "color": {
            "background": ks.color,
            "border": ls.border if level in LEVELS and level is not None else ks.border,
            "highlight": {"background": ks.color, "border": "#000000"},
            "hover": {"background": ks.color, "border": "#000000"},
        },
        "borderWidth": 2 if level == "national" else 1.5,
    }


def vis_edge_options(relation: str | None, *, with_label: bool = True) -> dict:
    """vis-network edge options for one relation (label shown when with_label)."""
    es = edge_style(relation)
    opts: dict = {"color": {"color": es.color}, "width": es.width, "title": es.label}
    if es.dashes:
        opts["dashes"] = True
    if es.arrows != "to":  # "to" is the page-wide default
        opts["arrows"] = es.arrows
    if with_label:
        opts["label"] = es.label
    return opts


def legend_items(kinds: set[str] | None = None, relations: set[str] | None = None) -> dict:
    """Legend entries (Vietnamese) for the kinds / relations present, in table order.

    Returns {"kinds": [...], "levels": [...], "relations": [...]}, each entry a dict
    with `key`, `label` and style fields. `None` means "everything".
    """
    kind_rows = [
        {"key": k, "label": s.label, "color": s.color, "border": s.border, "shape": s.shape}
        for k, s in NODE_KINDS.items()
        if kinds is None or k in kinds
    ]
    if kinds is not None and any(k not in NODE_KINDS for k in kinds):
        s = OTHER_KIND
        kind_rows.append({"key": "other", "label": s.label, "color": s.color, "border": s.border, "shape": s.shape})
    level_rows = [
        {"key": k, "label": s.label, "border": s.border, "rank": s.rank}
        for k, s in LEVELS.items()
        if k is not None
    ]
    rel_rows = [
        {"key": r, "label": s.label, "color": s.color, "dashes": s.dashes}
        for r, s in EDGE_RELATIONS.items()
        if relations is None or r in relations
    ]
    if relations is not None and any(r not in EDGE_RELATIONS for r in relations):
        s = OTHER_RELATION
        rel_rows.append({"key": "other", "label": s.label, "color": s.color, "dashes": s.dashes})
    return {"kinds": kind_rows, "levels": level_rows, "relations": rel_rows}
