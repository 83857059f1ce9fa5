"""API keys for integrators and their usage counters."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from siteninja.core.db import Base, TimestampMixin, tenant_fk, uuid_pk

ENVIRONMENTS = ("live", "test")
SCOPES = (
    "pages:read",
    "pages:write",
    "navigation:read",
    "navigation:write",
    "branding:read",
    "branding:write",
    "assets:read",
    "assets:write",
    "templates:read",
    "webhooks:read",
    "webhooks:write",
    "audit:read",
)
ALL_SCOPES = "*"


class ApiKey(TimestampMixin, Base):
    """A tenant's key: stored as a peppered HMAC digest, found by a short prefix."""

    __tablename__ = "api_keys"

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    name: Mapped[str] = mapped_column(sa.String(100))
    environment: Mapped[str] = mapped_column(sa.String(8))
    prefix: Mapped[str] = mapped_column(sa.String(32), index=True)
    last4: Mapped[str] = mapped_column(sa.String(4))
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    scopes: Mapped[list] = mapped_column(default=list)
    rate_limit: Mapped[int | None]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    # The full key, set only on the instance returned by create/rotate; never stored.
    secret = None


class ApiKeyUsage(Base):
    """Requests made with a key, counted per day and route template."""

    __tablename__ = "api_key_usage"
    __table_args__ = (sa.UniqueConstraint("api_key_id", "day", "method", "path"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    api_key_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("api_keys.id", ondelete="CASCADE"), index=True
    )
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    day: Mapped[date] = mapped_column(sa.Date)
    method: Mapped[str] = mapped_column(sa.String(8))
    path: Mapped[str] = mapped_column(sa.String(255))
    count: Mapped[int] = mapped_column(default=0)
