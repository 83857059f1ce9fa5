"""Response caching keyed by a per-tenant generation; any committed change to a tenant bumps it."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, current_app, request
from redis.exceptions import RedisError
from sqlalchemy import event
from sqlalchemy.orm import Session

from siteninja.core import metrics, throttle
from siteninja.core.context import request_state
from siteninja.core.http import body_etag
from siteninja.core.redis import redis_client
from siteninja.extensions import cache

log = logging.getLogger("siteninja.cache")

PENDING_KEY = "changed_tenants"
DOMAINS_CHANGED_KEY = "changed_domains"
DOMAINS_KEY = "site:domains"
GENERATION_PREFIX = "gen:"  # core.public_cache reads these keys in Redis too


def _generation_key(tenant_id: uuid.UUID) -> str:
    return f"{GENERATION_PREFIX}{tenant_id}"


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


def _response_key(namespace: str, tenant_id: uuid.UUID) -> str:
    return f"resp:{namespace}:{tenant_id}:{request.full_path}"


def lookup(namespace: str, tenant_id: uuid.UUID) -> Response | None:
    """The cached response for this URL if it was built under the tenant's current generation.

    One round trip reads the generation and the entry together (an entry records the generation
    it was built under). A miss remembers what it read, so the view stores its response under it.
    """
    if not current_app.config["RESPONSE_CACHE_ENABLED"]:
        return None
    key = _response_key(namespace, tenant_id)
    try:
        current, entry = _read(_generation_key(tenant_id), key)
    except RedisError:
        log.warning("cache unavailable; serving %s uncached", namespace)
        return None
    state = request_state()
    state["cache_probe"] = (key, current)
    if entry is None or entry[0] != current:
        state["cache"] = "miss"
        metrics.observe_cache(namespace, hit=False)
        return None
    state["cache"] = "hit"
    metrics.observe_cache(namespace, hit=True)
    response = Response(entry[2], status=200, mimetype="application/json")
    response.set_etag(entry[1])
    return response


def _read(generation_key: str, key: str) -> tuple[int, tuple[int, str, bytes] | None]:
    client = redis_client()
    if client is None:
        current, entry = cache.get_many(generation_key, key)
        return int(current or 0), entry
    prefix = current_app.config["CACHE_KEY_PREFIX"]
    pending = throttle.pending_count()
    pipe = client.pipeline(transaction=False)
    if pending is not None:  # the caller's rate-limit count rides in the same round trip
        throttle.increment_command(pipe, pending)
    pipe.mget(prefix + generation_key, prefix + key)
    try:
        *counted, (current, raw) = pipe.execute()
    except RedisError:
        if pending is not None:
            request_state()["pending_count"] = pending  # counted after the view, in-process if need be
        raise
    if pending is not None:
        throttle.settle(pending, int(counted[0]))
    if raw is None:
        return int(current or 0), None
    built_under, etag, body = raw.split(b"\n", 2)
    return int(current or 0), (int(built_under), etag.decode(), body)


def _store(key: str, built_under: int, body: bytes, ttl: int) -> None:
    etag = body_etag(body)
    try:
        client = redis_client()
        if client is None:
            cache.set(key, (built_under, etag, body), timeout=ttl)
        else:
            value = b"%d\n%s\n%s" % (built_under, etag.encode(), body)
            client.set(current_app.config["CACHE_KEY_PREFIX"] + key, value, ex=ttl)
    except RedisError:
        log.warning("cache unavailable; response not stored")


def domains_key() -> str:
    """The key of the host-mapping generation, as stored (the cache's key prefix included)."""
    return current_app.config["CACHE_KEY_PREFIX"] + DOMAINS_KEY


def domains_generation() -> str:
    """The generation of the host → tenant mapping ("0" before the first change).

    A random token rather than a counter, so a lost key can never bring an old value back.
    """
    client = redis_client()
    if client is None:
        return cache.get(DOMAINS_KEY) or "0"
    return (client.get(domains_key()) or b"0").decode()


def retire_hosts() -> None:
    """Retire every cached host → tenant resolution: any change to a domain row calls this after commit."""
    token = uuid.uuid4().hex
    client = redis_client()
    try:
        if client is None:
            cache.set(DOMAINS_KEY, token, timeout=0)
        else:
            client.set(domains_key(), token)
    except RedisError:
        log.warning("host cache invalidation failed; host entries expire by TTL")


def cached_response(namespace: str, ttl: int) -> Callable:
    """Cache a tenant-scoped GET's JSON response for ``ttl`` seconds, per URL and generation.

    Put it below ``require`` and above the smorest decorators (what is cached is the finished
    JSON body). ``TenantView`` serves hits before the path's objects are looked up (the key proves
    the tenant's scope) and after the role or scope check; the decorator stores misses.
    """

    def decorator(func: Callable) -> Callable:
        @wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            probe = request_state().get("cache_probe")
            if probe is None and current_app.config["RESPONSE_CACHE_ENABLED"]:
                hit = lookup(namespace, kwargs["tenant_id"])
                if hit is not None:
                    return hit
                probe = request_state().get("cache_probe")
            response = func(*args, **kwargs)
            if probe and isinstance(response, Response) and response.status_code == 200 and response.is_json:
                _store(probe[0], probe[1], response.get_data(), ttl)
            return response

        wrapper._cached_namespace = namespace
        return wrapper

    return decorator


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
        if getattr(obj, "__tablename__", None) == "domains":
            session.info[DOMAINS_CHANGED_KEY] = True


@event.listens_for(Session, "after_commit")
def _invalidate_changed_tenants(session: Session) -> None:
    for tenant_id in session.info.pop(PENDING_KEY, set()):
        invalidate(tenant_id)
    if session.info.pop(DOMAINS_CHANGED_KEY, False):
        retire_hosts()


@event.listens_for(Session, "after_soft_rollback")
def _forget_changed_tenants(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:
        session.info.pop(PENDING_KEY, None)
        session.info.pop(DOMAINS_CHANGED_KEY, None)
