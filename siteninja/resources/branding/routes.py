"""Branding endpoints: /api/tenants/<tenantId>/branding."""

from __future__ import annotations

import uuid

from siteninja.core.auth import require
from siteninja.core.caching import cached_response
from siteninja.core.envelope import Blueprint
from siteninja.core.tenancy import TenantView
from siteninja.resources.branding import service
from siteninja.resources.branding.schemas import BrandingSchema, BrandingUpdateSchema

blp = Blueprint(
    "branding",
    __name__,
    url_prefix="/api/tenants/<uuid:tenant_id>/branding",
    description="A tenant's colors, fonts, logo and custom CSS",
)


@blp.route("")
class TenantBranding(TenantView):
    @require(role="viewer", scope="branding:read")
    @cached_response("branding", ttl=1800)
    @blp.response(200, BrandingSchema)
    def get(self, tenant_id: uuid.UUID):
        """Get the tenant's branding."""
        return service.get_branding(tenant_id=tenant_id)

    @require(role="admin", scope="branding:write")
    @blp.arguments(BrandingUpdateSchema)
    @blp.response(200, BrandingSchema)
    def put(self, data, tenant_id: uuid.UUID):
        """Update the branding (any subset of its fields); emits branding.updated."""
        return service.update_branding(tenant_id=tenant_id, data=data)

    patch = put

    @require(role="admin", scope="branding:write")
    @blp.response(200, BrandingSchema)
    def delete(self, tenant_id: uuid.UUID):
        """Reset the branding to the defaults and return them; emits branding.updated."""
        return service.reset_branding(tenant_id=tenant_id)
