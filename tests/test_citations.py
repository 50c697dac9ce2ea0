"""Citation extraction: table-driven snippets from the seed plans, and per-seed checks.

Snippets are copied from examples/seeds (typos, Party style, dotted numbers, dates both ways,
laws by name, HĐND/UBND jurisdictions) with the fields expected of each citation found; the
per-seed tables list every citation of every seed (surface, key, date), checked by hand.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from plankb.ingest.extract.citations import (
    CitationContext,
    citation_key,
    extract_adopting_decision,
    extract_citations,
    extract_legal_bases,
    select_parent_plans,
)
from plankb.ingest.extract.clean import clean_text
from plankb.kb.models import Citation, Span

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"

HAI_PHONG_COMMUNE = CitationContext(level="commune", province="Hải Phòng", commune="Ái Quốc")
HAI_PHONG = CitationContext(level="province", province="Hải Phòng")
QUYET_THANG = CitationContext(level="commune", province="Hải Phòng", commune="Quyết Thắng")
BA_DINH = CitationContext(level="commune", province="Hà Nội", commune="Ba Đình")
VO_CUONG = CitationContext(level="commune", province="Bắc Ninh", commune="Võ Cường")

CONTEXTS = {"000": HAI_PHONG_COMMUNE, "001": HAI_PHONG, "002": QUYET_THANG, "003": BA_DINH, "004": VO_CUONG}


@lru_cache(maxsize=None)
def seed_text(sid: str) -> str:
    (path,) = SEEDS.glob(f"{sid}_*.txt")
    return path.read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def seed_citations(sid: str) -> tuple[Citation, ...]:
    text = seed_text(sid)
    return tuple(extract_citations(text, clean_text(text), CONTEXTS[sid]))


def cite(text: str, context: CitationContext = HAI_PHONG_COMMUNE) -> list[Citation]:
    return extract_citations(text, clean_text(text), context)


# ---------------------------------------------------------------- snippets
NQ76 = dict(doc_type="NQ", doc_type_name="Nghị quyết", number="76", symbol="NQ-CP", year=2021, date="2021-07-15",
            issuer="Chính phủ", issuer_level="national", jurisdiction=None, key="nq-76-2021-nq-cp")

SNIPPETS: list[Any] = [
    pytest.param(
        "Căn cứ Nghị quyết số 76/NQ-CP ngày 15/7/2021 của Chính phủ ban hành Chương trình tổng thể cải cách "
        "hành chính nhà nước giai đoạn 2021-2030 (gọi tắt là Nghị quyết số 76/NQ-CP), Căn cứ Quyết định số "
        "1478/QĐ-UBND ngày 14/4/2026 của Chủ tịch Ủy ban nhân dân thành phố về việc ban hành Kế hoạch cải cách "
        "hành chính nhà nước trọng tâm giai đoạn 2026-2030 của thành phố Hải Phòng, Chủ tịch Ủy ban nhân dân "
        "phường ban hành Kế hoạch",
        HAI_PHONG_COMMUNE,
        [
            {**NQ76, "surface": "Nghị quyết số 76/NQ-CP ngày 15/7/2021",
             "name": "ban hành Chương trình tổng thể cải cách hành chính nhà nước giai đoạn 2021-2030"},
            {**NQ76, "surface": "Nghị quyết số 76/NQ-CP"},  # the "gọi tắt" re-mention
            dict(surface="Quyết định số 1478/QĐ-UBND ngày 14/4/2026", doc_type="QĐ", number="1478",
                 symbol="QĐ-UBND", year=2026, date="2026-04-14",
                 issuer="Chủ tịch Ủy ban nhân dân thành phố Hải Phòng", issuer_level="province",
                 jurisdiction="Hải Phòng", key="qd-1478-2026-qd-ubnd-hai-phong",
                 name="về việc ban hành Kế hoạch cải cách hành chính nhà nước trọng tâm giai đoạn 2026-2030 "
                      "của thành phố Hải Phòng"),
        ],
        id="seed000-basis-remention-chair-of-city",
    ),
    pytest.param(
        "đề ra trong Nghị quyết số 76/NQ-CP của Chính phủ và Quyết định số 282/QĐTTg ngày 12 tháng 02 năm 2026 "
        "của Thủ tướng Chính phủ ban hành Kế hoạch cải cách hành chính nhà nước trọng tâm giai đoạn 2026 – 2030. ",
        HAI_PHONG_COMMUNE,
        [
            # undated national reference: identity from vocab/national_documents.csv
            dict(surface="Nghị quyết số 76/NQ-CP", doc_type="NQ", symbol="NQ-CP", date="2021-07-15", year=2021,
                 issuer="Chính phủ", key="nq-76-2021-nq-cp"),
            dict(surface="Quyết định số 282/QĐTTg ngày 12 tháng 02 năm 2026", doc_type="QĐ", number="282",
                 symbol="QĐ-TTg", year=2026, date="2026-02-12", issuer="Thủ tướng Chính phủ",
                 issuer_level="national", key="qd-282-2026-qd-ttg",
                 name="ban hành Kế hoạch cải cách hành chính nhà nước trọng tâm giai đoạn 2026 – 2030"),
        ],
        id="seed000-typo-QDTTg-date-in-words",
    ),
    pytest.param(
        "theo Nghị quyết số 68-NQ/TW ngày 04 tháng 5 năm 2025 và Nghị quyết số 79-NQ/TW ngày 06/01/2026 của Bộ "
        "Chính trị, Nghị quyết 66/NQCP ngày 26/03/2025 của Chính phủ và các văn bản khác",
        HAI_PHONG_COMMUNE,
        [
            dict(surface="Nghị quyết số 68-NQ/TW ngày 04 tháng 5 năm 2025", number="68", symbol="NQ/TW",
                 date="2025-05-04", year=2025, issuer="Bộ Chính trị", issuer_level="national",
                 key="nq-68-2025-nq-tw", name=None),
            dict(surface="Nghị quyết số 79-NQ/TW ngày 06/01/2026", number="79", symbol="NQ/TW", date="2026-01-06",
                 issuer="Bộ Chính trị", key="nq-79-2026-nq-tw"),
            dict(surface="Nghị quyết 66/NQCP ngày 26/03/2025", doc_type="NQ", number="66", symbol="NQ-CP",
                 date="2025-03-26", issuer="Chính phủ", key="nq-66-2025-nq-cp", name=None),
        ],
        id="seed000-party-style-shared-issuer-no-so-typo-NQCP",
    ),
    pytest.param(
        "theo Kết luận số 205-KL/TW ngày 07/11/2025 của Bộ Chính trị về một số giải pháp đột phá trong tuyển "
        "dụng, bố trí, sử dụng, đãi ngộ cán bộ. ",
        HAI_PHONG_COMMUNE,
        [dict(doc_type="KL", doc_type_name="Kết luận", number="205", symbol="KL/TW", date="2025-11-07",
              issuer="Bộ Chính trị", key="kl-205-2025-kl-tw",
              name="về một số giải pháp đột phá trong tuyển dụng, bố trí, sử dụng, đãi ngộ cán bộ")],
        id="seed000-party-conclusion",
    ),
    pytest.param(
        "dựa trên dữ liệu theo Nghị quyết số 66.7/2025/NQ-CP ngày 15/11/2025 của Chính phủ và các quy định khác",
        HAI_PHONG_COMMUNE,
        [dict(number="66.7", symbol="NQ-CP", year=2025, date="2025-11-15", key="nq-66-7-2025-nq-cp", name=None)],
        id="seed000-dotted-number",
    ),
    pytest.param(
        "theo quy định tại Điều 9 Nghị định số 137/2024/NĐ-CP ngày 23/10/2024 của Chính phủ quy định về giao dịch "
        "điện tử của cơ quan nhà nước và hệ thống thông tin phục vụ giao dịch điện tử; bảo đảm kết nối",
        HAI_PHONG_COMMUNE,
        [dict(surface="Nghị định số 137/2024/NĐ-CP ngày 23/10/2024", doc_type="NĐ", doc_type_name="Nghị định",
              number="137", symbol="NĐ-CP", year=2024, key="nd-137-2024-nd-cp",
              name="quy định về giao dịch điện tử của cơ quan nhà nước và hệ thống thông tin phục vụ giao dịch "
                   "điện tử")],
        id="seed000-article-then-decree",
    ),
    pytest.param(
        "theo quy định tại Nghị định số 152/2017/NĐ-CP; Quyết định số 50/2017/QĐ-TTg\tQuyết định",
        BA_DINH,
        [dict(surface="Nghị định số 152/2017/NĐ-CP", year=2017, date=None, key="nd-152-2017-nd-cp", name=None),
         dict(surface="Quyết định số 50/2017/QĐ-TTg", year=2017, issuer="Thủ tướng Chính phủ",
              key="qd-50-2017-qd-ttg")],
        id="seed003-two-documents-one-clause",
    ),
    pytest.param(
        "Căn cứ Nghị quyết số 76/\nNQ-CP ngày 15/7/2021 của Chính phủ",
        HAI_PHONG_COMMUNE,
        [{**NQ76, "surface": "Nghị quyết số 76/\nNQ-CP ngày 15/7/2021"}],
        id="line-break-inside-number",
    ),
    pytest.param(
        "Quyết định số 282/QÐ-TTg ngày 12/02/2026; Quyết định số 282 / QĐ - TTg ngày 12/02/2026",
        HAI_PHONG_COMMUNE,
        [dict(symbol="QĐ-TTg", key="qd-282-2026-qd-ttg"), dict(symbol="QĐ-TTg", key="qd-282-2026-qd-ttg")],
        id="icelandic-eth-and-spaced-symbol",
    ),
    pytest.param(
        "a) Tổ chức triển khai đồng bộ, hiệu quả Luật Cán bộ, công chức năm 2025và Luật Viên chức năm 2025.",
        HAI_PHONG_COMMUNE,
        [dict(surface="Luật Cán bộ, công chức năm 2025", doc_type="LUAT", doc_type_name="Luật", number=None,
              name="Luật Cán bộ, công chức", year=2025, issuer="Quốc hội", key="luat-can-bo-cong-chuc-2025"),
         dict(surface="Luật Viên chức năm 2025", name="Luật Viên chức", year=2025, key="luat-vien-chuc-2025")],
        id="seed000-laws-by-name-and-year",
    ),
    pytest.param(
        "nhất là các nội dung liên quan đến Luật Thủ đô (sửa\n\nđổi), Luật Tổ chức chính quyền địa phương và mô hình",
        BA_DINH,
        [dict(surface="Luật Thủ đô (sửa\n\nđổi)", name="Luật Thủ đô (sửa đổi)", key="luat-thu-do-sua-doi"),
         dict(surface="Luật Tổ chức chính quyền địa phương", name="Luật Tổ chức chính quyền địa phương",
              key="luat-to-chuc-chinh-quyen-dia-phuong")],
        id="seed003-law-amended-across-page-break",
    ),
    pytest.param(
        "Thực hiện nghiêm các quy định của Luật Thực hành tiết kiệm, chống lãng phí; Luật Ngân sách nhà nước; "
        "Luật Quản lý, sử dụng tài sản công và các văn bản hướng dẫn.",
        QUYET_THANG,
        [dict(name="Luật Thực hành tiết kiệm, chống lãng phí"), dict(name="Luật Ngân sách nhà nước"),
         dict(name="Luật Quản lý, sử dụng tài sản công", key="luat-quan-ly-su-dung-tai-san-cong")],
        id="seed002-laws-with-commas",
    ),
    pytest.param(
        "Tổ chức tuyên truyền, tập huấn Luật Tiếp công dân, Luật Khiếu nại, Luật Tố cáo (sửa đổi) và các văn bản",
        BA_DINH,
        [dict(name="Luật Tiếp công dân"), dict(name="Luật Khiếu nại"), dict(name="Luật Tố cáo (sửa đổi)")],
        id="seed003-law-list",
    ),
    pytest.param(
        "đề xuất bãi bỏ 100% điều kiện đầu tư kinh doanh có điều kiện của Luật Đầu tư.",
        HAI_PHONG_COMMUNE,
        [dict(surface="Luật Đầu tư", name="Luật Đầu tư", year=None, key="luat-dau-tu")],
        id="seed000-law-without-year",
    ),
    pytest.param(
        "ủy quyền giải quyết TTHC theo yêu cầu tại Nghị quyết 20/NQ-HĐND ngày 06/7/2023 của HĐND Thành phố, đồng thời",
        BA_DINH,
        [dict(surface="Nghị quyết 20/NQ-HĐND ngày 06/7/2023", number="20", symbol="NQ-HĐND",
              issuer="Hội đồng nhân dân thành phố Hà Nội", issuer_level="province", jurisdiction="Hà Nội",
              key="nq-20-2023-nq-hdnd-ha-noi", name=None)],
        id="seed003-HDND-Thanh-pho-is-the-plans-province",
    ),
    pytest.param(
        "Căn cứ Quyết định số 600/QĐ-UBND ngày 09/02/2026 của UBND thành phố Hà Nội về việc ban hành kế hoạch "
        "Cải cách hành chính nhà nước năm 2026, UBND phường Ba Đình xây dựng",
        HAI_PHONG_COMMUNE,  # an explicit place wins over the context
        [dict(issuer="Ủy ban nhân dân thành phố Hà Nội", issuer_level="province", jurisdiction="Hà Nội",
              key="qd-600-2026-qd-ubnd-ha-noi", name="về việc ban hành kế hoạch Cải cách hành chính nhà nước năm 2026")],
        id="seed003-UBND-Ha-Noi-explicit",
    ),
    pytest.param(
        "Kế hoạch số 69/KH-UBND ngày 19/9/2025 của UBND tỉnh Bắc Ninh về cải cách hành chính nhà nước tỉnh Bắc "
        "Ninh giai đoạn 2025-2030; Kế hoạch số 167/KH-UBND ngày 17/12/2025 của Uỷ ban nhân dân tỉnh Bắc Ninh về",
        VO_CUONG,
        [dict(doc_type="KH", doc_type_name="Kế hoạch", number="69", symbol="KH-UBND", date="2025-09-19",
              issuer="Ủy ban nhân dân tỉnh Bắc Ninh", issuer_level="province", jurisdiction="Bắc Ninh",
              key="kh-69-2025-kh-ubnd-bac-ninh",
              name="về cải cách hành chính nhà nước tỉnh Bắc Ninh giai đoạn 2025-2030"),
         dict(number="167", issuer="Ủy ban nhân dân tỉnh Bắc Ninh", key="kh-167-2025-kh-ubnd-bac-ninh")],
        id="seed004-UBND-tinh-Bac-Ninh-old-tone-Uy",
    ),
    pytest.param(
        "theo tinh thần chỉ đạo tại Kế hoạch số 360-KH/TU ngày 28/8/2025 của Thành ủy Hà Nội\t\tlĩnh vực",
        BA_DINH,
        [dict(surface="Kế hoạch số 360-KH/TU ngày 28/8/2025", symbol="KH/TU", issuer="Thành ủy Hà Nội",
              issuer_level="province", jurisdiction="Hà Nội", key="kh-360-2025-kh-tu-ha-noi")],
        id="seed003-Thanh-uy-Ha-Noi",
    ),
    pytest.param(
        "Thực hiện Quyết định số 5256/QĐ-UBND ngày 26/12/2025 của Ủy ban nhân dân thành phố Hải Phòng về ban hành "
        "Kế hoạch cải cách hành chính nhà nước thành phố Hải Phòng năm 2026; căn cứ tình hình thực tiễn",
        QUYET_THANG,
        [dict(issuer="Ủy ban nhân dân thành phố Hải Phòng", jurisdiction="Hải Phòng",
              key="qd-5256-2025-qd-ubnd-hai-phong",
              name="về ban hành Kế hoạch cải cách hành chính nhà nước thành phố Hải Phòng năm 2026")],
        id="seed002-UBND-thanh-pho-Hai-Phong",
    ),
    pytest.param(
        "29\tTriển khai Nghị quyết 41/2025/NQ-HĐND về quy định ủy quyền giải quyết TTHC cho Chủ tịch UBND cấp xã "
        "cho công chức thuộc UBND cấp xã trên địa bàn thành phố Hà Nội\tBáo cáo",
        BA_DINH,
        [dict(number="41", year=2025, date=None, symbol="NQ-HĐND", issuer="Hội đồng nhân dân thành phố Hà Nội",
              issuer_level="province", jurisdiction="Hà Nội", key="nq-41-2025-nq-hdnd-ha-noi",
              name="về quy định ủy quyền giải quyết TTHC cho Chủ tịch UBND cấp xã cho công chức thuộc UBND cấp "
                   "xã trên địa bàn thành phố Hà Nội")],
        id="seed003-HDND-implied-by-symbol",
    ),
    pytest.param(
        "theo Nghị định số 59/2019/NĐ-CP ngày 01/09/2019 của Chính phủ phải được thực hiện; quy định tại Luật "
        "Phòng, chống tham nhũng và Nghị định số 59/2019/NĐ-CP ngày 01/7/2019 của Chính phủ, đặc biệt",
        BA_DINH,
        [dict(date="2019-09-01", year=2019, key="nd-59-2019-nd-cp"),
         dict(name="Luật Phòng, chống tham nhũng", key="luat-phong-chong-tham-nhung"),
         dict(date="2019-07-01", year=2019, key="nd-59-2019-nd-cp")],
        id="seed003-conflicting-dates-same-key",
    ),
    pytest.param(
        "Chủ trì, phối hợp tham mưu Ủy ban nhân dân thành phố thực hiện, theo dõi, tổng hợp các nhiệm vụ về Đề án 06/CP.",
        HAI_PHONG,
        [dict(surface="Đề án 06/CP", doc_type="ĐA", doc_type_name="Đề án", number="06", symbol="CP",
              issuer="Chính phủ", key="da-06-cp")],
        id="seed001-de-an-06-bare-symbol",
    ),
    pytest.param(
        "(Kèm theo Quyết định số      /QĐ-UBND ngày       tháng        năm 2026\n"
        "của Chủ tịch Ủy ban nhân dân phường)",
        HAI_PHONG_COMMUNE,
        [dict(surface="Quyết định số      /QĐ-UBND ngày       tháng        năm 2026", doc_type="QĐ", number=None,
              symbol="QĐ-UBND", year=2026, date=None, issuer="Chủ tịch Ủy ban nhân dân phường Ái Quốc",
              issuer_level="commune", jurisdiction="Hải Phòng", key=None)],
        id="seed000-draft-blank-number-and-date",
    ),
    pytest.param(
        "Căn cứ Nghị quyết số 76/NQ-CP ngày 15/7/2021 của Chính phủ ban hành Chương trình tổng thể cải cách hành "
        "chính (CCHC) nhà nước giai đoạn 2021-2030; Chỉ thị số 23/CT-TTg ngày 02/9/2021 của Thủ tướng Chính phủ về "
        "đẩy mạnh thực hiện Chương trình tổng thể CCHC nhà nước giai đoạn 2021-2030 và các nghị quyết, kết luận",
        VO_CUONG,
        [{**NQ76, "name": "ban hành Chương trình tổng thể cải cách hành chính (CCHC) nhà nước giai đoạn 2021-2030"},
         dict(doc_type="CT", doc_type_name="Chỉ thị", number="23", symbol="CT-TTg", date="2021-09-02",
              key="ct-23-2021-ct-ttg",
              name="về đẩy mạnh thực hiện Chương trình tổng thể CCHC nhà nước giai đoạn 2021-2030")],
        id="seed004-acronym-in-title-and-directive",
    ),
    pytest.param(
        "Thông tư số 03/2025/TT-VPCP ngày 15/9/2025 hướng dẫn thi hành một số nội dung của Nghị định số "
        "118/2025/NĐ-CP ngày 09 tháng 6 năm 2025 của Chính phủ về thực hiện thủ tục hành chính; Nghị định",
        QUYET_THANG,
        [dict(doc_type="TT", number="03", symbol="TT-VPCP", year=2025, issuer="Văn phòng Chính phủ",
              issuer_level="national", key="tt-03-2025-tt-vpcp",
              name="hướng dẫn thi hành một số nội dung của Nghị định số 118/2025/NĐ-CP ngày 09 tháng 6 năm 2025 "
                   "của Chính phủ về thực hiện thủ tục hành chính"),
         dict(surface="Nghị định số 118/2025/NĐ-CP ngày 09 tháng 6 năm 2025", date="2025-06-09",
              key="nd-118-2025-nd-cp")],
        id="seed002-circular-issuer-from-symbol-nested-citation",
    ),
    pytest.param(
        "theo Công văn số 12154/VPCP-TCCV ngày 30/12/2025; xem thêm (12154/VPCP-TCCV)",
        HAI_PHONG,
        [dict(doc_type="CV", doc_type_name="Công văn", number="12154", symbol="VPCP-TCCV", date="2025-12-30",
              issuer="Văn phòng Chính phủ", key="cv-12154-2025-vpcp-tccv"),
         dict(surface="12154/VPCP-TCCV", doc_type="CV", date="2025-12-30", key="cv-12154-2025-vpcp-tccv")],
        id="official-letter-typed-and-bare",
    ),
    pytest.param(
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025; Luật Giao dịch điện tử số "
        "20/2023/QH15; Quy định số 144-QĐ/TW ngày 9/5/2024 của Bộ Chính trị",
        HAI_PHONG,
        [dict(surface="Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025", date="2025-06-16",
              year=2025, key="luat-to-chuc-chinh-quyen-dia-phuong-2025"),
         dict(surface="Luật Giao dịch điện tử số 20/2023/QH15", number="20", symbol="QH15", year=2023,
              key="luat-giao-dich-dien-tu-2023"),
         dict(doc_type="QyĐ", doc_type_name="Quy định", number="144", symbol="QĐ/TW", issuer="Bộ Chính trị")],
        id="law-with-date-and-number-party-regulation",
    ),
    pytest.param(
        "Quyết định số 12/QĐ-UBND ngày 5/1/2026 của Ủy ban nhân dân phường; Quyết định số 12/QĐ-UBND ngày "
        "6/1/2026 của UBND phường Ba Đình",
        HAI_PHONG_COMMUNE,
        [dict(issuer="Ủy ban nhân dân phường Ái Quốc", issuer_level="commune", jurisdiction="Hải Phòng",
              key="qd-12-2026-qd-ubnd-hai-phong-phuong-ai-quoc"),
         dict(issuer="Ủy ban nhân dân phường Ba Đình", issuer_level="commune",
              key="qd-12-2026-qd-ubnd-hai-phong-phuong-ba-dinh")],
        id="commune-issuers",
    ),
    # ---- not citations
    pytest.param("tại các khoản 1, 2, 3, 4, 5, 6, 7, 8 và 9 Điều 4 Nghị quyết này và được công bố", HAI_PHONG, [],
                 id="seed001-this-resolution-and-article"),
    pytest.param("theo 123/ABC-XYZ; văn bản 123/ABC-XYZ; Quyết định số 123/ABC-XYZ", HAI_PHONG, [],
                 id="garbage-symbol"),
    pytest.param("Hệ thống quản lý chất lượng theo Tiêu chuẩn quốc gia TCVN ISO 9001:2015 và TCVN ISO 18091:2020",
                 HAI_PHONG, [], id="seed000-standards"),
    pytest.param("ĐT: 0225.3842.123, 024 3825 1234; từ ngày 15/12/2025 đến 14/3/2026; đạt 100%; 06 tháng/lần; "
                 "Quý I/2026; tháng 02/2026", BA_DINH, [], id="phones-dates-percentages"),
    pytest.param("Số: /KH-UBND\n\nBa Đình, ngày tháng năm 2026", BA_DINH, [], id="seed003-own-number-header"),
    pytest.param("Kế hoạch 5 năm; Kế hoạch 2026; Nghị quyết của HĐND Thành phố; Chỉ số PAR INDEX; "
                 "các luật có liên quan; Luật này", BA_DINH, [], id="quantities-and-unnumbered"),
]


@pytest.mark.parametrize(("snippet", "context", "expected"), SNIPPETS)
def test_snippet(snippet: str, context: CitationContext, expected: list[dict[str, Any]]) -> None:
    got = cite(snippet, context)
    assert len(got) == len(expected), [c.surface for c in got]
    for c, exp in zip(got, expected):
        assert snippet[c.span.start:c.span.end] == c.surface
        for field, value in exp.items():
            assert getattr(c, field) == value, (c.surface, field)


# ---------------------------------------------------------------- keys
def _c(**kw: Any) -> Citation:
    return Citation(surface="x", span=Span(start=0, end=1), **kw)


def test_citation_key_examples() -> None:
    assert citation_key(_c(doc_type="NQ", number="76", symbol="NQ-CP", year=2021, issuer_level="national")) == (
        "nq-76-2021-nq-cp")
    assert citation_key(_c(doc_type="QĐ", number="600", symbol="QĐ-UBND", year=2026, issuer_level="province",
                           jurisdiction="Hà Nội")) == "qd-600-2026-qd-ubnd-ha-noi"
    assert citation_key(_c(doc_type="LUAT", name="Luật Cán bộ, công chức", year=2025)) == "luat-can-bo-cong-chuc-2025"
    assert citation_key(_c(doc_type="QĐ", symbol="QĐ-UBND", year=2026)) is None  # a draft's blank number


def test_a_number_is_not_an_identity() -> None:
    s = "Quyết định số 600/QĐ-UBND ngày 09/02/2026 của UBND thành phố Hà Nội"
    hanoi = cite(s, BA_DINH)[0]
    haiphong = cite(s.replace("thành phố Hà Nội", "thành phố"), HAI_PHONG_COMMUNE)[0]
    assert hanoi.key == "qd-600-2026-qd-ubnd-ha-noi"
    assert haiphong.key == "qd-600-2026-qd-ubnd-hai-phong"
    other_year = cite("Quyết định số 600/QĐ-UBND ngày 01/3/2025 của UBND thành phố Hà Nội", BA_DINH)[0]
    assert other_year.key != hanoi.key


def test_short_remention_takes_full_citation_fields() -> None:
    s = ("Căn cứ Kế hoạch số 69/KH-UBND ngày 19/9/2025 của UBND tỉnh Bắc Ninh về cải cách hành chính. "
         "Triển khai Kế hoạch số 69/KH-UBND và Kế hoạch số 69 đúng tiến độ.")
    full, short, bare = cite(s, VO_CUONG)
    assert short.key == bare.key == full.key == "kh-69-2025-kh-ubnd-bac-ninh"
    assert (short.date, short.year, short.issuer) == ("2025-09-19", 2025, "Ủy ban nhân dân tỉnh Bắc Ninh")
    assert bare.symbol == "KH-UBND" and bare.surface == "Kế hoạch số 69"


def test_remention_of_other_province_not_merged() -> None:
    s = ("Quyết định số 600/QĐ-UBND ngày 09/02/2026 của UBND thành phố Hà Nội; "
         "Quyết định số 600/QĐ-UBND của UBND tỉnh Bắc Ninh")
    a, b = cite(s, VO_CUONG)
    assert a.key == "qd-600-2026-qd-ubnd-ha-noi"
    assert b.jurisdiction == "Bắc Ninh" and b.date is None and b.key == "qd-600-qd-ubnd-bac-ninh"


def test_context_names_are_normalised() -> None:
    ctx = CitationContext(level="commune", province="Thành phố Hải Phòng", commune="Phường Ái Quốc")
    assert (ctx.province, ctx.commune) == ("Hải Phòng", "Ái Quốc")
    assert CitationContext(province="tỉnh Bắc Ninh").province == "Bắc Ninh"


def test_without_province_context() -> None:
    (c,) = cite("Quyết định số 5256/QĐ-UBND ngày 26/12/2025 của Ủy ban nhân dân thành phố về", CitationContext())
    assert c.jurisdiction is None and c.key == "qd-5256-2025-qd-ubnd"


def test_basis_paragraphs_several_clauses_and_bullets() -> None:
    text = (
        "QUYẾT ĐỊNH\n"
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;\n"
        "Căn cứ Nghị quyết số 76/NQ-CP ngày 15/7/2021 của Chính phủ;\n"
        "Căn cứ:\n"
        "- Quyết định số 12/QĐ-UBND ngày 3/1/2026 của UBND tỉnh;\n"
        "- Kế hoạch số 5/KH-UBND ngày 4/1/2026 của UBND tỉnh về cải cách hành chính năm 2026;\n"
        "Xét đề nghị của Trưởng phòng Văn hóa - Xã hội tại Tờ trình số 15/TTr-VHXH ngày 5/1/2026.\n"
        "I. MỤC TIÊU\n"
        "Căn cứ Nghị định số 1/2026/NĐ-CP.\n"
    )
    cleaned = clean_text(text)
    cs = extract_citations(text, cleaned, VO_CUONG)
    bases = extract_legal_bases(text, cleaned, cs)
    assert [c.key for c in bases] == [
        "luat-to-chuc-chinh-quyen-dia-phuong-2025",
        "nq-76-2021-nq-cp",
        "qd-12-2026-qd-ubnd-bac-ninh",
        "kh-5-2026-kh-ubnd-bac-ninh",
    ]
    assert [c.key for c in select_parent_plans(bases)] == ["kh-5-2026-kh-ubnd-bac-ninh"]
    assert extract_adopting_decision(text, cleaned, cs) is None


# ---------------------------------------------------------------- per seed
LEGAL_BASES = {
    "000": [("nq-76-2021-nq-cp", "2021-07-15", "Chính phủ", None),
            ("qd-1478-2026-qd-ubnd-hai-phong", "2026-04-14", "Chủ tịch Ủy ban nhân dân thành phố Hải Phòng",
             "Hải Phòng")],
    "001": [("nq-76-2021-nq-cp", "2021-07-15", "Chính phủ", None),
            ("qd-282-2026-qd-ttg", "2026-02-12", "Thủ tướng Chính phủ", None)],
    "002": [("qd-5256-2025-qd-ubnd-hai-phong", "2025-12-26", "Ủy ban nhân dân thành phố Hải Phòng", "Hải Phòng")],
    "003": [("qd-600-2026-qd-ubnd-ha-noi", "2026-02-09", "Ủy ban nhân dân thành phố Hà Nội", "Hà Nội")],
    "004": [("nq-76-2021-nq-cp", "2021-07-15", "Chính phủ", None),
            ("kh-69-2025-kh-ubnd-bac-ninh", "2025-09-19", "Ủy ban nhân dân tỉnh Bắc Ninh", "Bắc Ninh"),
            ("kh-167-2025-kh-ubnd-bac-ninh", "2025-12-17", "Ủy ban nhân dân tỉnh Bắc Ninh", "Bắc Ninh")],
}

PARENT_PLANS = {
    "000": ["nq-76-2021-nq-cp", "qd-1478-2026-qd-ubnd-hai-phong"],
    "001": ["nq-76-2021-nq-cp", "qd-282-2026-qd-ttg"],
    "002": ["qd-5256-2025-qd-ubnd-hai-phong"],
    "003": ["qd-600-2026-qd-ubnd-ha-noi"],
    "004": ["nq-76-2021-nq-cp", "kh-69-2025-kh-ubnd-bac-ninh", "kh-167-2025-kh-ubnd-bac-ninh"],
}


@pytest.mark.parametrize("sid", sorted(LEGAL_BASES))
def test_seed_legal_bases(sid: str) -> None:
    text = seed_text(sid)
    bases = extract_legal_bases(text, clean_text(text), list(seed_citations(sid)))
    assert [(c.key, c.date, c.issuer, c.jurisdiction) for c in bases] == LEGAL_BASES[sid]
    assert [c.key for c in select_parent_plans(bases)] == PARENT_PLANS[sid]


@pytest.mark.parametrize(
    ("sid", "expected"),
    [
        # drafts: "(Kèm theo Quyết định số      /QĐ-UBND ngày …)" leaves the number blank; that decision does
        # not exist yet, so it is no adopting decision (it stays among the citations, number None)
        ("000", None),
        ("001", None),
        ("002", None),
        ("003", None),  # its "(Kèm theo Kế hoạch số /KH-UBND …)" heads the appendix, not the plan
        ("004", None),
    ],
)
def test_seed_adopting_decision(sid: str, expected: tuple[Any, ...] | None) -> None:
    text = seed_text(sid)
    c = extract_adopting_decision(text, clean_text(text), list(seed_citations(sid)))
    got = None if c is None else (c.surface, c.number, c.symbol, c.year, c.issuer)
    assert got == expected


@pytest.mark.parametrize(("sid", "surface", "issuer"), [
    ("000", "Quyết định số      /QĐ-UBND ngày       tháng        năm 2026", "Chủ tịch Ủy ban nhân dân phường Ái Quốc"),
    ("001", "Quyết định số /QĐ-UBND ngày tháng năm 2026", "Chủ tịch Ủy ban nhân dân thành phố Hải Phòng"),
])
def test_blank_adopting_decision_stays_a_citation_without_key(sid: str, surface: str, issuer: str) -> None:
    blank = [c for c in seed_citations(sid) if c.surface == surface]
    assert len(blank) == 1 and blank[0].number is None and blank[0].key is None and blank[0].issuer == issuer


@pytest.mark.parametrize("sid", sorted(CONTEXTS))
@pytest.mark.parametrize("form", ["raw", "NFC"])
def test_seed_span_invariant(sid: str, form: str) -> None:
    text = seed_text(sid) if form == "raw" else unicodedata.normalize("NFC", seed_text(sid))
    cs = extract_citations(text, clean_text(text), CONTEXTS[sid])
    assert cs
    assert all(text[c.span.start:c.span.end] == c.surface for c in cs)
    assert [c.span.start for c in cs] == sorted(c.span.start for c in cs)
    assert all(c.key == citation_key(c) for c in cs)


@pytest.mark.parametrize("sid", sorted(CONTEXTS))
def test_seed_all_citations(sid: str) -> None:
    got = [(c.surface, c.key, c.date) for c in seed_citations(sid)]
    assert got == ALL_CITATIONS[sid]


# Every citation of every seed, read by hand: (surface, key, date).
ALL_CITATIONS: dict[str, list[tuple[str, str | None, str | None]]] = {
    "000": [
        ('Quyết định số      /QĐ-UBND ngày       tháng        năm 2026', None, None),
        ('Nghị quyết số 76/NQ-CP ngày 15/7/2021', 'nq-76-2021-nq-cp', '2021-07-15'),
        ('Nghị quyết số 76/NQ-CP', 'nq-76-2021-nq-cp', '2021-07-15'),
        ('Quyết định số 1478/QĐ-UBND ngày 14/4/2026', 'qd-1478-2026-qd-ubnd-hai-phong', '2026-04-14'),
        ('Nghị quyết số 76/NQ-CP', 'nq-76-2021-nq-cp', '2021-07-15'),
        ('Nghị quyết số 76/NQ-CP', 'nq-76-2021-nq-cp', '2021-07-15'),
        ('Quyết định số 282/QĐTTg ngày 12 tháng 02 năm 2026', 'qd-282-2026-qd-ttg', '2026-02-12'),
        ('Nghị quyết số 68-NQ/TW ngày 04 tháng 5 năm 2025', 'nq-68-2025-nq-tw', '2025-05-04'),
        ('Nghị quyết số 79-NQ/TW ngày 06/01/2026', 'nq-79-2026-nq-tw', '2026-01-06'),
        ('Nghị quyết 66/NQCP ngày 26/03/2025', 'nq-66-2025-nq-cp', '2025-03-26'),
        ('Luật Đầu tư', 'luat-dau-tu', None),
        ('Nghị quyết số 66.7/2025/NQ-CP ngày 15/11/2025', 'nq-66-7-2025-nq-cp', '2025-11-15'),
        ('Nghị định số 137/2024/NĐ-CP ngày 23/10/2024', 'nd-137-2024-nd-cp', '2024-10-23'),
        ('Luật Cán bộ, công chức năm 2025', 'luat-can-bo-cong-chuc-2025', None),
        ('Luật Viên chức năm 2025', 'luat-vien-chuc-2025', None),
        ('Kết luận số 205-KL/TW ngày 07/11/2025', 'kl-205-2025-kl-tw', '2025-11-07'),
        ('Luật Ngân sách nhà nước', 'luat-ngan-sach-nha-nuoc', None),
        ('Nghị định số 186/2025/NĐ-CP ngày 01/7/2025', 'nd-186-2025-nd-cp', '2025-07-01'),
        ('Nghị định số 286/2025/NĐ-CP ngày 03/11/2025', 'nd-286-2025-nd-cp', '2025-11-03'),
        ('Quyết định số 06/QĐ-TTg ngày 06/01/2022', 'qd-06-2022-qd-ttg', '2022-01-06'),
    ],
    "001": [
        ('Quyết định số /QĐ-UBND ngày tháng năm 2026', None, None),
        ('Nghị quyết số 76/NQ-CP ngày 15 tháng 7 năm 2021', 'nq-76-2021-nq-cp', '2021-07-15'),
        ('Nghị quyết số 76/NQ-CP', 'nq-76-2021-nq-cp', '2021-07-15'),
        ('Quyết định số 282/QĐ-TTg ngày 12 tháng 02 năm 2026', 'qd-282-2026-qd-ttg', '2026-02-12'),
        ('Nghị quyết số 76/NQ-CP', 'nq-76-2021-nq-cp', '2021-07-15'),
        ('Nghị quyết số 76/NQ-CP', 'nq-76-2021-nq-cp', '2021-07-15'),
        ('Quyết định số 282/QĐ-TTg ngày 12 tháng 02 năm 2026', 'qd-282-2026-qd-ttg', '2026-02-12'),
        ('Luật Ban hành văn bản quy phạm pháp luật', 'luat-ban-hanh-van-ban-quy-pham-phap-luat', None),
        ('Luật Ban hành văn bản quy phạm pháp luật', 'luat-ban-hanh-van-ban-quy-pham-phap-luat', None),
        ('Nghị quyết số 68-NQ/TW ngày 04 tháng 5 năm 2025', 'nq-68-2025-nq-tw', '2025-05-04'),
        ('Nghị quyết số 79-NQ/TW ngày 06/01/2026', 'nq-79-2026-nq-tw', '2026-01-06'),
        ('Nghị quyết 66/NQ-CP ngày 26/03/2025', 'nq-66-2025-nq-cp', '2025-03-26'),
        ('Luật Đầu tư', 'luat-dau-tu', None),
        ('Nghị quyết số 66.7/2025/NQ-CP ngày 15/11/2025', 'nq-66-7-2025-nq-cp', '2025-11-15'),
        ('Nghị định số 137/2024/NĐ-CP ngày 23/10/2024', 'nd-137-2024-nd-cp', '2024-10-23'),
        ('Luật Cán bộ, công chức năm 2025', 'luat-can-bo-cong-chuc-2025', None),
        ('Luật Viên chức năm 2025', 'luat-vien-chuc-2025', None),
        ('Kết luận số 205-KL/TW ngày 07/11/2025', 'kl-205-2025-kl-tw', '2025-11-07'),
        ('Luật Ngân sách nhà nước', 'luat-ngan-sach-nha-nuoc', None),
        ('Nghị định số 186/2025/NĐ-CP ngày 01/7/2025', 'nd-186-2025-nd-cp', '2025-07-01'),
        ('Nghị định số 286/2025/NĐ-CP ngày 03/11/2025', 'nd-286-2025-nd-cp', '2025-11-03'),
        ('Quyết định số 06/QĐ-TTg ngày 06/01/2022', 'qd-06-2022-qd-ttg', '2022-01-06'),
        ('Đề án 06/CP', 'da-06-cp', None),
    ],
    "002": [
        ('Quyết định số 5256/QĐ-UBND ngày 26/12/2025', 'qd-5256-2025-qd-ubnd-hai-phong', '2025-12-26'),
        ('Nghị định số 118/2025/NĐ-CP ngày 09/6/2025', 'nd-118-2025-nd-cp', '2025-06-09'),
        ('Thông tư số 03/2025/TT-VPCP ngày 15/9/2025', 'tt-03-2025-tt-vpcp', '2025-09-15'),
        ('Nghị định số 118/2025/NĐ-CP ngày 09 tháng 6 năm 2025', 'nd-118-2025-nd-cp', '2025-06-09'),
        ('Nghị định số 367/2025/NĐ-CP ngày 31/12/2025', 'nd-367-2025-nd-cp', '2025-12-31'),
        ('Nghị định số 118/2025/NĐ-CP ngày 09 tháng 6 năm 2025', 'nd-118-2025-nd-cp', '2025-06-09'),
        ('Luật Thực hành tiết kiệm, chống lãng phí', 'luat-thuc-hanh-tiet-kiem-chong-lang-phi', None),
        ('Luật Ngân sách nhà nước', 'luat-ngan-sach-nha-nuoc', None),
        ('Luật Quản lý, sử dụng tài sản công', 'luat-quan-ly-su-dung-tai-san-cong', None),
    ],
    "003": [
        ('Quyết định số 600/QĐ-UBND ngày 09/02/2026', 'qd-600-2026-qd-ubnd-ha-noi', '2026-02-09'),
        ('Đề án 06', 'da-06', None),
        ('Đề án 06', 'da-06', None),
        ('Nghị quyết số 76/NQ-CP', 'nq-76-2021-nq-cp', '2021-07-15'),
        ('Nghị quyết số 57-NQ/TW', 'nq-57-2024-nq-tw', '2024-12-22'),
        ('Đề án 06', 'da-06', None),
        ('Luật Tổ chức chính quyền địa phương', 'luat-to-chuc-chinh-quyen-dia-phuong', None),
        ('Luật Thủ đô', 'luat-thu-do', None),
        ('Luật Thủ đô (sửa\n\nđổi)', 'luat-thu-do-sua-doi', None),
        ('Luật Tổ chức chính quyền địa phương', 'luat-to-chuc-chinh-quyen-dia-phuong', None),
        ('Nghị quyết 20/NQ-HĐND ngày 06/7/2023', 'nq-20-2023-nq-hdnd-ha-noi', '2023-07-06'),
        ('Nghị định số 59/2019/NĐ-CP ngày 01/09/2019', 'nd-59-2019-nd-cp', '2019-09-01'),
        ('Luật Phòng, chống tham nhũng', 'luat-phong-chong-tham-nhung', None),
        ('Nghị định số 59/2019/NĐ-CP ngày 01/7/2019', 'nd-59-2019-nd-cp', '2019-07-01'),
        ('Quyết định số 5666/QĐ-UBND ngày 17/11/2025', 'qd-5666-2025-qd-ubnd-ha-noi', '2025-11-17'),
        ('Kế hoạch số /KH-UBND ngày tháng năm 2026', None, None),
        ('Luật Thủ đô', 'luat-thu-do', None),
        ('Luật Tổ chức chính quyền địa phương', 'luat-to-chuc-chinh-quyen-dia-phuong', None),
        ('Luật Ban hành VBQPPL luật', 'luat-ban-hanh-van-ban-quy-pham-phap-luat', None),
        ('Nghị định số 80/2025/NĐ-CP', 'nd-80-2025-nd-cp', None),
        ('Luật Thủ đô năm 2025', 'luat-thu-do-2025', None),
        ('Kế hoạch số 360-KH/TU ngày 28/8/2025', 'kh-360-2025-kh-tu-ha-noi', '2025-08-28'),
        ('Luật Tiếp công dân', 'luat-tiep-cong-dan', None),
        ('Luật Khiếu nại', 'luat-khieu-nai', None),
        ('Luật Tố cáo (sửa đổi)', 'luat-to-cao-sua-doi', None),
        ('Nghị quyết 20/NQ-HĐND ngày 06/7/2023', 'nq-20-2023-nq-hdnd-ha-noi', '2023-07-06'),
        ('Nghị quyết 41/2025/NQ-HĐND', 'nq-41-2025-nq-hdnd-ha-noi', None),
        ('Nghị định số 152/2017/NĐ-CP', 'nd-152-2017-nd-cp', None),
        ('Quyết định số 50/2017/QĐ-TTg', 'qd-50-2017-qd-ttg', None),
    ],
    "004": [
        ('Nghị quyết số 76/NQ-CP ngày 15/7/2021', 'nq-76-2021-nq-cp', '2021-07-15'),
        ('Kế hoạch số 69/KH-UBND ngày 19/9/2025', 'kh-69-2025-kh-ubnd-bac-ninh', '2025-09-19'),
        ('Kế hoạch số 167/KH-UBND ngày 17/12/2025', 'kh-167-2025-kh-ubnd-bac-ninh', '2025-12-17'),
        ('Nghị quyết số 76/NQ-CP ngày 15/7/2021', 'nq-76-2021-nq-cp', '2021-07-15'),
        ('Chỉ thị số 23/CT-TTg ngày 02/9/2021', 'ct-23-2021-ct-ttg', '2021-09-02'),
        ('Đề án 06', 'da-06', None),
        ('Đề án 06', 'da-06', None),
    ],
}
