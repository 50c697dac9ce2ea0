#!/usr/bin/env bash
# Installs the Debian packages plankb uses outside Python, when they are missing and we may (root
# with apt-get): Tesseract and its Vietnamese model (OCR of scanned PDFs), and, with --browser,
# Chromium for the real-browser tests (Playwright drives it; no browser is ever downloaded).
# Without root the packages are listed and the run goes on: scanned pages are then reported as
# not read, and the browser tests are skipped.
set -uo pipefail
want=()
if ! command -v tesseract >/dev/null 2>&1 || ! tesseract --list-langs 2>/dev/null | grep -qx vie; then
  want+=(tesseract-ocr tesseract-ocr-vie)
fi
[ -d /usr/share/fonts/truetype/dejavu ] || want+=(fonts-dejavu-core)
if [ "${1:-}" = "--browser" ] && [ ! -x /usr/bin/chromium ]; then want+=(chromium); fi
[ ${#want[@]} -eq 0 ] && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${want[@]}" >/dev/null) \
    || echo "warning: could not install ${want[*]}" >&2
else
  echo "note: install ${want[*]} (Debian packages) for OCR of scanned PDFs and the browser tests" >&2
fi
exit 0
