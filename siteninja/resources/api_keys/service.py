"""API key rules: issue, list, rotate, revoke, usage, and the principal behind a presented key."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from siteninja.core import principal_cache
from siteninja.core.auth import Principal
from siteninja.core.db import utcnow
from siteninja.core.envelope import Paginated
from siteninja.core.errors import Forbidden, Unauthorized, ValidationFailed
from siteninja.core.pagination import paginate
from siteninja.core.tenancy import get_for_tenant_or_404
from siteninja.extensions import db
from siteninja.resources.api_keys import keys, usage
from siteninja.resources.api_keys.models import ApiKey
from siteninja.resources.subscriptions.models import Subscription
from siteninja.resources.tenants.models import Tenant
from siteninja.services import audit, plans

RESOURCE = "api_key"


def pepper() -> bytes:
    """The server-side secret mixed into every stored key digest."""
    configured = current_app.config.get("API_KEY_PEPPER")
    if configured:
        return configured.encode()
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, b"siteninja api key pepper", hashlib.sha256).digest()


def list_keys(*, tenant_id: uuid.UUID, page: int, limit: int, include_revoked: bool) -> Paginated:
    """The tenant's keys, newest first (revoked ones only when asked for)."""
    stmt = sa.select(ApiKey).where(ApiKey.tenant_id == tenant_id)
    if not include_revoked:
        stmt = stmt.where(ApiKey.revoked_at.is_(None))
    return paginate(stmt.order_by(ApiKey.created_at.desc(), ApiKey.id), page=page, limit=limit)


def get_key(*, tenant_id: uuid.UUID, key_id: uuid.UUID) -> ApiKey:
    """One of the tenant's keys, else 404."""
    return get_for_tenant_or_404(ApiKey, key_id, tenant_id)


def create_key(*, tenant_id: uuid.UUID, principal: Principal | None, data: dict[str, Any]) -> ApiKey:
    """Issue a key; the returned instance carries the full secret in ``secret`` (this once)."""
    _ensure_rate_within_plan(tenant_id, data.get("rate_limit"))
    api_key = _new_key(
        tenant_id=tenant_id,
        created_by=principal.id if principal and principal.is_user else None,
        name=data["name"],
        scopes=_normalized_scopes(data["scopes"]),
        environment=data["environment"],
        expires_at=data.get("expires_at"),
        rate_limit=data.get("rate_limit"),
    )
    _audit("create", api_key, new=audit.snapshot(api_key))
    db.session.commit()
    return api_key


def rotate_key(
    *, tenant_id: uuid.UUID, key_id: uuid.UUID, principal: Principal, grace_period_hours: int
) -> ApiKey:
    """Issue a successor with the same settings; the old key works for the grace period only."""
    old = get_key(tenant_id=tenant_id, key_id=key_id)
    _ensure_usable(old)
    before, original_expiry = audit.snapshot(old), old.expires_at
    now = utcnow()
    if grace_period_hours == 0:
        old.revoked_at = now
    else:
        cutoff = now + timedelta(hours=grace_period_hours)
        old.expires_at = min(old.expires_at, cutoff) if old.expires_at else cutoff
    successor = _new_key(
        tenant_id=tenant_id,
        created_by=principal.id if principal.is_user else old.created_by,
        name=old.name,
        scopes=list(old.scopes),
        environment=old.environment,
        expires_at=original_expiry,
        rate_limit=old.rate_limit,
    )
    _audit("rotate", old, old=before, new={**audit.snapshot(old), "successor_id": str(successor.id)})
    db.session.commit()
    return successor


def revoke_key(*, tenant_id: uuid.UUID, key_id: uuid.UUID) -> None:
    """Revoke a key: the next request with it, in any process, is refused."""
    api_key = get_key(tenant_id=tenant_id, key_id=key_id)
    if api_key.revoked_at is not None:
        return
    before = audit.snapshot(api_key)
    api_key.revoked_at = utcnow()
    _audit("revoke", api_key, old=before, new=audit.snapshot(api_key))
    db.session.commit()


def key_usage(*, tenant_id: uuid.UUID, key_id: uuid.UUID, days: int) -> dict[str, Any]:
    """Requests made with a key over the last ``days`` UTC days, by day and by route."""
    api_key = get_key(tenant_id=tenant_id, key_id=key_id)
    counts, pending_last_used = usage.usage_since(api_key.id, usage.window_start(days))
    by_day: dict[str, int] = {}
    by_endpoint: dict[tuple[str, str], int] = {}
    for (day, method, path), n in counts.items():
        by_day[day.isoformat()] = by_day.get(day.isoformat(), 0) + n
        by_endpoint[(method, path)] = by_endpoint.get((method, path), 0) + n
    last_used = max(filter(None, (api_key.last_used_at, pending_last_used)), default=None)
    return {
        "key_id": api_key.id,
        "last_used_at": last_used,
        "total_requests": sum(by_day.values()),
        "by_day": [{"date": day, "count": n} for day, n in sorted(by_day.items())],
        "by_endpoint": [
            {"method": method, "path": path, "count": n}
            for (method, path), n in sorted(by_endpoint.items(), key=lambda item: (-item[1], item[0]))
        ],
    }


def _audit(action: str, api_key: ApiKey, **values: Any) -> None:
    audit.record(
        action=action, resource_type=RESOURCE, resource_id=api_key.id, tenant_id=api_key.tenant_id, **values
    )


def _new_key(**fields: Any) -> ApiKey:
    issued = keys.generate(fields["environment"])
    api_key = ApiKey(
        id=uuid.uuid4(),
        prefix=issued.prefix,
        last4=issued.last4,
        key_hash=keys.digest(issued.secret, pepper()),
        **fields,
    )
    db.session.add(api_key)
    db.session.flush()
    api_key.secret = issued.secret
    return api_key


def _normalized_scopes(scopes: list[str]) -> list[str]:
    return ["*"] if "*" in scopes else sorted(set(scopes))


def _ensure_usable(api_key: ApiKey) -> None:
    if api_key.revoked_at is not None or (api_key.expires_at and api_key.expires_at <= utcnow()):
        raise ValidationFailed("A revoked or expired key cannot be rotated; create a new one", field="keyId")


def plan_rate_problem(tenant_id: uuid.UUID, rate_limit: int | None) -> str | None:
    """Why ``rate_limit`` is not allowed on the tenant's plan (above its per-key rate), or None."""
    plan_rate = plans.limits_for(tenant_id)["api_rate_per_minute"]
    if rate_limit is not None and plan_rate is not None and rate_limit > plan_rate:
        return f"At most {plan_rate} requests per minute on your plan"
    return None


def _ensure_rate_within_plan(tenant_id: uuid.UUID, rate_limit: int | None) -> None:
    problem = plan_rate_problem(tenant_id, rate_limit)
    if problem:
        raise ValidationFailed(problem, field="rateLimit")


_KEY_QUERY = (
    sa.select(
        ApiKey.id,
        ApiKey.tenant_id,
        ApiKey.key_hash,
        ApiKey.scopes,
        ApiKey.rate_limit,
        ApiKey.expires_at,
        ApiKey.revoked_at,
        Tenant.status,
        Subscription.plan,
        Subscription.status.label("subscription_status"),
        Subscription.current_period_end,
    )
    .join(Tenant, Tenant.id == ApiKey.tenant_id)
    .outerjoin(Subscription, Subscription.tenant_id == ApiKey.tenant_id)
    .where(ApiKey.prefix == sa.bindparam("prefix"))
)


def principal_for_key(presented: str) -> Principal:
    """The principal behind a presented key: one indexed query, or 401 (403 for a suspended site).

    A malformed key or a bad checksum is refused before any lookup.
    """
    if not keys.well_formed(presented):
        raise Unauthorized("Invalid API key")
    digest = keys.digest(presented, pepper())
    subject = principal_cache.key_subject(digest)
    return principal_cache.cached(subject, subject, lambda: _load_principal(presented, digest))


def _load_principal(presented: str, digest: str) -> Principal:
    for row in db.session.execute(_KEY_QUERY, {"prefix": keys.lookup_prefix(presented)}):
        if hmac.compare_digest(digest, row.key_hash):
            return _principal(row)
    raise Unauthorized("Invalid API key")


def _principal(row: Any) -> Principal:
    now = utcnow()
    if row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
        raise Unauthorized("This API key has been revoked or has expired")
    if row.status == "deleted":
        raise Unauthorized("This site no longer exists")
    if row.status == "suspended":
        raise Forbidden("This site is suspended")
    plan_name = plans.plan_in_force(row.plan, row.subscription_status, row.current_period_end)
    plan = current_app.config["PLAN_LIMITS"][plan_name]
    return Principal(
        kind="api_key",
        id=row.id,
        tenant_id=row.tenant_id,
        scopes=frozenset(row.scopes),
        rate_limit=row.rate_limit or plan["api_rate_per_minute"],
        expires_at=row.expires_at,
    )
