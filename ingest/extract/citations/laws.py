"""Laws and codes cited by name ('Luật Cán bộ, công chức năm 2025'): `law_hits` reads the name
word by word to its year.
"""
from __future__ import annotations

import re

from plankb.ingest.extract.citations import patterns as P
from plankb.ingest.extract.citations.hits import Hit, read_date
from plankb.ingest.extract.citations.vocab import known_laws
from plankb.kb.text import fold, squash

_LAW_STOP = {fold(w) for w in (
    "năm số của theo để tại trong đối với về nhằm được đã có này quy hiện liên các những cho khi thì là do "
    "từ đến trên sẽ phải cần gồm như nêu mới hướng hoặc mà nay ngày tháng"
).split()}


_LAW_BREAK_CAPS = {fold(w) for w in "Luật Nghị Quyết Thông Chỉ Kết Kế Điều Khoản Căn Hiến Bộ Chương".split()}


_ABBREV_IN_NAMES = [(re.compile(r"\bVBQPPL\b"), "văn bản quy phạm pháp luật"),
                    (re.compile(r"\bTTHC\b"), "thủ tục hành chính"),
                    (re.compile(r"pháp luật luật\b"), "pháp luật")]


def _law_name_end(mt: str, pos: int) -> int:
    """End of a law name read word by word from pos (just after 'Luật ')."""
    first = P.LAW_FIRST_WORD_RE.match(mt, pos)
    if not first:
        return pos
    end = first.end()
    prev = fold(first.group(0))
    words = 1
    while words < 14:
        w = P.LAW_WORD_RE.match(mt, end)
        if not w:
            break
        word, fw = w.group("word"), fold(w.group("word"))
        if w.group("sep").startswith(","):
            if not (prev == "phong" and fw == "chong") and not P.LAW_COMMA_TO_YEAR_RE.match(mt, end):
                break
        if fw == "va":
            nxt = P.LAW_WORD_RE.match(mt, w.end())
            if (nxt and not nxt.group("sep").startswith(",") and nxt.group("word")[0].isupper()
                    and fold(nxt.group("word")) not in _LAW_BREAK_CAPS):
                end, prev, words = nxt.end(), fold(nxt.group("word")), words + 2
                continue
            break
        if fw in _LAW_STOP or (word[0].isupper() and fw in _LAW_BREAK_CAPS):
            break
        end, prev, words = w.end(), fw, words + 1
    return end


def law_hits(mt: str) -> list[Hit]:
    hits: list[Hit] = []
    for m in P.LAW_HEAD_RE.finditer(mt):
        start = m.start()
        grammar_end = _law_name_end(mt, m.end())
        known = P.LAW_KNOWN_RE.match(mt, start)
        end = max(grammar_end, known.end() if known else 0)
        if end <= m.end():
            continue
        raw = squash(mt[start:end])
        if known and known.end() == end:
            raw = known_laws().get(fold(raw), raw)
        for rx, rep in _ABBREV_IN_NAMES:
            raw = rx.sub(rep, raw)
        raw = known_laws().get(fold(raw), raw)
        t = P.LAW_TAIL_RE.match(mt, end)
        year = None
        if t and t.group("amend"):
            raw += " (sửa đổi)"
        if t and t.group("year"):
            year = int(t.group("year"))
        if t and t.end() > end:
            end = t.end()
        number = symbol = None
        n = P.LAW_NUMBER_RE.match(mt, end)
        if n:
            number, symbol, year, end = n.group("num"), n.group("sym"), int(n.group("year")), n.end()
        date = None
        d = read_date(mt, end)  # "Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025"
        if d and d[0]:
            date, end = d[0], d[2]
            year = year or d[1]
        hits.append(Hit("law", start, end, doc_type="LUAT", name=raw, year=year, number=number, date=date,
                         symbol=symbol, issuer="Quốc hội", issuer_level="national", tail=end))
    return hits
