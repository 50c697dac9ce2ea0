"""OCR of scanned PDF pages with Tesseract and its Vietnamese model (Debian: tesseract-ocr, tesseract-ocr-vie).

Public verb: `ocr_pages(doc, page_indices)` -> `OcrResult`: for each page, its words as layout
`Box`es with their confidence, and the ruling lines found in the image (long runs of dark pixels
across rows and columns), so a scanned table is rebuilt like a text one.

Pages are rendered by PDFium in this thread (PDFium is not thread-safe) at `DPI`, grey, and sent to
one `tesseract` process per core (`OMP_THREAD_LIMIT=1`; each page at most `PAGE_TIMEOUT` s).
Without Tesseract or its `vie` model the pages are not read and a warning says what to install.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache

import pypdfium2 as pdfium

from plankb.ingest.read.layout import Box, Page

DPI = 300
MAX_PIXELS = 40_000_000  # a page bitmap larger than this is rendered at a lower resolution
PAGE_TIMEOUT = 120  # seconds of Tesseract per page
LOW_CONFIDENCE = 70.0  # mean word confidence (0-100) under which a page is reported
RULE_MIN = 0.04  # a ruling is a dark run at least this share of the page's width or height
INSTALL_HINT = "install Tesseract and its Vietnamese model (Debian: apt-get install tesseract-ocr tesseract-ocr-vie)"
_DARK = bytes(1 if v < 128 else 0 for v in range(256))


@dataclass
class OcrResult:
    pages: dict[int, Page] = field(default_factory=dict)
    confidence: dict[int, float] = field(default_factory=dict)  # page index -> mean word confidence
    warnings: list[tuple[str, str]] = field(default_factory=list)


@lru_cache(maxsize=1)
def available() -> str | None:
    """None when Tesseract with the `vie` model can run, else why not."""
    exe = shutil.which("tesseract")
    if exe is None:
        return f"Tesseract is not installed; {INSTALL_HINT}"
    try:
        langs = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return f"Tesseract does not run; {INSTALL_HINT}"
    return None if "vie" in langs else f"Tesseract has no Vietnamese model; {INSTALL_HINT}"


def _render(page: pdfium.PdfPage) -> tuple[bytes, int, int, float]:
    """(PGM image, width px, height px, pixels per point) of a page, grey."""
    w_pt, h_pt = page.get_size()
    scale = DPI / 72
    if w_pt * h_pt * scale * scale > MAX_PIXELS:
        scale = (MAX_PIXELS / max(w_pt * h_pt, 1.0)) ** 0.5
    bitmap = page.render(scale=scale, grayscale=True)
    try:
        w, h, stride = bitmap.width, bitmap.height, bitmap.stride
        buf = bytes(bitmap.buffer)
    finally:
        bitmap.close()
    rows = buf if stride == w else b"".join(buf[y * stride:y * stride + w] for y in range(h))
    return b"P5\n%d %d\n255\n" % (w, h) + rows, w, h, scale


def _rulings(pgm: bytes, w: int, h: int, scale: float, h_pt: float) -> tuple[list, list, bytes]:
    """Long dark runs: horizontal lines (y, x0, x1) and vertical lines (x, y0, y1) in points, and
    the image with them whited out (Tesseract skips the text of cells boxed by ruling lines)."""
    head = pgm.index(b"255\n") + 4
    pixels = pgm[head:].translate(_DARK)
    clean = bytearray(pgm[head:])
    hmin, vmin = max(20, int(RULE_MIN * w)), max(20, int(RULE_MIN * h))
    hrun, vrun = re.compile(b"\x01{%d,}" % hmin), re.compile(b"\x01{%d,}" % vmin)
    hlines = []
    for y in range(h):
        for m in hrun.finditer(pixels, y * w, (y + 1) * w):
            hlines.append((h_pt - y / scale, (m.start() - y * w) / scale, (m.end() - y * w) / scale))
            clean[m.start():m.end()] = b"\xff" * (m.end() - m.start())
    vlines = []
    for x in range(w):
        for m in vrun.finditer(pixels[x::w]):
            vlines.append((x / scale, h_pt - m.end() / scale, h_pt - m.start() / scale))
            clean[x + m.start() * w:x + m.end() * w:w] = b"\xff" * (m.end() - m.start())
    return hlines, vlines, pgm[:head] + bytes(clean)


def _tesseract(pgm: bytes) -> str:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    proc = subprocess.run(["tesseract", "stdin", "stdout", "-l", "vie", "--psm", "3", "tsv"], input=pgm,
                          capture_output=True, timeout=PAGE_TIMEOUT, env=env)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.decode("utf-8", "replace").strip()[-200:] or f"exit {proc.returncode}")
    return proc.stdout.decode("utf-8", "replace")


def _words(tsv: str, scale: float, h_pt: float) -> list[Box]:
    boxes = []
    for line in tsv.splitlines()[1:]:
        f = line.split("\t")
        if len(f) < 12 or f[0] != "5" or not f[11].strip():
            continue
        left, top, width, height, conf = int(f[6]), int(f[7]), int(f[8]), int(f[9]), float(f[10])
        boxes.append(Box(f[11].strip(), left / scale, h_pt - (top + height) / scale, (left + width) / scale,
                         h_pt - top / scale, conf, space_before=True))
    return boxes


def ocr_pages(doc: pdfium.PdfDocument, indices: list[int]) -> OcrResult:
    """OCR the pages `indices` of `doc` (see the module docstring)."""
    result = OcrResult()
    why = available()
    if why is not None:
        pages = ", ".join(str(k + 1) for k in indices[:10]) + ("…" if len(indices) > 10 else "")
        result.warnings.append(("ocr_unavailable", f"scanned pages not read (page {pages}): {why}"))
        return result
    jobs = []
    for k in indices:
        page = doc[k]
        try:
            w_pt, h_pt = page.get_size()
            pgm, w, h, scale = _render(page)
        finally:
            page.close()
        hlines, vlines, clean = _rulings(pgm, w, h, scale, h_pt)
        jobs.append((k, clean, scale, w_pt, h_pt, hlines, vlines))
    with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
        futures = [(job, pool.submit(_tesseract, job[1])) for job in jobs]
        for (k, _, scale, w_pt, h_pt, hlines, vlines), fut in futures:
            try:
                words = _words(fut.result(), scale, h_pt)
            except (OSError, RuntimeError, subprocess.SubprocessError) as e:
                result.warnings.append(("ocr_failed", f"page {k + 1}: OCR failed ({e})"))
                continue
            result.pages[k] = Page(w_pt, h_pt, words, hlines, vlines)
            confs = [b.conf for b in words if b.conf is not None and b.conf >= 0]
            mean = sum(confs) / len(confs) if confs else 0.0
            result.confidence[k] = round(mean, 1)
            if not words:
                result.warnings.append(("ocr_no_text", f"page {k + 1}: scanned page, OCR found no text"))
            elif mean < LOW_CONFIDENCE:
                result.warnings.append(("ocr_low_confidence", f"page {k + 1}: OCR confidence {mean:.0f}%"))
    return result
