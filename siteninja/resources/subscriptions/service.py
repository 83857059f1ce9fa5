"""Subscription rules: one per tenant; plan changes, reactivation and cancellation."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from siteninja.core.db import utcnow
from siteninja.core.errors import Conflict, NotFound
from siteninja.extensions import db
from siteninja.resources.subscriptions.models import Subscription
from siteninja.services import audit

RESOURCE = "subscription"
BILLING_PERIOD = timedelta(days=30)


def list_plans() -> list[dict[str, Any]]:
    """The configured plans and their limits, in configuration order."""
    return [{"name": name, **limits} for name, limits in current_app.config["PLAN_LIMITS"].items()]


def get_subscription(*, tenant_id: uuid.UUID) -> Subscription:
    """The tenant's subscription, canceled or not; 404 when it has none."""
    subscription = _find(tenant_id)
    if subscription is None:
        raise NotFound("This tenant has no subscription")
    return subscription


def create_subscription(*, tenant_id: uuid.UUID, plan: str) -> Subscription:
    """Start a subscription on ``plan``; 409 if the tenant already has one (even a canceled one)."""
    if _find(tenant_id) is not None:
        raise Conflict("This tenant already has a subscription; change its plan with PUT")
    now = utcnow()
    subscription = Subscription(
        tenant_id=tenant_id,
        plan=plan,
        status="active",
        current_period_start=now,
        current_period_end=now + BILLING_PERIOD,
        cancel_at_period_end=False,
    )
    db.session.add(subscription)
    db.session.flush()
    _audit("create", subscription, old=None)
    db.session.commit()
    return subscription


def change_plan(*, tenant_id: uuid.UUID, plan: str) -> Subscription:
    """Switch to ``plan`` (a canceled subscription is reactivated); a lapsed period restarts now."""
    subscription = get_subscription(tenant_id=tenant_id)
    old = audit.snapshot(subscription)
    now = utcnow()
    subscription.plan = plan
    if subscription.status == "canceled":
        subscription.status = "active"
    subscription.canceled_at = None
    subscription.cancel_at_period_end = False
    if subscription.current_period_end <= now:
        subscription.current_period_start, subscription.current_period_end = now, now + BILLING_PERIOD
    db.session.flush()
    _audit("update", subscription, old=old)
    db.session.commit()
    return subscription


def cancel(*, tenant_id: uuid.UUID) -> Subscription:
    """Cancel: the plan's limits last until the period ends, then the tenant is on free limits."""
    subscription = get_subscription(tenant_id=tenant_id)
    if subscription.status == "canceled":
        return subscription
    old = audit.snapshot(subscription)
    subscription.status = "canceled"
    subscription.canceled_at = utcnow()
    subscription.cancel_at_period_end = True
    db.session.flush()
    _audit("cancel", subscription, old=old)
    db.session.commit()
    return subscription


def _audit(action: str, subscription: Subscription, *, old: dict[str, Any] | None) -> None:
    audit.record(
        action=action,
        resource_type=RESOURCE,
        resource_id=subscription.id,
        tenant_id=subscription.tenant_id,
        old=old,
        new=audit.snapshot(subscription),
    )


def _find(tenant_id: uuid.UUID) -> Subscription | None:
    return db.session.scalar(sa.select(Subscription).where(Subscription.tenant_id == tenant_id))
