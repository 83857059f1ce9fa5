"""Users: platform operators (no tenant) and members of one tenant."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from siteninja.core.db import Base, TimestampMixin, tenant_fk, uuid_pk

ROLES = ("viewer", "editor", "admin", "owner", "super_admin")


class User(TimestampMixin, Base):
    """A person who signs in; ``role`` decides what they may do inside ``tenant_id``."""

    __tablename__ = "users"

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID | None] = tenant_fk(nullable=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(16), index=True)
    email_verified: Mapped[bool] = mapped_column(default=False)
    last_login: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]
