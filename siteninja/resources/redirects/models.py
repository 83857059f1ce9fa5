"""Redirects from one site path to another (301 or 302)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from siteninja.core.db import Base, TimestampMixin, tenant_fk, uuid_pk

REDIRECT_STATUSES = (301, 302)
MAX_PATH = 255


class Redirect(TimestampMixin, Base):
    """``from_path`` of a tenant's site answers with ``status_code`` and ``to_path``; chains are
    collapsed on write, so no redirect's ``to_path`` is another redirect's ``from_path``."""

    __tablename__ = "redirects"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "from_path"),
        sa.Index("ix_redirects_tenant_id_to_path", "tenant_id", "to_path"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    from_path: Mapped[str] = mapped_column(sa.String(MAX_PATH))
    to_path: Mapped[str] = mapped_column(sa.String(MAX_PATH))
    status_code: Mapped[int] = mapped_column(sa.SmallInteger, default=301)
