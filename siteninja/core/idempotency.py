"""Stored first responses of POSTs that carried an ``Idempotency-Key``."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from siteninja.core.db import Base, CreatedMixin, uuid_pk


class IdempotencyRecord(CreatedMixin, Base):
    """The first response to a (principal, key) pair, replayed for 24 hours."""

    __tablename__ = "idempotency_records"
    __table_args__ = (sa.UniqueConstraint("principal", "key"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    principal: Mapped[str] = mapped_column(sa.String(100))
    key: Mapped[str] = mapped_column(sa.String(255))
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    status_code: Mapped[int]
    response_body: Mapped[str] = mapped_column(sa.Text)
    response_headers: Mapped[dict] = mapped_column(default=dict)
    expires_at: Mapped[datetime] = mapped_column(index=True)
