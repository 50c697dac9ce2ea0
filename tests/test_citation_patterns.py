"""Positive and negative examples for every regex constant of ingest/citation_patterns.py.

Positive examples are `(text, expected match)`: the pattern must find exactly that text (with
`.match` at 0 for the ANCHORED patterns, `.search` otherwise). Negative examples must not match.
Texts are real snippets of the seed plans where they exist.
"""
from __future__ import annotations

import re
import time

import pytest

from plankb.ingest.extract.citations import patterns as P

# Patterns read at a given position (right after a document number), so tested with .match(text).
ANCHORED = {
    "DATE_RE",
    "ISSUER_RE",
    "TITLE_START_RE",
    "LAW_TAIL_RE",
    "LAW_NUMBER_RE",
    "LAW_WORD_RE",
    "LAW_COMMA_TO_YEAR_RE",
    "LAW_KNOWN_RE",
    "BASIS_START_RE",
    "LAW_FIRST_WORD_RE",
    "PARENT_PLAN_TITLE_RE",
}

PATTERN_EXAMPLES: dict[str, tuple[list[tuple[str, str]], list[str]]] = {
    "DOC_NUMBER_RE": (
        [("số 76/NQ-CP", "76"), ("66.7/2025/NQ-CP", "66.7"), ("12154/VPCP-TCCV", "12154")],
        ["QĐ-UBND", "không có số"],
    ),
    "SYMBOL_TOKEN_RE": (
        [("NQ", "NQ"), ("TTg", "TTg"), ("QĐTTg", "QĐTTg"), ("QyĐ", "QyĐ"), ("QH13", "QH13"), ("QÐ", "QÐ")],
        ["nq", "đơn"],
    ),
    "SYMBOL_RE": (
        [("NQ-CP", "NQ-CP"), ("QĐ - UBND ngày", "QĐ - UBND"), ("TTLT-BNV-BTC", "TTLT-BNV-BTC"),
         ("VPCP-TCCV", "VPCP-TCCV"), ("QĐ–UBND", "QĐ–UBND")],
        ["ngày 15", "tháng"],
    ),
    "DOC_REF_RE": (
        [
            ("theo 12154/VPCP-TCCV ngày", "12154/VPCP-TCCV"),
            ("Nghị quyết số 68-NQ/TW ngày", "68-NQ/TW"),
            ("Kết luận số 205-KL/TW", "205-KL/TW"),
            ("Kế hoạch số 360-KH/TU ngày 28/8/2025", "360-KH/TU"),
            ("Nghị quyết số 66.7/2025/NQ-CP ngày", "66.7/2025/NQ-CP"),
            ("Nghị định số 137/2024/NĐ-CP", "137/2024/NĐ-CP"),
            ("Nghị quyết 66/NQCP ngày", "66/NQCP"),
            ("Quyết định số 282/QĐTTg ngày", "282/QĐTTg"),
            ("số 76/\nNQ-CP", "76/\nNQ-CP"),
            ("Luật số 80/2015/QH13", "80/2015/QH13"),
        ],
        ["ngày 15/7/2021", "6 tháng/lần", "TCVN ISO 9001:2015", "tháng 02/2026", "Quý I/2026", "đạt 100%",
         "ĐT: 0225.3842.123", "Đ/c Chủ tịch", "b/c"],
    ),
    "TYPE_WORD_RE": (
        [("Căn cứ Nghị quyết số 76", "Nghị quyết"), ("Thông tư liên tịch số 01", "Thông tư liên tịch"),
         ("theo quyết định số 5", "quyết định"), ("Công văn số 12154", "Công văn")],
        ["Chỉ số CCHC", "nghị quyết" + "ị"],
    ),
    "TYPED_CITATION_RE": (
        [
            ("Căn cứ Nghị quyết số 76/NQ-CP ngày 15/7/2021", "Nghị quyết số 76/NQ-CP"),
            ("theo Nghị quyết 66/NQCP ngày 26/03/2025", "Nghị quyết 66/NQCP"),
            ("tại Nghị quyết 20/NQ-HĐND ngày 06/7/2023", "Nghị quyết 20/NQ-HĐND"),
            ("theo Nghị quyết số 68-NQ/TW ngày 04 tháng 5 năm 2025", "Nghị quyết số 68-NQ/TW"),
            ("Kèm theo Quyết định số      /QĐ-UBND ngày", "Quyết định số      /QĐ-UBND"),
            ("Kèm theo Kế hoạch số /KH-UBND ngày", "Kế hoạch số /KH-UBND"),
            ("triển khai Đề án 06 trên địa bàn", "Đề án 06"),
            ("Nghị quyết số 76, Nghị quyết", "Nghị quyết số 76"),
            ("Thông tư số 03/2025/TT-VPCP ngày 15/9/2025", "Thông tư số 03/2025/TT-VPCP"),
            ("Nghị định số 152/2017/NĐ-CP; Quyết định", "Nghị định số 152/2017/NĐ-CP"),
        ],
        ["Nghị quyết này", "Kế hoạch 5 năm", "Kế hoạch 2026", "Quyết định được phê duyệt",
         "Nghị quyết của HĐND Thành phố", "Báo cáo 6 tháng đầu năm", "Chỉ số CCHC"],
    ),
    "DATE_RE": (
        [
            (" ngày 15/7/2021 của", " ngày 15/7/2021"),
            (" ngày 01/09/2019", " ngày 01/09/2019"),
            (" ngày 15 tháng 7 năm 2021", " ngày 15 tháng 7 năm 2021"),
            (" ngày 12 tháng 02 năm 2026 của", " ngày 12 tháng 02 năm 2026"),
            (" ngày       tháng        năm 2026\n", " ngày       tháng        năm 2026"),
            (" ngày tháng năm 2026", " ngày tháng năm 2026"),
            (" ngày …/…/2026", " ngày …/…/2026"),
        ],
        [" của Chính phủ", " ngày 15", " năm 2026"],
    ),
    "PLACE_RE": (
        [("Hà Nội về việc", "Hà Nội"), ("Bắc Ninh", "Bắc Ninh"), ("Hồ Chí Minh", "Hồ Chí Minh")],
        ["về việc ban hành"],
    ),
    "ISSUER_RE": (
        [
            (" của Chính phủ ban hành", " của Chính phủ"),
            (" của Thủ tướng Chính phủ ban hành", " của Thủ tướng Chính phủ"),
            (" của Bộ Chính trị về", " của Bộ Chính trị"),
            (" của UBND thành phố Hà Nội về việc", " của UBND thành phố Hà Nội"),
            (" của UBND tỉnh Bắc Ninh về", " của UBND tỉnh Bắc Ninh"),
            (" của Chủ tịch Ủy ban nhân dân thành phố về việc", " của Chủ tịch Ủy ban nhân dân thành phố"),
            (" của HĐND Thành phố, đồng thời", " của HĐND Thành phố"),
            (" của HĐND Thành phố\tBáo cáo", " của HĐND Thành phố"),
            (" của Thành ủy Hà Nội\t", " của Thành ủy Hà Nội"),
            ("\ncủa Chủ tịch Ủy ban nhân dân phường)", "\ncủa Chủ tịch Ủy ban nhân dân phường"),
            (" của Bộ Nội vụ", " của Bộ Nội vụ"),
        ],
        [" và các văn bản khác", " của các cơ quan", " của Nhà nước"],
    ),
    "TITLE_START_RE": (
        [(" ban hành Chương trình", " ban hành"), (" về việc ban hành", " về việc"), (" phê duyệt Đề án", " phê duyệt"),
         (" quy định về giao dịch", " quy định"), (" hướng dẫn thi hành", " hướng dẫn")],
        [" và các văn bản khác", " phải được thực hiện", " về" + "n"],
    ),
    "TITLE_END_RE": (
        [
            ("giai đoạn 2021-2030 (gọi tắt là Nghị quyết", "("),
            ("thành phố Hải Phòng, Chủ tịch Ủy ban", ","),
            ("tầm nhìn đến năm 2030, đảm bảo mọi người", ","),
            ("giai đoạn 2026 – 2030; Chủ tịch", ";"),
            ("đãi ngộ cán bộ. ", "."),
            ("giai đoạn 2021-2030 và các nghị quyết", " và các "),
            # the "(" of an acronym is no end; its ")" is found, and skipped by the reader, which
            # counts parentheses
            ("cải cách hành chính (CCHC) nhà nước", ")"),
        ],
        ["Nghị quyết số 66.7/2025", "của các Sở, cơ quan tương đương",
         "năm 2025 và các năm tiếp theo", "Bộ phận Một cửa và Cổng Dịch vụ công"],
    ),
    "LAW_HEAD_RE": (
        [("Luật Đầu tư.", "Luật "), ("theo Bộ luật Lao động", "Bộ luật "), ("Luật Cán bộ, công chức", "Luật ")],
        ["các luật có liên quan", "Luật này quy định", "Luật số 80/2015/QH13", "Luật sư"],
    ),
    "LAW_KNOWN_RE": (
        [("Luật Cán bộ, công chức năm 2025", "Luật Cán bộ, công chức"),
         ("Luật Phòng, chống tham nhũng và", "Luật Phòng, chống tham nhũng"),
         ("Luật Quản lý, sử dụng tài sản công và", "Luật Quản lý, sử dụng tài sản công"),
         ("Luật Đầu tư công", "Luật Đầu tư công")],
        ["Luật Đầu tưa", "Luật Không có tên"],
    ),
    "LAW_WORD_RE": (
        [(" tổ chức", " tổ"), (", công chức năm", ", công"), (" VBQPPL luật", " VBQPPL")],
        [";", "  . tổ"],
    ),
    "LAW_COMMA_TO_YEAR_RE": (
        [(", công chức năm 2025và", ", công chức năm 2025")],
        [", các luật có liên quan", ", Luật Viên chức năm 2025"],
    ),
    "LAW_TAIL_RE": (
        [(" (sửa\n\nđổi), Luật", " (sửa\n\nđổi)"), (" năm 2025và Luật", " năm 2025"), (" (sửa đổi) năm 2024", " (sửa đổi) năm 2024")],
        [],
    ),
    "LAW_NUMBER_RE": (
        [(" số 20/2023/QH15 ngày", " số 20/2023/QH15")],
        [" số 20/2023/NĐ-CP", " năm 2023"],
    ),
    "LAW_FIRST_WORD_RE": (
        [("Cán bộ, công chức", "Cán"), ("VBQPPL luật", "VBQPPL")],
        [" Cán", "2025"],
    ),
    "OWN_NUMBER_PREFIX_RE": (
        [("Số: ", "Số: "), ("\nSố:", "Số:")],
        ["Quyết định số ", "tổng số "],
    ),
    "HEADING_RE": (
        [("như sau:\nI. MỤC TIÊU, CHỈ TIÊU", "I. M"), ("\n  I. MỤC ĐÍCH, YÊU CẦU  ", "  I. M"), ("\n1. Mục đích", "1. M")],
        ["Căn cứ Nghị quyết số 76/NQ-CP", "Số: /KH-UBND", "2026 - 2030"],
    ),
    "BASIS_START_RE": (
        [("Căn cứ Nghị quyết số 76", "Căn cứ"), ("Thực hiện Quyết định số 5256", "Thực hiện"),
         ("- Căn cứ Luật Tổ chức", "- Căn cứ"), ("Triển khai Kế hoạch số", "Triển khai")],
        ["(Kèm theo Quyết định số", "KẾ HOẠCH", "Căn cứ" + "x"],
    ),
    "ADOPTING_PREFIX_RE": (
        [("(Kèm theo ", "Kèm theo "), ("Ban hành kèm theo ", "Ban hành kèm theo "), ("*(Kèm theo ", "Kèm theo ")],
        ["Căn cứ ", "(Kèm theo Danh mục nhiệm vụ tại "],
    ),
    "PARENT_PLAN_TITLE_RE": (
        [("ban hanh chuong trinh tong the cai cach hanh chinh", "ban hanh chuong trinh"),
         ("ve viec ban hanh ke hoach cai cach hanh chinh", "ve viec ban hanh ke hoach"),
         ("ve ban hanh ke hoach cai cach hanh chinh nha nuoc", "ve ban hanh ke hoach"),
         ("ke hoach cchc nam 2026", "ke hoach")],
        ["quy dinh ve giao dich dien tu", "phe duyet de an phat trien ung dung du lieu",
         "ve viec huong dan xay dung ke hoach cchc", "ve day manh thuc hien chuong trinh tong the cchc"],
    ),
}


def _cases():
    for name, (positives, negatives) in PATTERN_EXAMPLES.items():
        for i, (text, expected) in enumerate(positives):
            yield pytest.param(name, text, expected, id=f"{name}-pos{i}")
        for i, text in enumerate(negatives):
            yield pytest.param(name, text, None, id=f"{name}-neg{i}")


@pytest.mark.parametrize(("name", "text", "expected"), list(_cases()))
def test_pattern_examples(name: str, text: str, expected: str | None) -> None:
    pattern: re.Pattern[str] = getattr(P, name)
    m = pattern.match(text) if name in ANCHORED else pattern.search(text)
    if expected is None:
        assert m is None or (name in ANCHORED and m.group(0) == ""), f"{name} matched {m.group(0)!r} in {text!r}"
    else:
        assert m is not None, f"{name} did not match {text!r}"
        assert m.group(0) == expected


def test_every_pattern_has_examples() -> None:
    names = {n for n in dir(P) if n.endswith("_RE") and isinstance(getattr(P, n), re.Pattern)}
    assert names == set(PATTERN_EXAMPLES), names ^ set(PATTERN_EXAMPLES)
    for name, (positives, _negatives) in PATTERN_EXAMPLES.items():
        assert positives or name == "LAW_TAIL_RE", name


@pytest.mark.parametrize("name", sorted(PATTERN_EXAMPLES))
def test_patterns_run_in_linear_time(name: str) -> None:
    pattern: re.Pattern[str] = getattr(P, name)
    hostile = [
        "Quyết định số " + " " * 20000 + "x",
        "1/" * 10000,
        "NQ-" * 7000,
        "của UBND " * 2000,
        "Luật Ab, cd " * 2000,
        "ngày " + "…" * 10000,
        "(" * 10000 + "a" * 10000,
    ]
    t0 = time.perf_counter()
    for text in hostile:
        for _ in pattern.finditer(text):
            pass
    assert time.perf_counter() - t0 < 1.0
