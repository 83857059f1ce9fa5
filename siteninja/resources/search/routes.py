"""Search endpoint: /api/tenants/<tenantId>/search."""

from __future__ import annotations

import uuid
from typing import Any

from siteninja.core.auth import require
from siteninja.core.envelope import Blueprint
from siteninja.core.tenancy import TenantView
from siteninja.resources.search import service
from siteninja.resources.search.schemas import SearchArgsSchema, SearchHitSchema

blp = Blueprint(
    "search",
    __name__,
    url_prefix="/api/tenants/<uuid:tenant_id>/search",
    description=(
        "Ranked full-text search over page titles (weight A), descriptions and SEO (B) and section "
        "text (C; rich text without its tags), every status unless `status` is given."
    ),
)


@blp.route("")
class Search(TenantView):
    @require(role="viewer", scope="pages:read")
    @blp.arguments(SearchArgsSchema, location="query")
    @blp.response(200, SearchHitSchema(many=True))
    def get(self, args: dict[str, Any], tenant_id: uuid.UUID):
        """Search the tenant's pages (q 1-200 characters; filter status; paginated)."""
        return service.search_pages(tenant_id=tenant_id, **args)
