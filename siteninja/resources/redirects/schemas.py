"""Redirect schemas: read, create, list arguments, and the site-path field both paths use."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import ValidationError, fields, validate

from siteninja.core.pagination import ListArgsSchema, sort_field
from siteninja.core.schemas import BaseSchema, ObjectSchema
from siteninja.resources.redirects.models import MAX_PATH, REDIRECT_STATUSES

# RFC 3986 path characters (unreserved, sub-delims, ":", "@", "/") and percent-escapes: no query,
# fragment, whitespace, control characters or backslashes (browsers read "\" as "/").
PATH_CHARS = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})+")


def normalize_path(value: str) -> str:
    """A site path in its one stored form (``/about/`` → ``/about``), or ValidationError."""
    if not value.startswith("/"):
        raise ValidationError("Must be a site path starting with / (no scheme or host)")
    if len(value) > MAX_PATH:
        raise ValidationError(f"Must be at most {MAX_PATH} characters")
    if value.startswith("//") or not PATH_CHARS.fullmatch(value):
        raise ValidationError("Must be a site path: letters, digits and - . _ ~ % / (no query or spaces)")
    stripped = value.rstrip("/") or "/"
    if "//" in stripped or ".." in stripped:
        raise ValidationError("Must not contain empty segments or ..")
    return stripped


class SitePath(fields.String):
    """A site path such as ``/old-about``, normalized without its trailing slash."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return normalize_path(super()._deserialize(value, attr, data, **kwargs))


class RedirectSchema(ObjectSchema):
    tenant_id = fields.UUID()
    from_path = fields.String()
    to_path = fields.String()
    status_code = fields.Integer()


class RedirectCreateSchema(BaseSchema):
    from_path = SitePath(required=True, metadata={"description": "Site path, e.g. /old-about"})
    to_path = SitePath(required=True, metadata={"description": "Site path, e.g. /about"})
    status_code = fields.Integer(load_default=301, validate=validate.OneOf(REDIRECT_STATUSES))


class RedirectQueryArgsSchema(ListArgsSchema):
    sort = sort_field("fromPath", "createdAt", default="fromPath")


class RedirectRuleSchema(BaseSchema):
    """A redirect as a site publishes it (for an edge or CDN)."""

    from_path = fields.String()
    to_path = fields.String()
    status_code = fields.Integer()
