"""Tenants and the host names their sites answer on."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from siteninja.core.db import Base, TimestampMixin, tenant_fk, uuid_pk

TENANT_STATUSES = ("active", "suspended", "deleted")


class Tenant(TimestampMixin, Base):
    """A site and its owner organisation: the unit of isolation."""

    __tablename__ = "tenants"

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(sa.String(200))
    subdomain: Mapped[str] = mapped_column(sa.String(63), unique=True)
    custom_domain: Mapped[str | None] = mapped_column(sa.String(253), unique=True)
    status: Mapped[str] = mapped_column(sa.String(16), default="active", index=True)
    industry_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("industries.id", ondelete="SET NULL"), index=True
    )
    settings: Mapped[dict] = mapped_column(default=dict)
    deleted_at: Mapped[datetime | None]


class Domain(TimestampMixin, Base):
    """A host name that resolves to a tenant's public site (its subdomain host or custom domain)."""

    __tablename__ = "domains"

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    host: Mapped[str] = mapped_column(sa.String(253), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
