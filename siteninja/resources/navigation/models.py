"""Navigation menus: a tree of links per location."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from siteninja.core.db import Base, TimestampMixin, tenant_fk, uuid_pk

NAV_LOCATIONS = ("header", "footer")


class NavigationItem(TimestampMixin, Base):
    """A link to a URL or a page; children nest under ``parent_id`` up to three levels."""

    __tablename__ = "navigation_items"
    __table_args__ = (sa.Index("ix_navigation_items_tenant_id_location", "tenant_id", "location"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    label: Mapped[str] = mapped_column(sa.String(100))
    url: Mapped[str | None] = mapped_column(sa.String(2048))
    page_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("pages.id", ondelete="CASCADE"), index=True
    )
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("navigation_items.id", ondelete="CASCADE"), index=True
    )
    location: Mapped[str] = mapped_column(sa.String(16), default="header")
    sort_order: Mapped[int] = mapped_column(default=0)
    is_visible: Mapped[bool] = mapped_column(default=True)
    open_in_new_tab: Mapped[bool] = mapped_column(default=False)
