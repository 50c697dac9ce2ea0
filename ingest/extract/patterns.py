"""Vietnamese patterns for cleaning and segmentation, as named constants.

Each branch carries a real example from the seed plans in a comment. Citation patterns live in
`ingest/citation_patterns.py`. Every constant has positive/negative examples in
`tests/test_patterns.py` (PATTERN_EXAMPLES).
"""
from __future__ import annotations

import re

# ---------------------------------------------------------------- conversion debris
# "[bookmark: dieu_1_1]1. Cải cách thể chế"
BOOKMARK_RE = re.compile(r"\[bookmark:[^\]\n]{0,200}\]")

# "<b>TT</b>", '<ul style="list-style-type: none"> <li>- Ban hành Kế hoạch</li>'
HTML_TAG_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9]{0,10}(?:\s[^<>\n]{0,500})?/?>")

# "&amp;", "&#7889;", "&nbsp;"
HTML_ENTITY_RE = re.compile(r"&(?:[A-Za-z]{2,8}|#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6});")

# "## **II. CHỈ TIÊU KẾT QUẢ …**", "#### **1.1. Chỉ tiêu kết quả cần đạt được**"
MD_HEADING_RE = re.compile(r"(?m)^(?P<marks>[ \t]{0,3}#{1,6})[ \t]+")

# "**KẾ HOẠCH**", "***Nơi nhận:***", "(*qua Phòng Văn hóa - Xã hội*)"
MD_EMPHASIS_RE = re.compile(r"\*{1,3}(?=\S)|(?<=\S)\*{1,3}")

# "1\. Mục tiêu" (escaped list numbers in Markdown exports)
MD_ESCAPE_RE = re.compile(r"(?P<bs>\\)(?=[.\-+*()\[\]#_])")

# ---------------------------------------------------------------- section labels (on one line)
# "I. MỤC TIÊU, CHỈ TIÊU, YÊU CẦU", "II. NHIỆM VỤ TRỌNG TÂM", "VI. TỔ CHỨC THỰC HIỆN"
ROMAN_LABEL_RE = re.compile(r"(?P<label>[IVX]{1,5})[.:]\s+(?P<heading>\S.*)")

# "1. Cải cách thể chế", "2.1. Phòng Văn hóa - Xã hội", "1.1 Chỉ tiêu kết quả", "2.1.3. …"
NUMBER_LABEL_RE = re.compile(r"(?P<label>\d{1,2}(?:\.\d{1,2}){0,3})(?:\.\s*|\s+)(?=\S)(?P<heading>(?!\d{1,4}\b)\S.*)")

# "a) Xây dựng, hoàn thiện …", "đ) Tham gia ý kiến …", "f) Tăng cường vai trò …"
LETTER_LABEL_RE = re.compile(r"(?P<label>[a-zđ])\)\s*(?P<heading>\S.*)")

# "- Tiếp tục rà soát …", "+ Tỷ lệ cấp kết quả …", "· Thực hiện kiểm tra …", "• …", "– …"
BULLET_LABEL_RE = re.compile(r"(?P<label>[-+·•–*])\s*(?P<heading>\S.*)")

# ---------------------------------------------------------------- header facts
# "Dự thảo", "DỰ THẢO"
# (`[^\S\n]` is whitespace other than a line break: a `\s*` after `^` would rescan every blank
# line that follows, quadratic time on a run of blank lines)
DRAFT_RE = re.compile(r"(?im)^[^\S\n]*(?:dự thảo|du thao)[^\S\n]*\d*[^\S\n]*$")

# "Số: /KH-UBND" (blank number in drafts), "Số: 69/KH-UBND", "Số:  167 /KH-UBND"
# (no `\s*` right after `^`, and no `\s*(…)?\s*`, whose two runs share a blank stretch: both are
# quadratic on long runs of blank lines or spaces)
DOC_NUMBER_LINE_RE = re.compile(r"(?im)^[^\S\n]*Số\s*:\s*(?:(?P<number>[0-9][0-9.]{0,10})\s*)?/\s*(?P<symbol>[A-ZĐ]{1,6}(?:-[A-ZĐa-zđ]{1,10}){0,3})")

# "KẾ HOẠCH", "**KẾ HOẠCH**", "KẾ HOẠCH Cải cách hành chính xã Quyết Thắng năm 2026"
PLAN_TITLE_RE = re.compile(r"(?m)^[ \t]*KẾ HOẠCH[ \t]*(?P<rest>[^\n]*)$")

# "giai đoạn 2026 - 2030", "giai đoạn 2026–2030", "năm 2026"
PERIOD_RANGE_RE = re.compile(r"(?i)giai\s+đoạn\s+(?P<start>20\d\d)\s*[-–—]\s*(?P<end>20\d\d)")
PERIOD_YEAR_RE = re.compile(r"(?i)\bnăm\s+(?P<year>20\d\d)\b")

# "của phường Ái Quốc", "xã Quyết Thắng năm 2026", "phường Võ Cường", "đặc khu Cát Hải",
# official names with digits or dashes: "phường Hà Giang 1", "phường 2 Bảo Lộc",
# "phường Văn Miếu - Quốc Tử Giám", "xã Chân Mây – Lăng Cô"
# (the name is a run of words after the type; trimmed to the official name or the proper noun in code)
COMMUNE_NAME_RE = re.compile(r"(?<!\w)(?P<type>[Pp]hường|[Xx]ã|[Đđ]ặc khu)\s+(?P<name>[^\W_][^\s,.;:()]*(?:[ \t]+[^\s,.;:()]+){0,7})")

# "Ba Đình, ngày 12 tháng 3 năm 2026" (place-date line; blank in drafts: "ngày tháng năm 2026")
PLACE_DATE_RE = re.compile(r"(?m)^[^\n,]{2,40},\s*ngày\s+(?P<day>\d{1,2})\s+tháng\s+(?P<month>\d{1,2})\s+năm\s+(?P<year>20\d\d)")

# "thành phố Hải Phòng", "tỉnh Bắc Ninh", "Thành phố Hà Nội", "TP Hà Nội"
PROVINCE_NAME_RE = re.compile(
    r"(?P<type>[Tt]hành phố|[Tt]ỉnh|TP\.?)\s+(?P<name>[A-ZĐ][^\s,.;:()]*(?:\s+[A-ZĐ][^\s,.;:()]*){0,3})"
)

# ---------------------------------------------------------------- indicators
# "95%", "100 %", "tối thiểu 90%", "99,5%"
PERCENT_RE = re.compile(r"(?P<value>\d{1,3}(?:[.,]\d{1,2})?)\s?%")
# "cấp độ 3 mức độ trưởng thành", "cấp độ 4"
LEVEL_TARGET_RE = re.compile(r"(?i)cấp\s+độ\s+(?P<value>\d{1,2})\b")
# "ít nhất 02 cuộc đối thoại", "tối thiểu 01 lần", "ít nhất 01 lần trong năm"
COUNT_TARGET_RE = re.compile(r"(?i)(?:ít nhất|tối thiểu)\s+(?P<value>\d{1,3})\s+(?P<unit>cuộc|lần|lớp|hội nghị|đợt|buổi)\b")
# "top 15 khối xã", "Top 10"
TOP_TARGET_RE = re.compile(r"(?i)\btop\s+(?P<value>\d{1,3})\b")
# "tối thiểu", "ít nhất", "không dưới", "từ … trở lên", "trên", "tối đa", "dưới"
COMPARATOR_BEFORE_RE = re.compile(r"(?i)(?P<cmp>tối thiểu|ít nhất|không dưới|không thấp hơn|trên|tối đa|không quá|dưới|từ)\s*$")
# "Giai đoạn 2026 - 2027:", "- Giai đoạn 2028 - 2030:"
STAGE_RE = re.compile(r"(?i)giai\s+đoạn\s+(?P<start>20\d\d)\s*[-–—]\s*(?P<end>20\d\d)\s*:?\s*$")

# ---------------------------------------------------------------- deadlines
# "Quý I/2026", "quý 1/2026", "dự kiến quý I/2026"
QUARTER_RE = re.compile(r"(?i)quý\s+(?P<q>IV|I{1,3}|[1-4])\s*/\s*(?P<year>20\d\d)")
# "Tháng 02/2026", "tháng 9/2026", "Chậm nhất tháng 3/2026"
MONTH_RE = re.compile(r"(?i)tháng\s+(?P<month>\d{1,2})\s*/\s*(?P<year>20\d\d)")
# "trước ngày 05/12/2026", "ngày 20/01/2026"
DAY_RE = re.compile(r"(?i)ngày\s+(?P<day>\d{1,2})\s*/\s*(?P<month>\d{1,2})\s*/\s*(?P<year>20\d\d)")
# "Từ tháng 3/2026 đến tháng 12/2026"
MONTH_RANGE_RE = re.compile(
    r"(?i)từ\s+tháng\s+(?P<m1>\d{1,2})\s*/\s*(?P<y1>20\d\d)\s+đến\s+tháng\s+(?P<m2>\d{1,2})\s*/\s*(?P<y2>20\d\d)"
)
# "Chậm nhất tháng 9/2026", "trước ngày 05/12/2026", "hoàn thành trước tháng 6/2026"
DEADLINE_BY_RE = re.compile(r"(?i)chậm nhất|trước|hoàn thành trong")
# "Định kỳ tháng cuối quý" -> quarterly; "hằng tháng" -> monthly; "hàng năm" -> annual; "6 tháng" -> semiannual
RECURRENCE_RES: dict[str, re.Pattern[str]] = {
    "quarterly": re.compile(r"(?i)cuối quý|hằng quý|hàng quý|định kỳ quý|theo quý"),
    "monthly": re.compile(r"(?i)hằng tháng|hàng tháng|định kỳ 01 tháng|01 tháng/lần|mỗi tháng"),
    "semiannual": re.compile(r"(?i)06 tháng/lần|6 tháng/lần|định kỳ 6 tháng|định kỳ 06 tháng"),
    "annual": re.compile(r"(?i)hằng năm|hàng năm|định kỳ năm"),
    "continuous": re.compile(r"(?i)thường xuyên|liên tục"),
    "periodic_report": re.compile(r"(?i)lồng ghép trong (?:kỳ )?báo cáo"),
}
