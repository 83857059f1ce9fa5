"""SEO endpoints: /api/tenants/<tenantId>/pages/<pageId>/seo."""

from __future__ import annotations

import uuid

from siteninja.core.auth import require
from siteninja.core.envelope import Blueprint
from siteninja.core.tenancy import TenantView
from siteninja.resources.seo import service
from siteninja.resources.seo.schemas import SeoSchema, SeoUpdateSchema

blp = Blueprint(
    "seo",
    __name__,
    url_prefix="/api/tenants/<uuid:tenant_id>/pages/<uuid:page_id>/seo",
    description="Search-engine metadata of a page",
)


@blp.route("")
class PageSeo(TenantView):
    @require(role="viewer", scope="pages:read")
    @blp.response(200, SeoSchema)
    def get(self, tenant_id: uuid.UUID, page_id: uuid.UUID):
        """Get a page's SEO metadata (404 when none is set)."""
        return service.get_seo(tenant_id=tenant_id, page_id=page_id)

    @require(role="editor", scope="pages:write")
    @blp.arguments(SeoUpdateSchema)
    @blp.response(200, SeoSchema)
    def put(self, data, tenant_id: uuid.UUID, page_id: uuid.UUID):
        """Create or update a page's SEO metadata (200 either way; any subset of its fields)."""
        return service.upsert_seo(tenant_id=tenant_id, page_id=page_id, data=data)

    patch = put

    @require(role="editor", scope="pages:write")
    @blp.response(204)
    def delete(self, tenant_id: uuid.UUID, page_id: uuid.UUID):
        """Remove a page's SEO metadata."""
        service.delete_seo(tenant_id=tenant_id, page_id=page_id)
