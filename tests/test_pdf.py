"""PDF plans: the seeds typeset as a word processor exports them (tests/pdfdocs.py) extract as well as
their .txt; the same pages scanned (image-only, 150 dpi grey) are read by OCR; bad PDFs are refused."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("reportlab")
import pdfdocs  # noqa: E402

from plankb.ingest.extract.document import extract_document  # noqa: E402
from plankb.ingest.read import ocr, read_document  # noqa: E402
from plankb.kb.errors import InputError  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "examples" / "seeds").glob("*.txt"))
APPENDIX = "003"  # Ba Đình: the appendix table of 43 task rows
pytestmark = pytest.mark.skipif(not pdfdocs.fonts_available(), reason="DejaVu fonts missing (fonts-dejavu-core)")
needs_ocr = pytest.mark.skipif(ocr.available() is not None, reason=str(ocr.available()))


def _keys(citations) -> set[str]:
    return {c.key for c in citations if c.key}


def _f1(truth: set, got: set) -> float:
    if not truth and not got:
        return 1.0
    tp = len(truth & got)
    p, r = (tp / len(got) if got else 0.0), (tp / len(truth) if truth else 0.0)
    return 2 * p * r / (p + r) if p + r else 0.0


def _indicators(record) -> set:
    return {(i.subject[:40], i.value) for i in record.indicators}


def _rows(record) -> set:
    """Table tasks (appendix rows) with their lead unit and deadline: what an analyst needs of them."""
    return {(t.path, tuple(t.lead_units), t.deadline.text if t.deadline else None)
            for t in record.tasks if t.origin == "table" and t.lead_units and t.deadline}


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("pdf")
    return {s.name[:3]: pdfdocs.text_pdf(s.read_text(encoding="utf-8"), out / f"{s.name[:3]}.pdf") for s in SEEDS}


@pytest.fixture(scope="module")
def txt_records() -> dict[str, object]:
    return {s.name[:3]: extract_document(s) for s in SEEDS}


@pytest.mark.parametrize("seed", [s.name[:3] for s in SEEDS])
def test_text_pdf_extracts_as_well_as_the_text(seed, pdfs, txt_records):
    txt, pdf = txt_records[seed], extract_document(pdfs[seed])
    assert pdf.id == txt.id and pdf.level == txt.level and pdf.period == txt.period
    assert _keys(pdf.legal_bases) == _keys(txt.legal_bases)
    assert _f1(_keys(txt.citations), _keys(pdf.citations)) >= 0.98
    truth = _indicators(txt)
    assert len(truth & _indicators(pdf)) >= 0.95 * len(truth)
    assert len(pdf.tasks) >= 0.95 * len(txt.tasks)


def test_every_appendix_row_keeps_its_lead_unit_and_deadline(pdfs, txt_records):
    truth, got = _rows(txt_records[APPENDIX]), _rows(extract_document(pdfs[APPENDIX]))
    assert len(truth) >= 43
    assert truth <= got, sorted(truth - got)[:5]


def test_pages_spans_and_page_numbers(pdfs):
    path = pdfs[APPENDIX]
    doc = read_document(path)
    assert doc.format == "pdf" and len(doc.pages) > 20
    starts = [p.start for p in doc.pages]
    assert starts == sorted(starts) and starts[0] == 0
    # the page numbers printed at the top of pages 2.. are not text
    assert not any(line.strip().isdigit() and int(line) > 1 for line in doc.text.splitlines())
    record = extract_document(path)
    assert [p.number for p in record.pages] == list(range(1, len(doc.pages) + 1))
    for t in record.tasks:
        assert t.span.page is not None and doc.pages[t.span.page - 1].start <= t.span.start
        assert t.span.page == len(doc.pages) or t.span.start < doc.pages[t.span.page].start
    last = max(record.tasks, key=lambda t: t.span.start)
    assert last.span.page >= len(doc.pages) - 2  # the appendix is at the end
    txt = extract_document(SEEDS[0])
    assert "page" not in txt.model_dump(mode="json")["tasks"][0]["span"]  # other formats: no page key


def test_wrapped_lines_become_paragraphs(pdfs):
    text = read_document(pdfs["000"]).text
    lines = [ln for ln in text.splitlines() if ln.strip()]
    long_lines = [ln for ln in lines if len(ln) > 300]
    assert long_lines, "justified paragraphs are one line each again"
    assert all(not ln.endswith((" và", " của", " các")) for ln in lines[:80])


def test_text_pdf_speed(pdfs):
    """A sanity bound only (the figure is measured by `plankb bench`): well over 20 pages/s."""
    raw = pdfs[APPENDIX].read_bytes()
    from plankb.ingest.read.pdf import render_pdf

    t = time.perf_counter()
    pages = len(render_pdf(raw).pages)
    assert pages / (time.perf_counter() - t) > 5


# ---------------------------------------------------------------- scans
@pytest.fixture(scope="module")
def scans(pdfs, tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("scan")
    return {k: pdfdocs.scanned_pdf(pdfs[k], out / f"{k}-scan.pdf") for k in (APPENDIX, "004")}


@needs_ocr
def test_scanned_pdf_is_read_by_ocr(scans, txt_records):
    record = extract_document(scans[APPENDIX])
    txt = txt_records[APPENDIX]
    assert record.pages and all(p.ocr_confidence is not None for p in record.pages)
    assert _f1(_keys(txt.citations), _keys(record.citations)) >= 0.90
    truth = _indicators(txt)
    assert len(truth & _indicators(record)) >= 0.85 * len(truth)
    # Known gap (issue 14, open): the scanned appendix table is rebuilt (see the next test) but its
    # rows do not yet become tasks, so appendix rows from scans are not asserted here.


@needs_ocr
def test_scanned_table_is_rebuilt_from_its_ruling_lines(scans):
    text = read_document(scans[APPENDIX]).text
    rows = [line for line in text.splitlines() if line.count("\t") == 6]
    assert len(rows) >= 40 and any(r.startswith("TT\tNhiệm vụ") for r in rows)


@needs_ocr
def test_mixed_pdf_reads_text_and_scanned_pages(pdfs, scans, tmp_path):
    pypdf = pytest.importorskip("pypdf")
    writer = pypdf.PdfWriter()
    writer.append(str(pdfs["004"]), pages=(0, 2))
    writer.append(str(scans["004"]), pages=(2, len(pypdf.PdfReader(str(scans["004"])).pages)))
    mixed = tmp_path / "mixed.pdf"
    writer.write(str(mixed))
    doc = read_document(mixed)
    assert [p.ocr_confidence is None for p in doc.pages][:3] == [True, True, False]
    whole = read_document(pdfs["004"]).text
    assert doc.text.count("Căn cứ") == whole.count("Căn cứ")
    assert "Võ Cường" in doc.text.split("\n", 3)[1]


def test_without_tesseract_scans_are_reported_not_guessed(scans, monkeypatch):
    monkeypatch.setattr(ocr, "available", lambda: "Tesseract is not installed; " + ocr.INSTALL_HINT)
    with pytest.raises(InputError) as e:
        read_document(scans["004"])
    assert "tesseract-ocr-vie" in str(e.value) and str(scans["004"]) in str(e.value)


# ---------------------------------------------------------------- bad input
def test_bad_pdfs_are_refused_with_a_reason(pdfs, tmp_path, monkeypatch):
    good = pdfs["004"].read_bytes()
    cases = {
        "truncated.pdf": (good[: len(good) // 3], "corrupt or truncated"),
        "not-a-pdf.pdf": (b"hello, this is text\n" * 50, "no %PDF header"),
        "empty.pdf": (b"", "empty document"),
    }
    for name, (data, reason) in cases.items():
        p = tmp_path / name
        p.write_bytes(data)
        with pytest.raises(InputError) as e:
            read_document(p)
        assert reason in str(e.value) and str(p) in str(e.value), (name, str(e.value))
    monkeypatch.setenv("PLANKB_MAX_PAGES", "2")
    with pytest.raises(InputError) as e:
        read_document(pdfs["004"])
    assert "pages (limit 2" in str(e.value)


def test_encrypted_pdf_is_refused(pdfs, tmp_path):
    pypdf = pytest.importorskip("pypdf")
    writer = pypdf.PdfWriter(clone_from=str(pdfs["004"]))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    locked = tmp_path / "locked.pdf"
    writer.write(str(locked))
    with pytest.raises(InputError) as e:
        read_document(locked)
    assert "password-protected" in str(e.value)


def test_a_photo_without_text_is_refused_quickly(tmp_path):
    """A scan of a photo (an image, no words): refused with a reason, within bounded time."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    photo = tmp_path / "photo.pdf"
    c = canvas.Canvas(str(photo), pagesize=A4)
    for i in range(40):
        c.setFillGray(i / 40)
        c.rect(i * 15, 0, 15, A4[1], fill=1, stroke=0)
    c.showPage()
    c.save()
    t = time.perf_counter()
    with pytest.raises(InputError) as e:
        read_document(photo)
    assert "no text" in str(e.value)
    assert time.perf_counter() - t < 60


def test_cli_extract_reports_what_could_not_be_read(scans, tmp_path):
    """`plankb extract` of a scan without OCR available still names the file and the reason."""
    env_path = tmp_path / "bin"
    env_path.mkdir()
    proc = subprocess.run([sys.executable, "-m", "plankb.api.cli", "extract", str(scans["004"])],
                          capture_output=True, text=True, cwd=ROOT,
                          env={"PATH": str(env_path), "HOME": str(tmp_path)}, timeout=120)
    assert proc.returncode == 2 and str(scans["004"]) in proc.stderr and "tesseract-ocr" in proc.stderr
