"""Shared fixtures: seed paths, extracted seed records (cached), golden-file option."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = ROOT / "examples" / "seeds"
SEEDS = {p.name[:3]: p for p in sorted(SEEDS_DIR.glob("*.txt"))}


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/*.json")
    parser.addoption("--run-browser", action="store_true", help="run the real-browser tests")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--run-browser"):
        return
    skip = pytest.mark.skip(reason="real-browser test: pass --run-browser")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@lru_cache(maxsize=None)
def extract_seed(key: str):
    from plankb.ingest.extract.document import extract_document

    return extract_document(SEEDS[key])


@pytest.fixture(scope="session")
def seed_records():
    return {k: extract_seed(k) for k in SEEDS}


@pytest.fixture(scope="session")
def seed_texts():
    from plankb.ingest.read import read_document

    return {k: read_document(p).text for k, p in SEEDS.items()}
