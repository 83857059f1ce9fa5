"""A short-lived Redis cache of principals, retired at once in every process by epoch counters.

The database stays the source of truth: an entry remembers the epochs it was built under (the
user's or the key's, and the platform-wide epoch of tenant status and plan changes) and is only
believed while they are unchanged. Anything that can end a principal's rights bumps an epoch
after its commit: a change to the user or key row, a revoked token or session, a tenant's status
or plan. Without Redis (or when it fails) every request asks the database.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from redis.exceptions import RedisError
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from siteninja.core.auth import Principal
from siteninja.core.db import after_commit, utcnow
from siteninja.core.redis import redis_client

log = logging.getLogger("siteninja.principal_cache")

ENTRY = "sn:principal:"
EPOCH = "sn:epoch:"
TENANT_STATUS_EPOCH = f"{EPOCH}tenant-status"
TTL_SECONDS = 30


def user_subject(user_id: uuid.UUID | str) -> str:
    """The epoch subject of a user: every cached principal of theirs goes when it is bumped."""
    return f"user:{user_id}"


def key_subject(key_digest: str) -> str:
    """The epoch subject of an API key, from its stored digest (known before any lookup; the
    digest itself is hashed again so that Redis never holds it)."""
    return f"key:{hashlib.sha256(key_digest.encode()).hexdigest()[:32]}"


def cached(entry_id: str, subject: str, load: Callable[[], Principal]) -> Principal:
    """The principal cached as ``entry_id`` if its epochs still hold, else ``load()`` (and cache it)."""
    client = redis_client()
    if client is None:
        return load()
    keys = [f"{ENTRY}{entry_id}", f"{EPOCH}{subject}", TENANT_STATUS_EPOCH]
    try:
        raw, *epochs = client.mget(keys)
    except RedisError:
        log.warning("principal cache unavailable; asking the database")
        return load()
    epochs = [int(value or 0) for value in epochs]
    if raw is not None:
        entry = json.loads(raw)
        principal = _principal(entry["principal"])
        if entry["epochs"] == epochs and (principal.expires_at is None or principal.expires_at > utcnow()):
            return principal
    principal = load()  # epochs read first: a bump during the load leaves the entry stale, not wrong
    ttl = _ttl(principal)
    if ttl > 0:
        try:
            client.set(keys[0], json.dumps({"epochs": epochs, "principal": _fields(principal)}), ex=ttl)
        except RedisError:
            log.warning("principal cache unavailable; entry not stored")
    return principal


def _ttl(principal: Principal) -> int:
    """Seconds an entry may live: short, and never past the credential's own expiry."""
    if principal.expires_at is None:
        return TTL_SECONDS
    return min(TTL_SECONDS, int((principal.expires_at - utcnow()).total_seconds()))


def _fields(principal: Principal) -> dict[str, Any]:
    return {
        "kind": principal.kind,
        "id": str(principal.id),
        "tenant_id": str(principal.tenant_id) if principal.tenant_id else None,
        "role": principal.role,
        "scopes": sorted(principal.scopes),
        "rate_limit": principal.rate_limit,
        "expires_at": principal.expires_at.isoformat() if principal.expires_at else None,
    }


def _principal(fields: dict[str, Any]) -> Principal:
    return Principal(
        kind=fields["kind"],
        id=uuid.UUID(fields["id"]),
        tenant_id=uuid.UUID(fields["tenant_id"]) if fields["tenant_id"] else None,
        role=fields["role"],
        scopes=frozenset(fields["scopes"]),
        rate_limit=fields["rate_limit"],
        expires_at=datetime.fromisoformat(fields["expires_at"]) if fields["expires_at"] else None,
    )


def retire_after_commit(session: Session, *subjects: str) -> None:
    """Bump the subjects' epochs once the session's transaction commits (never for a rollback)."""
    if subjects:
        after_commit(session, lambda: _bump(set(subjects)))


def _bump(subjects: set[str]) -> None:
    client = redis_client()
    if client is None or not subjects:
        return
    try:
        pipe = client.pipeline(transaction=False)
        for subject in subjects:
            pipe.incr(subject if subject == TENANT_STATUS_EPOCH else f"{EPOCH}{subject}")
        pipe.execute()
    except RedisError:
        log.warning("principal cache epochs not bumped; cached entries expire within %ss", TTL_SECONDS)


def _subjects_of(obj: Any) -> list[str]:
    """The epochs a changed row retires: its user's, its key's, or (a tenant's status or plan,
    rare events) everyone's."""
    table = getattr(obj, "__tablename__", None)
    if table == "users":
        return [user_subject(obj.id)]
    if table == "api_keys" and obj.key_hash:
        return [key_subject(obj.key_hash)]
    if table == "tenants" and inspect(obj).attrs.status.history.has_changes():
        return [TENANT_STATUS_EPOCH]
    if table == "subscriptions":  # a key's default rate is its plan's
        return [TENANT_STATUS_EPOCH]
    return []


@event.listens_for(Session, "after_flush")
def _collect_retired_principals(session: Session, flush_context: Any) -> None:
    subjects = {subject for obj in (*session.dirty, *session.deleted) for subject in _subjects_of(obj)}
    retire_after_commit(session, *subjects)
