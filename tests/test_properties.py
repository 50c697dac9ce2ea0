"""Property-based tests (hypothesis) of the readers, the extractors and the SPARQL analyser.

The one rule for bad input: `kb.errors.InputError` or a result, never another exception. And the
invariants the rest of the system relies on: offsets are kept (cleaning, folding, tone
canonicalisation keep the length), spans index the text they came from, text is NFC, and the
linear-time SPARQL tokenizer lexes exactly like the plain regex scan it replaced.

Examples per test: PLANKB_HYPOTHESIS_EXAMPLES (default 60; scripts/stress.sh uses more).
"""
from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from plankb.kb.errors import InputError

EXAMPLES = int(os.environ.get("PLANKB_HYPOTHESIS_EXAMPLES", "60"))
PROFILE = settings(max_examples=EXAMPLES, deadline=None, database=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# Pieces of real plans, so that generated texts reach the extractors' deeper branches.
PIECES = [
    "ỦY BAN NHÂN DÂN\n", "PHƯỜNG BA ĐÌNH\n", "Số: 12/KH-UBND\n", "Ba Đình, ngày 12 tháng 3 năm 2026\n",
    "KẾ HOẠCH\n", "Cải cách hành chính năm 2026\n", "Căn cứ Nghị quyết số 76/NQ-CP ngày 15/7/2021 của Chính phủ;\n",
    "I. MỤC ĐÍCH, YÊU CẦU\n", "II. NHIỆM VỤ TRỌNG TÂM\n", "1. Cải cách thể chế\n", "2.1. ", "a) ", "- ", "+ ",
    "Sở Nội vụ chủ trì", "Phòng Văn hóa - Xã hội", "phối hợp", "Chủ trì: Văn phòng HĐND và UBND phường.\n",
    "Quý I/2026", "tháng 9/2026", "đạt 95%", "tối thiểu 90%", "ít nhất 02 cuộc", "Luật Cán bộ, công chức năm 2025",
    "Quyết định số 1478/QĐ-UBND", "123/ABC-XYZ", "(", ")", "\t", "\n", "\n\n", " ", "**", "[bookmark: x]",
    "<b>", "&amp;", "Nơi nhận:\n", "Phụ lục", "\u0301", "\u200b", "\r\n", "1.1.1.1.", "số 76/",
]
plan_text = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=12)), max_size=60).map("".join)


# ================================================================ readers
SUFFIXES = [".txt", ".md", ".html", ".htm", ".docx", ".TXT", ".pdf", ""]


@PROFILE
@given(data=st.binary(max_size=3000), suffix=st.sampled_from(SUFFIXES))
def test_reader_on_any_bytes_gives_text_or_input_error(tmp_path_factory, data, suffix):
    from plankb.ingest.read import read_document

    path = tmp_path_factory.mktemp("bytes") / f"doc{suffix}"
    path.write_bytes(data)
    try:
        doc = read_document(path)
    except InputError as e:
        assert e.path == str(path) and e.reason and str(e) == f"{path}: {e.reason}"
        return
    assert unicodedata.is_normalized("NFC", doc.text)
    assert "\r" not in doc.text and "\u2028" not in doc.text and doc.text.strip()


@PROFILE
@given(text=plan_text, encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32"]),
       form=st.sampled_from(["NFC", "NFD"]))
def test_reader_round_trips_text_in_any_unicode_encoding(tmp_path_factory, text, encoding, form):
    from plankb.ingest.read import read_document

    text = unicodedata.normalize(form, text)
    path = tmp_path_factory.mktemp("enc") / "doc.txt"
    path.write_bytes(text.encode(encoding, "surrogatepass"))
    try:
        doc = read_document(path)
    except InputError:
        return  # blank, or too many control characters: refused with a reason
    import re

    expected = unicodedata.normalize("NFC", re.sub("\r\n?|[\u2028\u2029\x85]", "\n", text))
    assert doc.text == expected


@settings(PROFILE, max_examples=max(10, EXAMPLES // 4))
@given(paragraphs=st.lists(plan_text, min_size=1, max_size=8), cut=st.floats(0, 1))
def test_docx_whole_or_cut_gives_text_or_input_error(tmp_path_factory, paragraphs, cut):
    from docx import Document

    from plankb.ingest.read import read_document

    folder = tmp_path_factory.mktemp("docx")
    d = Document()
    for p in paragraphs:
        d.add_paragraph("".join(c for c in p if c.isprintable() or c in "\t\n"))
    whole = folder / "whole.docx"
    d.save(str(whole))
    data = whole.read_bytes()
    cut_file = folder / "cut.docx"
    cut_file.write_bytes(data[: int(len(data) * cut)])
    for path in (whole, cut_file):
        try:
            doc = read_document(path)
        except InputError as e:
            assert e.path == str(path)
        else:
            assert unicodedata.is_normalized("NFC", doc.text)


# ================================================================ extractors
@PROFILE
@given(text=plan_text)
def test_extractor_gives_a_record_or_input_error_and_spans_index_the_text(text):
    from plankb.ingest.extract.document import extract_text

    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    try:
        record = extract_text(text, source="gen.txt")
    except InputError as e:
        assert e.path == "gen.txt"
        return
    n = len(text)
    for c in record.citations:
        assert 0 <= c.span.start <= c.span.end <= n and text[c.span.start:c.span.end] == c.surface
    for t in record.tasks:
        assert 0 <= t.span.start <= t.span.end <= n
    for ind in record.indicators:
        assert 0 <= ind.span.start <= ind.span.end <= n and text[ind.span.start:ind.span.end] == ind.surface
    for u in record.units:
        for m in u.mentions:
            assert text[m.span.start:m.span.end] == m.surface
    assert len({t.id for t in record.tasks}) == len(record.tasks)


@PROFILE
@given(text=st.one_of(plan_text, st.text(max_size=400)))
def test_cleaning_folding_and_tones_keep_offsets(text):
    from plankb.ingest.extract.clean import clean_text
    from plankb.ingest.extract.units import fold_keep_length
    from plankb.kb.text import canonical_tones

    text = unicodedata.normalize("NFC", text)
    cleaned = clean_text(text)
    assert len(cleaned) == len(text)
    assert len(fold_keep_length(cleaned)) == len(cleaned)
    assert len(canonical_tones(cleaned)) == len(cleaned)


@PROFILE
@given(text=st.one_of(plan_text, st.text(max_size=200)))
def test_deadline_and_area_parsers_never_fail(text):
    from plankb.ingest.extract.areas import classify_area, heading_area
    from plankb.ingest.extract.deadlines import parse_deadline

    d = parse_deadline(text)
    assert d is None or (d.start is None or d.end is None or d.start <= d.end)
    heading_area(text)
    classify_area(text)


@PROFILE
@given(text=plan_text)
def test_rdf_of_any_extracted_record_parses(text):
    import pyoxigraph as ox

    from plankb.ingest.extract.document import extract_text
    from plankb.kb.rdf import build

    try:
        record = extract_text(unicodedata.normalize("NFC", text), source="gen.txt", sha256="0" * 64)
    except InputError:
        return
    doc = build(record, "http://plankb.org/id/")
    store = ox.Store()
    store.load(doc.nquads(), format=ox.RdfFormat.N_QUADS)  # well-formed: it parses back
    assert len(store) == len(doc)


# ================================================================ SPARQL analysis
SPARQL_PIECES = ["SELECT", "ASK", "SERVICE", "service", "FROM", "NAMED", "PREFIX", "BASE", "INSERT", "LOAD",
                 "<http://x/>", "<", ">", "?a", "$b", "pk:", "a:b", ":x", "_:b", "'", '"', "'''", '"""', "\\",
                 "#", "\n", " ", "{", "}", ".", "NQ-", "a.", "@vi", "1.5e3", "%4", "\\u0041", "(", ")", "*"]
sparql_text = st.lists(st.one_of(st.sampled_from(SPARQL_PIECES), st.text(max_size=6)), max_size=40).map("".join)


def _reference_tokens(text: str):
    """The tokenizer before it was made linear: one regex scan (kept here as the specification)."""
    import re

    from plankb.api.sparql import _TOKEN_RE, Token

    tokens = []
    for m in _TOKEN_RE.finditer(text):
        kind = m.lastgroup or "punct"
        if kind not in ("ws", "comment"):
            tokens.append(Token(kind, m.group()))
    return tokens, re


@PROFILE
@given(text=sparql_text)
def test_linear_tokenizer_lexes_like_the_regex_scan(text):
    from plankb.api.sparql import tokenize

    fast = tokenize(text)
    slow, _ = _reference_tokens(text)
    if fast and fast[-1].kind == "unterminated":  # an unterminated string: malformed, lexing stops there
        body = fast[:-1]
        assert slow[:len(body)] == body
        assert slow[len(body)].text[0] in "'\""
    else:
        assert fast == slow


@PROFILE
@given(text=sparql_text)
def test_analyze_query_never_fails_and_sees_service(text):
    from plankb.api.sparql import analyze_query

    info = analyze_query(text)
    assert info.form in (None, "SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
    tokens_upper = [t.upper() for t in text.split()]
    if "SERVICE" in tokens_upper and info.malformed is None and "#" not in text and "<" not in text \
            and "'" not in text and '"' not in text:
        assert info.uses_service


# ================================================================ the fuzz harnesses' entry points
def test_fuzz_harnesses_run_on_their_seed_corpus():
    """tests/fuzz/*.py run under atheris in scripts/stress.sh; here their entry points run on the seeds
    (no atheris needed), so they cannot rot."""
    import importlib.util

    import sys

    fuzz_dir = Path(__file__).parent / "fuzz"
    if str(fuzz_dir) not in sys.path:
        sys.path.append(str(fuzz_dir))  # the harnesses' `from _common import …` when run as scripts
    seeds = sorted((Path(__file__).parent.parent / "examples" / "seeds").glob("*.txt"))
    for harness in sorted(fuzz_dir.glob("fuzz_*.py")):
        spec = importlib.util.spec_from_file_location(harness.stem, harness)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        for s in seeds[:2]:
            data = s.read_bytes()
            mod.TestOneInput(data[:4000])
            mod.TestOneInput(data[:50])
        mod.TestOneInput(b"")
        mod.TestOneInput(bytes(range(256)))


@pytest.mark.parametrize("junk", ["", "\x00", "\ud800", "ạ" * 3, "Số:" + " " * 3000, "\n" * 5000])
def test_extractor_on_odd_strings(junk):
    from plankb.ingest.extract.document import extract_text

    try:
        extract_text(junk.encode("utf-8", "replace").decode("utf-8"), source="odd.txt")
    except InputError:
        pass
