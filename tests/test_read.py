"""plankb.ingest.read: decoding, rendering conventions and refusal of bad input.

Every bad input is generated in tmp_path by the test itself (no fixture files).
"""
from __future__ import annotations

import hashlib
import io
import os
import re
import unicodedata
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn

from plankb.ingest import read as read_mod
from plankb.ingest.read import docx as read_docx
from plankb.ingest.read import read_document
from plankb.kb.errors import InputError

SEEDS = sorted((Path(__file__).resolve().parents[1] / "examples" / "seeds").glob("*.txt"))
SEED_003 = next(p for p in SEEDS if p.name.startswith("003_"))
SEED_004 = next(p for p in SEEDS if p.name.startswith("004_"))


def expected_text(raw: bytes) -> str:
    """What read_document must return for a UTF-8 seed: newlines normalised, then NFC."""
    text = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def refused(path: Path | str) -> InputError:
    with pytest.raises(InputError) as info:
        read_document(path)
    err = info.value
    assert Path(str(path)).name in str(err), "the error must name the file"
    assert err.path == str(path)
    return err


# --------------------------------------------------------------------------- real seeds
def test_five_seeds_present():
    assert len(SEEDS) == 5


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
def test_seed_reads_as_nfc_text(seed: Path):
    raw = seed.read_bytes()
    doc = read_document(str(seed))
    assert doc.format == "text"
    assert doc.encoding == "utf-8"
    assert doc.text == expected_text(raw)
    assert unicodedata.is_normalized("NFC", doc.text)
    assert doc.sha256 == hashlib.sha256(raw).hexdigest()
    assert doc.size == len(raw)
    assert doc.path == str(seed)


def test_seed_000_decomposed_o_horn_is_composed():
    seed = SEEDS[0]
    raw_text = seed.read_bytes().decode("utf-8")
    assert not unicodedata.is_normalized("NFC", raw_text)  # the seed really holds decomposed "ở"
    assert "\u01a1\u0309" in raw_text  # "ơ" + combining hook above
    doc = read_document(seed)
    assert "\u01a1\u0309" not in doc.text and "ở" in doc.text
    assert not re.search("[\u0300-\u036f]", doc.text)


def test_path_object_is_recorded_as_string(tmp_path: Path):
    p = tmp_path / "plan.md"
    p.write_text("# **KẾ HOẠCH**\n1. Mục đích\n", encoding="utf-8")
    doc = read_document(p)
    assert doc.path == str(p)
    assert doc.format == "markdown"
    assert doc.text == "# **KẾ HOẠCH**\n1. Mục đích\n"  # Markdown marks are left for ingest.extract.clean


@pytest.mark.parametrize("suffix,fmt", [(".txt", "text"), (".TXT", "text"), (".text", "text"),
                                        (".md", "markdown"), (".markdown", "markdown")])
def test_text_suffixes(tmp_path: Path, suffix: str, fmt: str):
    p = tmp_path / f"plan{suffix}"
    p.write_bytes("Kế hoạch cải cách hành chính\n".encode())
    assert read_document(p).format == fmt


# --------------------------------------------------------------------------- encodings
_TONES = "\u0300\u0301\u0303\u0309\u0323"


def to_cp1258(text: str) -> bytes:
    """Encode Vietnamese text the Windows-1258 way: precomposed base letters + combining tones.

    cp1258 has â ê ô ă ơ ư đ and some precomposed toned vowels, but most toned vowels (ố, ự, ...)
    only as base letter + combining tone mark. Any character that still fails raises.
    """
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
        tones = "".join(c for c in decomposed if c in _TONES)
        out += (base + tones).encode("cp1258")  # strict: fails loudly if the seed cannot be encoded
    return bytes(out)


def test_cp1258_helper_really_uses_combining_marks():
    data = to_cp1258("Cường ố")
    assert data.decode("cp1258") != "Cường ố"  # decomposed on the way back ...
    assert unicodedata.normalize("NFC", data.decode("cp1258")) == "Cường ố"  # ... same after NFC


@pytest.mark.parametrize(
    "encoding,encode",
    [
        ("utf-8-sig", lambda t: t.encode("utf-8-sig")),
        ("utf-16-le", lambda t: t.encode("utf-16")),  # Python writes a BOM, little-endian here
        ("utf-16-be", lambda t: b"\xfe\xff" + t.encode("utf-16-be")),
        ("utf-16-le", lambda t: b"\xff\xfe" + t.replace("\n", "\r\n").encode("utf-16-le")),
        ("utf-8", lambda t: t.replace("\n", "\r\n").encode("utf-8")),
        ("utf-8", lambda t: t.replace("\n", "\r").encode("utf-8")),
        ("utf-8", lambda t: unicodedata.normalize("NFD", t).encode("utf-8")),
        ("cp1258", to_cp1258),
    ],
    ids=["utf8-bom", "utf16-le-bom", "utf16-be-bom", "utf16-crlf", "utf8-crlf", "utf8-cr", "utf8-nfd", "cp1258"],
)
def test_round_trip_encodings(tmp_path: Path, encoding: str, encode):
    text = expected_text(SEED_004.read_bytes())
    p = tmp_path / "004.txt"
    p.write_bytes(encode(text))
    doc = read_document(p)
    assert doc.encoding == encoding
    assert doc.text == text
    assert unicodedata.is_normalized("NFC", doc.text)
    assert doc.size == p.stat().st_size


def test_decomposed_unicode_is_returned_nfc(tmp_path: Path):
    p = tmp_path / "nfd.txt"
    p.write_bytes(unicodedata.normalize("NFD", "Phường Võ Cường: cải cách thủ tục hành chính\n").encode())
    doc = read_document(p)
    assert doc.text == "Phường Võ Cường: cải cách thủ tục hành chính\n"
    assert unicodedata.is_normalized("NFC", doc.text)


def test_unicode_line_separators_become_newlines(tmp_path: Path):
    p = tmp_path / "ls.txt"
    p.write_text("Dòng một\u2028Dòng hai\u2029Dòng ba\r\n", encoding="utf-8")
    assert read_document(p).text == "Dòng một\nDòng hai\nDòng ba\n"


# --------------------------------------------------------------------------- HTML
def _appendix_rows() -> list[list[str]]:
    """The seed 003 appendix rows used for the HTML test: header, column numbers, group, rows."""
    lines = SEED_003.read_text(encoding="utf-8").split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("<b>TT</b>\t"))
    rows = [line.split("\t") for line in lines[start:start + 5]]  # header .. row 1 and its sub-row
    rows.append(next(line for line in lines if line.startswith("10\t")).split("\t"))
    rows.append(next(line for line in lines if line.startswith("<b>II</b>\t")).split("\t"))
    assert rows[4][:4] == ["", "", "", ""]  # row 1 has a sub-row (rowspan in the real table)
    return rows


def _strip_tags(cell: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()


def test_html_appendix_table_renders_to_tab_rows(tmp_path: Path):
    rows = _appendix_rows()
    header, numbers, group, row1, sub, row10, group2 = rows
    tr = lambda cells: "<tr>" + "".join(cells) + "</tr>\n"  # noqa: E731
    html = ["<!DOCTYPE html><html><head><meta charset='utf-8'><title>Bỏ qua</title>",
            "<style>td { color: red }</style><script>var x = '<td>không</td>';</script></head><body>",
            "<h2>PHỤ LỤC</h2><p>CÁC NHIỆM VỤ TRỌNG TÂM CCHC NĂM 2026</p>",
            "<table border=1><thead>", tr(f"<th>{c}</th>" for c in header), "</thead><tbody>",
            tr(f"<td>{c}</td>" for c in numbers),
            tr([f"<td>{group[0]}</td>", f"<td colspan='6'>{group[1]}</td>"]),
            tr([f"<td rowspan=2>{c}</td>" for c in row1[:4]] + [f"<td>{c}</td>" for c in row1[4:]]),
            tr(f"<td>{c}</td>" for c in sub[4:]),
            tr(f"<td>{c}</td>" for c in row10),
            tr([f"<td>{group2[0]}</td>", f"<td colspan=6>{group2[1]}</td>"]),
            "</tbody></table><p>Sau bảng &amp; hết.</p></body></html>"]
    p = tmp_path / "appendix.html"
    p.write_text("".join(html), encoding="utf-8")
    doc = read_document(p)
    assert doc.format == "html" and doc.encoding == "utf-8"
    expected_rows = ["\t".join(_strip_tags(c) for c in row) for row in rows]
    assert expected_rows[5].split("\t")[2] == "- Ban hành Kế hoạch - Tổ chức hội thi"
    assert expected_rows[2] == "I\tChỉ đạo điều hành\t\t\t\t\t"
    assert doc.text == "PHỤ LỤC\nCÁC NHIỆM VỤ TRỌNG TÂM CCHC NĂM 2026\n\n" + "\n".join(expected_rows) + "\n\nSau bảng & hết.\n"


def test_html_blocks_lists_entities_and_cells(tmp_path: Path):
    html = """<html><body>
      <h1>KẾ HOẠCH</h1><div>Cải cách&nbsp;hành   chính
      năm 2026</div>
      <p>Dòng một<br>Dòng hai</p>
      <ul><li>Nhiệm vụ A</li><li>- đã có gạch</li></ul>
      <ol type="a"><li>Mục a</li><li>Mục b</li></ol>
      <ol start="3"><li>Ba</li></ol>
      <ul style="list-style-type:none"><li>Không nhãn</li></ul>
      <table>
        <tr><td><p>Kế hoạch</p><p>Báo cáo</p></td><td>Ô<br>xuống dòng</td><td><ul><li>Một mục</li></ul></td></tr>
        <tr><td>ngoài<table><tr><td>lồng 1</td><td>lồng 2</td></tr></table></td><td>x</td><td></td></tr>
      </table>
      <h3>Hết</h3>
    </body></html>"""
    p = tmp_path / "plan.htm"
    p.write_text(html, encoding="utf-8")
    assert read_document(p).text == (
        "KẾ HOẠCH\nCải cách hành chính năm 2026\nDòng một\nDòng hai\n"
        "- Nhiệm vụ A\n- đã có gạch\na. Mục a\nb. Mục b\n3. Ba\nKhông nhãn\n\n"
        "- Kế hoạch - Báo cáo\tÔ xuống dòng\t- Một mục\n"
        "- ngoài - lồng 1 - lồng 2\tx\t\n\n"
        "Hết\n"
    )


def test_html_meta_charset_windows_1258(tmp_path: Path):
    body = "<p>Phường Võ Cường ban hành Kế hoạch cải cách hành chính nhà nước năm 2026</p>"
    p = tmp_path / "legacy.html"
    p.write_bytes(b'<html><head><meta charset="windows-1258"></head><body>' + to_cp1258(body) + b"</body></html>")
    doc = read_document(p)
    assert doc.encoding == "cp1258"
    assert doc.text == "Phường Võ Cường ban hành Kế hoạch cải cách hành chính nhà nước năm 2026\n"


def test_html_without_text_is_empty(tmp_path: Path):
    p = tmp_path / "blank.html"
    p.write_text("<html><head><title>x</title><script>1</script></head><body> <p> </p> </body></html>")
    assert "empty document" in refused(p).reason


# --------------------------------------------------------------------------- .docx
_W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_MULTILEVEL = f"""<w:abstractNum {_W_NS} w:abstractNumId="90">
  <w:multiLevelType w:val="multilevel"/>
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="%1."/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%2."/></w:lvl>
  <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%3)"/></w:lvl>
  <w:lvl w:ilvl="3"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="-"/></w:lvl>
  <w:lvl w:ilvl="4"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%2.%5."/></w:lvl>
  <w:lvl w:ilvl="5"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="\uf0b7"/></w:lvl>
</w:abstractNum>"""
_NUMS = [f'<w:num {_W_NS} w:numId="90"><w:abstractNumId w:val="90"/></w:num>',
         f'<w:num {_W_NS} w:numId="91"><w:abstractNumId w:val="90"/>'
         '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>']


def _add_numbering(document) -> None:  # type: ignore[no-untyped-def]
    numbering = document.part.numbering_part.element
    first_num = numbering.find(qn("w:num"))
    first_num.addprevious(parse_xml(_MULTILEVEL))  # abstractNum elements precede num elements
    for num in _NUMS:
        numbering.append(parse_xml(num))


def _numbered(document, text: str, num_id: int, ilvl: int):  # type: ignore[no-untyped-def]
    p = document.add_paragraph(text)
    num_pr = OxmlElement("w:numPr")
    lvl = OxmlElement("w:ilvl")
    lvl.set(qn("w:val"), str(ilvl))
    nid = OxmlElement("w:numId")
    nid.set(qn("w:val"), str(num_id))
    num_pr.append(lvl)
    num_pr.append(nid)
    p._p.get_or_add_pPr().append(num_pr)
    return p


# (numId, ilvl, text) -> the line Word would show
NUMBERED = [
    (90, 0, "MỤC ĐÍCH, YÊU CẦU", "I. MỤC ĐÍCH, YÊU CẦU"),
    (90, 1, "Mục đích", "1. Mục đích"),
    (90, 2, "thứ nhất", "a) thứ nhất"),
    (90, 2, "thứ hai", "b) thứ hai"),
    (90, 3, "gạch đầu dòng", "- gạch đầu dòng"),
    (90, 5, "chấm tròn", "• chấm tròn"),
    (90, 2, "thứ ba", "c) thứ ba"),
    (90, 2, "thứ tư", "d) thứ tư"),
    (90, 2, "thứ năm", "e) thứ năm"),
    (90, 1, "Yêu cầu", "2. Yêu cầu"),
    (90, 2, "lại từ đầu", "a) lại từ đầu"),
    (90, 4, "đa cấp", "2.1. đa cấp"),
    (90, 4, "đa cấp hai", "2.2. đa cấp hai"),
    (90, 0, "NHIỆM VỤ", "II. NHIỆM VỤ"),
    (90, 1, "Cải cách thể chế", "1. Cải cách thể chế"),
    (91, 0, "danh sách mới", "I. danh sách mới"),  # startOverride restarts the shared counter
    (90, 0, "tiếp tục", "II. tiếp tục"),  # numId 90 continues the abstract's counter
]


def _build_docx(path: Path, seed_lines: list[str]) -> None:
    d = docx.Document()
    _add_numbering(d)
    for line in seed_lines:
        d.add_paragraph(line)
    for num_id, ilvl, text, _ in NUMBERED:
        _numbered(d, text, num_id, ilvl)
    d.add_paragraph("Bước một", style="List Number")
    d.add_paragraph("Bước hai", style="List Number")
    d.add_paragraph("Ý chính", style="List Bullet")

    table = d.add_table(rows=4, cols=4)
    texts = [["TT", "Nhiệm vụ", "Sản phẩm", "Thời gian"],
             ["1", "Ban hành Kế hoạch CCHC", None, "Quý I/2026"],
             [None, "Tổ chức hội nghị", "Hội nghị", "Tháng 6/2026"],
             [None, None, None, "Cả năm"]]
    for r, row in enumerate(texts):
        for c, text in enumerate(row):
            if text is not None:
                table.cell(r, c).text = text
    products = table.cell(1, 2)
    products.text = "Kế hoạch"
    products.add_paragraph("Báo cáo")
    merged_v = table.cell(1, 0).merge(table.cell(2, 0))  # vertical merge: row 2 continues row 1
    merged_v.text = "1"
    merged_h = table.cell(3, 0).merge(table.cell(3, 2))  # horizontal merge over three columns
    merged_h.text = "Tổng hợp chung"
    d.add_paragraph("Sau bảng.")
    d.save(str(path))


def test_docx_numbering_tables_and_seed_text(tmp_path: Path):
    seed_lines = SEED_004.read_text(encoding="utf-8").split("\n")[:40]
    while not seed_lines[-1].strip():
        seed_lines.pop()
    p = tmp_path / "004.docx"
    _build_docx(p, seed_lines)
    doc = read_document(p)
    assert doc.format == "docx" and doc.encoding is None
    assert doc.sha256 == hashlib.sha256(p.read_bytes()).hexdigest()

    seed_part = re.sub(r"\n{3,}", "\n\n", "\n".join(seed_lines)).strip("\n")
    assert doc.text.startswith(seed_part + "\n")
    rest = doc.text[len(seed_part) + 1:].split("\n")
    labelled = [line for _, _, _, line in NUMBERED] + ["1. Bước một", "2. Bước hai", "• Ý chính"]
    assert rest[:len(labelled)] == labelled
    assert rest[len(labelled):] == [
        "",
        "TT\tNhiệm vụ\tSản phẩm\tThời gian",
        "1\tBan hành Kế hoạch CCHC\t- Kế hoạch - Báo cáo\tQuý I/2026",
        "\tTổ chức hội nghị\tHội nghị\tTháng 6/2026",
        "Tổng hợp chung\t\t\tCả năm",
        "",
        "Sau bảng.",
        "",
    ]


def test_docx_cell_items_keep_existing_bullets(tmp_path: Path):
    d = docx.Document()
    table = d.add_table(rows=1, cols=2)
    cell = table.cell(0, 0)
    cell.text = "- Công văn"
    cell.add_paragraph("Kế hoạch")
    cell.add_paragraph("+ Báo cáo")
    table.cell(0, 1).text = "Tab\tvà\nxuống dòng"
    p = tmp_path / "cells.docx"
    d.save(str(p))
    assert read_document(p).text == "- Công văn - Kế hoạch + Báo cáo\tTab và xuống dòng\n"


def test_docx_hidden_deleted_and_field_code_text_is_skipped(tmp_path: Path):
    d = docx.Document()
    para = d.add_paragraph("Hiện ")
    body = f"""<w:p {_W_NS}><w:r><w:t xml:space="preserve">Hiện </w:t></w:r>
      <w:r><w:rPr><w:vanish/></w:rPr><w:t>ẩn</w:t></w:r>
      <w:del w:id="1" w:author="x"><w:r><w:delText>đã xóa</w:delText></w:r></w:del>
      <w:ins w:id="2" w:author="x"><w:r><w:t>thêm </w:t></w:r></w:ins>
      <w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>
      <w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>7</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>
    </w:p>"""
    para._p.addnext(parse_xml(body))
    para._p.getparent().remove(para._p)
    p = tmp_path / "revisions.docx"
    d.save(str(p))
    assert read_document(p).text == "Hiện thêm 7\n"


def test_docx_text_box_rendered_once_after_its_paragraph(tmp_path: Path):
    d = docx.Document()
    anchor = d.add_paragraph("Neo")
    box = f"""<w:p {_W_NS} xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"
         xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
         xmlns:v="urn:schemas-microsoft-com:vml">
      <w:r><w:t>Neo</w:t></w:r>
      <w:r><mc:AlternateContent>
        <mc:Choice Requires="wps"><w:drawing><wps:txbx><w:txbxContent>
          <w:p><w:r><w:t>Hộp văn bản</w:t></w:r></w:p></w:txbxContent></wps:txbx></w:drawing></mc:Choice>
        <mc:Fallback><w:pict><v:textbox><w:txbxContent>
          <w:p><w:r><w:t>Hộp văn bản</w:t></w:r></w:p></w:txbxContent></v:textbox></w:pict></mc:Fallback>
      </mc:AlternateContent></w:r>
    </w:p>"""
    anchor._p.addnext(parse_xml(box))
    anchor._p.getparent().remove(anchor._p)
    d.add_paragraph("Tiếp")
    p = tmp_path / "textbox.docx"
    d.save(str(p))
    assert read_document(p).text == "Neo\nHộp văn bản\nTiếp\n"


# --------------------------------------------------------------------------- refusals
def test_empty_file(tmp_path: Path):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    assert refused(p).reason.startswith("empty document")


def test_whitespace_only_file(tmp_path: Path):
    p = tmp_path / "blank.md"
    p.write_bytes(" \n\t\r\n  \u00a0\u200b\ufeff\n".encode())
    assert refused(p).reason.startswith("empty document")


def test_binary_renamed_txt(tmp_path: Path):
    p = tmp_path / "image.txt"
    p.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(4000) + b"\x00" * 64)
    assert "binary or garbled content, not a text document" in refused(p).reason


def test_control_characters_without_nul(tmp_path: Path):
    p = tmp_path / "garbled.txt"
    p.write_bytes(bytes(range(1, 32)) * 50)
    assert "binary or garbled content" in refused(p).reason


def test_utf16_without_bom_is_refused(tmp_path: Path):
    p = tmp_path / "nobom.txt"
    p.write_bytes("Kế hoạch".encode("utf-16-le"))
    assert "binary or garbled content" in refused(p).reason


def test_garbled_utf16_after_bom(tmp_path: Path):
    p = tmp_path / "broken16.txt"
    p.write_bytes(b"\xff\xfe" + "Kế hoạch".encode("utf-16-le") + b"\x00\xd8")  # lone surrogate
    assert "byte-order mark" in refused(p).reason


def test_non_vietnamese_legacy_bytes_refused(tmp_path: Path):
    p = tmp_path / "latin.txt"
    p.write_bytes("Café crème brûlée, s’il vous plaît — voilà.\n".encode("cp1252"))
    assert refused(p).reason == "not UTF-8/UTF-16/Windows-1258 text"


def test_truncated_docx(tmp_path: Path):
    whole = tmp_path / "whole.docx"
    _build_docx(whole, ["Kế hoạch"])
    data = whole.read_bytes()
    p = tmp_path / "truncated.docx"
    p.write_bytes(data[: len(data) // 2])
    assert refused(p).reason == "not a valid .docx (corrupt or truncated)"


def test_text_file_renamed_docx(tmp_path: Path):
    p = tmp_path / "notes.docx"
    p.write_text("Kế hoạch cải cách hành chính", encoding="utf-8")
    assert refused(p).reason == "not a valid .docx (corrupt or truncated)"


def test_docx_zip_bomb(tmp_path: Path):
    p = tmp_path / "bomb.docx"
    chunk = b"\0" * (1 << 20)
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w") as f:
            for _ in range(200):  # ~200 MB of zeros, ~0.2 MB on disk
                f.write(chunk)
    assert p.stat().st_size < 2 * (1 << 20)
    reason = refused(p).reason
    assert reason.startswith("refused: .docx expands to 200 MB") and "zip bomb" in reason


def test_docx_total_expansion_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    p = tmp_path / "big.docx"
    _build_docx(p, ["Kế hoạch"])
    monkeypatch.setattr(read_docx, "DOCX_MAX_EXPANDED", 1000)
    assert "possible zip bomb" in refused(p).reason


def test_zip_without_word_document(tmp_path: Path):
    p = tmp_path / "archive.docx"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("readme.txt", "không phải Word")
    assert refused(p).reason.startswith("not a Word document")


def test_ole_file_renamed_docx(tmp_path: Path):
    p = tmp_path / "protected.docx"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024)
    assert "OLE2" in refused(p).reason


def test_legacy_doc(tmp_path: Path):
    p = tmp_path / "old.doc"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024)
    assert refused(p).reason == "legacy .doc is not supported; save as .docx"


@pytest.mark.parametrize("name", ["plan.odt", "plan.xlsx", "plan"])
def test_unsupported_formats(tmp_path: Path, name: str):
    p = tmp_path / name
    p.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    reason = refused(p).reason
    assert reason.startswith("unsupported format") and "(supported: .txt, .md, .html, .docx, .pdf)" in reason
    if p.suffix:
        assert f"'{p.suffix}'" in reason


def test_broken_pdf_message_exact(tmp_path: Path):
    """PDF is read now (tests/test_pdf.py); a header with nothing after it is a corrupt PDF."""
    p = tmp_path / "plan.pdf"
    p.write_bytes(b"%PDF-1.4\n")
    assert refused(p).reason == "not a valid PDF (corrupt or truncated)"


def test_directory(tmp_path: Path):
    d = tmp_path / "folder.txt"
    d.mkdir()
    assert refused(d).reason == "is a directory, not a file"


def test_missing_path(tmp_path: Path):
    assert refused(tmp_path / "missing.txt").reason == "file not found"
    assert refused(tmp_path / "no_dir" / "missing.docx").reason == "file not found"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs POSIX FIFOs")
def test_fifo_is_refused_without_blocking(tmp_path: Path):
    p = tmp_path / "pipe.txt"
    os.mkfifo(p)
    assert refused(p).reason.startswith("not a regular file")


def test_too_large_via_module_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("PLANKB_MAX_BYTES", raising=False)
    monkeypatch.setattr(read_mod, "MAX_BYTES", 1000)
    p = tmp_path / "big.txt"
    p.write_bytes("Kế hoạch ".encode() * 200)
    reason = refused(p).reason
    assert reason.startswith("file too large (") and "> 1000 bytes limit" in reason
    small = tmp_path / "small.txt"
    small.write_bytes(b"ok")
    assert read_document(small).text == "ok"


def test_too_large_via_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PLANKB_MAX_BYTES", str(2 * 1024 * 1024))
    p = tmp_path / "big.docx"
    with open(p, "wb") as f:
        f.truncate(3 * 1024 * 1024)  # sparse: nothing is really written
    assert refused(p).reason.startswith("file too large (3.0 MB > 2.0 MB limit")


def test_input_error_message_format(tmp_path: Path):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    err = refused(p)
    assert str(err) == f"{p}: {err.reason}"


def test_docx_in_memory_round_trip_matches_file(tmp_path: Path):
    # The same bytes give the same text whatever the file name case (.DOCX).
    d = docx.Document()
    d.add_paragraph("Kế hoạch")
    buf = io.BytesIO()
    d.save(buf)
    p = tmp_path / "UPPER.DOCX"
    p.write_bytes(buf.getvalue())
    assert read_document(p).text == "Kế hoạch\n"
