"""Explicit throttles on top of the limiter's storage (login, password reset, failed logins), the
per-tenant AI limit, and which limit the rate-limit headers describe."""

from __future__ import annotations

import time
from collections.abc import Callable

from flask import Response, current_app
from limits import parse

from siteninja.core.auth import optional_principal
from siteninja.core.errors import RateLimited
from siteninja.core.limits import client_address
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


def describe_nearest_limit(response: Response) -> Response:
    """Where several limits applied, the ``X-RateLimit-*`` headers describe the one nearest to
    exhaustion (lowest remaining); a 429 keeps describing the limit that refused it."""
    if response.status_code == 429 or not limiter.enabled or "X-RateLimit-Limit" not in response.headers:
        return response
    applied = limiter.current_limits
    if len(applied) < 2:
        return response
    nearest = min(applied, key=lambda limit: (limit.remaining, limit.reset_at))
    response.headers["X-RateLimit-Limit"] = str(nearest.limit.amount)
    response.headers["X-RateLimit-Remaining"] = str(nearest.remaining)
    response.headers["X-RateLimit-Reset"] = str(nearest.reset_at)
    return response
