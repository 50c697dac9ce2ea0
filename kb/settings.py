"""Where the knowledge base lives and which IRI base it mints.

Precedence: explicit argument (the CLI's `--data-dir`) > environment (`PLANKB_DATA_DIR`,
`PLANKB_BASE_IRI`) > defaults (the user data folder from platformdirs, `http://plankb.org/id/`).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_BASE_IRI = "http://plankb.org/id/"
ENV_DATA_DIR = "PLANKB_DATA_DIR"
ENV_BASE_IRI = "PLANKB_BASE_IRI"


def default_data_dir() -> Path:
    """The per-user data folder, e.g. ~/.local/share/plankb on Linux."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("plankb", appauthor=False))


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    base_iri: str = DEFAULT_BASE_IRI

    @property
    def store_dir(self) -> Path:
        """The Oxigraph (RocksDB) directory inside the data directory."""
        return self.data_dir / "store"


def base_iri() -> str:
    """The IRI base in force (env PLANKB_BASE_IRI), always ending in '/' or '#'."""
    base = os.environ.get(ENV_BASE_IRI) or DEFAULT_BASE_IRI
    return base if base.endswith(("/", "#")) else base + "/"


def get_settings(data_dir: str | os.PathLike[str] | None = None, base: str | None = None) -> Settings:
    """Settings from arguments, then environment, then defaults."""
    d = data_dir or os.environ.get(ENV_DATA_DIR) or default_data_dir()
    b = base or base_iri()
    if not b.endswith(("/", "#")):
        b += "/"
    return Settings(data_dir=Path(d).expanduser(), base_iri=b)
