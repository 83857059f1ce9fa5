"""The application's Redis connection, when ``REDIS_URL`` is configured."""

from __future__ import annotations

from flask import Flask, current_app
from redis import Redis

EXTENSION_KEY = "siteninja_redis"


def init_redis(app: Flask) -> None:
    """Create (but do not open) the Redis client for ``app``; connections open on first use."""
    url = app.config.get("REDIS_URL")
    app.extensions[EXTENSION_KEY] = (
        Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2) if url else None
    )


def redis_client() -> Redis | None:
    """The configured Redis client, or None on the embedded default."""
    return current_app.extensions.get(EXTENSION_KEY)
