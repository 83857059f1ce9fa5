"""Audit log endpoints: /api/tenants/{tenantId}/audit and the global /api/audit."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Response, request, stream_with_context
from flask.views import MethodView

from siteninja.core.auth import require
from siteninja.core.envelope import Blueprint
from siteninja.core.tenancy import TenantView
from siteninja.resources.audit import service
from siteninja.resources.audit.schemas import (
    AuditEntrySchema,
    AuditQueryArgsSchema,
    GlobalAuditQueryArgsSchema,
)

blp = Blueprint("audit", __name__, url_prefix="/api", description="Audit log")


def _listing(args: dict[str, Any]) -> Any:
    """JSON page, or the whole filtered log as streamed CSV when asked for."""
    wants_csv = args.pop("format") == "csv" or request.accept_mimetypes.best == "text/csv"
    if not wants_csv:
        return service.list_entries(**args)
    args.pop("page"), args.pop("limit")
    return Response(
        stream_with_context(service.csv_rows(**args)),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
    )


# The same 200 as CSV with ?format=csv (or Accept: text/csv): one more content type, not a response.
CSV_EXPORT_DOC = {
    "200": {
        "description": "The entries (JSON), or their CSV export with ?format=csv",
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/AuditEntryListEnvelope"}},
            "text/csv": {"schema": {"type": "string"}},
        },
    }
}


@blp.route("/tenants/<uuid:tenant_id>/audit")
class TenantAudit(TenantView):
    @require(role="admin", scope="audit:read")
    @blp.arguments(AuditQueryArgsSchema, location="query")
    @blp.response(200, AuditEntrySchema(many=True))
    @blp.doc(responses=CSV_EXPORT_DOC)
    def get(self, args, tenant_id: uuid.UUID):
        """List or export this tenant's audit entries."""
        return _listing({**args, "tenant_id": tenant_id})


@blp.route("/audit")
class GlobalAudit(MethodView):
    @require(role="super_admin")
    @blp.arguments(GlobalAuditQueryArgsSchema, location="query")
    @blp.response(200, AuditEntrySchema(many=True))
    @blp.doc(responses=CSV_EXPORT_DOC)
    def get(self, args):
        """List or export audit entries of every tenant (super_admin)."""
        return _listing(args)
