"""Navigation endpoints: /api/tenants/<tenantId>/navigation."""

from __future__ import annotations

import uuid

from flask import url_for

from siteninja.core.auth import require
from siteninja.core.caching import cached_response
from siteninja.core.envelope import Blueprint
from siteninja.core.tenancy import TenantView
from siteninja.resources.navigation import service
from siteninja.resources.navigation.schemas import (
    NavItemCreateSchema,
    NavItemSchema,
    NavItemUpdateSchema,
    NavQueryArgsSchema,
    NavReorderSchema,
)

blp = Blueprint(
    "navigation",
    __name__,
    url_prefix="/api/tenants/<uuid:tenant_id>/navigation",
    description="Navigation menus (header and footer, up to three levels)",
)


@blp.route("")
class NavigationList(TenantView):
    @require(role="viewer", scope="navigation:read")
    @cached_response("navigation", ttl=600)
    @blp.arguments(NavQueryArgsSchema, location="query")
    @blp.response(200, NavItemSchema(many=True))
    def get(self, args, tenant_id: uuid.UUID):
        """List navigation items ordered by location, parent and sortOrder; ?tree=true nests them."""
        return service.list_items(tenant_id=tenant_id, **args)

    @require(role="editor", scope="navigation:write")
    @blp.arguments(NavItemCreateSchema)
    @blp.response(201, NavItemSchema)
    def post(self, data, tenant_id: uuid.UUID):
        """Create a navigation item linking to exactly one of a url or a page."""
        item = service.create_item(tenant_id=tenant_id, data=data)
        return item, {"Location": url_for("navigation.NavigationDetail", tenant_id=tenant_id, nav_id=item.id)}


@blp.route("/reorder")
class NavigationReorder(TenantView):
    @require(role="editor", scope="navigation:write")
    @blp.arguments(NavReorderSchema)
    @blp.response(200, NavItemSchema(many=True))
    def put(self, data, tenant_id: uuid.UUID):
        """Reorder the items directly under parentId (null: the roots); order must list exactly them."""
        return service.reorder(tenant_id=tenant_id, **data)


@blp.route("/<uuid:nav_id>")
class NavigationDetail(TenantView):
    @require(role="viewer", scope="navigation:read")
    @blp.response(200, NavItemSchema)
    def get(self, tenant_id: uuid.UUID, nav_id: uuid.UUID):
        """Get a navigation item."""
        return service.get_item(tenant_id=tenant_id, nav_id=nav_id)

    @require(role="editor", scope="navigation:write")
    @blp.arguments(NavItemUpdateSchema)
    @blp.response(200, NavItemSchema)
    def put(self, data, tenant_id: uuid.UUID, nav_id: uuid.UUID):
        """Update a navigation item (any subset of its writable fields); moving it moves its children."""
        return service.update_item(service.get_item(tenant_id=tenant_id, nav_id=nav_id), data=data)

    patch = put

    @require(role="editor", scope="navigation:write")
    @blp.response(204)
    def delete(self, tenant_id: uuid.UUID, nav_id: uuid.UUID):
        """Delete a navigation item and, with it, its children."""
        service.delete_item(service.get_item(tenant_id=tenant_id, nav_id=nav_id))
