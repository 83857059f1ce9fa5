"""A tenant's visual identity."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from siteninja.core.db import Base, TimestampMixin, uuid_pk

DEFAULT_BRANDING = {
    "logo_url": None,
    "favicon_url": None,
    "primary_color": "#2563EB",
    "secondary_color": "#1E293B",
    "accent_color": "#F59E0B",
    "background_color": "#FFFFFF",
    "text_color": "#111827",
    "font_heading": "Inter",
    "font_body": "Inter",
    "custom_css": None,
}


class Branding(TimestampMixin, Base):
    """Colors, fonts, logo and custom CSS of one tenant (one row per tenant)."""

    __tablename__ = "branding"

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("tenants.id", ondelete="CASCADE"), unique=True)
    logo_url: Mapped[str | None] = mapped_column(sa.String(2048))
    favicon_url: Mapped[str | None] = mapped_column(sa.String(2048))
    primary_color: Mapped[str | None] = mapped_column(sa.String(7))
    secondary_color: Mapped[str | None] = mapped_column(sa.String(7))
    accent_color: Mapped[str | None] = mapped_column(sa.String(7))
    background_color: Mapped[str | None] = mapped_column(sa.String(7))
    text_color: Mapped[str | None] = mapped_column(sa.String(7))
    font_heading: Mapped[str | None] = mapped_column(sa.String(100))
    font_body: Mapped[str | None] = mapped_column(sa.String(100))
    custom_css: Mapped[str | None] = mapped_column(sa.Text)
