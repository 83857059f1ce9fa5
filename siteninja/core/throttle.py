"""Explicit throttles on the limiter's storage (login, password reset), and the rate-limit headers.

Several limits can apply to one request (per IP, per user or key, per route, per email). The
headers describe exactly one of them, each once: the one that refused the request, else the
one nearest to exhaustion.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import Response
from limits import RateLimitItem, parse

from siteninja.core.context import request_state
from siteninja.core.errors import RateLimited
from siteninja.extensions import limiter

HEADER_NAMES = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After")


@dataclass(frozen=True)
class Window:
    """Where one limit stands for this request."""

    amount: int
    remaining: int
    reset_at: int
    breached: bool


def _storage_ready() -> bool:
    return limiter.enabled and limiter.limiter is not None


def _window(item: RateLimitItem, identity: tuple[str, ...], *, breached: bool) -> Window:
    reset_at, remaining = limiter.limiter.get_window_stats(item, *identity)
    return Window(item.amount, max(0, remaining), int(reset_at) + 1, breached)


def _note(item: RateLimitItem, identity: tuple[str, ...], *, breached: bool) -> None:
    request_state().setdefault("throttles", []).append((item, identity, breached))


def hit(limit: str, *identity: str) -> None:
    """Count one request against ``limit`` for ``identity``; 429 once it is spent."""
    if not _storage_ready():
        return
    item = parse(limit)
    allowed = limiter.limiter.hit(item, *identity)
    _note(item, identity, breached=not allowed)
    if not allowed:
        raise RateLimited("Too many attempts; try again later")


def ensure_not_exhausted(limit: str, *identity: str) -> None:
    """429 if ``identity`` has already used up ``limit`` (without counting this request)."""
    if not _storage_ready():
        return
    item = parse(limit)
    if not limiter.limiter.test(item, *identity):
        _note(item, identity, breached=True)
        raise RateLimited("Too many failed attempts; try again later")


def count(limit: str, *identity: str) -> None:
    """Record one event against ``limit`` without refusing anything (checked later)."""
    if _storage_ready():
        limiter.limiter.hit(parse(limit), *identity)


def _windows() -> list[Window]:
    windows = [
        Window(lim.limit.amount, max(0, lim.remaining), lim.reset_at, lim.breached)
        for lim in limiter.current_limits
    ]
    for item, identity, breached in request_state().get("throttles", []):
        windows.append(_window(item, identity, breached=breached))
    return windows


def add_rate_limit_headers(response: Response) -> Response:
    """After-request hook: one value per header, for the limit that matters most to the caller."""
    for name in HEADER_NAMES:
        if name != "Retry-After" or response.status_code == 429:
            response.headers.pop(name, None)
    if not _storage_ready():
        return response
    windows = _windows()
    if not windows:
        return response
    refused = [w for w in windows if w.breached]
    shown = min(refused or windows, key=lambda w: (w.remaining, -w.reset_at if refused else w.reset_at))
    response.headers["X-RateLimit-Limit"] = str(shown.amount)
    response.headers["X-RateLimit-Remaining"] = str(0 if refused else shown.remaining)
    response.headers["X-RateLimit-Reset"] = str(shown.reset_at)
    if response.status_code == 429:
        response.headers["Retry-After"] = str(max(1, shown.reset_at - int(time.time())))
    return response
