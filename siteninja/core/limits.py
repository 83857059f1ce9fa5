"""Client address resolution and limiter key functions."""

from __future__ import annotations

from flask import current_app, request


def client_address() -> str:
    """The TCP peer, or the address the trusted proxies in front of us saw."""
    trusted = current_app.config.get("TRUSTED_PROXY_COUNT", 0)
    if trusted > 0:
        forwarded = [a.strip() for a in request.headers.get("X-Forwarded-For", "").split(",") if a.strip()]
        if len(forwarded) >= trusted:
            return forwarded[-trusted]
    return request.remote_addr or "unknown"
