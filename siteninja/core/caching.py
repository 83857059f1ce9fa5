"""Response caching keyed by a per-tenant generation; any committed change to a tenant bumps it."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, request
from redis.exceptions import RedisError
from sqlalchemy import event
from sqlalchemy.orm import Session

from siteninja.core.context import request_state
from siteninja.extensions import cache

log = logging.getLogger("siteninja.cache")

PENDING_KEY = "changed_tenants"


def _generation_key(tenant_id: uuid.UUID) -> str:
    return f"gen:{tenant_id}"


def generation(tenant_id: uuid.UUID) -> int:
    """The tenant's cache generation; part of every key, so bumping it retires them all at once."""
    return int(cache.get(_generation_key(tenant_id)) or 0)


def invalidate(tenant_id: uuid.UUID) -> None:
    """Retire every cached response of a tenant (O(1): later keys carry the new generation)."""
    try:
        if cache.cache.inc(_generation_key(tenant_id)) is None:
            cache.cache.set(_generation_key(tenant_id), 1, timeout=0)
    except RedisError:
        log.warning("cache invalidation failed for tenant %s; entries expire by TTL", tenant_id)


def cached_response(namespace: str, ttl: int) -> Callable:
    """Cache a tenant-scoped GET's JSON response for ``ttl`` seconds, per URL and generation.

    Put it below ``require`` (authorization still runs on every request) and above the
    smorest decorators (what is cached is the finished JSON body).
    """

    def decorator(func: Callable) -> Callable:
        @wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            tenant_id = kwargs["tenant_id"]
            try:
                key = f"resp:{namespace}:{tenant_id}:{generation(tenant_id)}:{request.full_path}"
                hit = cache.get(key)
            except RedisError:
                log.warning("cache unavailable; serving %s uncached", namespace)
                return func(*args, **kwargs)
            if hit is not None:
                request_state()["cache"] = "hit"
                return Response(hit, status=200, mimetype="application/json")
            response = func(*args, **kwargs)
            if isinstance(response, Response) and response.status_code == 200 and response.is_json:
                _store(key, response.get_data(), ttl)
            request_state()["cache"] = "miss"
            return response

        wrapper._apidoc = getattr(func, "_apidoc", {})
        return wrapper

    return decorator


def _store(key: str, body: bytes, ttl: int) -> None:
    try:
        cache.set(key, body, timeout=ttl)
    except RedisError:
        log.warning("cache unavailable; response not stored")


def _changed_tenant(obj: Any) -> uuid.UUID | None:
    if getattr(obj, "cache_neutral", False):  # e.g. webhook deliveries: no cached response shows them
        return None
    tenant_id = getattr(obj, "tenant_id", None)
    if tenant_id is None and getattr(obj, "__tablename__", None) == "tenants":
        tenant_id = obj.id
    return tenant_id


@event.listens_for(Session, "after_flush")
def _collect_changed_tenants(session: Session, flush_context: Any) -> None:
    changed = session.info.setdefault(PENDING_KEY, set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        tenant_id = _changed_tenant(obj)
        if tenant_id is not None:
            changed.add(tenant_id)


@event.listens_for(Session, "after_commit")
def _invalidate_changed_tenants(session: Session) -> None:
    for tenant_id in session.info.pop(PENDING_KEY, set()):
        invalidate(tenant_id)


@event.listens_for(Session, "after_soft_rollback")
def _forget_changed_tenants(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:
        session.info.pop(PENDING_KEY, None)
