"""Minimal example values synthesised from a JSON schema: required fields only, the smallest valid value."""

from __future__ import annotations

from typing import Any

from siteninja.services.apidocs.spec import MAX_DEPTH, STRING_FORMATS, resolve


def minimal_example(document: dict[str, Any], schema: Any, depth: int = 0) -> Any:
    """A small value ``schema`` accepts: its example, default or first enum value, else one built by type."""
    schema = flatten(document, resolve(document, schema))
    if not isinstance(schema, dict):
        return None
    for key in ("example", "default"):
        if key in schema:
            return schema[key]
    if isinstance(schema.get("examples"), list) and schema["examples"]:
        return schema["examples"][0]  # OpenAPI 3.1 (JSON Schema) examples
    if schema.get("enum"):
        return schema["enum"][0]
    if depth >= MAX_DEPTH:
        return None
    kind = _type_of(schema)
    if kind == "object":
        return _object(document, schema, depth)
    if kind == "array":
        return _array(document, schema, depth)
    if kind == "string":
        return _string(schema)
    return _scalar(kind, schema)


def flatten(document: dict[str, Any], schema: Any) -> Any:
    """``allOf`` merged into one schema; ``oneOf``/``anyOf`` replaced by their first choice."""
    if not isinstance(schema, dict):
        return schema
    for key in ("oneOf", "anyOf"):
        if schema.get(key):
            rest = {k: v for k, v in schema.items() if k != key}
            return flatten(document, {**resolve(document, schema[key][0]), **rest})
    if schema.get("allOf"):
        properties: dict[str, Any] = {}
        required: list[str] = []
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            part = flatten(document, resolve(document, part)) or {}
            properties.update(part.get("properties") or {})
            required += [name for name in part.get("required") or [] if name not in required]
            merged.update(part)
        rest = {k: v for k, v in schema.items() if k != "allOf"}
        return {**merged, "properties": properties, "required": required, **rest}
    return schema


def _type_of(schema: dict[str, Any]) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind is None and "properties" in schema:
        return "object"
    return kind


def _object(document: dict[str, Any], schema: dict[str, Any], depth: int) -> dict[str, Any]:
    properties = schema.get("properties") or {}
    result = {}
    for name in schema.get("required") or []:
        prop = resolve(document, properties.get(name, {}))
        if isinstance(prop, dict) and prop.get("readOnly"):
            continue
        result[name] = minimal_example(document, prop, depth + 1)
    return result


def _array(document: dict[str, Any], schema: dict[str, Any], depth: int) -> list[Any]:
    count = int(schema.get("minItems") or 0)
    return [minimal_example(document, schema.get("items", {}), depth + 1) for _ in range(count)]


def _string(schema: dict[str, Any]) -> str:
    value = STRING_FORMATS.get(schema.get("format", ""), "string")
    minimum = int(schema.get("minLength") or 0)
    if len(value) < minimum:
        value = value + "x" * (minimum - len(value))
    maximum = schema.get("maxLength")
    return value[: int(maximum)] if maximum is not None else value


def _scalar(kind: str | None, schema: dict[str, Any]) -> Any:
    if kind == "boolean":
        return False
    if kind not in ("integer", "number"):
        return None
    minimum = schema.get("minimum", 0)
    exclusive = schema.get("exclusiveMinimum")
    if exclusive is True:
        minimum += 1
    elif isinstance(exclusive, int | float) and not isinstance(exclusive, bool):
        minimum = exclusive + 1
    return int(minimum) if kind == "integer" else minimum
