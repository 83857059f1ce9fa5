"""Page revisions: one numbered snapshot of a page, its sections and its SEO per committed change."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from siteninja.core.db import Base, CreatedMixin, JSONType, tenant_fk, uuid_pk


class PageRevision(CreatedMixin, Base):
    """The state of a page after one transaction: ``snapshot`` holds ``{page, sections, seo}`` in
    their wire shapes (camelCase), so a restore compares and rebuilds exactly what clients saw."""

    __tablename__ = "page_revisions"
    __table_args__ = (sa.UniqueConstraint("page_id", "number"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    page_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("pages.id", ondelete="CASCADE"))
    number: Mapped[int]
    action: Mapped[str] = mapped_column(sa.String(32))
    actor_type: Mapped[str] = mapped_column(sa.String(16))
    actor_id: Mapped[uuid.UUID | None]
    # Deferred: lists never load the snapshots they do not show.
    snapshot: Mapped[dict] = mapped_column(JSONType, deferred=True)
