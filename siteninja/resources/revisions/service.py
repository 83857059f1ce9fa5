"""Revision rules: one snapshot per changed page per transaction (recorded by the page-change hook),
pruned to the newest ``PAGE_REVISIONS_KEPT``; listing, reading and restoring them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session, undefer

from siteninja.core.envelope import Paginated
from siteninja.core.errors import NotFound
from siteninja.core.pagination import paginate
from siteninja.core.tenancy import get_for_tenant_or_404
from siteninja.extensions import db
from siteninja.resources.pages import changes
from siteninja.resources.pages import service as pages
from siteninja.resources.pages.models import Page
from siteninja.resources.pages.schemas import PageSchema
from siteninja.resources.revisions.models import PageRevision
from siteninja.resources.sections import service as sections
from siteninja.resources.sections.models import Section
from siteninja.resources.sections.schemas import SectionSchema
from siteninja.resources.seo import service as seo_service
from siteninja.resources.seo.models import SeoMetadata
from siteninja.resources.seo.schemas import SeoSchema, SeoUpdateSchema
from siteninja.services import audit

# Page fields a restore writes back (ids, owner and server timestamps stay as they are).
RESTORED_FIELDS = {
    "title": "title",
    "slug": "slug",
    "description": "description",
    "status": "status",
    "isHomepage": "is_homepage",
    "sortOrder": "sort_order",
    "templateId": "template_id",
    "publishedAt": "published_at",
    "publishAt": "publish_at",
    "unpublishAt": "unpublish_at",
}
UUID_FIELDS = {"template_id"}
TIME_FIELDS = {"published_at", "publish_at", "unpublish_at"}
SECTION_FIELDS = {"type": "type", "content": "content", "sortOrder": "sort_order", "isVisible": "is_visible"}
# The SEO fields a client can write, by wire name: what a restore writes back.
SEO_FIELDS = {field.data_key: name for name, field in SeoUpdateSchema().fields.items()}

PAGE_SCHEMA = PageSchema()
SECTION_SCHEMA = SectionSchema()
SEO_SCHEMA = SeoSchema()


@changes.on_pages_changed
def record_revisions(session: Session, page_changes: changes.PageChanges) -> None:
    """Record one revision per page the committing transaction changed, and prune old ones."""
    actor_type, actor_id = audit.current_actor()
    for page_id, change in page_changes.changed.items():
        page = session.get(Page, page_id)
        if page is None or page.tenant_id != change.tenant_id:
            continue
        _record(session, page, change.action, actor_type, actor_id)


def _record(session: Session, page: Page, action: str, actor_type: str, actor_id: uuid.UUID | None) -> None:
    """Lock the page row, read the last number and the SEO in one statement, insert, prune."""
    last = sa.select(sa.func.max(PageRevision.number)).where(PageRevision.page_id == Page.id)
    row = session.execute(
        sa.select(last.scalar_subquery(), SeoMetadata)
        .select_from(Page)
        .outerjoin(
            SeoMetadata, sa.and_(SeoMetadata.page_id == Page.id, SeoMetadata.tenant_id == Page.tenant_id)
        )
        .where(Page.id == page.id)
        .with_for_update(of=Page)
    ).one()
    number = (row[0] or 0) + 1
    session.add(
        PageRevision(
            tenant_id=page.tenant_id,
            page_id=page.id,
            number=number,
            action=action,
            actor_type=actor_type,
            actor_id=actor_id,
            snapshot=snapshot_of(page, sections.ordered_sections(page), row[1]),
        )
    )
    kept = current_app.config["PAGE_REVISIONS_KEPT"]
    if number > kept:  # numbers are dense, so everything older than the newest ``kept`` is one range
        session.execute(
            sa.delete(PageRevision).where(
                PageRevision.page_id == page.id, PageRevision.number <= number - kept
            )
        )


def snapshot_of(page: Page, ordered: list[Section], seo: SeoMetadata | None) -> dict[str, Any]:
    """``{page, sections, seo}`` in the wire shapes of ``GET /pages/{id}?include=sections,seo``."""
    return {
        "page": PAGE_SCHEMA.dump(page),
        "sections": SECTION_SCHEMA.dump(ordered, many=True),
        "seo": SEO_SCHEMA.dump(seo) if seo is not None else None,
    }


def ensure_page(*, tenant_id: uuid.UUID, page_id: uuid.UUID) -> None:
    """404 unless ``page_id`` is one of the tenant's pages."""
    pages.ensure_page(tenant_id=tenant_id, page_id=page_id)


def list_revisions(*, tenant_id: uuid.UUID, page_id: uuid.UUID, page: int, limit: int) -> Paginated:
    """A page's revisions, newest first (snapshots not loaded)."""
    owner = get_for_tenant_or_404(Page, page_id, tenant_id)
    stmt = (
        sa.select(PageRevision)
        .where(PageRevision.tenant_id == tenant_id, PageRevision.page_id == owner.id)
        .order_by(PageRevision.number.desc())
    )
    return paginate(stmt, page=page, limit=limit)


def get_revision(*, tenant_id: uuid.UUID, page_id: uuid.UUID, revision_id: uuid.UUID) -> PageRevision:
    """One revision of one of the tenant's pages, with its snapshot; else 404."""
    revision = db.session.scalar(
        sa.select(PageRevision)
        .where(
            PageRevision.id == revision_id,
            PageRevision.tenant_id == tenant_id,
            PageRevision.page_id == page_id,
        )
        .options(undefer(PageRevision.snapshot))
    )
    if revision is None:
        raise NotFound("Revision not found")
    return revision


def restore_revision(
    *, tenant_id: uuid.UUID, page_id: uuid.UUID, revision_id: uuid.UUID
) -> pages.PageWithRelations:
    """Put the page, its sections and its SEO back as the revision recorded them (409 when its slug
    is now another page's); audited, ``page.updated``, itself a new revision (``restore``)."""
    revision = get_revision(tenant_id=tenant_id, page_id=page_id, revision_id=revision_id)
    page = sections.locked_page(tenant_id, page_id)
    snapshot = revision.snapshot
    changes.note(db.session, page, "restore")
    pages.restore_fields(page=page, fields=_page_fields(snapshot["page"]), revision_number=revision.number)
    sections.replace_sections(page=page, specs=[_section_fields(s) for s in snapshot["sections"]])
    _restore_seo(page, snapshot.get("seo"))
    db.session.commit()
    return pages.get_page(tenant_id=tenant_id, page_id=page_id, include=["sections", "seo"])


def _page_fields(wire: dict[str, Any]) -> dict[str, Any]:
    fields = {attr: wire.get(key) for key, attr in RESTORED_FIELDS.items() if key in wire}
    for name in UUID_FIELDS & fields.keys():
        fields[name] = uuid.UUID(fields[name]) if fields[name] else None
    for name in TIME_FIELDS & fields.keys():
        fields[name] = datetime.fromisoformat(fields[name]) if fields[name] else None
    return fields


def _section_fields(wire: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": uuid.UUID(wire["id"]),
        **{attr: wire[key] for key, attr in SECTION_FIELDS.items() if key in wire},
    }


def _restore_seo(page: Page, wire: dict[str, Any] | None) -> None:
    current = seo_service.find_seo(tenant_id=page.tenant_id, page_id=page.id)
    if wire is None:
        if current is not None:
            seo_service.delete_seo(tenant_id=page.tenant_id, page_id=page.id, commit=False)
        return
    data = {attr: wire[key] for key, attr in SEO_FIELDS.items() if key in wire}
    seo_service.upsert_seo(tenant_id=page.tenant_id, page_id=page.id, data=data, commit=False)
