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
