"""Redirect endpoints: /api/tenants/<tenantId>/redirects."""

from __future__ import annotations

import uuid
from typing import Any

from flask import url_for

from siteninja.core.auth import require
from siteninja.core.envelope import Blueprint
from siteninja.core.tenancy import TenantView
from siteninja.resources.redirects import service
from siteninja.resources.redirects.schemas import (
    RedirectCreateSchema,
    RedirectQueryArgsSchema,
    RedirectSchema,
)

blp = Blueprint(
    "redirects",
    __name__,
    url_prefix="/api/tenants/<uuid:tenant_id>/redirects",
    description=(
        "Redirects from one site path to another. Paths start with `/` (no scheme, host, query, `..` "
        "or whitespace; at most 255 characters) and are stored without a trailing slash. `fromPath` "
        "is unique per tenant (409). Chains are collapsed on write (A→B then B→C stores A→C); a "
        "redirect to itself or one that would loop → 422. Renaming a published page adds a 301 from "
        "its old path by itself."
    ),
)


class RedirectView(TenantView):
    """A view of one redirect: 404 for another tenant's, before anything else is read."""

    def check_scope(self, **kwargs: Any) -> None:
        service.ensure_redirect(tenant_id=kwargs["tenant_id"], redirect_id=kwargs["redirect_id"])


@blp.route("")
class RedirectList(TenantView):
    @require(role="viewer", scope="pages:read")
    @blp.arguments(RedirectQueryArgsSchema, location="query")
    @blp.response(200, RedirectSchema(many=True))
    def get(self, args: dict[str, Any], tenant_id: uuid.UUID):
        """List redirects (sort fromPath|createdAt)."""
        return service.list_redirects(tenant_id=tenant_id, **args)

    @require(role="editor", scope="pages:write")
    @blp.arguments(RedirectCreateSchema)
    @blp.response(201, RedirectSchema)
    def post(self, data: dict[str, Any], tenant_id: uuid.UUID):
        """Create a redirect (statusCode 301 or 302, default 301); chains through it are collapsed."""
        redirect = service.create_redirect(tenant_id=tenant_id, data=data)
        location = url_for("redirects.RedirectDetail", tenant_id=tenant_id, redirect_id=redirect.id)
        return redirect, {"Location": location}


@blp.route("/<uuid:redirect_id>")
class RedirectDetail(RedirectView):
    @require(role="viewer", scope="pages:read")
    @blp.response(200, RedirectSchema)
    def get(self, tenant_id: uuid.UUID, redirect_id: uuid.UUID):
        """Get a redirect."""
        return service.get_redirect(tenant_id=tenant_id, redirect_id=redirect_id)

    @require(role="editor", scope="pages:write")
    @blp.response(204)
    def delete(self, tenant_id: uuid.UUID, redirect_id: uuid.UUID):
        """Delete a redirect."""
        service.delete_redirect(tenant_id=tenant_id, redirect_id=redirect_id)
