"""Search over a tenant's pages, and the one handler that keeps the index current in each commit."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session

from siteninja.core.envelope import Paginated
from siteninja.extensions import db
from siteninja.resources.pages.changes import PageChanges, on_pages_changed
from siteninja.resources.pages.models import Page
from siteninja.resources.search import index

REINDEX_BATCH = 500


def search_pages(
    *,
    tenant_id: uuid.UUID,
    q: str,
    status: str | None = None,
    public: bool = False,
    page: int = 1,
    limit: int = 20,
) -> Paginated:
    """Ranked pages of the tenant matching ``q`` (``public``: published pages, visible sections only)."""
    hits, total = index.search(
        db.session, tenant_id=tenant_id, q=q, status=status, public=public, page=page, limit=limit
    )
    return Paginated(items=hits, page=page, limit=limit, total=total)


@on_pages_changed
def keep_index_current(session: Session, changes: PageChanges) -> None:
    """Rebuild the index rows of every page the committing transaction changed or deleted."""
    changed = {page_id: change.tenant_id for page_id, change in changes.changed.items()}
    index.rebuild(session, changed, changes.deleted)


def reindex(*, tenant_id: uuid.UUID | None = None) -> int:
    """Rebuild the index of every page (of one tenant, or all), committing in batches; the count."""
    stmt = sa.select(Page.id, Page.tenant_id).order_by(Page.id)
    if tenant_id is not None:
        stmt = stmt.where(Page.tenant_id == tenant_id)
    done = 0
    for batch in db.session.execute(stmt).partitions(REINDEX_BATCH):
        index.rebuild(db.session, {page_id: tenant for page_id, tenant in batch}, {})
        db.session.commit()
        done += len(batch)
    return done
