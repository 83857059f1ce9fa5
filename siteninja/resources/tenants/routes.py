"""Tenant endpoints: /api/tenants."""

from __future__ import annotations

import uuid

from flask import url_for
from flask.views import MethodView

from siteninja.core.auth import authenticated, require
from siteninja.core.caching import cached_response
from siteninja.core.envelope import Blueprint
from siteninja.core.tenancy import TenantView
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
    @require(role="viewer")
    @blp.arguments(TenantQueryArgsSchema, location="query")
    @blp.response(200, TenantSchema(many=True))
    def get(self, args):
        """List tenants (super_admin: all; others: their own)."""
        return service.list_tenants(principal=authenticated(), **args)

    @require(role="super_admin")
    @blp.arguments(TenantCreateSchema)
    @blp.response(201, TenantSchema)
    @blp.alt_response(409, response="Conflict", description="The subdomain or custom domain is taken")
    def post(self, data):
        """Create a tenant with its branding, domains and free subscription."""
        tenant = service.create_tenant(data=data)
        return tenant, {"Location": url_for("tenants.TenantDetail", tenant_id=tenant.id)}


@blp.route("/<uuid:tenant_id>")
class TenantDetail(TenantView):
    @require(role="viewer")
    @cached_response("tenant", ttl=300)
    @blp.response(200, TenantSchema)
    def get(self, tenant_id: uuid.UUID):
        """Get a tenant."""
        return service.get_tenant(tenant_id, principal=authenticated())

    @require(role="owner")
    @blp.arguments(TenantUpdateSchema)
    @blp.response(200, TenantSchema)
    @blp.alt_response(409, response="Conflict", description="The subdomain or custom domain is taken")
    def put(self, data, tenant_id: uuid.UUID):
        """Update a tenant (any subset of its writable fields)."""
        tenant = service.get_tenant(tenant_id, principal=authenticated())
        return service.update_tenant(tenant, principal=authenticated(), data=data)

    patch = put

    @require(role="owner")
    @blp.response(204)
    def delete(self, tenant_id: uuid.UUID):
        """Soft-delete a tenant; its sites stop resolving at once."""
        service.delete_tenant(service.get_tenant(tenant_id, principal=authenticated()))
