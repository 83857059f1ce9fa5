"""Search-engine metadata of a page."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from siteninja.core.db import Base, TimestampMixin, tenant_fk, uuid_pk


class SeoMetadata(TimestampMixin, Base):
    """Title, description, social cards and JSON-LD of one page."""

    __tablename__ = "seo_metadata"

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    page_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("pages.id", ondelete="CASCADE"), unique=True)
    meta_title: Mapped[str | None] = mapped_column(sa.String(70))
    meta_description: Mapped[str | None] = mapped_column(sa.String(320))
    keywords: Mapped[list] = mapped_column(default=list)
    canonical_url: Mapped[str | None] = mapped_column(sa.String(2048))
    og_title: Mapped[str | None] = mapped_column(sa.String(200))
    og_description: Mapped[str | None] = mapped_column(sa.String(500))
    og_image_url: Mapped[str | None] = mapped_column(sa.String(2048))
    no_index: Mapped[bool] = mapped_column(default=False)
    no_follow: Mapped[bool] = mapped_column(default=False)
    structured_data: Mapped[dict | None]
