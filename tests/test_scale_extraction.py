"""Extraction rules found by running the extractor over every province and commune of the country.

The plans here are written by hand in the style of the real seeds (not by the synthetic generator):
commune names with digits and dashes, homonyms that fold alike, unresolved places, blank adopting
decisions, the national plan and its ministries, and sentences split by a page break.
"""
from __future__ import annotations

import pytest

from plankb.ingest.extract.document import extract_text
from plankb.ingest.extract.segment import segment_text
from plankb.ingest.extract.clean import clean_text


def commune_plan(place: str, basis_province: str = "tỉnh Lâm Đồng", body: str | None = None) -> str:
    return f"""ỦY BAN NHÂN DÂN
{place.upper()}

Số: 12/KH-UBND

KẾ HOẠCH
Cải cách hành chính nhà nước {place} năm 2026

Căn cứ Quyết định số 4479/QĐ-UBND ngày 24/12/2025 của Ủy ban nhân dân {basis_province} về ban hành Kế hoạch cải cách hành chính nhà nước năm 2026, Ủy ban nhân dân {place} xây dựng Kế hoạch như sau:

I. MỤC ĐÍCH, YÊU CẦU
Nâng cao hiệu quả cải cách hành chính.

II. NHIỆM VỤ
1. Cải cách thể chế
{body or "- Rà soát các văn bản quy phạm pháp luật do Hội đồng nhân dân ban hành."}
"""


# ---------------------------------------------------------------- 1. commune names
@pytest.mark.parametrize("place, basis, name, code", [
    ("phường Hà Giang 1", "tỉnh Tuyên Quang", "Phường Hà Giang 1", "694"),
    ("phường Móng Cái 2", "tỉnh Quảng Ninh", "Phường Móng Cái 2", "6709"),
    ("phường 2 Bảo Lộc", "tỉnh Lâm Đồng", "Phường 2 Bảo Lộc", "24820"),
    ("phường Văn Miếu - Quốc Tử Giám", "thành phố Hà Nội", "Phường Văn Miếu - Quốc Tử Giám", "196"),
    ("phường Văn Miếu – Quốc Tử Giám", "thành phố Hà Nội", "Phường Văn Miếu - Quốc Tử Giám", "196"),
    ("xã Chân Mây - Lăng Cô", "thành phố Huế", "Xã Chân Mây – Lăng Cô", "20152"),
    ("xã Đắk song", "tỉnh Lâm Đồng", "Xã Đắk song", "24718"),
])
def test_commune_names_with_digits_and_dashes(place, basis, name, code):
    r = extract_text(commune_plan(place, basis), source="t.txt")
    assert r.level == "commune"
    assert r.jurisdiction is not None and (r.jurisdiction.name, r.jurisdiction.code) == (name, code)
    assert r.id.startswith(f"{r.id.split('-' + code)[0]}-{code}.cchc-2026")


@pytest.mark.parametrize("place, basis, code", [
    # Cẩm Giàng and Cẩm Giang are both communes of Hải Phòng (and there is a Cẩm Giàng in Thái Nguyên)
    ("xã Cẩm Giàng", "thành phố Hải Phòng", "10903"),
    ("xã Cẩm Giang", "thành phố Hải Phòng", "10888"),
    # Văn Lăng and Văn Lang are both communes of Thái Nguyên
    ("xã Văn Lang", "tỉnh Thái Nguyên", "2143"),
    ("xã Văn Lăng", "tỉnh Thái Nguyên", "5665"),
    # exact spelling first: 'An Nhơn năm 2026' folds like 'An Nhơn Nam', another phường of Gia Lai
    ("phường An Nhơn", "tỉnh Gia Lai", "21910"),
    ("xã Sơn Hà", "tỉnh Quảng Ngãi", "21289"),
])
def test_homonyms_prefer_exact_spelling_in_the_named_province(place, basis, code):
    r = extract_text(commune_plan(place, basis), source="t.txt")
    assert r.jurisdiction is not None and r.jurisdiction.code == code


def test_the_named_province_beats_exact_spelling():
    # xã Quyết Thắng exists in Hải Phòng and in Phú Thọ: the province the plan names decides
    r = extract_text(commune_plan("xã Quyết Thắng", "tỉnh Phú Thọ"), source="t.txt")
    assert r.jurisdiction.code == "5323" and r.jurisdiction.province_code == "25"


# ---------------------------------------------------------------- 2. ids of unresolved plans
def test_unresolved_plans_get_distinct_stable_ids():
    # no province named anywhere: xã Quyết Thắng is ambiguous, phường Hoa Sen does not exist
    a = commune_plan("xã Quyết Thắng", "thành phố").replace("thành phố về", "về")
    b = a.replace("Hội đồng nhân dân", "Ủy ban nhân dân")
    ra, rb = extract_text(a, source="a.txt"), extract_text(b, source="b.txt")
    assert ra.jurisdiction is None and rb.jurisdiction is None
    assert ra.id != rb.id
    assert ra.id.startswith("quyet-thang-t") and ra.id.endswith(".cchc-2026.12-kh-ubnd")
    assert extract_text(a, source="elsewhere/a.txt").id == ra.id  # same text, same id
    assert "jurisdiction_unresolved" in [w.code for w in ra.warnings]
    hs = extract_text(commune_plan("phường Hoa Sen"), source="h.txt")
    assert hs.jurisdiction is None and hs.id.startswith("hoa-sen-t")


# ---------------------------------------------------------------- 3. blank adopting decision
def test_blank_adopting_decision_is_not_an_identity():
    text = commune_plan("phường 2 Bảo Lộc").replace(
        "Số: 12/KH-UBND\n",
        "Dự thảo\n\n").replace(
        "năm 2026\n\nCăn cứ",
        "năm 2026\n(Kèm theo Quyết định số      /QĐ-UBND ngày    tháng   năm 2026\ncủa Chủ tịch UBND phường)\n\nCăn cứ")
    r = extract_text(text, source="t.txt")
    assert r.is_draft and r.adopted_by is None
    assert any(c.symbol == "QĐ-UBND" and c.number is None for c in r.citations)  # still read as a reference
    numbered = extract_text(text.replace("số      /QĐ-UBND", "số 88/QĐ-UBND"), source="t.txt")
    assert numbered.adopted_by is not None and numbered.adopted_by.number == "88"


# ---------------------------------------------------------------- 4. the national plan
NATIONAL = """THỦ TƯỚNG CHÍNH PHỦ\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
\tĐộc lập - Tự do - Hạnh phúc

KẾ HOẠCH
Cải cách hành chính nhà nước trọng tâm giai đoạn 2026 - 2030
(Ban hành kèm theo Quyết định số 282/QĐ-TTg ngày 12 tháng 02 năm 2026
của Thủ tướng Chính phủ)

Căn cứ Nghị quyết số 76/NQ-CP ngày 15/7/2021 của Chính phủ ban hành Chương trình tổng thể cải cách hành chính nhà nước giai đoạn 2021-2030; xét đề nghị của Bộ trưởng Bộ Nội vụ, Thủ tướng Chính phủ ban hành Kế hoạch như sau:

I. MỤC TIÊU
Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ, Ủy ban nhân dân các tỉnh, thành phố trực thuộc trung ương xác định cải cách hành chính là nhiệm vụ trọng tâm.

II. NHIỆM VỤ TRỌNG TÂM
1. Cải cách thể chế
a) Rà soát, hệ thống hóa văn bản quy phạm pháp luật về tổ chức chính quyền địa phương hai cấp.
2. Cải cách tài chính công
a) Hoàn thiện cơ chế tự chủ tài chính của đơn vị sự nghiệp công lập.
3. Xây dựng và phát triển Chính phủ điện tử, Chính phủ số
a) Hoàn thành kết nối Cổng Dịch vụ công quốc gia với các hệ thống thông tin của bộ, ngành, địa phương.

III. TỔ CHỨC THỰC HIỆN
1. Bộ Nội vụ: Là cơ quan thường trực của Chính phủ về cải cách hành chính.
2. Bộ Tư pháp: Chủ trì, theo dõi, tổng hợp các nhiệm vụ về cải cách thể chế.
3. Bộ Tài chính: Chủ trì, theo dõi, tổng hợp các nhiệm vụ về cải cách tài chính công.
4. Bộ Khoa học và Công nghệ: Chủ trì, theo dõi, tổng hợp các nhiệm vụ về chính phủ số.
5. Ngân hàng Nhà nước Việt Nam, Thanh tra Chính phủ, Bộ Dân tộc và Tôn giáo: phối hợp thực hiện.
"""


def test_national_plan_has_the_country_as_jurisdiction_and_ministries_as_units():
    r = extract_text(NATIONAL, source="national.txt")
    assert r.level == "national" and r.issuer == "Thủ tướng Chính phủ"
    assert (r.jurisdiction.name, r.jurisdiction.code) == ("Việt Nam", "VN")
    assert r.id == "viet-nam-vn.cchc-2026-2030"
    assert r.adopted_by is not None and r.adopted_by.key == "qd-282-2026-qd-ttg"
    units = {u.name: u for u in r.units}
    for name in ("Bộ Nội vụ", "Bộ Tư pháp", "Bộ Tài chính", "Bộ Khoa học và Công nghệ", "Ngân hàng Nhà nước Việt Nam",
                 "Thanh tra Chính phủ", "Bộ Dân tộc và Tôn giáo", "Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ",
                 "Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương"):
        assert name in units and units[name].jurisdiction_code == "VN", name
    lead = {t.path: t.lead_units for t in r.tasks}
    assert lead["II.1.a"] == ["Bộ Tư pháp"] and lead["II.2.a"] == ["Bộ Tài chính"]
    assert lead["II.3.a"] == ["Bộ Khoa học và Công nghệ"]


def test_national_plan_is_valid_rdf():
    from plankb.kb.rdf import build
    from plankb.kb.store import shacl_validate

    doc = build(extract_text(NATIONAL, source="national.txt", sha256="0" * 64))
    assert "plan-without-jurisdiction" not in [w.code for w in doc.warnings]
    assert "http://plankb.org/id/jurisdiction/VN" in doc.ntriples()
    # the plan's issuer is the node its adopting decision QĐ 282/QĐ-TTg names
    issuers = {s_: o for s_, p, o in doc.triples if p.endswith("passed_by>")}
    assert issuers[f"<{doc.plan}>"] == issuers["<http://plankb.org/id/legal/qd-282-2026-qd-ttg>"] \
        == "<http://plankb.org/id/issuer/thu-tuong-chinh-phu>"
    assert shacl_validate(doc.ntriples()) == []


def test_national_plan_from_its_header_line_alone():
    text = NATIONAL.replace("(Ban hành kèm theo Quyết định số 282/QĐ-TTg ngày 12 tháng 02 năm 2026\ncủa Thủ tướng Chính phủ)\n", "")
    text = text.replace("THỦ TƯỚNG CHÍNH PHỦ\t", "BỘ NỘI VỤ\t").replace("Thủ tướng Chính phủ ban hành", "ban hành")
    r = extract_text(text, source="bnv.txt")
    assert r.level == "national" and r.issuer == "Bộ Nội vụ" and r.jurisdiction.code == "VN"


def test_province_plan_citing_the_national_plan_stays_provincial():
    text = commune_plan("phường 2 Bảo Lộc").replace(
        "Căn cứ Quyết định", "Căn cứ Quyết định số 282/QĐ-TTg ngày 12/02/2026 của Thủ tướng Chính phủ ban hành Kế hoạch "
        "cải cách hành chính nhà nước trọng tâm giai đoạn 2026 - 2030; Quyết định")
    r = extract_text(text, source="t.txt")
    assert r.level == "commune" and r.jurisdiction.code == "24820"


def test_cadre_of_a_commune_is_not_a_ministry():
    body = "- Cán bộ Tư pháp - Hộ tịch và cán bộ Công an xã rà soát văn bản do Ủy ban nhân dân xã ban hành."
    r = extract_text(commune_plan("xã Đắk song", body=body), source="t.txt")
    assert not {"Bộ Tư pháp", "Bộ Công an"} & {u.name for u in r.units}


# ---------------------------------------------------------------- 5. page breaks inside a sentence
def _bullets(text: str) -> list[str]:
    seg = segment_text(clean_text(text))
    return [s.heading for s in seg.walk() if s.kind == "bullet"]


@pytest.mark.parametrize("broken, joined", [
    ("- Văn phòng HĐND và UBND chủ trì, phối hợp với\n\nUBND xã, bảo đảm tiến độ.",
     "Văn phòng HĐND và UBND chủ trì, phối hợp với UBND xã, bảo đảm tiến độ."),
    ("- Thực hiện chính sách tinh giản biên chế theo Nghị định số\n\n118/2025/NĐ-CP ngày 09/6/2025 của Chính phủ.",
     "Thực hiện chính sách tinh giản biên chế theo Nghị định số 118/2025/NĐ-CP ngày 09/6/2025 của Chính phủ."),
    ("- Tuyên truyền các quy định mới về thủ tục hành chính,\n\nDịch vụ công trực tuyến toàn trình.",
     "Tuyên truyền các quy định mới về thủ tục hành chính, Dịch vụ công trực tuyến toàn trình."),
    ("- Duy trì Hệ thống quản lý chất lượng theo TCVN ISO 9001:2015; nghiên cứu áp dụng\n\n"
     "Tiêu chuẩn TCVN ISO 18091:2020 theo hướng dẫn của tỉnh.",
     "Duy trì Hệ thống quản lý chất lượng theo TCVN ISO 9001:2015; nghiên cứu áp dụng "
     "Tiêu chuẩn TCVN ISO 18091:2020 theo hướng dẫn của tỉnh."),
    ("- Tăng cường vai trò của các tổ chức chính trị - xã hội, xã hội\n\n- nghề nghiệp và cộng đồng trong phản biện.",
     "Tăng cường vai trò của các tổ chức chính trị - xã hội, xã hội - nghề nghiệp và cộng đồng trong phản biện."),
])
def test_page_break_inside_a_sentence_before_a_capital_or_digit(broken, joined):
    assert _bullets(f"II. NHIỆM VỤ\n1. Cải cách thể chế\n{broken}\n- Nhiệm vụ sau.") == [joined, "Nhiệm vụ sau."]


@pytest.mark.parametrize("text, n_paragraphs", [
    ("1. Mục đích\n\nTriển khai đồng bộ các nhiệm vụ.\n\nTiếp tục hiện đại hóa nền hành chính.", 2),  # heading, no stop
    ("1. Mục đích\nBảo đảm chất lượng.\nKIỂM TRA, GIÁM SÁT", 2),
    ("1. Mục đích\nNội dung gồm các phần sau đây\n\nPhần thứ nhất nói về thể chế.", 2),
    ("2. KINH PHÍ THỰC HIỆN\nKinh phí thực hiện Kế hoạch được bố trí trong dự toán.", 1),  # seed 004
    ("- Rà soát thủ tục hành chính tại văn bản của Hội đồng nhân dân, Ủy ban nhân dân:\n\n"
     "Tiếp tục rà soát, đề xuất bãi bỏ các thủ tục rườm rà.", 1),  # seed 001: a colon opens sub-items
    ("- Chủ trì: Văn phòng Hội đồng nhân dân và Ủy ban nhân dân phường\nPhối hợp: Các phòng, ban thuộc phường.", 1),
])
def test_no_join_where_the_previous_line_is_complete(text, n_paragraphs):
    seg = segment_text(clean_text("I. MỤC ĐÍCH\n" + text))
    assert len([s for s in seg.walk() if s.kind == "paragraph"]) == n_paragraphs


def test_lower_case_dash_items_after_a_heading_or_a_finished_item_stay_items():
    text = "II. NHIỆM VỤ\n1. Cải cách thể chế\n- nâng cao hiệu quả.\n- tiếp tục rà soát văn bản"
    assert _bullets(text) == ["nâng cao hiệu quả.", "tiếp tục rà soát văn bản"]
