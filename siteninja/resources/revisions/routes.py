"""Revision endpoints: /api/tenants/<tenantId>/pages/<pageId>/revisions."""

from __future__ import annotations

import uuid
from typing import Any

from siteninja.core.auth import require
from siteninja.core.envelope import Blueprint, ErrorEnvelopeSchema
from siteninja.core.tenancy import TenantView
from siteninja.resources.revisions import service
from siteninja.resources.revisions.schemas import (
    RestoredPageSchema,
    RevisionDetailSchema,
    RevisionQueryArgsSchema,
    RevisionSchema,
)

blp = Blueprint(
    "revisions",
    __name__,
    url_prefix="/api/tenants/<uuid:tenant_id>/pages/<uuid:page_id>/revisions",
    description=(
        "The history of a page: every committed change to it, its sections or its SEO records one "
        "revision (at most one per request); the newest `PAGE_REVISIONS_KEPT` (default 50) are kept."
    ),
)


class RevisionView(TenantView):
    """A view under one page: 401, then 404 for another tenant or its page, before the body is read."""

    def check_scope(self, **kwargs: Any) -> None:
        service.ensure_page(tenant_id=kwargs["tenant_id"], page_id=kwargs["page_id"])


@blp.route("")
class RevisionList(RevisionView):
    @require(role="viewer", scope="pages:read")
    @blp.arguments(RevisionQueryArgsSchema, location="query")
    @blp.response(200, RevisionSchema(many=True))
    def get(self, args: dict[str, Any], tenant_id: uuid.UUID, page_id: uuid.UUID):
        """List a page's revisions, newest first (without their snapshots)."""
        return service.list_revisions(tenant_id=tenant_id, page_id=page_id, **args)


@blp.route("/<uuid:revision_id>")
class RevisionDetail(RevisionView):
    @require(role="viewer", scope="pages:read")
    @blp.response(200, RevisionDetailSchema)
    def get(self, tenant_id: uuid.UUID, page_id: uuid.UUID, revision_id: uuid.UUID):
        """Get a revision with its snapshot {page, sections, seo}."""
        return service.get_revision(tenant_id=tenant_id, page_id=page_id, revision_id=revision_id)


@blp.route("/<uuid:revision_id>/restore")
class RevisionRestore(RevisionView):
    @require(role="editor", scope="pages:write")
    @blp.response(200, RestoredPageSchema)
    @blp.alt_response(
        409, schema=ErrorEnvelopeSchema, description="The revision's slug is now another page's"
    )
    def post(self, tenant_id: uuid.UUID, page_id: uuid.UUID, revision_id: uuid.UUID):
        """Restore a revision: the page's fields, sections and SEO as recorded (itself a new revision)."""
        return service.restore_revision(tenant_id=tenant_id, page_id=page_id, revision_id=revision_id)
