"""Per-key request counts: counted in Redis (or in-process) on each request, flushed in batches.

A request costs one pipelined Redis round trip and no database write; the scheduler's flush
moves the counts into ``api_key_usage``. Counts in Redis survive a web restart; a lost Redis
loses at most what was counted since the last flush. Without Redis the counts live in the web
process until the next flush (or its clean exit).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import Response, request
from redis.exceptions import RedisError
from sqlalchemy.dialects import postgresql, sqlite

from siteninja.core.context import request_state, route_template
from siteninja.core.db import utcnow
from siteninja.core.redis import redis_client
from siteninja.extensions import db
from siteninja.jobs import scheduler
from siteninja.resources.api_keys.models import ApiKey, ApiKeyUsage

log = logging.getLogger("siteninja.api_keys.usage")

PENDING = "sn:usage:pending:"
LAST_USED = "sn:usage:last:"
DIRTY = "sn:usage:dirty"
LAST_USED_TTL = 400 * 24 * 3600
# Subtract what was flushed, dropping fields that reach zero, atomically (counts added meanwhile stay).
_SUBTRACT = """
for i = 1, #ARGV, 2 do
  if redis.call('HINCRBY', KEYS[1], ARGV[i], -tonumber(ARGV[i + 1])) <= 0 then
    redis.call('HDEL', KEYS[1], ARGV[i])
  end
end
"""

Bucket = tuple[date, str, str]  # (day, method, route template)


@dataclass
class Pending:
    """Counts not yet in the database, for one key."""

    counts: Counter = field(default_factory=Counter)
    last_used_at: datetime | None = None


class _LocalCounts:
    """The embedded default's counter (no Redis): per process, drained by the flush."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.keys: dict[uuid.UUID, Pending] = {}

    def add(self, key_id: uuid.UUID, bucket: Bucket, now: datetime) -> None:
        with self.lock:
            pending = self.keys.setdefault(key_id, Pending())
            pending.counts[bucket] += 1
            pending.last_used_at = now

    def peek(self, key_id: uuid.UUID) -> Pending:
        with self.lock:
            pending = self.keys.get(key_id, Pending())
            return Pending(Counter(pending.counts), pending.last_used_at)

    def drain(self) -> dict[uuid.UUID, Pending]:
        with self.lock:
            drained, self.keys = self.keys, {}
        return drained


local_counts = _LocalCounts()


def count_request(response: Response) -> Response:
    """After-request hook: count a request made with an API key under its route template."""
    principal = request_state().get("principal")
    if principal is None or principal.kind != "api_key" or request.url_rule is None:
        return response
    now = utcnow()
    bucket = (now.date(), request.method, route_template())
    client = redis_client()
    if client is None:
        local_counts.add(principal.id, bucket, now)
        return response
    try:
        pipe = client.pipeline(transaction=False)
        pipe.hincrby(f"{PENDING}{principal.id}", _field(bucket), 1)
        pipe.set(f"{LAST_USED}{principal.id}", now.isoformat(), ex=LAST_USED_TTL)
        pipe.sadd(DIRTY, str(principal.id))
        pipe.execute()
    except RedisError:
        log.warning("usage of API key %s not counted: Redis unavailable", principal.id)
    return response


def _field(bucket: Bucket) -> str:
    day, method, path = bucket
    return f"{day.isoformat()} {method} {path}"


def _bucket(raw: bytes | str) -> Bucket:
    text = raw.decode() if isinstance(raw, bytes) else raw
    day, method, path = text.split(" ", 2)
    return date.fromisoformat(day), method, path


def pending_usage(key_id: uuid.UUID) -> Pending:
    """What has been counted for ``key_id`` but not flushed yet."""
    client = redis_client()
    if client is None:
        return local_counts.peek(key_id)
    try:
        pipe = client.pipeline(transaction=False)
        pipe.hgetall(f"{PENDING}{key_id}")
        pipe.get(f"{LAST_USED}{key_id}")
        counts, last_used = pipe.execute()
    except RedisError:
        log.warning("pending usage of API key %s unavailable: Redis unavailable", key_id)
        return Pending()
    return Pending(
        Counter({_bucket(name): int(value) for name, value in counts.items()}),
        datetime.fromisoformat(last_used.decode()) if last_used else None,
    )


def flush() -> int:
    """Move every pending count into the database; returns the number of requests moved."""
    client = redis_client()
    if client is None:
        drained = local_counts.drain()
        for key_id, pending in drained.items():
            _write(key_id, pending)
        db.session.commit()
        return sum(sum(p.counts.values()) for p in drained.values())
    moved = 0
    for member in client.smembers(DIRTY):
        moved += _flush_key(client, uuid.UUID(member.decode()))
    return moved


def _flush_key(client, key_id: uuid.UUID) -> int:
    pending_key = f"{PENDING}{key_id}"
    pending = pending_usage(key_id)
    if not pending.counts:
        client.srem(DIRTY, str(key_id))
        if client.hlen(pending_key):  # counted between the read and the removal
            client.sadd(DIRTY, str(key_id))
        return 0
    _write(key_id, pending)
    db.session.commit()
    flushed = [item for bucket, n in pending.counts.items() for item in (_field(bucket), n)]
    client.eval(_SUBTRACT, 1, pending_key, *flushed)
    return sum(pending.counts.values())


def _write(key_id: uuid.UUID, pending: Pending) -> None:
    tenant_id = db.session.scalar(sa.select(ApiKey.tenant_id).where(ApiKey.id == key_id))
    if tenant_id is None:  # the key's tenant is gone: so are its rows
        return
    for (day, method, path), n in pending.counts.items():
        db.session.execute(_upsert(key_id, tenant_id, day, method, path, n))
    if pending.last_used_at is not None:
        db.session.execute(
            sa.update(ApiKey)
            .where(
                ApiKey.id == key_id,
                sa.or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at < pending.last_used_at),
            )
            .values(last_used_at=pending.last_used_at)
        )


def _upsert(key_id: uuid.UUID, tenant_id: uuid.UUID, day: date, method: str, path: str, n: int):
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(ApiKeyUsage).values(
        id=uuid.uuid4(), api_key_id=key_id, tenant_id=tenant_id, day=day, method=method, path=path, count=n
    )
    return stmt.on_conflict_do_update(
        index_elements=["api_key_id", "day", "method", "path"],
        set_={"count": ApiKeyUsage.count + stmt.excluded.count},
    )


def usage_since(key_id: uuid.UUID, first_day: date) -> tuple[Counter, datetime | None]:
    """Counts per (day, method, path) since ``first_day``, flushed or not, and the last use."""
    rows = db.session.execute(
        sa.select(ApiKeyUsage.day, ApiKeyUsage.method, ApiKeyUsage.path, ApiKeyUsage.count).where(
            ApiKeyUsage.api_key_id == key_id, ApiKeyUsage.day >= first_day
        )
    )
    counts: Counter = Counter({(day, method, path): n for day, method, path, n in rows})
    pending = pending_usage(key_id)
    counts.update({bucket: n for bucket, n in pending.counts.items() if bucket[0] >= first_day})
    return counts, pending.last_used_at


def window_start(days: int) -> date:
    """The first UTC day of a window of ``days`` days ending today."""
    return utcnow().date() - timedelta(days=days - 1)


scheduler.every("API_KEY_USAGE_FLUSH_SECONDS", "api_keys.flush_usage", flush)
