"""Reusable field validators: host names, slugs, colors, JSON sizes."""

from __future__ import annotations

import json
import re
from typing import Any

from marshmallow import ValidationError

# Patterns are used with fullmatch: "$" would accept a trailing newline.
HOSTNAME_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
SUBDOMAIN = re.compile(r"[a-z0-9](?:[a-z0-9-]{1,61})[a-z0-9]")
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
HEX_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")
RESERVED_SUBDOMAINS = frozenset(
    {"www", "api", "admin", "app", "mail", "static", "assets", "cdn", "dashboard", "docs", "status"}
)


def validate_subdomain(value: str) -> None:
    """3-63 lowercase letters, digits and hyphens, no leading/trailing hyphen, not reserved."""
    if not 3 <= len(value) <= 63:
        raise ValidationError("Must be 3-63 characters")
    if not SUBDOMAIN.fullmatch(value):
        raise ValidationError(
            "Use lowercase letters, digits and hyphens, not starting or ending with a hyphen"
        )
    if value in RESERVED_SUBDOMAINS:
        raise ValidationError(f"'{value}' is reserved")


def validate_hostname(value: str) -> None:
    """A fully qualified host name (at least two labels, alphabetic top-level domain)."""
    value = value.lower().rstrip(".")
    labels = value.split(".")
    if len(value) > 253 or len(labels) < 2:
        raise ValidationError("Must be a valid host name such as www.example.com")
    if not all(HOSTNAME_LABEL.fullmatch(label) for label in labels) or not labels[-1].isalpha():
        raise ValidationError("Must be a valid host name such as www.example.com")


def validate_slug(value: str) -> None:
    """Lowercase letters, digits and single hyphens, 1-100 characters."""
    if not 1 <= len(value) <= 100 or not SLUG.fullmatch(value):
        raise ValidationError("Use 1-100 lowercase letters, digits and single hyphens")


def max_json_size(limit: int) -> Any:
    """A validator rejecting values whose JSON encoding exceeds ``limit`` bytes."""

    def validate(value: Any) -> None:
        size = len(json.dumps(value, separators=(",", ":")).encode())
        if size > limit:
            raise ValidationError(f"Must be at most {limit // 1024} KB when encoded as JSON")

    return validate
