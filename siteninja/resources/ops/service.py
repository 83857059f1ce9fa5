"""Health checks of the parts the API depends on."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError

from siteninja.core.redis import redis_client
from siteninja.extensions import db
from siteninja.jobs.queue import QUEUES


def health() -> dict[str, Any]:
    """The state of the database, Redis and the queue; ``degraded`` when anything but the database fails."""
    checks = {"database": _database(), **_redis_and_queue()}
    ok = all(state in ("ok", "disabled", "in-process") for state in checks.values())
    return {"status": "ok" if ok else "degraded", "checks": checks}


def _database() -> str:
    try:
        db.session.execute(sa.text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return "unavailable"
    return "ok"


def _redis_and_queue() -> dict[str, str]:
    client = redis_client()
    if client is None:
        return {"redis": "disabled", "queue": "in-process"}
    try:
        pipe = client.pipeline(transaction=False)  # one round trip for the ping and every queue
        pipe.ping()
        for name in QUEUES:
            pipe.llen(f"rq:queue:{name}")
        depth = sum(pipe.execute()[1:])
    except RedisError:
        return {"redis": "unavailable", "queue": "unavailable"}
    return {"redis": "ok", "queue": "ok" if depth < 10_000 else f"backlog {depth}"}


def queue_depths() -> list[tuple[str, int]]:
    """Jobs waiting on each RQ queue (none without Redis: jobs run in-process)."""
    client = redis_client()
    if client is None:
        return []
    try:
        pipe = client.pipeline(transaction=False)
        for name in QUEUES:
            pipe.llen(f"rq:queue:{name}")
        return list(zip(QUEUES, pipe.execute(), strict=True))
    except RedisError:
        return []
