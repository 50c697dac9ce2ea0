"""WordprocessingML helpers: attribute access and the list labels Word displays.

Public verb: `Numbering(numbering_el, styles_el).label(paragraph)` rebuilds a paragraph's label
("1.", "a)", "II.", "1.2.", "•") from numbering.xml with Word's counter rules.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from plankb.ingest.read.common import format_number

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
# Symbol/Wingdings private-use code points Word uses as bullets.
SYMBOL_BULLETS = {"\uf0b7": "•", "\uf0a7": "▪", "\uf0d8": "➢", "\uf0fc": "✓", "\uf076": "❖",
                   "\uf06e": "■", "\uf0a8": "◦", "\uf02d": "-", "\uf0e8": "➔", "\uf0f0": "⇨"}


def numbering_element(document):  # type: ignore[no-untyped-def]
    """The <w:numbering> element, or None when the document has no numbering part."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT  # python-docx: loaded with the first .docx

    part = document.part
    for rel in part.rels.values():
        if rel.reltype == RT.NUMBERING and not rel.is_external:
            return rel.target_part.element
    return None


def attr(el, name: str = "val") -> str | None:  # type: ignore[no-untyped-def]
    return None if el is None else el.get(W + name)


def int_or(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def is_on(el) -> bool:  # type: ignore[no-untyped-def]
    """A w:ST_OnOff toggle element (<w:vanish/>, <w:isLgl w:val="0"/>)."""
    return el is not None and (attr(el) or "true") not in ("0", "false", "off")


@dataclass(frozen=True)
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = ""
    restart: int | None = None  # w:lvlRestart; None = restart after any shallower level
    is_lgl: bool = False
    pstyle: str | None = None
    hidden: bool = False


def _parse_level(lvl) -> _Level:  # type: ignore[no-untyped-def]
    rpr = lvl.find(W + "rPr")
    restart = lvl.find(W + "lvlRestart")
    return _Level(
        start=int_or(attr(lvl.find(W + "start")), 0),  # an omitted w:start means 0
        fmt=attr(lvl.find(W + "numFmt")) or "decimal",
        text=attr(lvl.find(W + "lvlText")) or "",
        restart=None if restart is None else int_or(attr(restart), 1),
        is_lgl=is_on(lvl.find(W + "isLgl")),
        pstyle=attr(lvl.find(W + "pStyle")),
        hidden=rpr is not None and is_on(rpr.find(W + "vanish")),
    )


class Numbering:
    """Rebuilds the list labels Word displays (numbering.xml + paragraph/style numPr)."""

    def __init__(self, numbering_el, styles_el) -> None:  # type: ignore[no-untyped-def]
        self.abstracts: dict[str, dict[int, _Level]] = {}
        self.style_links: dict[str, str] = {}  # abstractNumId -> w:numStyleLink style id
        self.nums: dict[str, tuple[str, dict[int, _Level], set[int]]] = {}
        self.styles: dict[str, tuple[str | None, str | None, str | None]] = {}  # id -> basedOn, numId, ilvl
        self.default_style: str | None = None
        self.counters: dict[str, dict[int, int]] = {}  # per abstract definition (Word's rule)
        self.seen: set[tuple[str, int]] = set()
        self._resolved: dict[str, tuple[str, dict[int, _Level], set[int]] | None] = {}
        if styles_el is not None:
            for st in styles_el.iter(W + "style"):
                if st.get(W + "type") != "paragraph":
                    continue
                sid = st.get(W + "styleId")
                if sid is None:
                    continue
                numpr = st.find(f"{W}pPr/{W}numPr")
                self.styles[sid] = (
                    attr(st.find(W + "basedOn")),
                    attr(numpr.find(W + "numId")) if numpr is not None else None,
                    attr(numpr.find(W + "ilvl")) if numpr is not None else None,
                )
                if st.get(W + "default") in ("1", "true", "on"):
                    self.default_style = sid
        if numbering_el is None:
            return
        for ab in numbering_el.iter(W + "abstractNum"):
            aid = ab.get(W + "abstractNumId")
            if aid is None:
                continue
            levels = {}
            for lvl in ab.iter(W + "lvl"):
                levels[int_or(lvl.get(W + "ilvl"), 0)] = _parse_level(lvl)
            self.abstracts[aid] = levels
            link = attr(ab.find(W + "numStyleLink"))
            if link:
                self.style_links[aid] = link
        for num in numbering_el.iter(W + "num"):
            nid = num.get(W + "numId")
            aid = attr(num.find(W + "abstractNumId"))
            if nid is None or aid is None:
                continue
            overrides: dict[int, _Level] = {}
            started: set[int] = set()
            for ov in num.iter(W + "lvlOverride"):
                ilvl = int_or(ov.get(W + "ilvl"), 0)
                lvl = ov.find(W + "lvl")
                if lvl is not None:
                    overrides[ilvl] = _parse_level(lvl)
                so = ov.find(W + "startOverride")
                if so is not None:
                    started.add(ilvl)
                    base = overrides.get(ilvl) or self.abstracts.get(aid, {}).get(ilvl) or _Level()
                    overrides[ilvl] = replace(base, start=int_or(attr(so), base.start))
            self.nums[nid] = (aid, overrides, started)

    def _resolve(self, num_id: str, depth: int = 0) -> tuple[str, dict[int, _Level], set[int]] | None:
        """numId -> (abstract id, levels with overrides applied, levels with startOverride)."""
        if num_id in self._resolved:
            return self._resolved[num_id]
        entry = self.nums.get(num_id)
        result = None
        if entry is not None:
            aid, overrides, started = entry
            levels = dict(self.abstracts.get(aid, {}))
            link = self.style_links.get(aid)
            if not levels and link and depth < 4:  # numStyleLink: the style's list holds the levels
                linked_num = self._style_numpr(link)[0]
                linked = self._resolve(linked_num, depth + 1) if linked_num else None
                if linked is not None:
                    aid, levels = linked[0], dict(linked[1])
            levels.update(overrides)
            result = (aid, levels, started)
        self._resolved[num_id] = result
        return result

    def _style_numpr(self, style_id: str | None) -> tuple[str | None, str | None, str | None]:
        """(numId, ilvl, id of the style that set them) following w:basedOn."""
        seen = set()
        while style_id and style_id not in seen and style_id in self.styles:
            seen.add(style_id)
            based_on, num_id, ilvl = self.styles[style_id]
            if num_id is not None or ilvl is not None:
                return num_id, ilvl, style_id
            style_id = based_on
        return None, None, None

    def label(self, p) -> str:  # type: ignore[no-untyped-def]
        """The label Word shows before paragraph `p` ('' if none); advances the counters."""
        ppr = p.find(W + "pPr")
        numpr = ppr.find(W + "numPr") if ppr is not None else None
        p_num = attr(numpr.find(W + "numId")) if numpr is not None else None
        p_lvl = attr(numpr.find(W + "ilvl")) if numpr is not None else None
        style = attr(ppr.find(W + "pStyle")) if ppr is not None else None
        s_num, s_lvl, s_style = self._style_numpr(style or self.default_style)
        num_id = p_num if p_num is not None else s_num
        if num_id is None or num_id == "0":
            return ""
        resolved = self._resolve(num_id)
        if resolved is None:
            return ""
        aid, levels, started = resolved
        if p_lvl is not None:
            ilvl = int_or(p_lvl, 0)
        elif s_lvl is not None:
            ilvl = int_or(s_lvl, 0)
        else:
            linked = [i for i, lv in levels.items() if lv.pstyle and lv.pstyle in (style, s_style)]
            ilvl = linked[0] if linked else 0
        lvl = levels.get(ilvl)
        if lvl is None:
            return ""
        counter = self.counters.setdefault(aid, {})
        first_use = (num_id, ilvl) not in self.seen
        self.seen.add((num_id, ilvl))
        if first_use and ilvl in started:
            counter[ilvl] = lvl.start
        elif ilvl in counter:
            counter[ilvl] += 1
        else:
            counter[ilvl] = lvl.start
        for deeper in [k for k in counter if k > ilvl]:
            restart = levels[deeper].restart if deeper in levels else None
            if restart is None or (restart > 0 and ilvl <= restart - 1):
                del counter[deeper]
        if lvl.hidden:
            return ""
        # Bullets in Symbol/Wingdings fonts are private-use code points: show a real bullet.
        text = "".join(SYMBOL_BULLETS.get(c, "•" if "\uf000" <= c <= "\uf0ff" else c) for c in lvl.text)

        def number(m: re.Match[str]) -> str:
            j = int(m.group(1)) - 1
            lj = levels.get(j)
            if lj is None:
                return ""
            fmt = "decimal" if lvl.is_lgl and lj.fmt not in ("bullet", "none") else lj.fmt
            return format_number(counter.get(j, lj.start), fmt)

        return re.sub(r"%([1-9])", number, text).strip()
