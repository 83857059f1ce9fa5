"""The anonymous per-IP limit of the public site routes, counted in the cache lookup's round trip.

The count lands in the limiter's own fixed-window counter (same key, same window), so ``flask limiter``
tooling and ``limiter.reset()`` see it; other strategies or stores count through the limiter itself.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from limits import RateLimitItem, parse
from limits.storage import RedisStorage
from limits.strategies import FixedWindowRateLimiter

from siteninja.extensions import limiter


@lru_cache(maxsize=32)
def _parse(limit: str) -> RateLimitItem:
    return parse(limit)


@dataclass(frozen=True)
class AnonLimit:
    """The anonymous per-IP limit of a route, counted exactly where the limiter would count it."""

    item: RateLimitItem
    identity: tuple[str, ...]

    @classmethod
    def of(cls, config: Mapping[str, Any], address: str, endpoint: str) -> AnonLimit | None:
        """The limit of ``endpoint`` for ``address``, or None when rate limiting is off."""
        if not limiter.enabled:
            return None
        identity = (config["RATELIMIT_KEY_PREFIX"], f"ip:{address}", endpoint)
        return cls(_parse(config["RATE_LIMIT_ANON"]), identity)

    @property
    def window(self) -> int:
        return int(self.item.get_expiry())

    def redis_key(self, config: Mapping[str, Any]) -> str | None:
        """The limiter's Redis key, when the lookup script can count it in the same round trip."""
        storage = limiter.storage
        same_redis = config.get("RATELIMIT_STORAGE_URI") == config.get("REDIS_URL")
        fixed_window = type(limiter.limiter) is FixedWindowRateLimiter
        if same_redis and fixed_window and isinstance(storage, RedisStorage):
            return storage.prefixed_key(self.item.key_for(*self.identity))
        return None

    def verdict(self, hits: int, ttl: int) -> tuple[bool, dict[str, str]]:
        """Whether a request the lookup script counted may pass, and its rate-limit headers."""
        now = int(time.time())
        return self._verdict(hits <= self.item.amount, self.item.amount - hits, now + max(ttl, 0), now)

    def hit(self) -> tuple[bool, dict[str, str]]:
        """Count through the limiter's storage (the embedded default, or another strategy)."""
        allowed = limiter.limiter.hit(self.item, *self.identity)
        reset_at, remaining = limiter.limiter.get_window_stats(self.item, *self.identity)
        return self._verdict(allowed, remaining, int(reset_at), int(time.time()))

    def _verdict(self, allowed: bool, remaining: int, reset_at: int, now: int) -> tuple[bool, dict[str, str]]:
        headers = {
            "X-RateLimit-Limit": str(self.item.amount),
            "X-RateLimit-Remaining": str(max(0, remaining)),
            "X-RateLimit-Reset": str(reset_at),
        }
        if not allowed:
            headers["Retry-After"] = str(max(1, reset_at - now))
        return allowed, headers
