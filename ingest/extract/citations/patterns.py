"""The grammar of Vietnamese document references, as named regex constants.

A reference is a type word ("Nghị quyết", "Quyết định", "Kết luận", …) followed by an optional
"số" and a document number. A document number is

    NUMBER [ "/" YEAR ] "/" SYMBOL          state style:  76/NQ-CP, 137/2024/NĐ-CP, 12154/VPCP-TCCV
    NUMBER "-" TYPE "/" ORG [ "-" UNIT ]    Party style:  68-NQ/TW, 205-KL/TW, 360-KH/TU

where NUMBER is digits with an optional dotted part (66.7), YEAR is 19xx/20xx and SYMBOL is
TYPE[-ISSUER[-UNIT]] (NQ-CP, QĐ-UBND, TTLT-BNV-BTC) or ISSUER-UNIT for an official letter
(VPCP-TCCV). Which tokens are document types and which are issuers comes from the vocabularies
in `ingest/vocab/` (doc_types.csv, issuers.csv); the regexes only describe the shape, and
`ingest.extract.citations` validates the tokens, so a well-shaped but unknown `123/ABC-XYZ` is dropped.

Laws are cited by name ("Luật Cán bộ, công chức năm 2025"): LAW_HEAD_RE finds the start,
`ingest.extract.citations` reads the name word by word (LAW_WORD_RE) with the known names of
vocab/laws.csv (LAW_KNOWN_RE) deciding commas, and LAW_TAIL_RE takes "(sửa đổi)" / "năm 2025".

Conventions (eyecite style): every public constant is a compiled verbose-mode regex whose name
ends in `_RE`; each branch has a real example from the seed plans above it; the most specific
branch comes first; every repetition is bounded and no quantified group contains another
unbounded quantifier, so matching is linear. All patterns are meant to run on text that went
through `ingest.extract.clean.clean_text` and `kb.text.canonical_tones` (both keep offsets), so they
only spell the new tone style ("Ủy", "hóa"). Examples for every constant live in
`tests/test_citation_patterns.py` (PATTERN_EXAMPLES).
"""
from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

from plankb.kb.text import canonical_tones

VOCAB_DIR = Path(__file__).resolve().parent.parent.parent / "vocab"


# ---------------------------------------------------------------- vocabularies (CSV data)
@lru_cache(maxsize=None)
def read_vocab(name: str) -> tuple[dict[str, str], ...]:
    """Rows of `ingest/vocab/<name>.csv` as dicts (cached)."""
    with open(VOCAB_DIR / f"{name}.csv", encoding="utf-8", newline="") as f:
        return tuple({k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f))


def _phrase(text: str) -> str:
    """Regex for a vocabulary phrase: canonical tones, any run of spaces between words."""
    words = canonical_tones(text).split()
    return r"\s{1,3}".join(re.escape(w) for w in words)


def _alternation(phrases: list[str]) -> str:
    """Longest-first alternation of vocabulary phrases (most specific first)."""
    uniq = sorted({p for p in phrases if p}, key=lambda p: (-len(p), p))
    return "|".join(_phrase(p) for p in uniq)


TYPE_WORDS = [a for row in read_vocab("doc_types") for a in row["aliases"].split("|") if a]
NAMED_ISSUERS = [
    row["issuer"]
    for row in read_vocab("issuers")
    if row["level"] in ("national", "province") and row["issuer"] not in ("Thành ủy",)
]
KNOWN_LAWS = [row["name"] for row in read_vocab("laws")]

# ---------------------------------------------------------------- character classes
# Vietnamese letters, upper and lower case (NFC), plus the Icelandic "Ð" that OCR and some
# fonts put in place of "Đ" ("282/QÐ-TTg").
UPPER = "A-ZĐÐÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
LOWER = "a-zđàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
LETTER = UPPER + LOWER
_DASH = r"[-–‑]"  # hyphen, en dash, non-breaking hyphen: "QĐ–UBND"

# ---------------------------------------------------------------- atoms
# "76" in "76/NQ-CP"; "66.7" in "66.7/2025/NQ-CP"; "12154" in "12154/VPCP-TCCV"
_NUM = r"(?<![\w.])\d{1,5}(?:\.\d{1,3})?(?!\d)"
DOC_NUMBER_RE = re.compile(_NUM, re.X)

# "2024" in "137/2024/NĐ-CP"
_YEAR = r"(?:19|20)\d{2}(?!\d)"

# One symbol token: "NQ", "QĐ", "UBND", "HĐND", "QH13", and the mixed-case codes "TTg", "TTr",
# "CTr", "QyĐ"; also a type glued to its issuer by a typo: "QĐTTg", "NQCP". A lower-case "g"/"r"
# may only end the token, a "y" only precede "Đ"; the token may not run on into a word.
_TOKEN = rf"[{UPPER}](?:[{UPPER}0-9]|y(?=[ĐÐ])|[gr](?![{LETTER}])){{0,11}}(?![{LETTER}])"
SYMBOL_TOKEN_RE = re.compile(_TOKEN, re.X)

# State-style symbol TYPE[-ISSUER[-UNIT]] or ISSUER-UNIT:
#   "NQ-CP", "QĐ-TTg", "TT-VPCP", "QĐ-UBND", "TTLT-BNV-BTC", "VPCP-TCCV", "QĐ - UBND", "QĐTTg"
_SYMBOL = rf"{_TOKEN}(?:[ \t]{{0,2}}{_DASH}[ \t]{{0,2}}{_TOKEN}){{0,3}}"
SYMBOL_RE = re.compile(_SYMBOL, re.X)

# ---------------------------------------------------------------- document numbers
_DOC_REF = rf"""
    (?:
        # Party style, hyphen before the type: "68-NQ/TW", "205-KL/TW", "360-KH/TU"
        (?P<p_num>{_NUM})\s{{0,2}}{_DASH}\s{{0,2}}(?P<p_type>{_TOKEN})
        \s{{0,2}}/\s{{0,2}}(?P<p_org>{_TOKEN}(?:{_DASH}{_TOKEN}){{0,2}})
    |
        # number / year / symbol: "137/2024/NĐ-CP", "66.7/2025/NQ-CP", "41/2025/NQ-HĐND"
        (?P<y_num>{_NUM})\s{{0,3}}/\s{{0,3}}(?P<y_year>{_YEAR})\s{{0,3}}/\s{{0,3}}(?P<y_sym>{_SYMBOL})
    |
        # number / symbol: "76/NQ-CP", "282/QĐTTg", "12154/VPCP-TCCV", "76/\nNQ-CP"
        (?P<s_num>{_NUM})\s{{0,3}}/\s{{0,3}}(?P<s_sym>{_SYMBOL})
    )
"""

# A document number standing alone, without a type word: "12154/VPCP-TCCV", "57-NQ/TW".
# Not: "15/7/2021" (a date), "6 tháng/lần", "ISO 9001:2015".
DOC_REF_RE = re.compile(rf"(?<![\w/.]){_DOC_REF}", re.X)

_TYPE_WORD = _alternation(TYPE_WORDS)
# "Nghị quyết", "Quyết định", "Thông tư liên tịch", "Công văn", "văn bản" (any case)
TYPE_WORD_RE = re.compile(rf"(?<![{LETTER}])(?i:{_TYPE_WORD})(?![{LETTER}])", re.X)

# Counted nouns after a bare number, which make "Kế hoạch 5 năm" or "Báo cáo 6 tháng" a
# quantity rather than a document number.
_COUNTER = (
    r"(?:năm|tháng|ngày|tuần|quý|giờ|phút|lần|cấp|người|cuộc|nội\s+dung|nhiệm\s+vụ|lĩnh\s+vực"
    rf"|chỉ\s+tiêu|mục\s+tiêu|tiêu\s+chí|giai\s+đoạn)(?![{LETTER}])"
)

TYPED_CITATION_RE = re.compile(
    rf"""
    (?<![{LETTER}])
    (?P<type>(?i:{_TYPE_WORD}))(?![{LETTER}])
    (?:\s{{1,3}}(?P<so>số|Số|SỐ)\.?[ \t]{{0,2}}:?)?
    (?(so)\s{{0,40}}|[ \t]{{1,3}})
    (?:
        {_DOC_REF}
    |
        # blank number in a draft, only after "số":
        # "Quyết định số      /QĐ-UBND", "Kế hoạch số /KH-UBND", "số …/2026/QĐ-UBND"
        (?(so)(?P<b_blank>[.…_]{{0,12}})\s{{0,3}}/\s{{0,3}}(?:(?P<b_year>{_YEAR})\s{{0,3}}/\s{{0,3}})?(?P<b_sym>{_SYMBOL})|(?!))
    |
        # number without symbol: "Nghị quyết số 76", "Đề án 06", "Chỉ thị 23"
        # (without "số": not a year "Kế hoạch 2026", not a quantity "Kế hoạch 5 năm")
        (?(so)|(?!{_YEAR}))
        (?P<n_num>{_NUM})(?!\s{{0,2}}[-–‑/]\s{{0,2}}\w)(?![{LETTER}%])
        (?(so)|(?!\s{{1,3}}{_COUNTER}|\s{{0,2}}%))
    )
    """,
    re.X,
)

# ---------------------------------------------------------------- what follows a number
DATE_RE = re.compile(
    rf"""
    [ \t]{{0,3}},?\s{{0,3}}(?i:ngày)\s{{1,3}}
    (?:
        # "15/7/2021", "01/09/2019", "06-01-2026", "15.7.2021"
        (?P<d1>\d{{1,2}})\s{{0,2}}(?P<sep>[/.-])\s{{0,2}}(?P<m1>\d{{1,2}})\s{{0,2}}(?P=sep)\s{{0,2}}(?P<y1>{_YEAR})
    |
        # "15 tháng 7 năm 2021", "12 tháng 02 năm 2026", "04 tháng 5 năm 2025"
        (?P<d2>\d{{1,2}})\s{{1,3}}tháng\s{{1,3}}(?P<m2>\d{{1,2}})\s{{1,3}}năm\s{{1,3}}(?P<y2>{_YEAR})
    |
        # blank draft date: "ngày       tháng        năm 2026", "ngày tháng năm 2026"
        [ \t.…_]{{0,40}}tháng[ \t.…_]{{0,40}}năm\s{{1,3}}(?P<y3>{_YEAR})
    |
        # blank draft date with slashes: "ngày …/…/2026", "ngày   /   /2026"
        [ \t.…_]{{1,20}}/[ \t.…_]{{1,20}}/\s{{0,2}}(?P<y4>{_YEAR})
    )
    """,
    re.X,
)

# A proper name after a unit word: "Hà Nội", "Bắc Ninh", "Hồ Chí Minh", "Ái Quốc", "Ba Đình"
_PLACE = rf"[{UPPER}][{LOWER}]{{0,7}}(?:[ ]{{1,2}}[{UPPER}][{LOWER}]{{0,7}}){{0,3}}(?![{LETTER}])"
PLACE_RE = re.compile(_PLACE, re.X)

_UNIT = r"tỉnh|Tỉnh|TỈNH|thành\s{1,2}phố|Thành\s{1,2}phố|THÀNH\s{1,2}PHỐ|TP\.?|Tp\.?|xã|Xã|phường|Phường|đặc\s{1,2}khu|Đặc\s{1,2}khu"

ISSUER_RE = re.compile(
    rf"""
    [ \t]{{0,3}},?\s{{0,3}}của\s{{1,4}}
    (?:
        # local councils and committees, with or without their chair and place:
        # "Chủ tịch Ủy ban nhân dân thành phố", "UBND tỉnh Bắc Ninh", "UBND thành phố Hà Nội",
        # "HĐND Thành phố", "Ủy ban nhân dân thành phố Hải Phòng", "UBND phường Ba Đình"
        (?P<chair>Chủ\s{{1,2}}tịch\s{{1,3}})?
        (?P<council>Ủy\s{{1,2}}ban\s{{1,2}}nhân\s{{1,2}}dân|UBND|Hội\s{{1,2}}đồng\s{{1,2}}nhân\s{{1,2}}dân|HĐND)
        (?:\s{{1,3}}(?P<unit>{_UNIT})(?![{LETTER}]))?
        (?:[ ]{{1,3}}(?P<place>{_PLACE}))?
    |
        # local Party committees: "Thành ủy Hà Nội", "Ban Thường vụ Tỉnh ủy Bắc Ninh", "Đảng ủy phường"
        (?P<party>(?:Ban\s{{1,2}}Thường\s{{1,2}}vụ\s{{1,2}})?(?:Thành|Tỉnh|Đảng)\s{{1,2}}ủy)
        (?:\s{{1,3}}(?P<party_unit>{_UNIT})(?![{LETTER}]))?
        (?:[ ]{{1,3}}(?P<party_place>{_PLACE}))?
    |
        # named bodies from issuers.csv: "Thủ tướng Chính phủ", "Chính phủ", "Bộ Chính trị",
        # "Bộ Nội vụ", "Văn phòng Chính phủ", "Sở Nội vụ"; a minister: "Bộ trưởng Bộ Nội vụ"
        (?P<minister>Bộ\s{{1,2}}trưởng\s{{1,3}})?
        (?P<named>{_alternation(NAMED_ISSUERS)})(?![{LETTER}])
    )
    """,
    re.X,
)

# The start of a cited document's title, right after its number, date or issuer:
# "ban hành Chương trình tổng thể …", "về việc ban hành Kế hoạch …", "phê duyệt Đề án …",
# "quy định về giao dịch điện tử …", "hướng dẫn thi hành …", "sửa đổi, bổ sung một số điều …"
TITLE_START_RE = re.compile(
    rf"""
    \s{{0,3}}
    (?i:ban\s{{1,2}}hành|về\s{{1,2}}việc|về|phê\s{{1,2}}duyệt|quy\s{{1,2}}định|hướng\s{{1,2}}dẫn
       |sửa\s{{1,2}}đổi|bổ\s{{1,2}}sung|thành\s{{1,2}}lập|kiện\s{{1,2}}toàn|công\s{{1,2}}bố
       |ủy\s{{1,2}}quyền|phân\s{{1,2}}cấp)
    (?![{LETTER}])
    """,
    re.X,
)

# Where a title ends (searched from its start):
TITLE_END_RE = re.compile(
    rf"""
        # end of clause or cell: "…giai đoạn 2026 – 2030; Chủ tịch", a tab, a line break
        [;\n\t]
    |
        # end of sentence: "…đãi ngộ cán bộ. " (not the dot of "66.7")
        \.(?=\s|$)
    |
        # a comma before a capitalised word or a new clause:
        # "…của thành phố Hải Phòng, Chủ tịch …", "…tầm nhìn đến năm 2030, đảm bảo mọi …"
        ,(?=\s{{0,3}}(?:[{UPPER}]|(?:đảm\s+bảo|bảo\s+đảm|đồng\s+thời|trong\s+đó|cụ\s+thể|nhằm|góp\s+phần|căn\s+cứ|gọi\s+tắt)(?![{LETTER}])))
    |
        # "… và các nghị quyết, kết luận của Trung ương", "và Nghị định số …"
        \s(?:và|hoặc)\s{{1,3}}(?:các\s{{1,3}})?(?=(?i:{_TYPE_WORD}|văn\s+bản|quy\s+định|chỉ\s+đạo)(?![{LETTER}]))
    |
        # "… nhằm xây dựng …", "… để triển khai …"
        \s(?:nhằm|để)\s
    |
        # "(gọi tắt là …)" — but not an acronym "(CCHC)" or "(sửa đổi)" inside the title
        \((?!\s{{0,2}}(?:[{UPPER}]{{2,12}}|sửa\s+đổi)\s{{0,2}}\))
    |
        # a closing parenthesis that closes no "(" of the title: "(… ban hành Kế hoạch …)"
        \)
    """,
    re.X,
)

# ---------------------------------------------------------------- laws by name
# "Luật Cán bộ, công chức", "Luật Thủ đô", "Bộ luật Lao động" (the name must start with a
# capital: not "Luật này", not "các luật có liên quan"); "Luật số 80/2015/QH13" is a number.
LAW_HEAD_RE = re.compile(
    rf"(?<![{LETTER}])(?P<kind>Bộ\s{{1,2}}luật|Luật)[ \t]{{1,3}}(?=[{UPPER}])(?!Số(?![{LETTER}]))",
    re.X,
)

# A known law name at the head (vocab/laws.csv), longest first: "Luật Phòng, chống tham nhũng",
# "Luật Thực hành tiết kiệm, chống lãng phí", "Luật Quản lý, sử dụng tài sản công"
LAW_KNOWN_RE = re.compile(
    rf"(?<![{LETTER}])(?:{_alternation(KNOWN_LAWS)})(?![{LETTER}])",
    re.X | re.I,
)

# One more word of a law name read by the grammar: "tổ chức", "VBQPPL", ", công chức năm 2025"
LAW_WORD_RE = re.compile(rf"(?P<sep>[ \t]{{1,3}}|,[ \t]{{1,2}})(?P<word>[{LETTER}]{{1,12}})(?![{LETTER}])", re.X)

# After a comma, a lower-case continuation that runs to the law's year is part of the name:
# "Luật Cán bộ, công chức năm 2025" (but not "Luật Đầu tư, các luật có liên quan")
LAW_COMMA_TO_YEAR_RE = re.compile(
    rf",[ \t]{{1,2}}[{LOWER}]{{1,12}}(?:[ \t]{{1,2}}[{LOWER}]{{1,12}}){{0,3}}[ \t]{{1,3}}năm[ \t]{{1,3}}{_YEAR}", re.X
)

# What may follow a law name: "(sửa đổi)", "năm 2025" — "Luật Thủ đô (sửa\n\nđổi)",
# "Luật Cán bộ, công chức năm 2025và" (glued "và" in seed 000)
LAW_TAIL_RE = re.compile(
    rf"""
    (?P<amend>\s{{0,3}}\(\s{{0,3}}sửa\s{{1,4}}đổi(?:,\s{{0,2}}bổ\s{{1,2}}sung)?\s{{0,3}}\))?
    (?:[ \t]{{1,3}}năm[ \t]{{1,3}}(?P<year>{_YEAR}))?
    """,
    re.X,
)

# The number a law may carry after its name: "Luật Giao dịch điện tử số 20/2023/QH15"
LAW_NUMBER_RE = re.compile(
    rf"""
    [ \t]{{1,3}},?[ \t]{{0,2}}số[ \t]{{0,3}}
    (?P<num>{_NUM})\s{{0,3}}/\s{{0,3}}(?P<year>{_YEAR})\s{{0,3}}/\s{{0,3}}(?P<sym>QH\d{{1,2}})(?![{LETTER}0-9])
    """,
    re.X,
)

# The first word of a law name (it starts with a capital): "Cán" in "Luật Cán bộ, công chức"
LAW_FIRST_WORD_RE = re.compile(rf"[{LETTER}]{{1,12}}(?![{LETTER}])", re.X)

# ---------------------------------------------------------------- plan structure around citations
# The document's own number in its header, not a citation: "Số: 1478/QĐ-UBND", "Số: /KH-UBND"
OWN_NUMBER_PREFIX_RE = re.compile(r"(?im)^[ \t]{0,8}số[ \t]{0,3}:?[ \t]{0,3}$", re.X)

# First section heading, which ends the opening basis paragraphs:
# "I. MỤC TIÊU, CHỈ TIÊU, YÊU CẦU:", "**I. MỤC ĐÍCH, YÊU CẦU**" (cleaned), "1. Mục đích"
HEADING_RE = re.compile(rf"(?m)^[ \t]{{0,8}}(?:[IVXLC]{{1,7}}|\d{{1,2}})\.[ \t]{{1,4}}[{LETTER}]", re.X)

# An opening basis paragraph: "Căn cứ Nghị quyết số 76/NQ-CP …", "Thực hiện Quyết định số 5256 …",
# "Triển khai Kế hoạch số …", "- Căn cứ Luật Tổ chức chính quyền địa phương …"
BASIS_START_RE = re.compile(
    r"(?im)^[ \t]{0,8}(?:[-+•·*][ \t]{0,3})?(?:căn\s{1,2}cứ|thực\s{1,2}hiện|triển\s{1,2}khai)(?![^\W\d_])", re.X
)

# The adopting decision line right before a citation: "(Kèm theo Quyết định số …",
# "Ban hành kèm theo Quyết định số …"
ADOPTING_PREFIX_RE = re.compile(r"(?i)(?:ban\s{1,2}hành\s{1,2})?kèm\s{1,2}theo\s{0,3}(?:tại\s{1,2})?$", re.X)

# A citation's title that adopts a plan or programme (matched with .match on `kb.text.fold`ed text):
# "ban hành Chương trình tổng thể cải cách hành chính nhà nước giai đoạn 2021-2030",
# "về việc ban hành Kế hoạch cải cách hành chính …", "về ban hành Kế hoạch …", "Kế hoạch CCHC năm 2026"
# (not "về việc hướng dẫn xây dựng kế hoạch …", not "về đẩy mạnh thực hiện Chương trình tổng thể …")
PARENT_PLAN_TITLE_RE = re.compile(
    r"""
    (?:ve\ viec\ |ve\ )?
    (?:ban\ hanh\ |phe\ duyet\ )?
    (?:ke\ hoach|chuong\ trinh)(?![a-z])
    """,
    re.X,
)
