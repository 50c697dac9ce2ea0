"""HTTP helpers shared by the routers: content negotiation and RFC 9457 problem details.

Negotiation follows RFC 9110 §12.5.1 and scores offers the way Oxigraph's server does: every
offer takes the q-value of the most specific media range that matches it (`type/subtype` beats
`type/*`, which beats `*/*`); the offer with the highest q wins and ties go to the server's
order of preference (the order of `offers`). q=0 means "not acceptable". No Accept header, or
one with no valid media range, accepts anything.

>>> negotiate("text/csv;q=0.5, application/sparql-results+json", ["text/csv", "application/sparql-results+json"])
'application/sparql-results+json'
>>> negotiate("text/*;q=0.2, */*;q=0.1", ["application/sparql-results+json", "text/csv"])
'text/csv'
>>> negotiate("image/png", ["text/turtle"]) is None
True
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException
from fastapi.responses import JSONResponse

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPE_BASE = "http://plankb.org/problems/"


@dataclass(frozen=True)
class MediaRange:
    """One entry of an Accept header: `type/subtype;params;q=...`, lower-cased."""

    type: str
    subtype: str
    q: float = 1.0

    @property
    def specificity(self) -> int:
        """2 for `type/subtype`, 1 for `type/*`, 0 for `*/*`."""
        if self.type == "*":
            return 0
        return 1 if self.subtype == "*" else 2

    def matches(self, media_type: str) -> bool:
        t, _, s = media_type.partition("/")
        return (self.type in ("*", t)) and (self.subtype in ("*", s))


def parse_accept(header: str | None) -> list[MediaRange]:
    """Parse an Accept header. Invalid entries are skipped; a bad q counts as q=1 (lenient)."""
    ranges: list[MediaRange] = []
    for entry in (header or "").split(","):
        parts = [p.strip() for p in entry.split(";")]
        main = parts[0].lower()
        t, slash, s = main.partition("/")
        if not slash or not t or not s or (t == "*" and s != "*"):
            continue
        q = 1.0
        for param in parts[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = 1.0
                break  # parameters after q are accept-extensions: ignored
        ranges.append(MediaRange(t, s, q))
    return ranges


def quality(ranges: Sequence[MediaRange], media_type: str) -> float:
    """The q-value the client gives `media_type`: that of its most specific matching range."""
    best: MediaRange | None = None
    for r in ranges:
        if r.matches(media_type) and (best is None or r.specificity > best.specificity
                                      or (r.specificity == best.specificity and r.q > best.q)):
            best = r
    return best.q if best else 0.0


def negotiate(accept: str | None, offers: Sequence[str]) -> str | None:
    """The offer (a bare `type/subtype`) the client prefers, or None if it accepts none of them."""
    if not offers:
        return None
    ranges = parse_accept(accept)
    if not ranges:
        return offers[0]
    best, best_q = None, 0.0
    for offer in offers:
        q = quality(ranges, offer.lower())
        if q > best_q:
            best, best_q = offer, q
    return best


class ProblemError(HTTPException):
    """An HTTP error rendered as `application/problem+json` (RFC 9457) by the app's handler.

    `slug` becomes the problem `type` (`http://plankb.org/problems/{slug}`); `extra` adds
    members such as `acceptable` to the body. Plain `HTTPException`s are rendered the same way
    with `type: about:blank`.
    """

    def __init__(self, status: int, title: str, detail: str, *, slug: str | None = None,
                 headers: Mapping[str, str] | None = None, extra: Mapping[str, Any] | None = None):
        super().__init__(status_code=status, detail=detail, headers=dict(headers or {}) or None)
        self.title = title
        self.type = PROBLEM_TYPE_BASE + slug if slug else "about:blank"
        self.extra = dict(extra or {})


class NotAcceptable(ProblemError):
    """406 listing the media types the server could have produced."""

    def __init__(self, accept: str | None, acceptable: Sequence[str], what: str = "this resource"):
        super().__init__(
            406, "Not Acceptable",
            f"None of the requested media types ({accept or 'none'}) can be produced for {what}. "
            f"Acceptable: {', '.join(acceptable)}.",
            slug="not-acceptable", extra={"acceptable": list(acceptable)},
        )


def problem_response(status: int, title: str, detail: str | None = None, *, type: str = "about:blank",
                     instance: str | None = None, headers: Mapping[str, str] | None = None,
                     extra: Mapping[str, Any] | None = None) -> JSONResponse:
    """A problem+json response. Never put exception text from unexpected errors in `detail`."""
    body: dict[str, Any] = {"type": type, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    body.update(extra or {})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=dict(headers or {}))
