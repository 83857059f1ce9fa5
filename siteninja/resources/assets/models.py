"""Uploaded files: images and documents."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from siteninja.core.db import Base, TimestampMixin, tenant_fk, uuid_pk

THUMBNAIL_STATUSES = ("pending", "ready", "failed")


class Asset(TimestampMixin, Base):
    """A stored upload; ``storage_key`` is generated, never the client's file name."""

    __tablename__ = "assets"
    __table_args__ = (sa.Index("ix_assets_tenant_id_created_at", "tenant_id", "created_at"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    filename: Mapped[str] = mapped_column(sa.String(255))
    mime_type: Mapped[str] = mapped_column(sa.String(100), index=True)
    size: Mapped[int] = mapped_column(sa.BigInteger)
    width: Mapped[int | None]
    height: Mapped[int | None]
    alt_text: Mapped[str | None] = mapped_column(sa.String(500))
    storage_key: Mapped[str] = mapped_column(sa.String(255), unique=True)
    thumbnail_key: Mapped[str | None] = mapped_column(sa.String(255))
    thumbnail_status: Mapped[str | None] = mapped_column(sa.String(16))
    uploaded_by: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    deleted_at: Mapped[datetime | None]
