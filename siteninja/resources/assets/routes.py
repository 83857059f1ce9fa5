"""Asset endpoints: /api/tenants/<tenantId>/assets, and the signed file URLs under /api/files."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Response, redirect, send_file, url_for
from flask.views import MethodView

from siteninja.core.auth import authenticated, require
from siteninja.core.envelope import Blueprint, ErrorEnvelopeSchema
from siteninja.core.tenancy import TenantView
from siteninja.core.uploads import accepts_uploads
from siteninja.resources.assets import service
from siteninja.resources.assets.schemas import (
    AssetQueryArgsSchema,
    AssetSchema,
    AssetUpdateSchema,
    AssetUploadSchema,
    AssetUsageSchema,
    dump_upload,
)

blp = Blueprint(
    "assets", __name__, url_prefix="/api/tenants/<uuid:tenant_id>/assets", description="Uploaded files"
)
files_blp = Blueprint("files", __name__, url_prefix="/api/files", description="Signed asset files")

FILE_CACHE_CONTROL = "private, max-age=300"
UPLOAD_RESPONSES = {
    "201": {
        "description": "One file: the asset. Several `file` parts: the list of assets.",
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": [
                        {"$ref": "#/components/schemas/AssetEnvelope"},
                        {"$ref": "#/components/schemas/AssetListEnvelope"},
                    ]
                }
            }
        },
    }
}
FILE_RESPONSES = {
    "200": {"description": "The file, with its stored MIME type", "content": {"*/*": {}}},
    "206": {"description": "The byte range a `Range` header asked for", "content": {"*/*": {}}},
    "302": {"description": "Stored on S3: a redirect to a short-lived presigned URL"},
    "416": {"description": "The requested range is outside the file"},
}


class AssetView(TenantView):
    """A view of one asset: 404 for another tenant's or a deleted asset, before the body is read."""

    def check_scope(self, **kwargs: Any) -> None:
        service.ensure_asset(tenant_id=kwargs["tenant_id"], asset_id=kwargs["asset_id"])


@blp.route("")
class AssetList(TenantView):
    @require(role="viewer", scope="assets:read")
    @blp.arguments(AssetQueryArgsSchema, location="query")
    @blp.response(200, AssetSchema(many=True))
    def get(self, args: dict[str, Any], tenant_id: uuid.UUID):
        """List assets (filters type=image|document, q; sort createdAt|size|filename, default -createdAt)."""
        return service.list_assets(tenant_id=tenant_id, **args)


@blp.route("/upload")
class AssetUpload(TenantView):
    @accepts_uploads
    @require(role="editor", scope="assets:write")
    @blp.arguments(AssetUploadSchema, location="multipart")
    @blp.response(201)
    @blp.doc(responses=UPLOAD_RESPONSES)
    @blp.alt_response(413, schema=ErrorEnvelopeSchema, description="Over the size or 40 megapixels")
    @blp.alt_response(415, schema=ErrorEnvelopeSchema, description="Not JPEG, PNG, GIF, WebP or PDF")
    def post(self, data: dict[str, Any], tenant_id: uuid.UUID):
        """Upload files (multipart `file`, repeatable; `altText`), checked by content; all or nothing."""
        assets = service.upload_assets(
            tenant_id=tenant_id, principal=authenticated(), files=data["file"], alt_text=data.get("alt_text")
        )
        location = url_for("assets.AssetDetail", tenant_id=tenant_id, asset_id=assets[0].id)
        return dump_upload(assets), ({"Location": location} if len(assets) == 1 else {})


@blp.route("/usage")
class AssetUsage(TenantView):
    @require(role="viewer", scope="assets:read")
    @blp.response(200, AssetUsageSchema)
    def get(self, tenant_id: uuid.UUID):
        """Storage used by live assets, the plan's quota (null: unlimited) and the number of assets."""
        return service.usage(tenant_id=tenant_id)


@blp.route("/<uuid:asset_id>")
class AssetDetail(AssetView):
    @require(role="viewer", scope="assets:read")
    @blp.response(200, AssetSchema)
    def get(self, tenant_id: uuid.UUID, asset_id: uuid.UUID):
        """Get an asset with fresh signed URLs."""
        return service.get_asset(tenant_id=tenant_id, asset_id=asset_id)

    @require(role="editor", scope="assets:write")
    @blp.arguments(AssetUpdateSchema)
    @blp.response(200, AssetSchema)
    def put(self, data: dict[str, Any], tenant_id: uuid.UUID, asset_id: uuid.UUID):
        """Update an asset's altText or filename (the extension always matches the detected type)."""
        return service.update_asset(tenant_id=tenant_id, asset_id=asset_id, data=data)

    patch = put

    @require(role="editor", scope="assets:write")
    @blp.response(204)
    def delete(self, tenant_id: uuid.UUID, asset_id: uuid.UUID):
        """Delete an asset (soft; its files are removed by the worker); emits asset.deleted."""
        service.delete_asset(tenant_id=tenant_id, asset_id=asset_id)


@files_blp.route("/<string:token>")
class AssetFile(MethodView):
    @files_blp.doc(security=[], responses=FILE_RESPONSES)
    @files_blp.alt_response(404, schema=ErrorEnvelopeSchema, description="Tampered, expired or deleted")
    def get(self, token: str) -> Response:
        """Download an asset file by its signed token (no credentials; 302 to S3 when stored there)."""
        delivery = service.file_delivery(token=token)
        if delivery.redirect_url is not None:
            response = redirect(delivery.redirect_url, code=302)
            response.headers["Cache-Control"] = "no-store"
            return response
        response = send_file(
            delivery.path,
            mimetype=delivery.mime_type,
            as_attachment=delivery.attachment,
            download_name=delivery.filename,
            conditional=True,
        )
        response.headers["Cache-Control"] = FILE_CACHE_CONTROL
        return response
