"""Industries, page templates and the record of templates applied to pages."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from siteninja.core.db import Base, TimestampMixin, tenant_fk, utcnow, uuid_pk


class Industry(TimestampMixin, Base):
    """A line of business templates are made for."""

    __tablename__ = "industries"

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(sa.String(100))
    slug: Mapped[str] = mapped_column(sa.String(100), unique=True)
    description: Mapped[str | None] = mapped_column(sa.Text)


class Template(TimestampMixin, Base):
    """A reusable page structure: sections (type + content) and optional SEO."""

    __tablename__ = "templates"

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(sa.String(200))
    slug: Mapped[str] = mapped_column(sa.String(100), unique=True)
    description: Mapped[str | None] = mapped_column(sa.Text)
    category: Mapped[str] = mapped_column(sa.String(50), index=True)
    industry_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("industries.id", ondelete="SET NULL"), index=True
    )
    is_premium: Mapped[bool] = mapped_column(default=False, index=True)
    thumbnail_url: Mapped[str | None] = mapped_column(sa.String(2048))
    structure: Mapped[dict] = mapped_column(default=dict)


class PageTemplate(TimestampMixin, Base):
    """A template applied to a page, and how the page's sections have drifted from it."""

    __tablename__ = "page_templates"

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    page_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("pages.id", ondelete="CASCADE"), index=True)
    template_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("templates.id", ondelete="CASCADE"), index=True
    )
    applied_at: Mapped[datetime] = mapped_column(default=utcnow)
    customizations: Mapped[dict] = mapped_column(default=dict)
    # The sections as applied ({section_id, type, content, is_visible}, in template order): what
    # later edits are compared with, even after the template itself changes. None on records
    # made before tracking existed: their customizations are left as they are.
    applied_sections: Mapped[list | None] = mapped_column(default=list)
