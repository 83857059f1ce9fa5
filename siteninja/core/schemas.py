"""BaseSchema: camelCase on the wire, unknown fields rejected, UTC timestamps with Z."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from marshmallow import RAISE, Schema, fields, validate


def camelcase(name: str) -> str:
    """``created_at`` → ``createdAt``."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


class Timestamp(fields.DateTime):
    """An ISO 8601 UTC timestamp written with ``Z``."""

    def _serialize(self, value: datetime | None, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class BaseSchema(Schema):
    """Every schema of the API: snake_case attributes, camelCase keys, no unknown keys."""

    class Meta:
        unknown = RAISE

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        field_obj.data_key = camelcase(field_obj.data_key or field_name)


def text(max_length: int, *, min_length: int = 0, **kwargs: Any) -> fields.String:
    """A string field with a length limit, the most common input field."""
    return fields.String(validate=validate.Length(min=min_length, max=max_length), **kwargs)


class ObjectSchema(BaseSchema):
    """Fields every stored object shows: its id and timestamps."""

    id = fields.UUID(dump_only=True)
    created_at = Timestamp(dump_only=True)
    updated_at = Timestamp(dump_only=True)
