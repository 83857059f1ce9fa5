"""Plan limits: what a tenant's subscription allows, from configuration."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app

from siteninja.core.db import utcnow
from siteninja.core.errors import PlanLimitExceeded
from siteninja.extensions import db
from siteninja.resources.subscriptions.models import Subscription

LIMIT_NAMES = {
    "pages": "pages",
    "storage_bytes": "storage",
    "webhooks": "webhooks",
}


def effective_plan(subscription: Subscription | None) -> str:
    """The plan whose limits apply now: a canceled plan falls back to free at period end."""
    if subscription is None:
        return "free"
    return plan_in_force(subscription.plan, subscription.status, subscription.current_period_end)


def plan_in_force(plan: str | None, status: str | None, period_end: datetime | None) -> str:
    """``effective_plan`` from the subscription's columns (None: the tenant has no subscription)."""
    if plan is None or (status == "canceled" and period_end is not None and period_end <= utcnow()):
        return "free"
    return plan


def limits_for(tenant_id: uuid.UUID) -> dict[str, Any]:
    """The configured limits of the tenant's effective plan."""
    subscription = db.session.scalar(sa.select(Subscription).where(Subscription.tenant_id == tenant_id))
    return current_app.config["PLAN_LIMITS"][effective_plan(subscription)]


def ensure_within(tenant_id: uuid.UUID, limit: str, *, used: int, adding: int = 1) -> None:
    """Raise 403 ``plan_limit_exceeded`` if adding ``adding`` to ``used`` passes the plan's limit."""
    maximum = limits_for(tenant_id)[limit]
    if maximum is not None and used + adding > maximum:
        raise PlanLimitExceeded(
            f"Your plan allows at most {maximum} {LIMIT_NAMES.get(limit, limit)}; upgrade to add more"
        )


def ensure_feature(tenant_id: uuid.UUID, feature: str, what: str) -> None:
    """Raise 403 ``plan_limit_exceeded`` unless the tenant's plan includes ``feature``."""
    if not limits_for(tenant_id)[feature]:
        raise PlanLimitExceeded(f"Your plan does not include {what}; upgrade to use it")
