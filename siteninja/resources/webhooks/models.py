"""Events (the outbox), webhooks and their delivery attempts."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from siteninja.core.db import Base, CreatedMixin, TimestampMixin, tenant_fk, uuid_pk

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
TEST_EVENT = "webhook.test"  # sent by POST /webhooks/{id}/test, to that webhook only
DELIVERY_STATUSES = ("pending", "success", "retrying", "failed")


class Event(CreatedMixin, Base):
    """Something that happened to a tenant's data, written with the change that caused it."""

    cache_neutral = True  # bookkeeping: writing it changes nothing a cached response shows

    __tablename__ = "events"
    __table_args__ = (sa.Index("ix_events_tenant_id_created_at", "tenant_id", "created_at"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    type: Mapped[str] = mapped_column(sa.String(64), index=True)
    payload: Mapped[dict] = mapped_column(default=dict)
    # The exact bytes every delivery of the event sends and signs, serialized once at emit time.
    body: Mapped[str | None] = mapped_column(sa.Text)


class Webhook(TimestampMixin, Base):
    """A customer URL subscribed to event types, with its signing secret."""

    cache_neutral = True

    __tablename__ = "webhooks"

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    url: Mapped[str] = mapped_column(sa.String(2048))
    events: Mapped[list] = mapped_column(default=list)
    description: Mapped[str | None] = mapped_column(sa.String(500))
    secret: Mapped[str] = mapped_column(sa.String(128))
    previous_secret: Mapped[str | None] = mapped_column(sa.String(128))
    previous_secret_expires_at: Mapped[datetime | None]
    is_active: Mapped[bool] = mapped_column(default=True, index=True)
    failure_count: Mapped[int] = mapped_column(default=0)
    disabled_at: Mapped[datetime | None]
    disabled_reason: Mapped[str | None] = mapped_column(sa.String(500))
    last_delivery_at: Mapped[datetime | None]


class WebhookDelivery(TimestampMixin, Base):
    """One attempt to deliver an event to a webhook; the database decides what is due."""

    cache_neutral = True

    __tablename__ = "webhook_deliveries"
    __table_args__ = (sa.Index("ix_webhook_deliveries_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    webhook_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("webhooks.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), index=True)
    event_type: Mapped[str] = mapped_column(sa.String(64), index=True)
    attempt: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(sa.String(16), default="pending")
    response_status: Mapped[int | None]
    response_body: Mapped[str | None] = mapped_column(sa.Text)
    duration_ms: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(sa.String(500))
    next_attempt_at: Mapped[datetime | None]
    locked_until: Mapped[datetime | None]
