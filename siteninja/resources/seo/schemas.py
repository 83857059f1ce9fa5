"""SEO schemas: the metadata of a page as read, and the upsert body."""

from __future__ import annotations

import unicodedata

from marshmallow import ValidationError, fields, validate

from siteninja.core.schemas import BaseSchema, ObjectSchema, StrictBoolean
from siteninja.core.validators import max_json_size

MAX_URL_LENGTH = 2048
MAX_STRUCTURED_DATA = 16 * 1024
_http_url = validate.URL(schemes={"http", "https"}, require_tld=False)


def no_control_chars(value: str) -> None:
    """Reject control characters (NUL cannot even be stored); tabs and newlines are allowed."""
    if any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r" for ch in value):
        raise ValidationError("Must not contain control characters")


def validate_http_url(value: str) -> None:
    """An absolute http(s) URL without spaces or control characters."""
    if any(ch.isspace() or unicodedata.category(ch) == "Cc" for ch in value):
        raise ValidationError("Must not contain spaces or control characters")
    _http_url(value)


def seo_text(max_length: int) -> fields.String:
    """An optional, clearable text field of at most ``max_length`` characters."""
    return fields.String(allow_none=True, validate=[validate.Length(max=max_length), no_control_chars])


def http_url() -> fields.String:
    """An optional, clearable http(s) URL."""
    return fields.String(allow_none=True, validate=[validate.Length(max=MAX_URL_LENGTH), validate_http_url])


class SeoSchema(ObjectSchema):
    tenant_id = fields.UUID()
    page_id = fields.UUID()
    meta_title = fields.String(allow_none=True)
    meta_description = fields.String(allow_none=True)
    keywords = fields.List(fields.String())
    canonical_url = fields.String(allow_none=True)
    og_title = fields.String(allow_none=True)
    og_description = fields.String(allow_none=True)
    og_image_url = fields.String(allow_none=True)
    no_index = fields.Boolean()
    no_follow = fields.Boolean()
    structured_data = fields.Dict(allow_none=True)


class SeoUpdateSchema(BaseSchema):
    meta_title = seo_text(70)
    meta_description = seo_text(320)
    keywords = fields.List(
        fields.String(validate=[validate.Length(min=1, max=100), no_control_chars]),
        validate=validate.Length(max=20),
    )
    canonical_url = http_url()
    og_title = seo_text(200)
    og_description = seo_text(500)
    og_image_url = http_url()
    no_index = StrictBoolean()
    no_follow = StrictBoolean()
    structured_data = fields.Dict(
        allow_none=True,
        validate=max_json_size(MAX_STRUCTURED_DATA),
        metadata={"description": "A JSON-LD object, at most 16 KB encoded"},
    )
