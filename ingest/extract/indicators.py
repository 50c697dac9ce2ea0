"""Indicators: every quantified target in the plan's target sections and task items.

"Tỷ lệ cấp kết quả giải quyết thủ tục hành chính điện tử đạt 100%" -> subject 'Tỷ lệ cấp kết quả
giải quyết thủ tục hành chính điện tử', value 100, unit '%', comparator '='. A sentence with two
targets ("… đạt tối thiểu 95%, trong đó, … đạt tối thiểu 90%") yields two indicators. The period
comes from the enclosing "Giai đoạn 2026 - 2027:" item, else from the plan.
"""
from __future__ import annotations

import re

from plankb.ingest.extract import patterns as P
from plankb.ingest.extract.areas import classify_area
from plankb.kb.models import Indicator, Period, Section, Span
from plankb.kb.text import fold, squash

# Clause boundaries inside an item: sentence ends, semicolons, ", trong đó," and "Riêng …".
CLAUSE_BOUNDARY_RE = re.compile(r"[.;](?=\s|$)|,\s*trong đó,?|\.\s*Riêng\b|:\s")
CMP_WORDS = {
    "tối thiểu": ">=", "ít nhất": ">=", "không dưới": ">=", "không thấp hơn": ">=", "từ": ">=",
    "trên": ">", "tối đa": "<=", "không quá": "<=", "dưới": "<",
}
REDUCE_RE = re.compile(r"(?i)(?:cắt giảm|giảm)(?:\s+(?:tối thiểu|ít nhất))?\s*$")
# (`(?<!\s)`: a match starts where a run of spaces starts; without it `sub` rescans the rest of
# a long run from every space in it, quadratic time)
LEAD_VERB_RE = re.compile(r"(?i)(?<!\s)\s*(?:đạt|đạt được|phấn đấu|bảo đảm|đảm bảo|phần đầu|phân đầu)\s*$")


def _targets(sentence: str):
    """(start, end, value, unit, comparator) for each target in the sentence."""
    found = []
    for m in P.PERCENT_RE.finditer(sentence):
        found.append((m.start(), m.end(), float(m["value"].replace(",", ".")), "%"))
    for m in P.LEVEL_TARGET_RE.finditer(sentence):
        found.append((m.start(), m.end(), float(m["value"]), "cấp độ"))
    for m in P.COUNT_TARGET_RE.finditer(sentence):
        found.append((m.start("value"), m.end(), float(m["value"]), m["unit"].lower()))
    for m in P.TOP_TARGET_RE.finditer(sentence):
        found.append((m.start(), m.end(), float(m["value"]), "top"))
    found.sort()
    out = []
    for s, e, v, unit in found:
        before = sentence[max(0, s - 30) : s]
        cmp = "="
        if unit == "top":
            cmp = "<="
        elif REDUCE_RE.search(before):
            cmp = "reduce_by"
        else:
            cm = P.COMPARATOR_BEFORE_RE.search(before)
            if cm:
                cmp = CMP_WORDS.get(cm["cmp"].lower(), "=")
            elif re.search(r"(?i)^\s*trở lên", sentence[e : e + 12]):
                cmp = ">="
            if unit in ("cuộc", "lần", "lớp", "hội nghị", "đợt", "buổi"):
                cmp = ">="
        # widen the surface to include the comparator words ("tối thiểu 95%")
        cm2 = re.search(r"(?i)(?:tối thiểu|ít nhất|không dưới|trên|tối đa|không quá|từ)\s*$", before)
        ss = s - (len(before) - cm2.start()) if cm2 and unit != "top" else s
        out.append((ss, e, v, unit, cmp))
    return out


def _subject(sentence: str, cstart: int, cend: int, s: int, e: int) -> str | None:
    """Subject of a target: the clause text around the value, minus value and verbs."""
    before = sentence[cstart:s]
    after = sentence[e:cend]
    before = LEAD_VERB_RE.sub("", before)
    before = re.sub(r"(?i)(?:tối thiểu|ít nhất|không dưới|trên|tối đa|không quá|từ)\s*$", "", before)
    before = LEAD_VERB_RE.sub("", before)
    b, a = squash(before).strip(" ,-+:"), squash(after).strip(" ,-+:.")
    a = re.sub(r"(?i)^trở lên\b", "", a).strip(" ,")
    subj = b if len(b.split()) >= 3 else (f"{b} {a}".strip() if b else a)
    subj = re.sub(r"^(?:Phấn đấu|Phần đầu|Phân đầu|Bảo đảm|Đảm bảo|Thực hiện|Hoàn thành)\s+", "", subj)
    return subj[:300] or None


def _clauses(sentence: str):
    pos = 0
    for m in CLAUSE_BOUNDARY_RE.finditer(sentence):
        yield pos, m.start()
        pos = m.end()
    yield pos, len(sentence)


# Targets read from one item at most. A plan's item states a handful; a line of thousands of
# "95%" is not a plan, and every indicator carries its whole item text (`sentence`), so without a
# cap such a line costs quadratic time and memory.
MAX_TARGETS_PER_ITEM = 50


def extract_indicators(plan_id: str, cleaned: str, items: list[tuple[Section, str | None, Period | None]]) -> list[Indicator]:
    """Indicators from (section item, area, period) triples; the item text is its source line(s)."""
    out: list[Indicator] = []
    seen: set[tuple[int, int]] = set()
    for sec, area, period in items:
        start = sec.span.start
        end = sec.body_end if sec.kind in ("bullet", "paragraph", "letter") else sec.span.end
        if sec.children:
            end = min(end, sec.children[0].span.start - 1) if sec.kind != "number" else sec.span.end
        sentence = cleaned[start:end]
        squashed: str | None = None  # squash(sentence) and its area, computed once per item
        item_area = area
        taken = 0
        for cs, ce in _clauses(sentence):
            if taken >= MAX_TARGETS_PER_ITEM:
                break
            for s, e, v, unit, cmp in _targets(sentence[cs:ce]):
                s, e = s + cs, e + cs
                key = (start + s, start + e)
                if key in seen:
                    continue
                if taken >= MAX_TARGETS_PER_ITEM:
                    break
                taken += 1
                seen.add(key)
                if squashed is None:
                    squashed = squash(sentence)
                    item_area = area or classify_area(sentence)
                subject = _subject(sentence, cs, ce, s if cmp == "=" else s, e)
                out.append(
                    Indicator(
                        id=f"{plan_id}.ind{len(out) + 1}",
                        subject=subject,
                        value=v,
                        unit=unit,
                        comparator=cmp,
                        period=period,
                        area=item_area,  # type: ignore[arg-type]
                        surface=cleaned[start + s : start + e],
                        sentence=squashed,
                        span=Span(start=start + s, end=start + e),
                    )
                )
    return out


def stage_period(heading: str) -> Period | None:
    """'Giai đoạn 2026 - 2027:' -> Period(2026, 2027)."""
    m = P.STAGE_RE.search(heading.strip())
    if m:
        return Period(start=int(m["start"]), end=int(m["end"]))
    return None


def is_target_section(heading: str) -> bool:
    """'2. Một số chỉ tiêu cụ thể', '1.1. Chỉ tiêu kết quả cần đạt được', 'Một số chỉ tiêu chủ yếu'."""
    return bool(re.search(r"chi tieu", fold(heading)))
