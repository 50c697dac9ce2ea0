"""kb.catalog.search through its inverted index: the same hits, scores and order as a scan of
every document (the previous implementation), for whole words, word prefixes, diacritics in
either tone-mark style, several kinds and pages; and the index follows writes."""
from __future__ import annotations

from pathlib import Path

import pytest

from plankb.kb import catalog
from plankb.kb.catalog import KINDS, _KIND_WEIGHT, Query, SearchHit, _search_docs
from plankb.kb.store import KnowledgeBase
from plankb.ingest.load import ingest_paths

SEEDS_DIR = Path(__file__).resolve().parent.parent / "examples" / "seeds"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    kb = KnowledgeBase.in_memory()
    summary = ingest_paths(kb, [SEEDS_DIR], progress=False, validate=False)
    assert not summary.failed, summary.errors
    return kb


def scan(kb, q: str, kinds=None, limit: int = 20, offset: int = 0) -> tuple[list[SearchHit], int]:
    """Every document scored in turn: what `search` did before it had an index."""
    query = Query.parse(q)
    want = set(kinds or KINDS)
    scored = []
    for d in _search_docs(catalog.index(kb)):
        if d.kind not in want:
            continue
        score = query.score(d.folded, d.text)
        if score <= 0:
            continue
        if d.name_folded and query.matches_all(d.name_folded):
            score += 1.0
        scored.append((round(score * _KIND_WEIGHT[d.kind], 4), d))
    scored.sort(key=lambda sd: (-sd[0], KINDS.index(sd[1].kind), sd[1].id))
    return [SearchHit(kind=d.kind, id=d.id, label=d.label, snippet=query.snippet(d.text), score=s, plan_id=d.plan_id)
            for s, d in scored[offset:offset + limit]], len(scored)


QUERIES = ["hành chính công", "hanh chinh cong", "Văn hoá", "van hoa", "văn hóa xã hội", "chuyển đổi số",
           "chuyen doi", "cải cách", "một cửa", "h", "ph", "thủ tục", "Thuỷ", "thủy", "76/NQ-CP", "nq 76",
           "kế hoạch 2026", "UBND", "ủy ban", "uỷ ban", "dịch vụ công trực tuyến", "x", "zzz", "2030", "chỉ số"]


@pytest.mark.parametrize("q", QUERIES)
def test_index_gives_what_a_scan_gives(kb, q):
    for kinds in (None, ["task"], ["plan", "legal", "unit"], ["indicator"]):
        for offset, limit in ((0, 20), (5, 7), (0, 1000)):
            got = catalog.search(kb, q, kinds=kinds, limit=limit, offset=offset)
            want, total = scan(kb, q, kinds, limit, offset)
            assert got.total == total, (q, kinds)
            assert got.items == want, (q, kinds, offset)


def test_common_words_find_many_and_diacritics_do_not_matter(kb):
    a = catalog.search(kb, "hanh chinh", limit=5)
    b = catalog.search(kb, "hành chính", limit=5)
    assert a.total == b.total > 10
    assert catalog.search(kb, "Văn hoá").total == catalog.search(kb, "văn hóa").total > 0


def test_search_index_follows_writes(kb):
    before = catalog.search(kb, "bulk").total
    ix = catalog.index(kb)
    kb.mark_changed()  # any write: the catalog (and its search index) is rebuilt
    assert catalog.index(kb) is not ix
    assert catalog.search(kb, "bulk").total == before
