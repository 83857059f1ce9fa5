"""The webhook sender: one leased, signed attempt per job, recorded with what comes next; the sweep.

The database decides what is due (``status``, ``next_attempt_at``, ``locked_until``); RQ or the
in-process thread only carries delivery ids, so a lost job or a killed worker costs a delay.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app

from siteninja.core import metrics
from siteninja.core.db import utcnow
from siteninja.extensions import db
from siteninja.jobs import scheduler
from siteninja.jobs.email import queue_email
from siteninja.jobs.queue import enqueue, enqueue_after_commit
from siteninja.resources.users.models import User
from siteninja.resources.webhooks.models import TEST_EVENT, Event, Webhook, WebhookDelivery
from siteninja.services import audit, webhooks

log = logging.getLogger("siteninja.webhooks")

LEASE_MARGIN_SECONDS = 5
SWEEP_BATCH = 500
M = TypeVar("M")


def job_key(delivery_id: uuid.UUID | str) -> str:
    """The queue key of a delivery's job: one waiting job per delivery, however often it is offered."""
    return f"webhook-delivery-{uuid.UUID(str(delivery_id)).hex}"


def schedule_attempt(
    *,
    webhook_id: uuid.UUID,
    tenant_id: uuid.UUID,
    event_id: uuid.UUID,
    event_type: str,
    attempt: int = 1,
    at: datetime | None = None,
    enqueue_now: bool = True,
) -> WebhookDelivery:
    """Add a pending attempt to the current transaction; one due now is enqueued once that commits
    (unless ``enqueue_now`` is off: the caller sends it itself), later ones are left to the sweep."""
    delivery = WebhookDelivery(
        id=uuid.uuid4(),
        tenant_id=tenant_id,
        webhook_id=webhook_id,
        event_id=event_id,
        event_type=event_type,
        attempt=attempt,
        status="pending",
        next_attempt_at=at or utcnow(),
    )
    db.session.add(delivery)
    if at is None and enqueue_now:
        enqueue_after_commit("webhooks", deliver, str(delivery.id), key=job_key(delivery.id))
    return delivery


@dataclass(frozen=True)
class _Plan:
    """What one attempt needs, read before the request so no transaction stays open during it."""

    delivery_id: uuid.UUID
    webhook_id: uuid.UUID
    url: str
    body: bytes
    msg_id: str
    secrets: tuple[str, ...]
    test: bool
    sendable: bool


def deliver(delivery_id: str) -> str:
    """Job: make one attempt of a delivery if it is due and no one else holds it (else a no-op)."""
    key = uuid.UUID(str(delivery_id))
    lease = _claim(key)
    if lease is None:
        return "skipped"
    plan = _plan(key)
    db.session.commit()  # end the read: nothing stays locked while the receiver takes its time
    if plan is None:
        return _give_up(key)
    outcome = _send(plan) if plan.sendable else webhooks.Outcome(error="Webhook is disabled; nothing sent")
    status = _record(plan, lease, outcome)
    metrics.observe_delivery(status)
    summary = {"delivery": str(key), "webhook": str(plan.webhook_id), "status": status}
    log.info(json.dumps({**summary, "responseStatus": outcome.status, "ms": outcome.duration_ms}))
    return status


def _give_up(delivery_id: uuid.UUID) -> str:
    """Its webhook or event is gone, or they disagree on the tenant: fail it, never send it."""
    db.session.execute(
        sa.update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id)
        .values(status="failed", error="Webhook or event missing; nothing sent", locked_until=None)
    )
    db.session.commit()
    return "failed"


def _due(now: datetime) -> tuple[sa.ColumnElement[bool], ...]:
    """Pending, its time come, and not leased (or its lease expired)."""
    return (
        WebhookDelivery.status == "pending",
        WebhookDelivery.next_attempt_at <= now,
        sa.or_(WebhookDelivery.locked_until.is_(None), WebhookDelivery.locked_until < now),
    )


def _claim(delivery_id: uuid.UUID) -> datetime | None:
    """Lease the row for one attempt; None when it is not due, already held or already done."""
    now = utcnow()
    lease = now + timedelta(seconds=current_app.config["WEBHOOK_TIMEOUT"] + LEASE_MARGIN_SECONDS)
    claimed = db.session.execute(
        sa.update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, *_due(now))
        .values(locked_until=lease)
    )
    db.session.commit()
    return lease if claimed.rowcount == 1 else None


def _plan(delivery_id: uuid.UUID) -> _Plan | None:
    delivery = db.session.get(WebhookDelivery, delivery_id)
    webhook = db.session.get(Webhook, delivery.webhook_id) if delivery else None
    event = db.session.get(Event, delivery.event_id) if delivery else None
    if webhook is None or event is None or not delivery.tenant_id == webhook.tenant_id == event.tenant_id:
        return None
    test = delivery.event_type == TEST_EVENT
    return _Plan(
        delivery_id=delivery.id,
        webhook_id=webhook.id,
        url=webhook.url,
        body=(event.body or json.dumps(event.payload, separators=(",", ":"))).encode(),
        msg_id=event.payload["id"],
        secrets=_signing_secrets(webhook),
        test=test,
        sendable=webhook.is_active or test,
    )


def _signing_secrets(webhook: Webhook) -> tuple[str, ...]:
    """The current secret, plus the previous one while a rotation's grace period runs."""
    expires = webhook.previous_secret_expires_at
    if webhook.previous_secret and expires is not None and expires > utcnow():
        return (webhook.secret, webhook.previous_secret)
    return (webhook.secret,)


def _send(plan: _Plan) -> webhooks.Outcome:
    config = current_app.config
    headers = webhooks.delivery_headers(
        msg_id=plan.msg_id, timestamp=int(utcnow().timestamp()), body=plan.body, signing_secrets=plan.secrets
    )
    return webhooks.post(
        plan.url,
        plan.body,
        headers,
        timeout=config["WEBHOOK_TIMEOUT"],
        allow_http=config["WEBHOOK_ALLOW_HTTP"],
        allow_private=config["WEBHOOK_ALLOW_PRIVATE"],
    )


def _locked(model: type[M], key: uuid.UUID) -> M | None:
    # FOR NO KEY UPDATE: new deliveries referencing the webhook (a KEY SHARE lock) need not wait.
    return db.session.get(model, key, with_for_update={"key_share": True}, populate_existing=True)


def _record(plan: _Plan, lease: datetime, outcome: webhooks.Outcome) -> str:
    """Write the attempt's result and what follows (a retry, a disable), if the lease is still ours."""
    webhook = _locked(Webhook, plan.webhook_id)  # webhook before delivery, as a delete locks them
    delivery = _locked(WebhookDelivery, plan.delivery_id)
    if webhook is None or delivery is None or delivery.status != "pending" or delivery.locked_until != lease:
        db.session.rollback()
        return "lease lost"
    now = utcnow()
    delivery.response_status = outcome.status
    delivery.response_body = outcome.excerpt
    delivery.duration_ms = outcome.duration_ms
    delivery.error = (outcome.error or "")[:500] or None
    delivery.locked_until = None
    counts = plan.sendable and not plan.test  # a test is a probe; a disabled webhook was not tried
    if outcome.succeeded:
        delivery.status, delivery.next_attempt_at = "success", None
        webhook.failure_count = 0 if counts else webhook.failure_count
    else:
        _after_failure(delivery, webhook, outcome, now, counts=counts)
    if counts:
        webhook.last_delivery_at = now
    db.session.commit()
    return delivery.status


def _after_failure(
    delivery: WebhookDelivery, webhook: Webhook, outcome: webhooks.Outcome, now: datetime, *, counts: bool
) -> None:
    if counts:
        webhook.failure_count += 1
        reason = _disable_reason(webhook, outcome)
        if reason and webhook.is_active:
            disable(webhook, reason=reason, now=now)
    delay = _retry_delay(delivery, outcome, now) if counts and webhook.is_active else None
    if delay is None:
        delivery.status, delivery.next_attempt_at = "failed", None
        return
    delivery.status, delivery.next_attempt_at = "retrying", now + timedelta(seconds=delay)
    schedule_attempt(
        webhook_id=delivery.webhook_id,
        tenant_id=delivery.tenant_id,
        event_id=delivery.event_id,
        event_type=delivery.event_type,
        attempt=delivery.attempt + 1,
        at=delivery.next_attempt_at,
    )


def _retry_delay(delivery: WebhookDelivery, outcome: webhooks.Outcome, now: datetime) -> float | None:
    retry_after = None
    if outcome.status in webhooks.RETRY_AFTER_STATUSES:
        retry_after = webhooks.parse_retry_after(outcome.retry_after, now)
    schedule = current_app.config["WEBHOOK_RETRY_SCHEDULE"]
    return webhooks.retry_delay(attempt=delivery.attempt, schedule=schedule, retry_after=retry_after)


def _disable_reason(webhook: Webhook, outcome: webhooks.Outcome) -> str | None:
    if outcome.status == 410:
        return "The receiver answered 410 Gone"
    if webhook.failure_count >= current_app.config["WEBHOOK_MAX_FAILURES"]:
        return f"{webhook.failure_count} consecutive failed deliveries"
    return None


def disable(webhook: Webhook, *, reason: str, now: datetime) -> None:
    """Switch a failing webhook off, audit it as the system and email the tenant's owners."""
    old = audit.snapshot(webhook)
    webhook.is_active, webhook.disabled_at, webhook.disabled_reason = False, now, reason
    audit.record(
        action="disable",
        resource_type="webhook",
        resource_id=webhook.id,
        tenant_id=webhook.tenant_id,
        old=old,
        new=audit.snapshot(webhook),
        actor=("system", None),
    )
    _email_owners(webhook, reason)


def _email_owners(webhook: Webhook, reason: str) -> None:
    owners = db.session.execute(
        sa.select(User.email, User.name).where(
            User.tenant_id == webhook.tenant_id, User.role == "owner", User.deleted_at.is_(None)
        )
    )
    host = urlsplit(webhook.url).hostname  # not the whole URL: its query may carry a token
    for email, name in owners:
        queue_email(
            to=email,
            subject="A SiteNinja webhook was disabled",
            body=f"Hi {name},\n\nSiteNinja stopped sending events to your webhook {webhook.id} "
            f"(host {host}).\nReason: {reason}.\n\nFix the receiver, then re-enable the webhook "
            '(PUT {"isActive": true}) and redeliver what it missed from its delivery log.\n',
        )


def sweep() -> dict[str, Any]:
    """Enqueue every delivery that is due and not held: new ones whose job was lost, retries whose
    time has come, and attempts whose worker died (their lease expired)."""
    now = utcnow()
    due = list(
        db.session.scalars(
            sa.select(WebhookDelivery.id)
            .where(*_due(now))
            .order_by(WebhookDelivery.next_attempt_at)
            .limit(SWEEP_BATCH)
        )
    )
    db.session.commit()
    for delivery_id in due:
        enqueue("webhooks", deliver, str(delivery_id), key=job_key(delivery_id))
    return {"enqueued": len(due)}


scheduler.every("WEBHOOK_SWEEP_SECONDS", "webhooks.sweep", sweep)
