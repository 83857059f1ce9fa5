"""Asset schemas: the asset with its signed URLs, upload (multipart), update, list arguments, usage."""

from __future__ import annotations

from typing import Any

from flask_smorest.fields import Upload
from marshmallow import ValidationError, fields, validate
from werkzeug.datastructures import FileStorage

from siteninja.core.pagination import ListArgsSchema, sort_field
from siteninja.core.schemas import BaseSchema, ObjectSchema, text
from siteninja.services import storage

ASSET_TYPES = ("image", "document")
MAX_ALT_TEXT = 500
MAX_FILENAME = 255


class AssetSchema(ObjectSchema):
    tenant_id = fields.UUID()
    filename = fields.String()
    mime_type = fields.String()
    size = fields.Integer()
    width = fields.Integer(allow_none=True)
    height = fields.Integer(allow_none=True)
    alt_text = fields.String(allow_none=True)
    url = fields.Method("_url", metadata={"description": "Signed; expires after ASSET_URL_TTL seconds"})
    thumbnail_url = fields.Method("_thumbnail_url", allow_none=True, metadata={"description": "Once ready"})
    thumbnail_status = fields.String(allow_none=True, metadata={"description": "pending|ready|failed"})

    def _url(self, asset: Any) -> str:
        return storage.file_url(asset.tenant_id, asset.id, "original")

    def _thumbnail_url(self, asset: Any) -> str | None:
        if asset.thumbnail_status != "ready":
            return None
        return storage.file_url(asset.tenant_id, asset.id, "thumbnail")


def dump_upload(assets: list[Any]) -> Any:
    """One uploaded file answers with the asset, several with the list."""
    return AssetSchema().dump(assets[0]) if len(assets) == 1 else AssetSchema(many=True).dump(assets)


def no_nul(value: str) -> None:
    """Form fields skip BaseSchema's JSON NUL check; PostgreSQL cannot store NUL."""
    if "\x00" in value:
        raise ValidationError("Must not contain NUL characters")


class FileField(Upload):
    """A multipart file part (a plain form value under the same name is an error)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> FileStorage:
        if not isinstance(value, FileStorage):
            raise ValidationError("Must be a file")
        return value


class AssetUploadSchema(BaseSchema):
    file = fields.List(
        FileField(),
        required=True,
        validate=validate.Length(min=1),
        metadata={"description": "Repeat the part to upload several files at once (all or nothing)"},
    )
    alt_text = fields.String(validate=[validate.Length(max=MAX_ALT_TEXT), no_nul])


class AssetUpdateSchema(BaseSchema):
    alt_text = fields.String(allow_none=True, validate=validate.Length(max=MAX_ALT_TEXT))
    filename = fields.String(validate=validate.Length(min=1, max=MAX_FILENAME))


class AssetQueryArgsSchema(ListArgsSchema):
    type = fields.String(validate=validate.OneOf(ASSET_TYPES))
    q = text(200)
    sort = sort_field("createdAt", "size", "filename", default="-createdAt")


class AssetUsageSchema(BaseSchema):
    bytes_used = fields.Integer()
    bytes_quota = fields.Integer(allow_none=True, metadata={"description": "null: unlimited"})
    count = fields.Integer()
