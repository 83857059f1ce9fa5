"""Client address resolution and limiter key functions."""

from __future__ import annotations

from flask import current_app, request


def client_address() -> str:
    """The TCP peer, or the address the trusted proxies in front of us saw."""
    trusted = current_app.config.get("TRUSTED_PROXY_COUNT", 0)
    return address_from(request.remote_addr, request.headers.get("X-Forwarded-For", ""), trusted)


def address_from(remote_addr: str | None, forwarded_for: str, trusted: int) -> str:
    """The client address, given the TCP peer, ``X-Forwarded-For`` and how many proxies are trusted."""
    if trusted > 0:
        forwarded = [a.strip() for a in forwarded_for.split(",") if a.strip()]
        if len(forwarded) >= trusted:
            return forwarded[-trusted]
    return remote_addr or "unknown"
