"""AI rules: which tenant and page a request may use, and saving a generated page as a draft."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from siteninja.core.auth import Principal, check
from siteninja.core.errors import NotFound, ValidationFailed
from siteninja.core.tenancy import tenant_visible
from siteninja.extensions import db
from siteninja.resources.pages import service as pages
from siteninja.resources.seo.schemas import SeoUpdateSchema
from siteninja.resources.templates.models import Industry, Template
from siteninja.resources.tenants.models import Tenant
from siteninja.services import ai, plans
from siteninja.services.ai import text
from siteninja.services.ai.seo import SeoInput

HEADING_KEYS = ("title", "heading", "headline")


def content_optimize(*, data: dict[str, Any]) -> dict[str, Any]:
    """Readability, keyword density, suggestions and an optimized copy of the given content."""
    return ai.optimize_content(content=data["content"], tone=data["tone"], keywords=data["target_keywords"])


def seo_optimize(*, principal: Principal, data: dict[str, Any]) -> dict[str, Any]:
    """Review a page's SEO: a page of the caller's tenant by ``pageId``, or the fields given."""
    if "page_id" in data:
        tenant_id = tenant_for(principal, data.get("tenant_id"))
        return ai.optimize_seo(_page_input(principal, tenant_id, data["page_id"]))
    content = data.get("content") or ""
    return ai.optimize_seo(
        SeoInput(
            title=data.get("title") or "",
            meta_description=data.get("meta_description") or "",
            content=text.html_to_text(content),
            keywords=data.get("keywords") or [],
            headings=[*(data.get("headings") or []), *text.html_headings(content)],
        )
    )


def generate_page(*, principal: Principal, data: dict[str, Any]) -> dict[str, Any]:
    """A page for the prompt from the best template the tenant's plan allows; saved as a draft
    (plan page limit, audit and events as for any page) when ``create`` is true."""
    tenant_id = tenant_for(principal, data.get("tenant_id"))
    if data["create"]:
        check(principal, role="editor", scope="pages:write")
    industries = dict(db.session.execute(sa.select(Industry.slug, Industry.name)).all())
    result = ai.generate_page(
        prompt=data["prompt"],
        industry=_industry_slug(data.get("industry")),
        industries=industries,
        candidates=_candidates(tenant_id),
    )
    template = result.pop("template")
    result["template_id"] = template["id"] if template else None
    result["slug"] = pages.slugify(result["title"])
    if data["create"]:
        result["page"] = _save(principal, tenant_id, result)
        result["slug"] = result["page"].slug
    return result


def tenant_for(principal: Principal, tenant_id: uuid.UUID | None) -> uuid.UUID:
    """The tenant named (default: the caller's own); 404 if the caller may not see it."""
    tenant_id = tenant_id or principal.tenant_id
    if tenant_id is None:
        raise ValidationFailed("Name the tenant: you do not belong to one", field="tenantId")
    if not tenant_visible(principal, tenant_id):
        raise NotFound("Tenant not found", details=[{"field": "tenantId", "message": "No such tenant"}])
    return tenant_id


def _page_input(principal: Principal, tenant_id: uuid.UUID, page_id: uuid.UUID) -> SeoInput:
    try:
        page = pages.get_page(tenant_id=tenant_id, page_id=page_id, include=["sections", "seo"])
    except NotFound as error:
        raise NotFound("Page not found", details=[{"field": "pageId", "message": "No such page"}]) from error
    check(principal, role="viewer", scope="pages:read")
    visible = [s.content for s in page.sections if s.is_visible]
    seo = page.seo
    return SeoInput(
        title=(seo.meta_title if seo else None) or page.title,
        meta_description=(seo.meta_description if seo else None) or page.description or "",
        content="\n\n".join(text.html_to_text(value) for value in _strings(visible) if value.strip()),
        keywords=list(seo.keywords or []) if seo else [],
        headings=_headings(visible),
        site_name=db.session.scalar(sa.select(Tenant.name).where(Tenant.id == tenant_id)) or "",
    )


def _headings(contents: list[dict[str, Any]]) -> list[str]:
    found = []
    for content in contents:
        found += [content[key] for key in HEADING_KEYS if isinstance(content.get(key), str) and content[key]]
        found += [h for value in _strings([content]) for h in text.html_headings(value)]
    return found


def _strings(value: Any) -> list[str]:
    """Every string inside a JSON value, depth first."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def _industry_slug(industry: str | None) -> str | None:
    """The slug of the industry named by id or slug; 422 when there is none."""
    if industry is None:
        return None
    try:
        condition = Industry.id == uuid.UUID(industry)
    except ValueError:
        condition = Industry.slug == industry.lower()
    slug = db.session.scalar(sa.select(Industry.slug).where(condition))
    if slug is None:
        raise ValidationFailed("No such industry", field="industry")
    return slug


def _candidates(tenant_id: uuid.UUID) -> list[dict[str, Any]]:
    """Every template the tenant's plan allows, with its industry (one query)."""
    stmt = sa.select(Template, Industry.slug).outerjoin(Industry, Industry.id == Template.industry_id)
    if not plans.limits_for(tenant_id)["premium_templates"]:
        stmt = stmt.where(Template.is_premium.is_(False))
    return [
        {
            "id": template.id,
            "slug": template.slug,
            "name": template.name,
            "description": template.description,
            "category": template.category,
            "industry_slug": industry_slug,
            "structure": template.structure or {},
        }
        for template, industry_slug in db.session.execute(stmt.order_by(Template.slug))
    ]


def _save(principal: Principal, tenant_id: uuid.UUID, result: dict[str, Any]) -> Any:
    data: dict[str, Any] = {"title": result["title"], "status": "draft"}
    if result["template_id"]:
        data["template_id"] = result["template_id"]
    structure = {"sections": result["sections"], "seo": SeoUpdateSchema().dump(result["seo"])}
    page = pages.create_page(tenant_id=tenant_id, principal=principal, data=data, structure=structure)
    return pages.get_page(tenant_id=tenant_id, page_id=page.id, include=["sections", "seo", "template"])
