"""Whole-document extraction on the five real seed plans."""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest

from conftest import ROOT, SEEDS, extract_seed
from plankb.kb.models import AREAS

JURISDICTIONS = {
    # seed: (level, name, code, province, province_code, period)
    "000": ("commune", "Phường Ái Quốc", "10660", "Thành phố Hải Phòng", "31", (2026, 2030)),
    "001": ("province", "Thành phố Hải Phòng", "31", None, "31", (2026, 2030)),
    "002": ("commune", "Xã Quyết Thắng", "11761", "Thành phố Hải Phòng", "31", (2026, 2026)),
    "003": ("commune", "Phường Ba Đình", "4", "Thành phố Hà Nội", "1", (2026, 2026)),
    "004": ("commune", "Phường Võ Cường", "9190", "Bắc Ninh", "24", (2026, 2026)),
}


@pytest.mark.parametrize("key", sorted(JURISDICTIONS))
def test_header_and_jurisdiction(key):
    r = extract_seed(key)
    level, name, code, province, pcode, period = JURISDICTIONS[key]
    assert r.level == level
    assert r.jurisdiction.name == name and r.jurisdiction.code == code
    assert r.jurisdiction.province == province and r.jurisdiction.province_code == pcode
    assert (r.period.start, r.period.end) == period
    assert r.doc_type == "KH" and r.title
    assert r.number is None  # none of the seeds prints its own number


def test_draft_flags():
    assert extract_seed("000").is_draft  # "Dự thảo"
    assert extract_seed("001").is_draft  # "Kèm theo Quyết định số /QĐ-UBND": number left blank
    assert not extract_seed("002").is_draft  # no number line, signed


# Ba Đình appendix: row -> (lead, deadline end date or None, recurrence or None)
VH, VP, KT = "Phòng Văn hóa - Xã hội", "Văn phòng HĐND và UBND", "Phòng Kinh tế, Hạ tầng và Đô thị"
BA_DINH_LEADS = {**{i: VH for i in range(1, 16)}, **{i: VP for i in range(16, 27)}, 27: VH, 28: VP, 29: VP,
                 **{i: VH for i in range(30, 37)}, **{i: KT for i in range(37, 41)}, 41: VH, 42: VH, 43: VP}
BA_DINH_DEADLINES = {
    1: dt.date(2026, 2, 28), 2: dt.date(2026, 3, 31), 5: dt.date(2026, 3, 31), 8: dt.date(2026, 6, 30),
    9: dt.date(2026, 9, 30), 11: dt.date(2026, 12, 31), 13: dt.date(2026, 12, 31), 15: dt.date(2026, 12, 31),
    17: dt.date(2026, 4, 30), 18: dt.date(2026, 3, 31), 19: dt.date(2026, 3, 31), 22: dt.date(2026, 3, 31),
    24: dt.date(2026, 12, 31), 26: dt.date(2026, 10, 31), 31: dt.date(2026, 2, 28), 36: dt.date(2026, 6, 30),
    38: dt.date(2026, 6, 30), 40: dt.date(2026, 12, 31), 42: dt.date(2026, 3, 31), 43: dt.date(2026, 12, 31),
}
BA_DINH_AREAS = {**{i: "direction" for i in range(1, 16)}, **{i: "institution" for i in range(16, 20)},
                 **{i: "procedure" for i in range(20, 26)}, **{i: "organization" for i in range(26, 30)},
                 **{i: "civil_service" for i in range(30, 37)}, **{i: "public_finance" for i in range(37, 41)},
                 **{i: "digital_government" for i in range(41, 44)}}


def test_ba_dinh_appendix_43_rows():
    r = extract_seed("003")
    rows = {int(t.path.rsplit(".", 1)[1]): t for t in r.tasks if t.origin == "table"}
    assert sorted(rows) == list(range(1, 44))
    for i, t in rows.items():
        assert t.lead_units == [BA_DINH_LEADS[i]], (i, t.lead_units)
        assert t.support_units == ["Các phòng, ban, đơn vị liên quan"], (i, t.support_units)
        assert t.area == BA_DINH_AREAS[i], (i, t.area)
        assert t.deadline is not None and t.deadline.text
        if i in BA_DINH_DEADLINES:
            assert t.deadline.end == BA_DINH_DEADLINES[i], (i, t.deadline)
    # a row split by a page break is one task with the whole text
    assert rows[18].text.endswith("của Thành ủy Hà Nội")
    assert rows[3].leader == "Phó Chủ tịch UBND phường phụ trách theo lĩnh vực"
    # the row with two sub-rows keeps both deadlines
    assert "Tháng 02/2026" in rows[1].deadline.text and "Theo chỉ đạo" in rows[1].deadline.text
    assert rows[7].deadline.recurrence == "quarterly"
    assert rows[10].products == ["Ban hành Kế hoạch", "Tổ chức hội thi"]


@pytest.mark.parametrize("key", sorted(SEEDS))
def test_every_task_has_area_and_span(key, seed_texts):
    r = extract_seed(key)
    text = seed_texts[key]
    for t in r.tasks:
        assert t.area in AREAS
        assert 0 <= t.span.start < t.span.end <= len(text)
        if t.origin == "prose":
            assert text[t.span.start : t.span.end].strip()
    ids = [t.id for t in r.tasks]
    assert len(ids) == len(set(ids)), "task ids must be unique"


def test_prose_task_structure():
    r = extract_seed("000")
    by_path = {t.path: t for t in r.tasks}
    assert by_path["II.1.a"].area == "institution"
    assert by_path["II.1.đ"].area == "institution"
    assert by_path["II.2.a.2.1"].parent_id == by_path["II.2.a.2"].id
    assert by_path["II.6.a.1"].area == "digital_government"
    assert by_path["II.2.b.1"].lead_units == ["Trung tâm Phục vụ hành chính công"]
    assert by_path["II.1.a"].lead_units == ["Văn phòng HĐND và UBND"]
    r2 = extract_seed("002")  # "2. NHIỆM VỤ, GIẢI PHÁP" stands where "II." belongs
    areas = {t.area for t in r2.tasks}
    assert areas == set(AREAS)
    assert len([t for t in r.tasks if t.area == "procedure"]) >= 15


def test_units_and_roles():
    r = extract_seed("000")
    units = {u.name: u for u in r.units}
    vh = units["Phòng Văn hóa - Xã hội"]
    assert "standing" in vh.roles and vh.jurisdiction == "Phường Ái Quốc"
    assert {"Phòng Văn hóa - Xã hội", "Phòng Văn hóa – Xã hội"} <= set(vh.aliases)
    assert set(units["Trung tâm Phục vụ hành chính công"].areas) == {"procedure", "digital_government"}
    r1 = extract_seed("001")
    u1 = {u.name: u for u in r1.units}
    assert "standing" in u1["Sở Nội vụ"].roles and u1["Sở Nội vụ"].jurisdiction == "Thành phố Hải Phòng"
    assert u1["Sở Tư pháp"].areas == ["institution"]
    assert "Sở Y tế" not in u1  # "cơ sở y tế" is not a unit
    r4 = extract_seed("004")
    u4 = {u.name: u for u in r4.units}
    assert u4["Văn phòng HĐND và UBND"].aliases == ["Văn phòng HĐND-UBND"]
    assert "Trung tâm cung ứng dịch vụ sự nghiệp công" in u4["Trung tâm Dịch vụ sự nghiệp công"].aliases
    assert "standing" not in u4["Công an phường"].roles  # standing agency of Đề án 06, not of CCHC
    assert "Sở Nội vụ" not in u4  # named only in the distribution list ("Nơi nhận"), no role in the plan
    u3 = {u.name: u for u in extract_seed("003").units}
    # a province unit named in a commune plan belongs to the province
    assert u3["Trung tâm Phục vụ hành chính công thành phố"].jurisdiction == "Thành phố Hà Nội"
    r2 = extract_seed("002")
    assert {u.name for u in r2.units if "standing" in u.roles} == {"Phòng Văn hóa - Xã hội"}


@pytest.mark.parametrize("key", sorted(SEEDS))
def test_unit_mentions_resolve_to_right_jurisdiction(key, seed_texts):
    r = extract_seed(key)
    j = r.jurisdiction
    for u in r.units:
        assert u.jurisdiction in {j.name, j.province, "Việt Nam"}, (u.name, u.jurisdiction)
        for m in u.mentions:
            assert seed_texts[key][m.span.start : m.span.end] == m.surface


INDICATORS_000 = [
    # (surface, value, comparator, period)
    ("100%", 100, "=", (2026, 2027)),
    ("95%", 95, "=", (2026, 2027)),
    ("tối thiểu 95%", 95, ">=", (2028, 2030)),
    ("tối thiểu 90%", 90, ">=", (2028, 2030)),
    ("90%", 90, "=", (2028, 2030)),
    ("80%", 80, "=", (2028, 2030)),
]


def test_indicators_ai_quoc():
    r = extract_seed("000")
    got = [(i.surface, i.value, i.comparator, (i.period.start, i.period.end)) for i in r.indicators[:6]]
    assert got == INDICATORS_000
    assert r.indicators[2].subject.startswith("Mức độ hài lòng trong tiếp nhận")
    assert r.indicators[3].subject.startswith("mức độ hài lòng về giải quyết")


def test_indicators_hai_phong_data_governance():
    r = extract_seed("001")
    levels = [(i.value, (i.period.start, i.period.end)) for i in r.indicators if i.unit == "cấp độ"]
    assert levels == [(3, (2026, 2027)), (4, (2028, 2030))]


@pytest.mark.parametrize("key", sorted(SEEDS))
def test_indicator_span_invariant(key, seed_texts):
    for i in extract_seed(key).indicators:
        assert seed_texts[key][i.span.start : i.span.end] == i.surface


def test_no_tasks_warning_for_missing_appendix():
    r = extract_seed("004")
    assert r.tasks == []
    assert any(w.code == "no_tasks" and "appendix" in w.message for w in r.warnings)


def test_extract_cli_json_matches_contract(tmp_path):
    out = tmp_path / "extract.json"
    proc = subprocess.run(
        [sys.executable, "-m", "plankb.api.cli", "extract", *[str(p) for p in SEEDS.values()], "--format", "json"],
        capture_output=True, text=True, cwd=ROOT, check=True,
    )
    out.write_text(proc.stdout, encoding="utf-8")
    data = json.loads(proc.stdout)
    assert [d["source"] for d in data] == [str(p) for p in SEEDS.values()]
    checker = ROOT.parent / "shared" / "tools" / "check_contract.py"
    if not checker.exists():
        checker = ROOT / "tests" / "tools" / "check_contract.py"
    res = subprocess.run([sys.executable, str(checker), "extract", str(out)], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout


def test_extract_cli_bad_file(tmp_path):
    bad = tmp_path / "plan.pdf"
    bad.write_bytes(b"%PDF-1.4")
    proc = subprocess.run([sys.executable, "-m", "plankb.api.cli", "extract", str(bad)], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode != 0
    assert "plan.pdf" in proc.stderr and "Traceback" not in proc.stderr
