"""Pages of a tenant's site."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from siteninja.core.db import Base, TimestampMixin, tenant_fk, uuid_pk

PAGE_STATUSES = ("draft", "published", "archived")


class Page(TimestampMixin, Base):
    """One page; its sections, SEO and navigation entries hang off it."""

    __tablename__ = "pages"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "slug"),
        sa.Index(
            "uq_pages_one_homepage",
            "tenant_id",
            unique=True,
            postgresql_where=sa.text("is_homepage"),
            sqlite_where=sa.text("is_homepage"),
        ),
        sa.Index("ix_pages_tenant_id_status", "tenant_id", "status"),
        # The scheduler's due queries read only the few pages with a schedule.
        sa.Index(
            "ix_pages_publish_at",
            "publish_at",
            postgresql_where=sa.text("publish_at IS NOT NULL"),
            sqlite_where=sa.text("publish_at IS NOT NULL"),
        ),
        sa.Index(
            "ix_pages_unpublish_at",
            "unpublish_at",
            postgresql_where=sa.text("unpublish_at IS NOT NULL"),
            sqlite_where=sa.text("unpublish_at IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    title: Mapped[str] = mapped_column(sa.String(200))
    slug: Mapped[str] = mapped_column(sa.String(100))
    description: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(16), default="draft")
    is_homepage: Mapped[bool] = mapped_column(default=False)
    sort_order: Mapped[int] = mapped_column(default=0)
    template_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("templates.id", ondelete="SET NULL"), index=True
    )
    published_at: Mapped[datetime | None]
    publish_at: Mapped[datetime | None]
    unpublish_at: Mapped[datetime | None]
    # Bumped to revoke every preview link issued so far (tokens carry the value they were issued at).
    preview_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
