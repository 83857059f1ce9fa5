"""Domain events, written as outbox rows (with their webhook deliveries) in the caller's transaction."""

from __future__ import annotations

import json
import uuid
from typing import Any

import sqlalchemy as sa

from siteninja.core.db import utcnow
from siteninja.extensions import db
from siteninja.jobs import webhooks as webhook_jobs
from siteninja.resources.webhooks.models import EVENT_TYPES, TEST_EVENT, Event, Webhook


def wire_id(event_id: uuid.UUID) -> str:
    """The public id of an event (the ``webhook-id`` of its deliveries)."""
    return f"evt_{event_id.hex}"


def emit(*, tenant_id: uuid.UUID, type: str, data: dict[str, Any]) -> Event:
    """Record that ``type`` happened to ``data``, with one pending delivery per subscribed active
    webhook; all committed with the change or not at all, the deliveries enqueued after commit."""
    if type not in EVENT_TYPES and type != TEST_EVENT:
        raise ValueError(f"unknown event type {type!r}")
    event_id = uuid.uuid4()
    created_at = utcnow()
    payload = {
        "id": wire_id(event_id),
        "type": type,
        "createdAt": created_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "tenantId": str(tenant_id),
        "data": data,
    }
    # Serialized once: every attempt, first or twentieth, sends and signs these same bytes.
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    event = Event(
        id=event_id, tenant_id=tenant_id, type=type, payload=payload, body=body, created_at=created_at
    )
    db.session.add(event)
    if type != TEST_EVENT:  # a test event goes to the one webhook being tested
        _fan_out(event)
    return event


def subscribed(events: list[str], type: str) -> bool:
    """Whether a webhook listening to ``events`` receives events of ``type``."""
    return "*" in events or type in events


def _fan_out(event: Event) -> None:
    for webhook_id, events in _active_webhooks(event.tenant_id):
        if subscribed(events, event.type):
            webhook_jobs.schedule_attempt(
                webhook_id=webhook_id,
                tenant_id=event.tenant_id,
                event_id=event.id,
                event_type=event.type,
            )


def _active_webhooks(tenant_id: uuid.UUID) -> list[tuple[uuid.UUID, list[str]]]:
    """The tenant's active webhooks, read once per transaction and without an autoflush, so a
    write emitting many events (a bulk, a template) still inserts its rows in batches."""
    session = db.session()
    transaction = session.get_transaction()
    memo = session.info.get(_WEBHOOKS_MEMO)
    if memo is None or memo[0] is not transaction:
        memo = (transaction, {})
        session.info[_WEBHOOKS_MEMO] = memo
    if tenant_id not in memo[1]:
        with session.no_autoflush:
            stmt = sa.select(Webhook.id, Webhook.events).where(
                Webhook.tenant_id == tenant_id, Webhook.is_active
            )
            memo[1][tenant_id] = [tuple(row) for row in session.execute(stmt)]
    return memo[1][tenant_id]


_WEBHOOKS_MEMO = "active_webhooks_by_tenant"
