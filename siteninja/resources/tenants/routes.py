"""Tenant endpoints: /api/tenants."""

from __future__ import annotations

import uuid

from flask import url_for
from flask.views import MethodView

from siteninja.core.auth import current_principal
from siteninja.core.envelope import Blueprint
from siteninja.resources.tenants import service
from siteninja.resources.tenants.schemas import (
    TenantCreateSchema,
    TenantQueryArgsSchema,
    TenantSchema,
    TenantUpdateSchema,
)

blp = Blueprint("tenants", __name__, url_prefix="/api/tenants", description="Tenants (sites)")


@blp.route("")
class TenantList(MethodView):
    @blp.arguments(TenantQueryArgsSchema, location="query")
    @blp.response(200, TenantSchema(many=True))
    def get(self, args):
        """List tenants (super_admin: all; others: their own)."""
        return service.list_tenants(principal=current_principal(), **args)

    @blp.arguments(TenantCreateSchema)
    @blp.response(201, TenantSchema)
    def post(self, data):
        """Create a tenant with its branding, domains and free subscription."""
        tenant = service.create_tenant(data=data)
        return tenant, {"Location": url_for("tenants.TenantDetail", tenant_id=tenant.id)}


@blp.route("/<uuid:tenant_id>")
class TenantDetail(MethodView):
    @blp.response(200, TenantSchema)
    def get(self, tenant_id: uuid.UUID):
        """Get a tenant."""
        return service.get_tenant(tenant_id, principal=current_principal())

    @blp.arguments(TenantUpdateSchema)
    @blp.response(200, TenantSchema)
    def put(self, data, tenant_id: uuid.UUID):
        """Update a tenant (any subset of its writable fields)."""
        tenant = service.get_tenant(tenant_id, principal=current_principal())
        return service.update_tenant(tenant, principal=current_principal(), data=data)

    patch = put

    @blp.response(204)
    def delete(self, tenant_id: uuid.UUID):
        """Soft-delete a tenant; its sites stop resolving at once."""
        service.delete_tenant(service.get_tenant(tenant_id, principal=current_principal()))
