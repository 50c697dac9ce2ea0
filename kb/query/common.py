"""Small helpers shared by the query modules: `norm_name` (how unit, plan and area names are
compared), `short` (labels cut to a length), `local_id` (the short id of a KB IRI)."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from plankb.kb.text import canonical_tones, clip, fold

if TYPE_CHECKING:
    from plankb.kb.store import KnowledgeBase

SEP = "\u001f"
LABEL_MAX = 100


def norm_name(name: str) -> str:
    """Unit names compared without diacritics, tone style, case, dashes or punctuation.

    >>> norm_name("Phòng Văn hoá – Xã hội") == norm_name("phong van hoa-xa hoi")
    True
    """
    return " ".join(re.findall(r"[a-z0-9]+", fold(canonical_tones(name))))


def short(text: str | None, n: int = LABEL_MAX) -> str | None:
    """`text` on one line, cut to `n` characters with an ellipsis (None stays None)."""
    return None if text is None else clip(text, n)


def local_id(kb: "KnowledgeBase", iri: str) -> str:
    """The short id of a KB IRI (the IRI itself when it is not one of the KB's)."""
    k = kb.iris.kind_and_id(iri)
    return k[1] if k else iri
