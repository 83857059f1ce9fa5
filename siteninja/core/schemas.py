"""BaseSchema: camelCase on the wire, unknown fields rejected, UTC timestamps with Z."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate


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


def nul_paths(value: Any, path: str = "") -> list[str]:
    """Dotted paths of every string (key or value) containing NUL, which PostgreSQL cannot store."""
    if isinstance(value, str):
        return [path] if "\x00" in value else []
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            if "\x00" in str(key):
                found.append(path or "_schema")
                continue
            found += nul_paths(item, f"{path}.{key}" if path else str(key))
        return found
    if isinstance(value, list):
        return [p for index, item in enumerate(value) for p in nul_paths(item, f"{path}.{index}")]
    return []


class BaseSchema(Schema):
    """Every schema of the API: snake_case attributes, camelCase keys, no unknown keys, no NULs."""

    class Meta:
        unknown = RAISE

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        field_obj.data_key = camelcase(field_obj.data_key or field_name)

    @pre_load
    def reject_nul(self, data: Any, **kwargs: Any) -> Any:
        """422 naming each field that holds a NUL character, at any depth."""
        paths = nul_paths(data) if isinstance(data, dict) else []
        if paths:
            raise ValidationError({path: ["Must not contain NUL characters"] for path in paths})
        return data


class StrictBoolean(fields.Boolean):
    """A JSON ``true``/``false`` only: no ``"yes"``, ``1`` or ``"true"`` coerced into a boolean."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class StrictInteger(fields.Integer):
    """A JSON integer only: no strings, fractions or booleans."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return super()._deserialize(value, attr, data, **kwargs)


def text(max_length: int, *, min_length: int = 0, **kwargs: Any) -> fields.String:
    """A string field with a length limit, the most common input field."""
    return fields.String(validate=validate.Length(min=min_length, max=max_length), **kwargs)


class ObjectSchema(BaseSchema):
    """Fields every stored object shows: its id and timestamps."""

    id = fields.UUID(dump_only=True)
    created_at = Timestamp(dump_only=True)
    updated_at = Timestamp(dump_only=True)
