"""The Markdown API reference of an OpenAPI document: operations grouped by tag, then the webhooks."""

from __future__ import annotations

import re
from typing import Any

from siteninja.services.apidocs import spec
from siteninja.services.apidocs.fields import Field, fields_of, type_label

COMMAND = "flask openapi reference docs/api-reference.md"


def render_reference(document: dict[str, Any]) -> str:
    """The whole reference as Markdown; the same document always gives the same text."""
    groups = spec.grouped_by_tag(document, spec.operations(document))
    hooks = spec.webhooks(document)
    lines = [*_preamble(document), *_contents(groups, hooks), *_security_schemes(document)]
    for tag, members in groups:
        lines += [f"## {tag['name']}", ""]
        if tag.get("description"):
            lines += [_one_line(tag["description"]), ""]
        for operation in members:
            lines += _operation(document, operation, f"{operation.method.upper()} {operation.path}")
    if hooks:
        title = (document.get("info") or {}).get("title") or "The API"
        intro = f"Requests {title} sends to subscribed URLs, one per event (the heading names the method)."
        lines += ["## Webhooks", "", intro, ""]
        for hook in hooks:
            lines += _operation(document, hook, f"{hook.path} ({hook.method.upper()})", webhook=True)
    return "\n".join(lines).rstrip("\n") + "\n"


def _preamble(document: dict[str, Any]) -> list[str]:
    info = document.get("info") or {}
    title = info.get("title") or "API"
    lines = [
        f"# {title} reference",
        "",
        f"Version {info.get('version', '')} (OpenAPI {document.get('openapi', '')}). Generated from the",
        f"OpenAPI document by `{COMMAND}` (`make docs` refreshes it and the",
        "[Postman collection](postman-collection.json)): do not edit it by hand. The same document is",
        "served at `/api/openapi.json` and can be tried out at `/api/docs`.",
        "",
    ]
    if info.get("description"):
        lines += [info["description"].strip(), ""]
    return lines


def _contents(
    groups: list[tuple[dict[str, Any], list[spec.Operation]]], hooks: list[spec.Operation]
) -> list[str]:
    lines = ["## Contents", "", "- [Authentication](#authentication)"]
    for tag, members in groups:
        summary = f": {_first_sentence(tag['description'])}" if tag.get("description") else ""
        lines.append(f"- [{tag['name']}](#{_anchor(tag['name'])}) ({len(members)}){_cell(summary)}")
    if hooks:
        lines.append(f"- [Webhooks](#webhooks) ({len(hooks)})")
    return [*lines, ""]


def _security_schemes(document: dict[str, Any]) -> list[str]:
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    lines = [
        "## Authentication",
        "",
        "Each operation names the schemes it accepts (any one of them will do); **none** means no",
        "credentials are needed.",
        "",
        "| scheme | type | description |",
        "|---|---|---|",
    ]
    for name in sorted(schemes):
        scheme = spec.resolve(document, schemes[name]) or {}
        lines.append(f"| `{name}` | {_scheme_kind(scheme)} | {_cell(scheme.get('description', ''))} |")
    return [*lines, ""]


def _scheme_kind(scheme: dict[str, Any]) -> str:
    if scheme.get("type") == "http":
        return f"HTTP {scheme.get('scheme', '')}".rstrip()
    if scheme.get("type") == "apiKey":
        return f"API key in {scheme.get('in', '')} `{scheme.get('name', '')}`"
    return str(scheme.get("type", ""))


def _operation(
    document: dict[str, Any], operation: spec.Operation, heading: str, webhook: bool = False
) -> list[str]:
    lines = [f"### {heading}", "", f"{operation.summary}.", ""]
    if operation.body.get("description"):
        lines += [operation.body["description"].strip(), ""]
    if operation.body.get("deprecated"):
        lines += ["**Deprecated.**", ""]
    if not webhook:
        lines += [f"**Security:** {_security(document, operation)}", ""]
    lines += _parameters(document, operation)
    lines += _request_body(document, operation, "Payload" if webhook else "Request body")
    lines += _responses(document, operation)
    return lines


def _security(document: dict[str, Any], operation: spec.Operation) -> str:
    requirements = spec.effective_security(document, operation)
    if not requirements or all(not requirement for requirement in requirements):
        return "none"
    alternatives = []
    for requirement in requirements:
        names = " and ".join(f"`{name}`" + _scopes(scopes) for name, scopes in sorted(requirement.items()))
        alternatives.append(names)
    return " or ".join(alternatives)


def _scopes(scopes: list[str]) -> str:
    return f" ({', '.join(scopes)})" if scopes else ""


def _parameters(document: dict[str, Any], operation: spec.Operation) -> list[str]:
    if not operation.parameters:
        return []
    lines = ["**Parameters**", "", "| name | in | type | required | description |", "|---|---|---|---|---|"]
    for parameter in sorted(operation.parameters, key=lambda p: _parameter_order(operation.path, p)):
        schema = parameter.get("schema") or (spec.preferred_media(parameter.get("content")) or ("", {}))[1]
        description = _describe_parameter(document, parameter, schema)
        required = "yes" if parameter.get("required") else "no"
        lines.append(
            f"| `{parameter['name']}` | {parameter.get('in', '')} | {_cell(type_label(document, schema))}"
            f" | {required} | {_cell(description)} |"
        )
    return [*lines, ""]


def _parameter_order(path: str, parameter: dict[str, Any]) -> tuple[int, int]:
    """Path parameters in the order the path names them, then query, header and cookie ones."""
    location = {"path": 0, "query": 1, "header": 2, "cookie": 3}.get(parameter.get("in", ""), 4)
    position = path.find("{" + parameter["name"] + "}") if location == 0 else 0
    return location, position


def _describe_parameter(document: dict[str, Any], parameter: dict[str, Any], schema: Any) -> str:
    own = (parameter.get("description") or "").strip()
    field = Field("", "", False, "")
    constraints = fields_of(document, {"properties": {"value": schema}})
    if constraints:
        field = constraints[0]
    return "; ".join(part for part in (own, field.description) if part)


def _request_body(document: dict[str, Any], operation: spec.Operation, title: str) -> list[str]:
    body = spec.resolve(document, operation.body.get("requestBody"))
    media = spec.preferred_media((body or {}).get("content"))
    if media is None:
        return []
    media_type, media_object = media
    schema = media_object.get("schema", {})
    required = ", required" if body.get("required") else ""
    lines = [f"**{title}** (`{media_type}`{required}): {_cell(type_label(document, schema))}", ""]
    if body.get("description"):
        lines += [_one_line(body["description"]), ""]
    rows = fields_of(document, schema)
    if rows:
        lines += ["| field | type | required | description |", "|---|---|---|---|"]
        for row in rows:
            flag = "yes" if row.required else "no"
            lines.append(f"| `{row.name}` | {_cell(row.type)} | {flag} | {_cell(row.description)} |")
        lines.append("")
    return lines


def _responses(document: dict[str, Any], operation: spec.Operation) -> list[str]:
    responses = operation.body.get("responses") or {}
    if not responses:
        return []
    lines = ["**Responses**", "", "| status | description | body |", "|---|---|---|"]
    for status in sorted(responses, key=_status_order):
        response = spec.resolve(document, responses[status]) or {}
        media = spec.preferred_media(response.get("content"))
        body = _response_body(document, media) if media is not None else ""
        lines.append(f"| {status} | {_cell(response.get('description', ''))} | {body} |")
    return [*lines, ""]


def _response_body(document: dict[str, Any], media: tuple[str, dict[str, Any]]) -> str:
    """``PageEnvelope (`application/json`), data: Page``: the schema and, for an envelope, its data."""
    media_type, media_object = media
    schema = media_object.get("schema")
    if not schema:
        return f"`{media_type}`"
    label = f"{_cell(type_label(document, schema))} (`{media_type}`)"
    properties = (spec.resolve(document, schema) or {}).get("properties") or {}
    if "data" in properties:
        label += f", `data`: {_cell(type_label(document, properties['data']))}"
    return label


def _status_order(status: str) -> tuple[int, str]:
    return (int(status), "") if str(status).isdigit() else (1000, str(status))


def _anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _first_sentence(text: str) -> str:
    line = _one_line(text)
    return line.split(". ", 1)[0].removesuffix(".")


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _cell(text: str) -> str:
    """Text that can stand in one table cell: one line, pipes escaped."""
    return _one_line(text).replace("|", "\\|")
