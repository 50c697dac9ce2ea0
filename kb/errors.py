"""Errors with messages an analyst can act on: every input error names the file and the problem."""
from __future__ import annotations


class PlanKBError(Exception):
    """Base class for errors reported to the user without a traceback."""


class InputError(PlanKBError):
    """A document that cannot be read or extracted. `str(e)` is 'PATH: reason'."""

    def __init__(self, path: str, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class StoreError(PlanKBError):
    """The knowledge-base store cannot be opened or written (permissions, full disk, lock)."""


class StoreInUse(StoreError):
    """The store's data directory is held by another process (one writer at a time): kb.store.inuse."""
