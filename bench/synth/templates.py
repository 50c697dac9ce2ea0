"""The text templates of the synthetic corpus (bench/synth/data/, see its README), parsed once.

Main entry point: `data()`, every template pool, document and unit table as one dict.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass
class Line:
    """One template line: level tags ('' = all), marker ('*', '=', '-', '@', '@!'), text."""

    levels: str
    marker: str
    text: str
    children: list["Line"] = field(default_factory=list)

    def allowed(self, level: str) -> bool:
        return not self.levels or level[0].upper() in self.levels


_LINE_RE = re.compile(r"^(?P<indent>\s*)(?:(?P<tags>[NPC]{1,3})(?=[:*=\-]))?:?\s*(?P<marker>@!|[*=\-@])?\s*(?P<text>.*)$")


def _parse_pools(name: str) -> dict[str, list[Line]]:
    """A template file -> {section: [Line]}; indented '-' lines become children of the last '='
    line; '@' headings ('@ area | heading') collect the '-' lines that follow them; '#' lines are comments."""
    pools: dict[str, list[Line]] = {}
    current: list[Line] | None = None
    for raw in (DATA_DIR / name).read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        if m := re.match(r"^\[(\w+)\]\s*$", raw):
            current = pools.setdefault(m.group(1), [])
            continue
        m = _LINE_RE.match(raw)
        assert m, raw
        marker, text = m.group("marker") or "", m.group("text").strip()
        line = Line(m.group("tags") or "", marker, text)
        if marker in ("@", "@!"):
            current = pools.setdefault("_headings", [])
            current.append(line)
            continue
        if current is None:
            continue
        if m.group("indent") and current and current[-1].marker == "=" or current and current[-1].marker in ("@", "@!") and marker == "-":
            current[-1].children.append(line)
        else:
            current.append(line)
    return pools


@lru_cache(maxsize=1)
def data() -> dict[str, Any]:
    """All template data, parsed once."""
    docs = json.loads((DATA_DIR / "documents.json").read_text(encoding="utf-8"))
    units = json.loads((DATA_DIR / "units.json").read_text(encoding="utf-8"))
    names = {k: v[0].text.split() for k, v in _parse_pools("names.txt").items()}
    deadlines = []
    for raw in (DATA_DIR / "deadlines.txt").read_text(encoding="utf-8").splitlines():
        if raw.strip() and not raw.startswith("#"):
            text, _, w = raw.partition(" ~ ")
            deadlines.append((text.strip(), int(w or 1)))
    solutions = []
    for h in _parse_pools("solutions.txt").get("_headings", []):
        area, _, heading = h.text.partition("|")
        solutions.append((area.strip(), heading.strip(), [c.text for c in h.children], h.marker == "@!"))
    return {
        "prose": _parse_pools("tasks_prose.txt"),
        "table": _parse_pools("tasks_table.txt"),
        "indicators": _parse_pools("indicators.txt"),
        "boiler": _parse_pools("boilerplate.txt"),
        "solutions": solutions,
        "deadlines": deadlines,
        "documents": docs["documents"],
        "laws": docs["laws"],
        "units": units,
        "names": names,
    }
