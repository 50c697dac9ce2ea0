"""The synthetic corpus generator (bench.synth): structure, determinism, wiring and ground truth."""
from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest

from plankb.bench import synth
from plankb.kb.text import fold


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synth")
    synth.write_corpus(out, provinces=2, communes=4, seed=3, five_year_communes=0.5, docx_share=0.3)
    return out


def _manifest(corpus: Path) -> dict:
    return json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))


def _truths(corpus: Path) -> list[dict]:
    return [json.loads((corpus / d["truth"]).read_text(encoding="utf-8")) for d in _manifest(corpus)["documents"]]


def test_corpus_counts_and_files(corpus):
    m = _manifest(corpus)
    c = m["counts"]
    assert c["national"] == 1 and c["province"] == 4  # yearly + five-year per province
    assert c["commune"] >= 8  # 4 communes x 2 provinces, some with a five-year plan too
    for d in m["documents"]:
        assert (corpus / d["file"]).is_file() and (corpus / d["truth"]).is_file()
        assert d["file"].startswith("docs/") and Path(d["file"]).suffix in (".txt", ".md", ".docx")


def test_real_names_and_codes(corpus):
    from vietnam_provinces import Province, Ward

    provinces = {str(int(p.code)): p.name for p in Province.iter_all()}
    wards = {str(int(w.code)): (w.name, str(int(w.province_code))) for w in Ward.iter_all()}
    for t in _truths(corpus):
        j = t["jurisdiction"]
        if t["level"] == "national":
            assert j is None
        elif t["level"] == "province":
            assert provinces[j["code"]] == j["name"]
        else:
            assert wards[j["code"]] == (j["name"], j["province_code"])


def test_deterministic(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    synth.write_corpus(a, provinces=1, communes=3, seed=11, docx_share=0.0)
    synth.write_corpus(b, provinces=1, communes=3, seed=11, docx_share=0.0)
    for f in sorted((a / "docs").rglob("*.*")):
        assert f.read_bytes() == (b / f.relative_to(a)).read_bytes(), f
    # a document does not depend on which other documents are generated
    c = tmp_path / "c"
    synth.write_corpus(c, provinces=1, communes=1, seed=11, docx_share=0.0)
    for f in sorted((c / "docs").rglob("*.*")):
        assert f.read_bytes() == (a / f.relative_to(c)).read_bytes(), f


def test_parents_wired_commune_province_national(corpus):
    truths = {t["id"]: t for t in _truths(corpus)}
    for t in truths.values():
        for p in t["parent_docs"]:
            parent = truths[p]
            order = {"national": 0, "province": 1, "commune": 2}
            assert order[parent["level"]] <= order[t["level"]]
            if parent["level"] == t["level"]:  # a yearly plan based on the same place's five-year plan
                assert parent["jurisdiction"] == t["jurisdiction"] and parent["period"]["start"] < parent["period"]["end"]
            elif t["level"] == "commune":
                assert parent["jurisdiction"]["code"] == t["jurisdiction"]["province_code"]
        if t["level"] == "commune":
            assert any(truths[p]["level"] == "province" for p in t["parent_docs"])
            assert t["period"]["start"] == 2026
    # every province five-year plan adopted after QĐ 282 is based on it
    for t in truths.values():
        keys = {b["key"] for b in t["legal_bases"]}
        if t["level"] == "province" and "qd282" in keys:
            assert "national-2026-2030" in t["parent_docs"]


def test_citations_printed_as_truth_says(corpus):
    for t in _truths(corpus):
        if t["format"] == "docx":
            continue
        text = unicodedata.normalize("NFC", (corpus / t["file"]).read_text(encoding="utf-8"))
        for b in t["legal_bases"]:
            assert re.search(rf"\b{re.escape(b['number'])}\s*[-/]", text), (t["file"], b["number"])
        if t["number"]:
            assert f"Số: {t['number']}" in text


def test_tasks_appear_in_text(corpus):
    """Every ground-truth task's text is in its document (modulo tone style, NFD and page breaks)."""
    for t in _truths(corpus):
        if t["format"] == "docx":
            from plankb.ingest.read import read_document

            raw = read_document(corpus / t["file"]).text
        else:
            raw = (corpus / t["file"]).read_text(encoding="utf-8")
        hay = re.sub(r"\s+", " ", fold(raw.replace("**", "")))
        for task in t["tasks"]:
            assert re.sub(r"\s+", " ", fold(task["text"]))[:24] in hay, (t["file"], task["text"][:60])  # rows may split across pages
        assert t["task_count"] == len(t["tasks"])


def test_ground_truth_shape(corpus):
    areas = set(synth.AREA_ORDER)
    for t in _truths(corpus):
        assert t["schema"] == synth.TRUTH_SCHEMA
        for task in t["tasks"]:
            assert task["area"] in areas
            assert task["origin"] in ("prose", "table")
            if task["origin"] == "table":
                assert task["lead_units"] and task["deadline"]
        for ind in t["indicators"]:
            assert ind["value"] is not None and ind["comparator"] in ("=", ">=", ">", "top", "reduce_by")
        if t["style"] == "D":
            assert t["tasks"] == []  # the appendix is referred to, not attached


def test_mess_is_present(corpus):
    mess = set()
    for t in _truths(corpus):
        mess |= set(t["mess"])
    # the seeds' messiness shows up in a corpus this small already
    assert {"old_tone_marks", "page_break_in_sentence"} & mess
    assert "draft_blank_number" in mess


@pytest.mark.parametrize("surface,expected", [
    ("tối thiểu 95%", (95.0, "%", ">=")),
    ("100%", (100.0, "%", "=")),
    ("trên 90%", (90.0, "%", ">")),
    ("ít nhất 02 cuộc", (2.0, "cuộc", ">=")),
    ("top 15", (15.0, "top", "top")),
    ("cấp độ 3", (3.0, "cấp độ", "=")),
    ("từ 90% trở lên", (90.0, "%", ">=")),
])
def test_indicator_truth(surface, expected):
    d = synth.indicator_truth(surface)
    assert (d["value"], d["unit"], d["comparator"]) == expected


def test_old_tones():
    import random

    assert synth.old_tones("Văn hóa, thủy lợi, hoàn thành, quý", 1.0, random.Random(0)) == "Văn hoá, thuỷ lợi, hoàn thành, quý"


def test_cli_synth(tmp_path):
    from typer.testing import CliRunner

    from plankb.api.cli import app

    r = CliRunner().invoke(app, ["synth", "--out", str(tmp_path / "c"), "--provinces", "1", "--communes", "2",
                                 "--seed", "5"])
    assert r.exit_code == 0, r.output
    m = json.loads((tmp_path / "c" / "manifest.json").read_text(encoding="utf-8"))
    assert m["counts"]["documents"] == 1 + 2 + 2
