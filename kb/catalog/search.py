"""Full-text search over the catalog: `search(kb, q, kinds=, limit=, offset=)`, the main entry point.

Plans, tasks, units, legal documents and indicators become search documents (`_search_docs`),
indexed by their folded words (`_SearchIndex`, built once per catalog index; `warm` builds it now).
"""
from __future__ import annotations

import bisect
import re
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from plankb.kb.catalog.index import _Index, index
from plankb.kb.catalog.query import Query
from plankb.kb.catalog.schemas import KINDS, Listing, SearchHit
from plankb.kb.text import fold

if TYPE_CHECKING:
    from plankb.kb.store import KnowledgeBase

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
