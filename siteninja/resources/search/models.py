"""The search index of a tenant's pages: one row of plain text (and on PostgreSQL its weighted
``tsvector`` documents) per page, rebuilt in the transaction of every change to the page."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from siteninja.core.db import Base, tenant_fk, utcnow

# The integer key is the rowid SQLite's FTS5 index refers to (stable: it aliases the rowid).
SearchRowId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
# PostgreSQL keeps the documents in the row; on SQLite the FTS5 table holds the index and these
# columns stay empty.
Document = sa.Text().with_variant(postgresql.TSVECTOR(), "postgresql")


class PageSearch(Base):
    """What search reads of one page: its title (weight A), description and SEO (B), the text of
    its visible sections and of its hidden ones (C), as plain text without markup."""

    __tablename__ = "page_search"
    __table_args__ = (
        sa.Index("ix_page_search_document", "document", postgresql_using="gin"),
        sa.Index("ix_page_search_public_document", "public_document", postgresql_using="gin"),
    )

    id: Mapped[int] = mapped_column(SearchRowId, primary_key=True, autoincrement=True)
    page_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("pages.id", ondelete="CASCADE"), unique=True)
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    title: Mapped[str] = mapped_column(sa.Text, default="")
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    public_body: Mapped[str] = mapped_column(sa.Text, default="")
    hidden_body: Mapped[str] = mapped_column(sa.Text, default="")
    document: Mapped[str | None] = mapped_column(Document)
    public_document: Mapped[str | None] = mapped_column(Document)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, nullable=False)
