"""Section endpoints: /api/tenants/<tenantId>/pages/<pageId>/sections."""

from __future__ import annotations

import uuid
from typing import Any

from flask import url_for

from siteninja.core.auth import require
from siteninja.core.caching import cached_response
from siteninja.core.envelope import Blueprint
from siteninja.core.tenancy import TenantView
from siteninja.resources.sections import service
from siteninja.resources.sections.schemas import (
    SectionBulkResultSchema,
    SectionBulkSchema,
    SectionCreateSchema,
    SectionQueryArgsSchema,
    SectionReorderSchema,
    SectionSchema,
    SectionUpdateSchema,
)

blp = Blueprint(
    "sections",
    __name__,
    url_prefix="/api/tenants/<uuid:tenant_id>/pages/<uuid:page_id>/sections",
    description="Sections of a page",
)


class SectionView(TenantView):
    """A view under one page: 401, then 404 for another tenant, page or section, before the body is read."""

    def check_scope(self, **kwargs: Any) -> None:
        service.ensure_in_scope(
            tenant_id=kwargs["tenant_id"], page_id=kwargs["page_id"], section_id=kwargs.get("section_id")
        )


@blp.route("")
class SectionList(SectionView):
    @require(role="viewer", scope="pages:read")
    @cached_response("sections", ttl=120)
    @blp.arguments(SectionQueryArgsSchema, location="query")
    @blp.response(200, SectionSchema(many=True))
    def get(self, args: dict[str, Any], tenant_id: uuid.UUID, page_id: uuid.UUID):
        """List a page's sections in display order (default limit 100)."""
        return service.list_sections(tenant_id=tenant_id, page_id=page_id, **args)

    @require(role="editor", scope="pages:write")
    @blp.arguments(SectionCreateSchema)
    @blp.response(201, SectionSchema)
    def post(self, data: dict[str, Any], tenant_id: uuid.UUID, page_id: uuid.UUID):
        """Add a section at the end, or at sortOrder (later sections move down)."""
        section = service.create_section(tenant_id=tenant_id, page_id=page_id, data=data)
        location = url_for(
            "sections.SectionDetail", tenant_id=tenant_id, page_id=page_id, section_id=section.id
        )
        return section, {"Location": location}


@blp.route("/reorder")
class SectionReorder(SectionView):
    @require(role="editor", scope="pages:write")
    @blp.arguments(SectionReorderSchema)
    @blp.response(200, SectionSchema(many=True))
    def put(self, data: dict[str, Any], tenant_id: uuid.UUID, page_id: uuid.UUID):
        """Reorder all of the page's sections at once; the order must list each exactly once."""
        return service.reorder_sections(tenant_id=tenant_id, page_id=page_id, order=data["order"])


@blp.route("/bulk")
class SectionBulk(SectionView):
    @require(role="editor", scope="pages:write")
    @blp.arguments(SectionBulkSchema)
    @blp.response(200, SectionBulkResultSchema)
    def post(self, data: dict[str, Any], tenant_id: uuid.UUID, page_id: uuid.UUID):
        """Apply up to 100 create/update/delete operations, all or nothing; one result per operation."""
        return service.bulk_sections(tenant_id=tenant_id, page_id=page_id, operations=data["operations"])


@blp.route("/<uuid:section_id>")
class SectionDetail(SectionView):
    @require(role="viewer", scope="pages:read")
    @blp.response(200, SectionSchema)
    def get(self, tenant_id: uuid.UUID, page_id: uuid.UUID, section_id: uuid.UUID):
        """Get a section."""
        return service.get_section(tenant_id=tenant_id, page_id=page_id, section_id=section_id)

    @require(role="editor", scope="pages:write")
    @blp.arguments(SectionUpdateSchema)
    @blp.response(200, SectionSchema)
    def put(self, data: dict[str, Any], tenant_id: uuid.UUID, page_id: uuid.UUID, section_id: uuid.UUID):
        """Update a section (any subset of its writable fields); sortOrder moves it."""
        return service.update_section(tenant_id=tenant_id, page_id=page_id, section_id=section_id, data=data)

    patch = put

    @require(role="editor", scope="pages:write")
    @blp.response(204)
    def delete(self, tenant_id: uuid.UUID, page_id: uuid.UUID, section_id: uuid.UUID):
        """Delete a section; the sections after it move up."""
        service.delete_section(tenant_id=tenant_id, page_id=page_id, section_id=section_id)
