"""SEO rules: one metadata row per page of the tenant, upserted by PUT."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from siteninja.core.errors import NotFound
from siteninja.core.tenancy import get_for_tenant_or_404
from siteninja.extensions import db
from siteninja.resources.pages.models import Page
from siteninja.resources.seo.models import SeoMetadata
from siteninja.services import audit

RESOURCE = "seo"


def get_seo(*, tenant_id: uuid.UUID, page_id: uuid.UUID) -> SeoMetadata:
    """The SEO metadata of one of the tenant's pages; 404 when the page has none."""
    seo = _find(tenant_id, page_id)
    if seo is None:
        raise NotFound("This page has no SEO metadata")
    return seo


def find_seo(*, tenant_id: uuid.UUID, page_id: uuid.UUID) -> SeoMetadata | None:
    """The SEO metadata of one of the tenant's pages, or None when it has none."""
    return _find(tenant_id, page_id)


def upsert_seo(
    *, tenant_id: uuid.UUID, page_id: uuid.UUID, data: dict[str, Any], commit: bool = True
) -> SeoMetadata:
    """Create the page's SEO metadata, or update it partially (``commit=False``: the caller commits)."""
    seo = _find(tenant_id, page_id)
    old = audit.snapshot(seo) if seo is not None else None
    if seo is None:
        seo = SeoMetadata(tenant_id=tenant_id, page_id=page_id, keywords=[])
        db.session.add(seo)
    for key, value in data.items():
        setattr(seo, key, value)
    db.session.flush()
    audit.record(
        action="create" if old is None else "update",
        resource_type=RESOURCE,
        resource_id=seo.id,
        tenant_id=tenant_id,
        old=old,
        new=audit.snapshot(seo),
    )
    if commit:
        db.session.commit()
    return seo


def delete_seo(*, tenant_id: uuid.UUID, page_id: uuid.UUID, commit: bool = True) -> None:
    """Remove the page's SEO metadata; 404 when it has none (``commit=False``: the caller commits)."""
    seo = get_seo(tenant_id=tenant_id, page_id=page_id)
    audit.record(
        action="delete",
        resource_type=RESOURCE,
        resource_id=seo.id,
        tenant_id=tenant_id,
        old=audit.snapshot(seo),
    )
    db.session.delete(seo)
    if commit:
        db.session.commit()


def _find(tenant_id: uuid.UUID, page_id: uuid.UUID) -> SeoMetadata | None:
    """The metadata row of the page, after checking the page is the tenant's (else 404)."""
    page = get_for_tenant_or_404(Page, page_id, tenant_id)
    stmt = sa.select(SeoMetadata).where(SeoMetadata.page_id == page.id, SeoMetadata.tenant_id == tenant_id)
    return db.session.scalar(stmt)
