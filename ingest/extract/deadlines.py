"""Deadlines: keep the wording, add a date interval or a recurrence where the wording allows.

"Quý I/2026" -> 2026-01-01..2026-03-31; "Tháng 02/2026" -> 2026-02-01..2026-02-28;
"Chậm nhất tháng 9/2026" -> end 2026-09-30; "Từ tháng 3/2026 đến tháng 12/2026" -> 2026-03-01..2026-12-31;
"trước ngày 05/12/2026" -> end 2026-12-05; "Theo Kế hoạch của Thành phố (dự kiến quý I/2026)" ->
end 2026-03-31; "Định kỳ tháng cuối quý" -> recurrence quarterly; "Ngay sau công bố kết quả…" -> text only.
"""
from __future__ import annotations

import calendar
from datetime import date

from plankb.ingest.extract import patterns as P
from plankb.kb.models import Deadline
from plankb.kb.text import squash

_ROMAN_Q = {"I": 1, "II": 2, "III": 3, "IV": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def _month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def _valid(y: int, m: int, d: int = 1) -> bool:
    try:
        date(y, m, d)
        return True
    except ValueError:
        return False


def parse_deadline(text: str | None) -> Deadline | None:
    """Deadline from its wording; None for empty wording."""
    if not text or not text.strip():
        return None
    t = squash(text)
    start = end = None
    if m := P.MONTH_RANGE_RE.search(t):
        y1, m1, y2, m2 = int(m["y1"]), int(m["m1"]), int(m["y2"]), int(m["m2"])
        if _valid(y1, m1) and _valid(y2, m2):
            start, end = date(y1, m1, 1), _month_end(y2, m2)
    else:
        hits = []
        for m in P.DAY_RE.finditer(t):
            y, mo, d = int(m["year"]), int(m["month"]), int(m["day"])
            if _valid(y, mo, d):
                hits.append((m.start(), date(y, mo, d), date(y, mo, d)))
        for m in P.MONTH_RE.finditer(t):
            y, mo = int(m["year"]), int(m["month"])
            if _valid(y, mo) and not any(h[0] <= m.start() < h[0] + 20 for h in hits):
                hits.append((m.start(), date(y, mo, 1), _month_end(y, mo)))
        for m in P.QUARTER_RE.finditer(t):
            q, y = _ROMAN_Q[m["q"].upper()], int(m["year"])
            hits.append((m.start(), date(y, 3 * q - 2, 1), _month_end(y, 3 * q)))
        if hits:
            hits.sort()
            _, s, e = hits[0]
            start, end = s, e
            if P.DEADLINE_BY_RE.search(t[: hits[0][0]]) or "dự kiến" in t.lower():
                start = None  # "chậm nhất / trước / dự kiến": only the end is known
    recurrence = None
    for name, rx in P.RECURRENCE_RES.items():
        if rx.search(t):
            recurrence = name
            break
    return Deadline(text=t, start=start, end=end, recurrence=recurrence)
