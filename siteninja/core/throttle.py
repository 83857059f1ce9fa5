"""Explicit throttles on top of the limiter's storage (login, password reset, failed logins)."""

from __future__ import annotations

import time

from limits import parse

from siteninja.core.errors import RateLimited
from siteninja.extensions import limiter


def _headers(limit: str, *identity: str) -> dict[str, str]:
    item = parse(limit)
    reset_at, remaining = limiter.limiter.get_window_stats(item, *identity)
    retry_after = max(1, int(reset_at - time.time()) + 1)
    return {
        "Retry-After": str(retry_after),
        "X-RateLimit-Limit": str(item.amount),
        "X-RateLimit-Remaining": str(max(0, remaining)),
        "X-RateLimit-Reset": str(int(reset_at)),
    }


def hit(limit: str, *identity: str) -> None:
    """Count one request against ``limit`` for ``identity``; 429 with headers once it is spent."""
    if not limiter.enabled or limiter.limiter is None:
        return
    if not limiter.limiter.hit(parse(limit), *identity):
        raise RateLimited("Too many attempts; try again later", headers=_headers(limit, *identity))


def ensure_not_exhausted(limit: str, *identity: str) -> None:
    """429 if ``identity`` has already used up ``limit`` (without counting this request)."""
    if not limiter.enabled or limiter.limiter is None:
        return
    if not limiter.limiter.test(parse(limit), *identity):
        raise RateLimited("Too many failed attempts; try again later", headers=_headers(limit, *identity))


def count(limit: str, *identity: str) -> None:
    """Record one event against ``limit`` without refusing anything (checked later)."""
    if limiter.enabled and limiter.limiter is not None:
        limiter.limiter.hit(parse(limit), *identity)
