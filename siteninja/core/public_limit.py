"""The anonymous per-IP limit of the public site routes, counted in the cache lookup's round trip.

The count lands in the same fixed-window counter as every other anonymous request of that address
(core.throttle's), so a visitor has one allowance across the API; without Redis it is counted in
the process, like the default limit.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from limits import RateLimitItem

from siteninja.core import throttle
from siteninja.extensions import limiter


@dataclass(frozen=True)
class AnonLimit:
    """The anonymous limit of one address in the current window."""

    item: RateLimitItem
    counter: throttle.PendingCount

    @classmethod
    def of(cls, config: Mapping[str, Any], address: str, endpoint: str) -> AnonLimit | None:
        """The limit for ``address``, or None when rate limiting is off (``endpoint``: unused, kept
        for callers that name the route)."""
        if not limiter.enabled:
            return None
        item = throttle.parsed(config["RATE_LIMIT_ANON"])
        return cls(item, throttle.pending_for(f"ip:{address}", item))

    @property
    def window(self) -> int:
        return self.counter.period

    def redis_key(self, config: Mapping[str, Any]) -> str:
        """The counter's Redis key, for the lookup script to count in the same round trip."""
        return self.counter.key

    def verdict(self, hits: int, ttl: int) -> tuple[bool, dict[str, str]]:
        """Whether a request the lookup script counted may pass, and its rate-limit headers."""
        now = int(time.time())
        return self._verdict(hits <= self.item.amount, self.item.amount - hits, self.counter.reset_at, now)

    def hit(self) -> tuple[bool, dict[str, str]]:
        """Count in this process (the embedded default)."""
        count = throttle.count_now(self.counter)
        return self._verdict(
            count <= self.item.amount, self.item.amount - count, self.counter.reset_at, int(time.time())
        )

    def _verdict(self, allowed: bool, remaining: int, reset_at: int, now: int) -> tuple[bool, dict[str, str]]:
        headers = {
            "X-RateLimit-Limit": str(self.item.amount),
            "X-RateLimit-Remaining": str(max(0, remaining)),
            "X-RateLimit-Reset": str(reset_at),
        }
        if not allowed:
            headers["Retry-After"] = str(max(1, reset_at - now))
        return allowed, headers
