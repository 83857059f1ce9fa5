"""Schemas as text for the reference: a type label per schema and a row per (dotted) field."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from siteninja.services.apidocs.examples import flatten
from siteninja.services.apidocs.spec import ref_name, resolve

FIELD_DEPTH = 3


@dataclass(frozen=True)
class Field:
    """One row of a field table: a dotted name (``content.items[].title``) and what it accepts."""

    name: str
    type: str
    required: bool
    description: str


def type_label(document: dict[str, Any], schema: Any) -> str:
    """``PageCreate``, ``string (uuid)``, ``array of Section``, ``"a" | "b"``, ``A or B``."""
    name = ref_name(schema)
    if name:
        return name
    if not isinstance(schema, dict):
        return "any"
    for key in ("oneOf", "anyOf"):
        if schema.get(key):
            return " or ".join(type_label(document, choice) for choice in schema[key])
    schema = flatten(document, schema)
    if "const" in schema:
        return _literal(schema["const"])
    if schema.get("enum"):
        return " | ".join(_literal(value) for value in schema["enum"])
    label = _base_label(document, schema)
    return f"{label}, nullable" if schema.get("nullable") else label


def _base_label(document: dict[str, Any], schema: dict[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = " or ".join(str(k) for k in kind)
    if kind == "array":
        return f"array of {type_label(document, schema.get('items', {}))}"
    if kind is None:
        return "object" if "properties" in schema else "any"
    if "additionalProperties" in schema and isinstance(schema["additionalProperties"], dict):
        return f"map of {type_label(document, schema['additionalProperties'])}"
    return f"{kind} ({schema['format']})" if schema.get("format") else str(kind)


def _literal(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    return json.dumps(value, ensure_ascii=False)


def fields_of(document: dict[str, Any], schema: Any) -> list[Field]:
    """The fields of an object schema, nested objects (and objects in arrays) as dotted names."""
    return list(_walk(document, schema, "", 0, frozenset()))


def _walk(
    document: dict[str, Any], schema: Any, prefix: str, depth: int, seen: frozenset[str]
) -> Iterator[Field]:
    name = ref_name(schema)
    if name in seen or depth >= FIELD_DEPTH:
        return
    seen = seen | {name} if name else seen
    resolved = flatten(document, resolve(document, schema))
    if not isinstance(resolved, dict):
        return
    required = set(resolved.get("required") or [])
    for prop_name, prop in (resolved.get("properties") or {}).items():
        full = f"{prefix}{prop_name}"
        yield Field(full, type_label(document, prop), prop_name in required, describe(document, prop))
        yield from _walk(
            document, _object_schema(document, prop), f"{full}{_suffix(document, prop)}.", depth + 1, seen
        )


def _object_schema(document: dict[str, Any], prop: Any) -> Any:
    resolved = flatten(document, resolve(document, prop))
    if isinstance(resolved, dict) and resolved.get("type") == "array":
        return resolved.get("items", {})
    return prop


def _suffix(document: dict[str, Any], prop: Any) -> str:
    resolved = flatten(document, resolve(document, prop))
    return "[]" if isinstance(resolved, dict) and resolved.get("type") == "array" else ""


def describe(document: dict[str, Any], schema: Any) -> str:
    """A field's description followed by its constraints (length, range, default, read-only)."""
    resolved = flatten(document, resolve(document, schema))
    if not isinstance(resolved, dict):
        return ""
    own = schema.get("description") if isinstance(schema, dict) else None
    parts = [(own or resolved.get("description") or "").strip(), *_constraints(resolved)]
    return "; ".join(part for part in parts if part)


def _constraints(schema: dict[str, Any]) -> list[str]:
    found = []
    for low, high, unit in (("minLength", "maxLength", " character"), ("minItems", "maxItems", " item")):
        if low in schema or high in schema:
            found.append(_range(schema.get(low), schema.get(high), unit))
    if "minimum" in schema or "maximum" in schema:
        found.append(_range(schema.get("minimum"), schema.get("maximum"), ""))
    if schema.get("pattern"):
        found.append(f"pattern `{schema['pattern']}`")
    if "default" in schema:
        found.append(f"default `{_literal(schema['default'])}`")
    if schema.get("readOnly"):
        found.append("read-only")
    if schema.get("writeOnly"):
        found.append("write-only")
    return found


def _range(low: Any, high: Any, unit: str) -> str:
    plural = unit and (high if high is not None else low) != 1
    unit = f"{unit}s" if plural else unit
    if low is not None and high is not None:
        return f"{low}-{high}{unit}"
    return f"at least {low}{unit}" if low is not None else f"at most {high}{unit}"
