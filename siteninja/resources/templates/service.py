"""Template rules: global templates and industries, super_admin writes, preview and apply to a page."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from marshmallow import EXCLUDE

from siteninja.core import caching
from siteninja.core.auth import Principal, check
from siteninja.core.db import after_commit
from siteninja.core.envelope import Paginated
from siteninja.core.errors import Conflict, NotFound
from siteninja.core.pagination import order_by, paginate
from siteninja.core.tenancy import tenant_visible
from siteninja.extensions import db
from siteninja.resources.pages import service as pages
from siteninja.resources.pages.models import Page
from siteninja.resources.pages.service import PageWithRelations, slugify
from siteninja.resources.sections import service as sections
from siteninja.resources.seo.schemas import SeoUpdateSchema
from siteninja.resources.templates.models import Industry, PageTemplate, Template
from siteninja.services import audit
from siteninja.services.sanitize import sanitize_content

SORTABLE = {
    "name": sa.func.lower(Template.name),
    "createdAt": Template.created_at,
    "updatedAt": Template.updated_at,
}
RESOURCE = "template"
SEO_DEFAULTS = {
    "meta_title": None,
    "meta_description": None,
    "keywords": [],
    "canonical_url": None,
    "og_title": None,
    "og_description": None,
    "og_image_url": None,
    "no_index": False,
    "no_follow": False,
    "structured_data": None,
}


def list_industries(*, page: int, limit: int) -> Paginated:
    """Every industry, by name."""
    stmt = sa.select(Industry).order_by(sa.func.lower(Industry.name), Industry.id)
    return paginate(stmt, page=page, limit=limit)


def list_templates(
    *,
    page: int,
    limit: int,
    sort: str,
    category: str | None = None,
    industry: str | None = None,
    is_premium: bool | None = None,
    q: str | None = None,
) -> Paginated:
    """Templates filtered by category, industry (id or slug), premium flag and ``q``."""
    stmt = sa.select(Template)
    if category:
        stmt = stmt.where(Template.category == category)
    if industry:
        stmt = stmt.where(Template.industry_id.in_(_industry_ids(industry)))
    if is_premium is not None:
        stmt = stmt.where(Template.is_premium.is_(is_premium))
    if q:
        needle = q.lower()
        stmt = stmt.where(
            sa.or_(
                sa.func.lower(Template.name).contains(needle, autoescape=True),
                Template.slug.contains(needle, autoescape=True),
                sa.func.lower(Template.description).contains(needle, autoescape=True),
            )
        )
    stmt = stmt.order_by(*order_by(sort, SORTABLE, Template.id))
    return paginate(stmt, page=page, limit=limit)


def get_template(*, template_id: uuid.UUID) -> Template:
    """One template, else 404."""
    template = db.session.get(Template, template_id)
    if template is None:
        raise NotFound("Template not found")
    return template


def create_template(*, data: dict[str, Any]) -> Template:
    """Create a template; its slug (derived from the name if omitted) must be free (409)."""
    fields = dict(data)
    fields.setdefault("slug", slugify(fields["name"]))
    _ensure_slug_free(fields["slug"])
    _ensure_industry(fields.get("industry_id"))
    fields["structure"] = normalized_structure(fields["structure"])
    template = Template(id=uuid.uuid4(), **fields)
    db.session.add(template)
    db.session.flush()
    audit.record(
        action="create", resource_type=RESOURCE, resource_id=template.id, new=audit.snapshot(template)
    )
    db.session.commit()
    return template


def update_template(*, template_id: uuid.UUID, data: dict[str, Any]) -> Template:
    """Partial update; a new slug must be free (409)."""
    template = get_template(template_id=template_id)
    fields = dict(data)
    if fields.get("slug", template.slug) != template.slug:
        _ensure_slug_free(fields["slug"])
    if "industry_id" in fields:
        _ensure_industry(fields["industry_id"])
    if "structure" in fields:
        fields["structure"] = normalized_structure(fields["structure"])
    old = audit.snapshot(template)
    for key, value in fields.items():
        setattr(template, key, value)
    db.session.flush()
    audit.record(
        action="update",
        resource_type=RESOURCE,
        resource_id=template.id,
        old=old,
        new=audit.snapshot(template),
    )
    db.session.commit()
    return template


def delete_template(*, template_id: uuid.UUID) -> None:
    """Delete a template; pages made from it keep their sections (their ``templateId`` is cleared)."""
    template = get_template(template_id=template_id)
    old = audit.snapshot(template)
    for tenant_id in _tenants_using(template_id):
        # The database clears the pages' templateId and their template records (ON DELETE).
        after_commit(db.session(), lambda tenant_id=tenant_id: caching.invalidate(tenant_id))
    db.session.delete(template)
    db.session.flush()
    audit.record(action="delete", resource_type=RESOURCE, resource_id=template_id, old=old)
    db.session.commit()


def preview_template(*, template_id: uuid.UUID) -> dict[str, Any]:
    """The sections and SEO a page would get from the template, as the API would show them."""
    template = get_template(template_id=template_id)
    structure = template.structure or {}
    seo = structure.get("seo")
    return {
        "template_id": template.id,
        "sections": sections.prepare_structure(list(structure.get("sections") or [])),
        "seo": {**SEO_DEFAULTS, **SeoUpdateSchema(unknown=EXCLUDE).load(seo)} if seo else None,
    }


def apply_template(
    *, template_id: uuid.UUID, principal: Principal, data: dict[str, Any]
) -> PageWithRelations:
    """Apply a template to a page of ``tenantId``: 404 for another tenant or page, then the rights
    of a section write (editor / ``pages:write``), then the plan (premium)."""
    template = get_template(template_id=template_id)
    tenant_id = data["tenant_id"]
    if not tenant_visible(principal, tenant_id):
        raise NotFound("Tenant not found", details=[{"field": "tenantId", "message": "No such tenant"}])
    try:
        pages.ensure_page(tenant_id=tenant_id, page_id=data["page_id"])
    except NotFound as error:
        raise NotFound("Page not found", details=[{"field": "pageId", "message": "No such page"}]) from error
    check(principal, role="editor", scope="pages:write")
    return pages.apply_template(
        tenant_id=tenant_id, page_id=data["page_id"], template=template, mode=data["mode"]
    )


def normalized_structure(structure: dict[str, Any]) -> dict[str, Any]:
    """A loaded structure as stored: wire (camelCase) keys, sanitized rich text, SEO only if given."""
    stored: dict[str, Any] = {
        "sections": [
            {"type": spec["type"], "content": sanitize_content(spec.get("content") or {})}
            for spec in structure.get("sections") or []
        ]
    }
    if structure.get("seo"):
        stored["seo"] = SeoUpdateSchema().dump(structure["seo"])
    return stored


def _tenants_using(template_id: uuid.UUID) -> set[uuid.UUID]:
    pages_of = sa.select(Page.tenant_id).where(Page.template_id == template_id)
    records_of = sa.select(PageTemplate.tenant_id).where(PageTemplate.template_id == template_id)
    return set(db.session.scalars(sa.union(pages_of, records_of)))


def _industry_ids(industry: str) -> sa.Select:
    """Ids of the industries named by ``industry``: an id or a slug."""
    try:
        return sa.select(Industry.id).where(Industry.id == uuid.UUID(industry))
    except ValueError:
        return sa.select(Industry.id).where(Industry.slug == industry.lower())


def _ensure_industry(industry_id: uuid.UUID | None) -> None:
    if industry_id is not None and db.session.get(Industry, industry_id) is None:
        raise NotFound("Industry not found", details=[{"field": "industryId", "message": "No such industry"}])


def _ensure_slug_free(slug: str) -> None:
    if db.session.scalar(sa.select(Template.id).where(Template.slug == slug)) is not None:
        raise Conflict(
            "A template with that slug already exists",
            details=[{"field": "slug", "message": "Already taken"}],
        )
