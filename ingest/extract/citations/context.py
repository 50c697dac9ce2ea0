"""Where the citing plan sits (`CitationContext`): decides what "Ủy ban nhân dân thành phố" means.
"""
from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

from plankb.ingest.extract.citations.vocab import known_province
from plankb.kb.models import Level
from plankb.kb.text import canonical_tones, squash


# ---------------------------------------------------------------- context
class CitationContext(BaseModel):
    """Where the citing plan sits: decides what "Ủy ban nhân dân thành phố" means."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    level: Level = Field("commune", description="Level of the citing plan")
    province: str | None = Field(None, description="Province short name: 'Hải Phòng', 'Hà Nội', 'Bắc Ninh'")
    commune: str | None = Field(None, description="Commune name: 'Ái Quốc', 'Ba Đình'")

    @field_validator("province")
    @classmethod
    def _short_province(cls, v: str | None) -> str | None:
        if not v:
            return None
        v = re.sub(r"^(?i:thành\s+phố|tỉnh|tp\.?)\s+", "", squash(canonical_tones(v)))
        known = known_province(v)
        return known[0] if known else v

    @field_validator("commune")
    @classmethod
    def _short_commune(cls, v: str | None) -> str | None:
        if not v:
            return None
        return re.sub(r"^(?i:phường|xã|đặc\s+khu|thị\s+trấn)\s+", "", squash(canonical_tones(v)))
