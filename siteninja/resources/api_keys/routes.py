"""API key endpoints: /api/tenants/<tenantId>/api-keys (owner/admin; never reachable by a key)."""

from __future__ import annotations

import uuid
from typing import Any

from flask import url_for

from siteninja.core.auth import authenticated, require
from siteninja.core.envelope import Blueprint
from siteninja.core.tenancy import TenantView
from siteninja.resources.api_keys import service
from siteninja.resources.api_keys.schemas import (
    ApiKeyCreatedSchema,
    ApiKeyCreateSchema,
    ApiKeyQueryArgsSchema,
    ApiKeyRotateSchema,
    ApiKeySchema,
    ApiKeyUsageSchema,
    UsageArgsSchema,
)

blp = Blueprint(
    "api_keys",
    __name__,
    url_prefix="/api/tenants/<uuid:tenant_id>/api-keys",
    description="API keys for integrators (sn_live_…/sn_test_…, with scopes and their own rate limit)",
)


class ApiKeyView(TenantView):
    """A view of one key: 404 for another tenant's key before the body is read."""

    def check_scope(self, **kwargs: Any) -> None:
        service.get_key(tenant_id=kwargs["tenant_id"], key_id=kwargs["key_id"])


def _location(api_key: Any) -> dict[str, str]:
    return {"Location": url_for("api_keys.ApiKeyDetail", tenant_id=api_key.tenant_id, key_id=api_key.id)}


@blp.route("")
class ApiKeyList(TenantView):
    @require(role="admin")
    @blp.arguments(ApiKeyQueryArgsSchema, location="query")
    @blp.response(200, ApiKeySchema(many=True))
    def get(self, args: dict[str, Any], tenant_id: uuid.UUID):
        """List the tenant's keys (prefix and last4 only; ?includeRevoked=true adds revoked ones)."""
        return service.list_keys(tenant_id=tenant_id, **args)

    @require(role="admin")
    @blp.arguments(ApiKeyCreateSchema)
    @blp.response(201, ApiKeyCreatedSchema)
    def post(self, data: dict[str, Any], tenant_id: uuid.UUID):
        """Create a key; the response carries the full key in `key`, this once."""
        api_key = service.create_key(tenant_id=tenant_id, principal=authenticated(), data=data)
        return api_key, _location(api_key)


@blp.route("/<uuid:key_id>")
class ApiKeyDetail(ApiKeyView):
    @require(role="admin")
    @blp.response(200, ApiKeySchema)
    def get(self, tenant_id: uuid.UUID, key_id: uuid.UUID):
        """Get one key (never its secret)."""
        return service.get_key(tenant_id=tenant_id, key_id=key_id)

    @require(role="admin")
    @blp.response(204)
    def delete(self, tenant_id: uuid.UUID, key_id: uuid.UUID):
        """Revoke a key: refused from the next request on, in every process."""
        service.revoke_key(tenant_id=tenant_id, key_id=key_id)


@blp.route("/<uuid:key_id>/rotate")
class ApiKeyRotate(ApiKeyView):
    @require(role="admin")
    @blp.arguments(ApiKeyRotateSchema, required=False)
    @blp.response(201, ApiKeyCreatedSchema)
    def post(self, data: dict[str, Any] | None, tenant_id: uuid.UUID, key_id: uuid.UUID):
        """Replace a key; the old one keeps working for gracePeriodHours (default 24, 0: at once)."""
        grace = (data or {}).get("grace_period_hours", 24)
        api_key = service.rotate_key(
            tenant_id=tenant_id, key_id=key_id, principal=authenticated(), grace_period_hours=grace
        )
        return api_key, _location(api_key)


@blp.route("/<uuid:key_id>/usage")
class ApiKeyUsage(ApiKeyView):
    @require(role="admin")
    @blp.arguments(UsageArgsSchema, location="query")
    @blp.response(200, ApiKeyUsageSchema)
    def get(self, args: dict[str, Any], tenant_id: uuid.UUID, key_id: uuid.UUID):
        """Requests made with the key over the last `days` days (default 30), by day and route."""
        return service.key_usage(tenant_id=tenant_id, key_id=key_id, days=args["days"])
