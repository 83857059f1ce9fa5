"""Reading an OpenAPI document: local ``$ref``s, operations in a stable order, example values."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

METHODS = ("get", "post", "put", "patch", "delete", "head", "options", "trace")
UNTAGGED = "other"
MAX_DEPTH = 6
PLACEHOLDER_UUID = "00000000-0000-0000-0000-000000000000"
STRING_FORMATS = {
    "uuid": PLACEHOLDER_UUID,
    "email": "user@example.com",
    "date-time": "2026-01-01T00:00:00Z",
    "date": "2026-01-01",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "hostname": "example.com",
    "password": "Passw0rd!Passw0rd",
    "binary": "",
}


class Missing:
    """The marker of "no example in the document" (``None`` is a valid example)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING = Missing()


@dataclass(frozen=True)
class Operation:
    """One operation (or webhook) of the document, with its path-level parameters merged in."""

    method: str
    path: str
    body: dict[str, Any]
    parameters: list[dict[str, Any]] = field(default_factory=list)

    @property
    def key(self) -> str:
        """A stable identity: the operationId, else ``METHOD path``."""
        return self.body.get("operationId") or f"{self.method.upper()} {self.path}"

    @property
    def tag(self) -> str:
        """The first tag, which names the operation's group."""
        tags = self.body.get("tags") or [UNTAGGED]
        return tags[0]

    @property
    def summary(self) -> str:
        """The summary without a closing full stop (or ``METHOD path`` when there is none)."""
        summary = (self.body.get("summary") or "").strip()
        return summary.removesuffix(".") if summary else f"{self.method.upper()} {self.path}"


def resolve(document: dict[str, Any], node: Any) -> Any:
    """``node`` with its local ``$ref`` chain followed (a ref that leads nowhere gives ``{}``)."""
    seen: set[str] = set()
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        if ref in seen or not ref.startswith("#/"):
            return {}
        seen.add(ref)
        node = _pointer(document, ref)
    return node


def _pointer(document: dict[str, Any], ref: str) -> Any:
    node: Any = document
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return {}
        node = node[part]
    return node


def ref_name(node: Any) -> str | None:
    """The component name a ``{"$ref": "#/components/…/Name"}`` points at, if it is one."""
    if isinstance(node, dict) and isinstance(node.get("$ref"), str):
        return node["$ref"].rsplit("/", 1)[-1]
    return None


def operations(document: dict[str, Any]) -> list[Operation]:
    """Every operation under ``paths``, ordered by path, then by method (GET, POST, PUT, …)."""
    return _operations_of(document, document.get("paths") or {})


def webhooks(document: dict[str, Any]) -> list[Operation]:
    """The webhooks (``webhooks`` in 3.1, ``x-webhooks`` in 3.0), ordered by name; each path is the name."""
    items = document.get("webhooks") or document.get("x-webhooks") or {}
    return _operations_of(document, items if isinstance(items, dict) else {})


def _operations_of(document: dict[str, Any], items: dict[str, Any]) -> list[Operation]:
    found = []
    for path in sorted(items):
        item = resolve(document, items[path])
        if not isinstance(item, dict):
            continue
        shared = item.get("parameters") or []
        for method in METHODS:
            if isinstance(item.get(method), dict):
                body = item[method]
                parameters = merge_parameters(document, shared, body.get("parameters") or [])
                found.append(Operation(method, path, body, parameters))
    return found


def merge_parameters(document: dict[str, Any], shared: list[Any], own: list[Any]) -> list[dict[str, Any]]:
    """Path-level parameters overridden by the operation's own (same name and location)."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for parameter in [*shared, *own]:
        resolved = resolve(document, parameter)
        if isinstance(resolved, dict) and "name" in resolved:
            merged[(resolved.get("in", ""), resolved["name"])] = resolved
    return list(merged.values())


def grouped_by_tag(
    document: dict[str, Any], items: list[Operation]
) -> list[tuple[dict[str, Any], list[Operation]]]:
    """Operations grouped by first tag: declared tags in document order, then the rest by name."""
    declared = [tag for tag in document.get("tags") or [] if isinstance(tag, dict) and "name" in tag]
    names = [tag["name"] for tag in declared]
    extra = sorted({op.tag for op in items} - set(names))
    groups = [*declared, *({"name": name} for name in extra)]
    result = []
    for tag in groups:
        members = [op for op in items if op.tag == tag["name"]]
        if members:
            result.append((tag, members))
    return result


def effective_security(document: dict[str, Any], operation: Operation) -> list[dict[str, Any]]:
    """The operation's security requirements (its own, else the document's default)."""
    security = operation.body.get("security", document.get("security"))
    return security if isinstance(security, list) else []


def preferred_media(content: dict[str, Any] | None) -> tuple[str, dict[str, Any]] | None:
    """The JSON media type of a ``content`` map when there is one, else its first by name."""
    if not content:
        return None
    names = sorted(content)
    for name in names:
        if name == "application/json" or name.endswith("+json"):
            return name, content[name] or {}
    return names[0], content[names[0]] or {}


def media_example(document: dict[str, Any], media: dict[str, Any]) -> Any:
    """The example a media type object gives (``example``, its first ``examples``, its schema's)."""
    if "example" in media:
        return media["example"]
    examples = media.get("examples")
    if isinstance(examples, dict) and examples:
        first = resolve(document, examples[sorted(examples)[0]])
        if isinstance(first, dict) and "value" in first:
            return first["value"]
    schema = resolve(document, media.get("schema"))
    if isinstance(schema, dict) and "example" in schema:
        return schema["example"]
    if isinstance(schema, dict) and isinstance(schema.get("examples"), list) and schema["examples"]:
        return schema["examples"][0]
    return MISSING


def parameter_example(document: dict[str, Any], parameter: dict[str, Any]) -> Any:
    """A parameter's example or default (its own, its first ``examples``, its schema's), or MISSING."""
    example = media_example(document, parameter)
    if example is not MISSING:
        return example
    schema = resolve(document, parameter.get("schema"))
    if isinstance(schema, dict) and "default" in schema:
        return schema["default"]
    return MISSING
