"""Navigation schemas: items (flat or nested), writes, reorder and list arguments."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from marshmallow import ValidationError, fields, validate

from siteninja.core.schemas import BaseSchema, ObjectSchema, StrictBoolean, StrictInteger
from siteninja.resources.navigation.models import NAV_LOCATIONS

MAX_URL_LENGTH = 2048
MAX_SORT_ORDER = 1_000_000
MAX_REORDER = 1000
SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
TEL = re.compile(r"^\+?[0-9().-]{1,32}(?:;[A-Za-z0-9=.-]{1,64})?$")
MAILTO = re.compile(r"^[^@?]+@[^?]+(?:\?.*)?$")
_http_url = validate.URL(schemes={"http", "https"}, require_tld=False)


def has_unsafe_chars(value: str) -> bool:
    """True when ``value`` holds whitespace, control, format or unassigned characters."""
    return any(ch.isspace() or unicodedata.category(ch) in {"Cc", "Cf", "Cn", "Co", "Cs"} for ch in value)


def validate_nav_url(value: str) -> None:
    """http(s), mailto:, tel: or a relative path starting with a single "/"; never script URLs."""
    if not value or len(value) > MAX_URL_LENGTH:
        raise ValidationError(f"Must be 1-{MAX_URL_LENGTH} characters")
    if has_unsafe_chars(value) or "\\" in value:
        raise ValidationError("Must not contain spaces, control characters or backslashes")
    if value.startswith("//"):
        raise ValidationError("Protocol-relative URLs (//host) are not allowed; use https://host")
    if value.startswith("/"):
        return
    match = SCHEME.match(value)
    scheme = match.group(1).lower() if match else ""
    check = SCHEME_CHECKS.get(scheme)
    if check is None:
        raise ValidationError("Must be an http(s), mailto: or tel: URL, or a path starting with /")
    check(value, value[match.end() :] if match else "")


def _check_http(value: str, rest: str) -> None:
    _http_url(value)
    if "@" in urlsplit(value).netloc:
        raise ValidationError("URLs with credentials are not allowed")


def _check_mailto(value: str, rest: str) -> None:
    if not MAILTO.match(rest):
        raise ValidationError("Must be mailto: followed by an email address")


def _check_tel(value: str, rest: str) -> None:
    if not TEL.match(rest) or not any(ch.isdigit() for ch in rest):
        raise ValidationError("Must be tel: followed by a phone number")


SCHEME_CHECKS = {"http": _check_http, "https": _check_http, "mailto": _check_mailto, "tel": _check_tel}


def validate_label(value: str) -> None:
    """1-100 characters, not blank, no control characters."""
    if not 1 <= len(value) <= 100 or not value.strip():
        raise ValidationError("Must be 1-100 characters and not blank")
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise ValidationError("Must not contain control characters")


class NavItemSchema(ObjectSchema):
    tenant_id = fields.UUID()
    label = fields.String()
    url = fields.String(allow_none=True)
    page_id = fields.UUID(allow_none=True)
    parent_id = fields.UUID(allow_none=True)
    location = fields.String()
    sort_order = fields.Integer()
    is_visible = fields.Boolean()
    open_in_new_tab = fields.Boolean()
    children = fields.List(
        fields.Nested(lambda: NavItemSchema()),
        metadata={"description": "Nested child items; present only with ?tree=true"},
    )


class _NavWriteSchema(BaseSchema):
    url = fields.String(allow_none=True, validate=validate_nav_url)
    page_id = fields.UUID(allow_none=True)
    parent_id = fields.UUID(allow_none=True)
    location = fields.String(
        validate=validate.OneOf(NAV_LOCATIONS),
        metadata={"description": "Child items always take their parent's location"},
    )
    sort_order = StrictInteger(validate=validate.Range(min=0, max=MAX_SORT_ORDER))
    is_visible = StrictBoolean()
    open_in_new_tab = StrictBoolean()


class NavItemCreateSchema(_NavWriteSchema):
    label = fields.String(required=True, validate=validate_label)


class NavItemUpdateSchema(_NavWriteSchema):
    label = fields.String(validate=validate_label)


class NavReorderSchema(BaseSchema):
    parent_id = fields.UUID(allow_none=True, load_default=None)
    location = fields.String(
        validate=validate.OneOf(NAV_LOCATIONS),
        metadata={"description": "With parentId null: reorder only the roots of this location"},
    )
    order = fields.List(fields.UUID(), required=True, validate=validate.Length(max=MAX_REORDER))


class NavQueryArgsSchema(BaseSchema):
    tree = fields.Boolean(load_default=False, metadata={"description": "Nest children under parents"})
    location = fields.String(validate=validate.OneOf(NAV_LOCATIONS))
