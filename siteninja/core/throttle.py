"""Rate limits: the default per-caller limit, explicit throttles (login, password reset), the
per-tenant AI limit, and the rate-limit headers.

The default limit (anonymous per IP, per user, per API key) is a fixed window counted with one
pipelined Redis round trip (in-process without Redis); what the counter returns is all the
headers need, so they cost nothing more. Several limits can apply to one request (per IP, per
user or key, per route, per email): the headers describe exactly one of them, each once, the one
that refused the request, else the one nearest to exhaustion.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from flask import Flask, Response, current_app, request
from limits import RateLimitItem, parse
from redis.exceptions import RedisError

from siteninja.core.auth import default_limit, limit_key, optional_principal
from siteninja.core.context import is_internal_request, request_state
from siteninja.core.errors import RateLimited, error_response
from siteninja.core.limits import client_address
from siteninja.core.redis import redis_client
from siteninja.extensions import limiter

log = logging.getLogger("siteninja.limits")
WINDOWS_KEY = "siteninja_rate_windows"
COUNTER_PREFIX = "sn:rl:"

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
    _note_window(_window(item, identity, breached=breached))


def _note_window(window: Window) -> None:
    request_state().setdefault("rate_windows", []).append(window)


@lru_cache(maxsize=256)
def parsed(limit: str) -> RateLimitItem:
    """``"600/minute"`` as a limit item, parsed once per process."""
    return parse(limit)


class LocalWindows:
    """Fixed-window counters in this process: the embedded default, and the fallback when Redis fails."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, float]] = {}

    def increment(self, key: str, expires_at: float) -> int:
        with self._lock:
            now = time.time()
            if len(self._counts) > 10_000:
                self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
            count = self._counts.get(key, (0, expires_at))[0] + 1
            self._counts[key] = (count, expires_at)
            return count


def reset_local_counters(app: Flask) -> None:
    """Forget this process's fixed-window counts (tests; Redis counts are Redis's)."""
    app.extensions[WINDOWS_KEY] = LocalWindows()


def init_default_limit(app: Flask) -> None:
    """Enforce the default per-caller limit on every request of ``app`` but the exempt blueprints."""
    app.extensions[WINDOWS_KEY] = LocalWindows()
    app.config.setdefault("RATELIMIT_EXEMPT_BLUEPRINTS", ("ops",))
    app.before_request(enforce_default_limit)


@dataclass(frozen=True)
class PendingCount:
    """A default-limit count not sent yet: a cached read sends it with its cache lookup."""

    key: str
    period: int
    amount: int
    reset_at: int


def enforce_default_limit() -> None:
    """Count this request against its caller's limit; 429 once the window's allowance is spent.

    For a cached read with Redis, the count travels in the cache lookup's round trip instead
    (``pending_count``/``settle``); whatever never reaches the lookup is counted after the view.
    """
    if not limiter.enabled or request.endpoint is None or is_internal_request():
        return
    if request.blueprint in current_app.config["RATELIMIT_EXEMPT_BLUEPRINTS"]:
        return
    pending = pending_for(limit_key(), parsed(default_limit()))
    if _is_cached_read() and redis_client() is not None:
        request_state()["pending_count"] = pending
        return
    settle(pending, count_now(pending))


def pending_for(identity: str, item: RateLimitItem) -> PendingCount:
    """The count ``identity`` owes ``item`` in the current fixed window."""
    period = item.get_expiry()
    window_start = int(time.time()) // period * period
    key = f"{COUNTER_PREFIX}{identity}:{period}:{window_start}"
    return PendingCount(key, period, item.amount, window_start + period)


def count_now(pending: PendingCount) -> int:
    """Send ``pending``'s count (Redis, else this process); the window's count after it."""
    return _increment(pending.key, pending.period, pending.reset_at)


def _is_cached_read() -> bool:
    view = current_app.view_functions.get(request.endpoint)
    handler = getattr(getattr(view, "view_class", None), "get", None)
    return request.method in ("GET", "HEAD") and hasattr(handler, "_cached_namespace")


def pending_count() -> PendingCount | None:
    """The default-limit count this request still owes, taken by whoever sends it."""
    return request_state().pop("pending_count", None)


def settle(pending: PendingCount, count: int) -> None:
    """Record where the caller's window stands after ``count``; 429 when it is over the amount."""
    breached = count > pending.amount
    _note_window(Window(pending.amount, max(0, pending.amount - count), pending.reset_at, breached))
    if breached:
        raise RateLimited(f"Rate limit exceeded: {pending.amount} per {pending.period} seconds")


def settle_unsent_count(response: Response) -> Response:
    """After-request hook: a deferred count the view never sent (an error came first) is sent now."""
    pending = pending_count()
    if pending is None:
        return response
    try:
        settle(pending, count_now(pending))
    except RateLimited as refused:
        return error_response(429, message=refused.message)
    return response


def increment_command(pipe: Any, pending: PendingCount) -> None:
    """Queue the count of ``pending`` on a Redis pipeline (its result is the first of the two)."""
    pipe.incr(pending.key)
    pipe.expire(pending.key, pending.period + 1)


def _increment(key: str, period: int, expires_at: int) -> int:
    client = redis_client()
    if client is not None:
        try:
            pipe = client.pipeline(transaction=False)
            increment_command(pipe, PendingCount(key, period, 0, expires_at))
            return int(pipe.execute()[0])
        except RedisError:
            log.warning("rate-limit store unavailable; counting in this process")
    return current_app.extensions[WINDOWS_KEY].increment(key, expires_at)


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
    """Record one event against ``limit`` without refusing anything (checked later); the limit
    applies to this request, so the headers may describe it."""
    if _storage_ready():
        item = parse(limit)
        limiter.limiter.hit(item, *identity)
        _note(item, identity, breached=False)


def _windows() -> list[Window]:
    windows = [
        Window(lim.limit.amount, max(0, lim.remaining), lim.reset_at, lim.breached)
        for lim in limiter.current_limits
    ]
    windows.extend(request_state().get("rate_windows", []))
    return windows


def add_rate_limit_headers(response: Response) -> Response:
    """After-request hook: one value per header, for the limit that matters most to the caller
    (a response whose view set them itself and noted no window, a public page, keeps its own)."""
    if not _storage_ready():
        return response
    windows = _windows()
    if not windows:
        return response
    for name in HEADER_NAMES:
        if name != "Retry-After" or response.status_code == 429:
            response.headers.pop(name, None)
    refused = [w for w in windows if w.breached]
    shown = min(refused or windows, key=lambda w: (w.remaining, -w.reset_at if refused else w.reset_at))
    response.headers["X-RateLimit-Limit"] = str(shown.amount)
    response.headers["X-RateLimit-Remaining"] = str(0 if refused else shown.remaining)
    response.headers["X-RateLimit-Reset"] = str(shown.reset_at)
    if response.status_code == 429:
        response.headers["Retry-After"] = str(max(1, shown.reset_at - int(time.time())))
    return response


def ai_limit_key() -> str:
    """The AI limit counts per tenant (a principal without one, such as a super_admin: per principal)."""
    principal = optional_principal()
    if principal is None:
        return f"ip:{client_address()}"
    return f"tenant:{principal.tenant_id}" if principal.tenant_id else principal.log_name


def ai_limit() -> Callable:
    """``RATE_LIMIT_AI`` shared by every AI endpoint, on top of the caller's default limit."""
    return limiter.shared_limit(
        lambda: current_app.config["RATE_LIMIT_AI"],
        scope="ai",
        key_func=ai_limit_key,
        override_defaults=False,
    )
