"""A tenant's plan and billing period."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from siteninja.core.db import Base, TimestampMixin, uuid_pk

PLANS = ("free", "starter", "pro", "enterprise")
SUBSCRIPTION_STATUSES = ("active", "trialing", "past_due", "canceled")


class Subscription(TimestampMixin, Base):
    """The one subscription of a tenant; its plan sets the tenant's limits."""

    __tablename__ = "subscriptions"

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("tenants.id", ondelete="CASCADE"), unique=True)
    plan: Mapped[str] = mapped_column(sa.String(16), default="free")
    status: Mapped[str] = mapped_column(sa.String(16), default="active", index=True)
    current_period_start: Mapped[datetime]
    current_period_end: Mapped[datetime]
    cancel_at_period_end: Mapped[bool] = mapped_column(default=False)
    canceled_at: Mapped[datetime | None]
