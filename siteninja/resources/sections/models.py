"""Ordered content blocks of a page."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from siteninja.core.db import Base, TimestampMixin, tenant_fk, uuid_pk

SECTION_TYPES = (
    "hero",
    "text",
    "features",
    "gallery",
    "testimonials",
    "cta",
    "contact",
    "pricing",
    "faq",
    "team",
    "custom",
)


class Section(TimestampMixin, Base):
    """A typed block of JSON content at a position on a page."""

    __tablename__ = "sections"
    __table_args__ = (sa.Index("ix_sections_page_id_sort_order", "page_id", "sort_order"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    page_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("pages.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(sa.String(32))
    content: Mapped[dict] = mapped_column(default=dict)
    sort_order: Mapped[int] = mapped_column(default=0)
    is_visible: Mapped[bool] = mapped_column(default=True)
