"""Domain events, written as outbox rows in the caller's transaction."""

from __future__ import annotations

import uuid
from typing import Any

from siteninja.core.db import utcnow
from siteninja.extensions import db
from siteninja.resources.webhooks.models import Event

EVENT_TYPES = (
    "page.created",
    "page.updated",
    "page.deleted",
    "page.published",
    "section.created",
    "section.updated",
    "section.deleted",
    "branding.updated",
    "tenant.created",
    "tenant.updated",
    "user.created",
    "user.updated",
    "asset.created",
    "asset.deleted",
)


def wire_id(event_id: uuid.UUID) -> str:
    """The public id of an event (the ``webhook-id`` of its deliveries)."""
    return f"evt_{event_id.hex}"


def emit(*, tenant_id: uuid.UUID, type: str, data: dict[str, Any]) -> Event:
    """Record that ``type`` happened to ``data``; committed with the change or not at all."""
    if type not in EVENT_TYPES and type != "webhook.test":
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
    event = Event(id=event_id, tenant_id=tenant_id, type=type, payload=payload, created_at=created_at)
    db.session.add(event)
    return event
