"""The REST API under /api, one router per kind of thing (FastAPI "bigger applications" layout).

`api.app.create_app` includes `ROUTERS`; each router declares its prefix, tag and problem
responses, and reads through `kb.catalog` (and `kb.query.trace` / `kb.query.gaps`) only.
"""
from __future__ import annotations

from plankb.api.routers import indicators, legal, plans, search, tasks, units

ROUTERS = (plans.router, tasks.router, units.router, legal.router, indicators.router, search.router)

__all__ = ["ROUTERS"]
