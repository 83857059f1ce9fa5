"""Page endpoints: /api/tenants/<tenantId>/pages."""

from __future__ import annotations

import uuid
from typing import Any

from flask import url_for

from siteninja.core.auth import authenticated, require
from siteninja.core.caching import cached_response
from siteninja.core.envelope import Blueprint
from siteninja.core.tenancy import TenantView
from siteninja.resources.pages import service
from siteninja.resources.pages.schemas import (
    PageCreateSchema,
    PageDetailSchema,
    PageIncludeArgsSchema,
    PageQueryArgsSchema,
    PageSchema,
    PageUpdateSchema,
    PreviewLinkCreateSchema,
    PreviewLinkSchema,
)

blp = Blueprint(
    "pages", __name__, url_prefix="/api/tenants/<uuid:tenant_id>/pages", description="Pages of a site"
)


class PageView(TenantView):
    """A view of one page: 401, then 404 for another tenant or its page, before the body is read."""

    def check_scope(self, **kwargs: Any) -> None:
        service.ensure_page(tenant_id=kwargs["tenant_id"], page_id=kwargs["page_id"])


def _location(page: Any) -> dict[str, str]:
    return {"Location": url_for("pages.PageDetail", tenant_id=page.tenant_id, page_id=page.id)}


@blp.route("")
class PageList(TenantView):
    @require(role="viewer", scope="pages:read")
    @cached_response("pages", ttl=120)
    @blp.arguments(PageQueryArgsSchema, location="query")
    @blp.response(200, PageSchema(many=True))
    def get(self, args: dict[str, Any], tenant_id: uuid.UUID):
        """List pages (filters status, q; sort title|createdAt|updatedAt|sortOrder)."""
        return service.list_pages(tenant_id=tenant_id, **args)

    @require(role="editor", scope="pages:write")
    @blp.arguments(PageCreateSchema)
    @blp.response(201, PageSchema)
    @blp.alt_response(409, response="Conflict", description="The slug is taken")
    def post(self, data: dict[str, Any], tenant_id: uuid.UUID):
        """Create a page, optionally from a template (slug derived from the title if omitted)."""
        page = service.create_page(tenant_id=tenant_id, principal=authenticated(), data=data)
        return page, _location(page)


@blp.route("/<uuid:page_id>")
class PageDetail(PageView):
    @require(role="viewer", scope="pages:read")
    @cached_response("page", ttl=300)
    @blp.arguments(PageIncludeArgsSchema, location="query")
    @blp.response(200, PageDetailSchema)
    def get(self, args: dict[str, Any], tenant_id: uuid.UUID, page_id: uuid.UUID):
        """Get a page; ?include=sections,seo embeds its sections and SEO."""
        return service.get_page(tenant_id=tenant_id, page_id=page_id, include=args["include"])

    @require(role="editor", scope="pages:write")
    @blp.arguments(PageUpdateSchema)
    @blp.response(200, PageSchema)
    @blp.alt_response(409, response="Conflict", description="The slug is taken")
    def put(self, data: dict[str, Any], tenant_id: uuid.UUID, page_id: uuid.UUID):
        """Update a page (any subset of its writable fields); publishing emits page.published."""
        return service.update_page(tenant_id=tenant_id, page_id=page_id, data=data)

    patch = put

    @require(role="editor", scope="pages:write")
    @blp.response(204)
    def delete(self, tenant_id: uuid.UUID, page_id: uuid.UUID):
        """Delete a page with its sections, SEO and navigation items."""
        service.delete_page(tenant_id=tenant_id, page_id=page_id)


@blp.route("/slug/<string:slug>")
class PageBySlug(TenantView):
    @require(role="viewer", scope="pages:read")
    @cached_response("page", ttl=300)
    @blp.arguments(PageIncludeArgsSchema, location="query")
    @blp.response(200, PageDetailSchema)
    def get(self, args: dict[str, Any], tenant_id: uuid.UUID, slug: str):
        """Get a page by its slug; ?include=sections,seo embeds its sections and SEO."""
        return service.get_page_by_slug(tenant_id=tenant_id, slug=slug, include=args["include"])


@blp.route("/<uuid:page_id>/duplicate")
class PageDuplicate(PageView):
    @require(role="editor", scope="pages:write")
    @blp.response(201, PageSchema)
    def post(self, tenant_id: uuid.UUID, page_id: uuid.UUID):
        """Copy a page with its sections and SEO as a draft (slug <slug>-copy, -copy-2, …)."""
        page = service.duplicate_page(tenant_id=tenant_id, page_id=page_id, principal=authenticated())
        return page, _location(page)


@blp.route("/<uuid:page_id>/reset-template")
class PageResetTemplate(PageView):
    @require(role="editor", scope="pages:write")
    @blp.response(200, PageDetailSchema)
    def post(self, tenant_id: uuid.UUID, page_id: uuid.UUID):
        """Restore the sections of the template last applied to the page (422 if none)."""
        return service.reset_template(tenant_id=tenant_id, page_id=page_id)


@blp.route("/<uuid:page_id>/preview-links")
class PagePreviewLinks(PageView):
    @require(role="editor", scope="pages:write")
    @blp.arguments(PreviewLinkCreateSchema)
    @blp.response(201, PreviewLinkSchema)
    def post(self, data: dict[str, Any], tenant_id: uuid.UUID, page_id: uuid.UUID):
        """Create a preview link: the page as it is now, draft or not, without credentials."""
        link = service.issue_preview_link(tenant_id=tenant_id, page_id=page_id, **data)
        url = url_for("sites.SitePreview", host=link["host"], token=link["token"], _external=True)
        return {**link, "url": url}, {"Location": url}

    @require(role="editor", scope="pages:write")
    @blp.response(204)
    def delete(self, tenant_id: uuid.UUID, page_id: uuid.UUID):
        """Revoke every preview link of the page issued so far."""
        service.revoke_preview_links(tenant_id=tenant_id, page_id=page_id)
