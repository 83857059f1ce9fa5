"""Branding schemas: a tenant's visual identity as read, and its partial update."""

from __future__ import annotations

import re
import unicodedata

from marshmallow import ValidationError, fields, validate

from siteninja.core.schemas import BaseSchema, ObjectSchema, Timestamp
from siteninja.core.validators import HEX_COLOR

MAX_URL_LENGTH = 2048
MAX_CUSTOM_CSS = 20 * 1024
FORBIDDEN_CSS = ("</style", "javascript:", "expression(", "@import")
CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|\Z)", re.DOTALL)
CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})[ \t\n\r\f]?|\\(.)", re.DOTALL)
# What an attacker may put inside a forbidden word that a browser would ignore there.
CSS_EVASION = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u2060\ufeff]")
CSS_SPACED = re.compile(r"expression\s+\(|javascript\s+:")
_http_url = validate.URL(schemes={"http", "https"}, require_tld=False)


def validate_color(value: str) -> None:
    """A #RRGGBB color."""
    if not HEX_COLOR.fullmatch(value):
        raise ValidationError("Must be a #RRGGBB color")


def validate_font(value: str) -> None:
    """A font name: 1-100 characters, no control characters."""
    if not 1 <= len(value) <= 100 or not value.strip():
        raise ValidationError("Must be 1-100 characters and not blank")
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise ValidationError("Must not contain control characters")


def validate_http_url(value: str) -> None:
    """An absolute http(s) URL of at most 2048 characters, without spaces or control characters."""
    if len(value) > MAX_URL_LENGTH:
        raise ValidationError(f"Must be at most {MAX_URL_LENGTH} characters")
    if any(ch.isspace() or unicodedata.category(ch) == "Cc" for ch in value):
        raise ValidationError("Must not contain spaces or control characters")
    _http_url(value)


def _unescape(match: re.Match) -> str:
    if match.group(2) is not None:
        return match.group(2)
    codepoint = int(match.group(1), 16)
    return chr(codepoint) if 0 < codepoint <= 0x10FFFF and not 0xD800 <= codepoint <= 0xDFFF else "\ufffd"


def css_as_read(value: str) -> str:
    """``value`` lowercased as a browser reads it: comments dropped, escapes decoded, controls removed."""
    decoded = CSS_ESCAPE.sub(_unescape, CSS_COMMENT.sub("", value))
    return CSS_EVASION.sub("", decoded).lower()


def validate_custom_css(value: str) -> None:
    """At most 20 KB; no </style, javascript:, expression( or @import, however spelt."""
    if len(value.encode()) > MAX_CUSTOM_CSS:
        raise ValidationError(f"Must be at most {MAX_CUSTOM_CSS // 1024} KB")
    raw, read = value.lower(), css_as_read(value)
    for token in FORBIDDEN_CSS:
        if token in raw or token in read:
            raise ValidationError(f"Must not contain {token}")
    if CSS_SPACED.search(read):
        raise ValidationError("Must not contain expression( or javascript:")


class BrandingSchema(ObjectSchema):
    # A tenant that never saved its branding reads the defaults: no row yet, so no id or times.
    id = fields.UUID(dump_only=True, allow_none=True)
    created_at = Timestamp(dump_only=True, allow_none=True)
    updated_at = Timestamp(dump_only=True, allow_none=True)
    tenant_id = fields.UUID()
    logo_url = fields.String(allow_none=True)
    favicon_url = fields.String(allow_none=True)
    primary_color = fields.String(allow_none=True)
    secondary_color = fields.String(allow_none=True)
    accent_color = fields.String(allow_none=True)
    background_color = fields.String(allow_none=True)
    text_color = fields.String(allow_none=True)
    font_heading = fields.String(allow_none=True)
    font_body = fields.String(allow_none=True)
    custom_css = fields.String(allow_none=True)


class BrandingUpdateSchema(BaseSchema):
    logo_url = fields.String(allow_none=True, validate=validate_http_url)
    favicon_url = fields.String(allow_none=True, validate=validate_http_url)
    primary_color = fields.String(validate=validate_color)
    secondary_color = fields.String(validate=validate_color)
    accent_color = fields.String(validate=validate_color)
    background_color = fields.String(validate=validate_color)
    text_color = fields.String(validate=validate_color)
    font_heading = fields.String(validate=validate_font)
    font_body = fields.String(validate=validate_font)
    custom_css = fields.String(allow_none=True, validate=validate_custom_css)
