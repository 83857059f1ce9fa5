"""Webhook rules: the plan's limit, secrets and their rotation, tests, the delivery log, redelivery."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from siteninja.core.db import utcnow
from siteninja.core.envelope import Paginated
from siteninja.core.errors import Conflict
from siteninja.core.pagination import order_by, paginate
from siteninja.core.tenancy import get_for_tenant_or_404, lock_tenant
from siteninja.extensions import db
from siteninja.jobs import webhooks as webhook_jobs
from siteninja.resources.webhooks.models import TEST_EVENT, Webhook, WebhookDelivery
from siteninja.services import audit, events, plans
from siteninja.services.webhooks import new_secret

SORTABLE = {"createdAt": Webhook.created_at, "url": Webhook.url}
DISABLED_BY_USER = "Disabled by a user"


def ensure_in_scope(
    *, tenant_id: uuid.UUID, webhook_id: uuid.UUID, delivery_id: uuid.UUID | None = None
) -> None:
    """404 unless the webhook (and the delivery, if named) belong to the tenant."""
    get_for_tenant_or_404(Webhook, webhook_id, tenant_id)
    if delivery_id is not None:
        get_for_tenant_or_404(WebhookDelivery, delivery_id, tenant_id, webhook_id=webhook_id)


def list_webhooks(
    *, tenant_id: uuid.UUID, page: int, limit: int, sort: str, is_active: bool | None = None
) -> Paginated:
    """The tenant's webhooks (secrets never shown)."""
    stmt = sa.select(Webhook).where(Webhook.tenant_id == tenant_id)
    if is_active is not None:
        stmt = stmt.where(Webhook.is_active.is_(is_active))
    return paginate(stmt.order_by(*order_by(sort, SORTABLE, Webhook.id)), page=page, limit=limit)


def get_webhook(*, tenant_id: uuid.UUID, webhook_id: uuid.UUID) -> Webhook:
    """One of the tenant's webhooks, else 404."""
    return get_for_tenant_or_404(Webhook, webhook_id, tenant_id)


def create_webhook(*, tenant_id: uuid.UUID, data: dict[str, Any]) -> Webhook:
    """Subscribe a URL to event types, within the plan's webhook limit, with a new secret."""
    lock_tenant(tenant_id)
    used = db.session.scalar(sa.select(sa.func.count(Webhook.id)).where(Webhook.tenant_id == tenant_id))
    plans.ensure_within(tenant_id, "webhooks", used=used or 0)
    webhook = Webhook(
        id=uuid.uuid4(),
        tenant_id=tenant_id,
        url=data["url"],
        events=_distinct(data["events"]),
        description=data.get("description"),
        secret=new_secret(),
        is_active=True,
        failure_count=0,
    )
    _set_active(webhook, data.get("is_active", True))
    db.session.add(webhook)
    db.session.flush()
    _record("create", webhook, None)
    db.session.commit()
    return webhook


def update_webhook(*, tenant_id: uuid.UUID, webhook_id: uuid.UUID, data: dict[str, Any]) -> Webhook:
    """Partial update; re-enabling clears the failure count and the reason it was disabled."""
    webhook = get_for_tenant_or_404(Webhook, webhook_id, tenant_id)
    old = audit.snapshot(webhook)
    fields = dict(data)
    if "events" in fields:
        fields["events"] = _distinct(fields["events"])
    if "is_active" in fields:
        _set_active(webhook, fields.pop("is_active"))
    for key, value in fields.items():
        setattr(webhook, key, value)
    db.session.flush()
    _record("update", webhook, old)
    db.session.commit()
    return webhook


def delete_webhook(*, tenant_id: uuid.UUID, webhook_id: uuid.UUID) -> None:
    """Delete a webhook with its delivery log; nothing more is sent to it."""
    webhook = get_for_tenant_or_404(Webhook, webhook_id, tenant_id)
    old = audit.snapshot(webhook)
    db.session.delete(webhook)
    db.session.flush()
    audit.record(
        action="delete", resource_type="webhook", resource_id=old["id"], tenant_id=tenant_id, old=old
    )
    db.session.commit()


def rotate_secret(*, tenant_id: uuid.UUID, webhook_id: uuid.UUID, grace_period_hours: int) -> Webhook:
    """A new secret; the old one keeps signing too (a second signature) for ``grace_period_hours``."""
    webhook = get_for_tenant_or_404(Webhook, webhook_id, tenant_id)
    old = audit.snapshot(webhook)
    if grace_period_hours > 0:
        webhook.previous_secret = webhook.secret
        webhook.previous_secret_expires_at = utcnow() + timedelta(hours=grace_period_hours)
    else:
        webhook.previous_secret = webhook.previous_secret_expires_at = None
    webhook.secret = new_secret()
    db.session.flush()
    _record("rotate_secret", webhook, old)
    db.session.commit()
    return webhook


def send_test(*, tenant_id: uuid.UUID, webhook_id: uuid.UUID) -> WebhookDelivery:
    """Send one ``webhook.test`` event now (also to a disabled webhook) and return that attempt."""
    webhook = get_for_tenant_or_404(Webhook, webhook_id, tenant_id)
    data = {"webhookId": str(webhook.id), "message": "A test event from SiteNinja"}
    event = events.emit(tenant_id=tenant_id, type=TEST_EVENT, data=data)
    delivery = webhook_jobs.schedule_attempt(  # sent right here, below, not by a worker
        webhook_id=webhook.id,
        tenant_id=tenant_id,
        event_id=event.id,
        event_type=TEST_EVENT,
        enqueue_now=False,
    )
    db.session.flush()
    audit.record(
        action="test",
        resource_type="webhook",
        resource_id=webhook.id,
        tenant_id=tenant_id,
        new={"delivery_id": str(delivery.id), "event_id": events.wire_id(event.id)},
    )
    db.session.commit()
    webhook_jobs.deliver(str(delivery.id))
    return db.session.get(WebhookDelivery, delivery.id, populate_existing=True)


def list_deliveries(
    *,
    tenant_id: uuid.UUID,
    webhook_id: uuid.UUID,
    page: int,
    limit: int,
    status: str | None = None,
    event_type: str | None = None,
) -> Paginated:
    """The webhook's delivery log, newest attempt first; one row per attempt."""
    stmt = sa.select(WebhookDelivery).where(
        WebhookDelivery.tenant_id == tenant_id, WebhookDelivery.webhook_id == webhook_id
    )
    if status:
        stmt = stmt.where(WebhookDelivery.status == status)
    if event_type:
        stmt = stmt.where(WebhookDelivery.event_type == event_type)
    stmt = stmt.order_by(
        WebhookDelivery.created_at.desc(), WebhookDelivery.attempt.desc(), WebhookDelivery.id
    )
    return paginate(stmt, page=page, limit=limit)


def redeliver(*, tenant_id: uuid.UUID, webhook_id: uuid.UUID, delivery_id: uuid.UUID) -> WebhookDelivery:
    """Queue a new attempt of the delivery's event (same ``webhook-id``); 409 while disabled."""
    webhook = get_for_tenant_or_404(Webhook, webhook_id, tenant_id)
    source = get_for_tenant_or_404(WebhookDelivery, delivery_id, tenant_id, webhook_id=webhook_id)
    if not webhook.is_active:
        raise Conflict("The webhook is disabled; re-enable it (isActive: true) before redelivering")
    last = db.session.scalar(
        sa.select(sa.func.max(WebhookDelivery.attempt)).where(
            WebhookDelivery.webhook_id == webhook_id, WebhookDelivery.event_id == source.event_id
        )
    )
    delivery = webhook_jobs.schedule_attempt(
        webhook_id=webhook_id,
        tenant_id=tenant_id,
        event_id=source.event_id,
        event_type=source.event_type,
        attempt=(last or 0) + 1,
    )
    db.session.flush()
    audit.record(
        action="redeliver",
        resource_type="webhook",
        resource_id=webhook_id,
        tenant_id=tenant_id,
        new={"delivery_id": str(delivery.id), "event_id": events.wire_id(source.event_id)},
    )
    db.session.commit()
    return delivery


def _set_active(webhook: Webhook, active: bool) -> None:
    if active and not webhook.is_active:
        webhook.failure_count, webhook.disabled_at, webhook.disabled_reason = 0, None, None
    elif not active and webhook.is_active:
        webhook.disabled_at, webhook.disabled_reason = utcnow(), DISABLED_BY_USER
    webhook.is_active = active


def _distinct(event_types: list[str]) -> list[str]:
    """The event types once each, in the order given; ``*`` alone when it is among them."""
    return ["*"] if "*" in event_types else list(dict.fromkeys(event_types))


def _record(action: str, webhook: Webhook, old: dict[str, Any] | None) -> None:
    audit.record(
        action=action,
        resource_type="webhook",
        resource_id=webhook.id,
        tenant_id=webhook.tenant_id,
        old=old,
        new=audit.snapshot(webhook),
    )
