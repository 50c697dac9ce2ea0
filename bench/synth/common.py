"""Constants shared by the synthetic corpus generator and its per-document random generator.

Main entry point: `_rng(seed, key)`, the deterministic generator every document and section draws from.
"""
from __future__ import annotations

import random

TRUTH_SCHEMA = "plankb-synth-truth/1"
AREA_ORDER = ("direction", "institution", "procedure", "organization", "civil_service", "public_finance",
              "digital_government")
YEAR = 2026  # the yearly plans' year
FIVE = (2026, 2030)  # the focus period of QĐ 282/QĐ-TTg


def _iso(y: int, m: int, d: int) -> str:
    return f"{y:04d}-{m:02d}-{d:02d}"


def _rng(seed: int, key: str) -> random.Random:
    return random.Random(f"plankb-synth/{seed}/{key}")
