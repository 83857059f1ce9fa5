"""The Postman v2.1 collection of an OpenAPI document: a folder per tag, a request per operation."""

from __future__ import annotations

import copy
import json
import re
import uuid
from typing import Any

from siteninja.services.apidocs import spec
from siteninja.services.apidocs.examples import minimal_example

SCHEMA_URL = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
DEFAULT_BASE_URL = "http://127.0.0.1:5000"
BEARER = {"type": "bearer", "bearer": [{"key": "token", "value": "{{token}}", "type": "string"}]}
NOAUTH = {"type": "noauth"}
# OpenAPI ignores header parameters with these names: the media types and the auth say them.
IGNORED_HEADERS = {"accept", "content-type", "authorization"}
TOKEN_FIELD = "accessToken"
_PATH_PARAMETER = re.compile(r"\{([^{}]+)\}")


def render_collection(document: dict[str, Any], base_url: str = DEFAULT_BASE_URL) -> str:
    """The collection as the bytes we commit: indented JSON, keys in a fixed order, one final newline."""
    return json.dumps(build_collection(document, base_url), indent=2, ensure_ascii=False) + "\n"


def build_collection(document: dict[str, Any], base_url: str = DEFAULT_BASE_URL) -> dict[str, Any]:
    """The Postman v2.1 collection of ``document``; ids are uuid5s of names, so it regenerates identically."""
    info = document.get("info") or {}
    title = info.get("title") or "API"
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, f"postman:{title}")
    folders = [
        {
            "id": str(uuid.uuid5(namespace, f"tag:{tag['name']}")),
            "name": tag["name"],
            "description": tag.get("description", ""),
            "item": [_item(document, namespace, operation) for operation in members],
        }
        for tag, members in spec.grouped_by_tag(document, spec.operations(document))
    ]
    return {
        "info": {
            "_postman_id": str(namespace),
            "name": title,
            "description": _collection_description(info),
            "version": str(info.get("version", "")),
            "schema": SCHEMA_URL,
        },
        "item": folders,
        "auth": copy.deepcopy(BEARER),
        "variable": [
            {"key": "baseUrl", "value": base_url, "type": "string"},
            {"key": "token", "value": "", "type": "string"},
        ],
    }


def _collection_description(info: dict[str, Any]) -> str:
    intro = (info.get("description") or "").strip()
    usage = (
        "Generated from the OpenAPI document by `flask postman export FILE` (`make docs`). "
        "Set `baseUrl` and `token` (an access token from Login, or an API key) in the collection variables."
    )
    return f"{intro}\n\n{usage}" if intro else usage


def _item(document: dict[str, Any], namespace: uuid.UUID, operation: spec.Operation) -> dict[str, Any]:
    request: dict[str, Any] = {
        "method": operation.method.upper(),
        "header": _headers(document, operation),
        "auth": _auth(document, operation),
        "url": _url(document, operation),
        "description": _description(operation),
    }
    body = _body(document, operation)
    if body is not None:
        request["body"] = body
    item: dict[str, Any] = {
        "id": str(uuid.uuid5(namespace, operation.key)),
        "name": operation.summary,
        "request": request,
        "response": [],
    }
    if _returns_a_token(document, operation):
        item["event"] = [_keep_token_script(namespace, operation)]
    return item


def _returns_a_token(document: dict[str, Any], operation: spec.Operation) -> bool:
    """Whether a success response's ``data`` has an ``accessToken`` (login, refresh, register …)."""
    for status, response in (operation.body.get("responses") or {}).items():
        if not str(status).startswith("2"):
            continue
        media = spec.preferred_media((spec.resolve(document, response) or {}).get("content"))
        envelope = spec.resolve(document, media[1].get("schema")) if media else None
        data = spec.resolve(document, ((envelope or {}).get("properties") or {}).get("data"))
        if TOKEN_FIELD in ((data or {}).get("properties") or {}):
            return True
    return False


def _keep_token_script(namespace: uuid.UUID, operation: spec.Operation) -> dict[str, Any]:
    """A test script that stores the access token of a successful answer in ``{{token}}``."""
    lines = [
        "if (pm.response.code < 300) {",
        f"    const token = (pm.response.json().data || {{}}).{TOKEN_FIELD};",
        '    if (token) { pm.collectionVariables.set("token", token); }',
        "}",
    ]
    script_id = str(uuid.uuid5(namespace, f"script:{operation.key}"))
    return {"listen": "test", "script": {"id": script_id, "type": "text/javascript", "exec": lines}}


def _description(operation: spec.Operation) -> str:
    summary = (operation.body.get("summary") or "").strip()
    description = (operation.body.get("description") or "").strip()
    return "\n\n".join(part for part in (summary, description) if part)


def _auth(document: dict[str, Any], operation: spec.Operation) -> dict[str, Any]:
    """Bearer ``{{token}}`` where the operation needs credentials, ``noauth`` where it declares none."""
    security = spec.effective_security(document, operation)
    if not security or all(not requirement for requirement in security):
        return NOAUTH
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    names = [name for requirement in security for name in requirement]
    if any((schemes.get(name) or {}).get("scheme", "").lower() == "bearer" for name in names):
        return copy.deepcopy(BEARER)
    header = next((schemes[name] for name in names if (schemes.get(name) or {}).get("in") == "header"), None)
    if header is None:
        return copy.deepcopy(BEARER)
    attributes = [("key", header.get("name", "X-API-Key")), ("value", "{{token}}"), ("in", "header")]
    return {"type": "apikey", "apikey": [{"key": k, "value": v, "type": "string"} for k, v in attributes]}


def _url(document: dict[str, Any], operation: spec.Operation) -> dict[str, Any]:
    path = _PATH_PARAMETER.sub(r":\1", operation.path)
    query = [_query(document, p) for p in operation.parameters if p.get("in") == "query"]
    enabled = [f"{q['key']}={q['value']}" for q in query if not q.get("disabled")]
    raw = "{{baseUrl}}" + path + ("?" + "&".join(enabled) if enabled else "")
    url: dict[str, Any] = {"raw": raw, "host": ["{{baseUrl}}"], "path": [s for s in path.split("/") if s]}
    if query:
        url["query"] = query
    variables = [_path_variable(document, p) for p in operation.parameters if p.get("in") == "path"]
    if variables:
        url["variable"] = variables
    return url


def _query(document: dict[str, Any], parameter: dict[str, Any]) -> dict[str, Any]:
    entry = {
        "key": parameter["name"],
        "value": _text(spec.parameter_example(document, parameter)),
        "description": _parameter_description(document, parameter),
    }
    if not parameter.get("required"):
        entry["disabled"] = True
    return entry


def _path_variable(document: dict[str, Any], parameter: dict[str, Any]) -> dict[str, Any]:
    return {
        "key": parameter["name"],
        "value": _text(spec.parameter_example(document, parameter)),
        "description": _parameter_description(document, parameter),
    }


def _headers(document: dict[str, Any], operation: spec.Operation) -> list[dict[str, Any]]:
    headers = [{"key": "Accept", "value": "application/json"}]
    body = operation.body.get("requestBody")
    media = spec.preferred_media((spec.resolve(document, body) or {}).get("content")) if body else None
    if media and not media[0].startswith("multipart/"):
        headers.append({"key": "Content-Type", "value": media[0]})
    for parameter in operation.parameters:
        if parameter.get("in") == "header" and parameter["name"].lower() not in IGNORED_HEADERS:
            header = {
                "key": parameter["name"],
                "value": _text(spec.parameter_example(document, parameter)),
                "description": _parameter_description(document, parameter),
            }
            if not parameter.get("required"):
                header["disabled"] = True
            headers.append(header)
    return headers


def _parameter_description(document: dict[str, Any], parameter: dict[str, Any]) -> str:
    schema = spec.resolve(document, parameter.get("schema")) or {}
    kind = schema.get("format") or schema.get("type") or ""
    if schema.get("enum"):
        kind = " | ".join(str(value) for value in schema["enum"])
    parts = [f"({kind})" if kind else "", (parameter.get("description") or "").strip()]
    if parameter.get("required"):
        parts.insert(0, "Required.")
    return " ".join(part for part in parts if part)


def _body(document: dict[str, Any], operation: spec.Operation) -> dict[str, Any] | None:
    request_body = spec.resolve(document, operation.body.get("requestBody"))
    media = spec.preferred_media((request_body or {}).get("content"))
    if media is None:
        return None
    media_type, media_object = media
    if media_type.startswith("multipart/") or media_type == "application/x-www-form-urlencoded":
        return _form_body(document, media_type, media_object)
    example = spec.media_example(document, media_object)
    if example is spec.MISSING:
        example = minimal_example(document, media_object.get("schema", {}))
    if not media_type.endswith("json"):
        return {"mode": "raw", "raw": _text(example)}
    raw = json.dumps(example, indent=2, ensure_ascii=False)
    return {"mode": "raw", "raw": raw, "options": {"raw": {"language": "json"}}}


def _form_body(document: dict[str, Any], media_type: str, media_object: dict[str, Any]) -> dict[str, Any]:
    """Form fields from the schema's properties: binary ones as files, required ones enabled."""
    schema = spec.resolve(document, media_object.get("schema")) or {}
    required = set(schema.get("required") or [])
    multipart = media_type.startswith("multipart/")
    fields = []
    for name, prop in sorted((schema.get("properties") or {}).items()):
        prop = spec.resolve(document, prop) or {}
        if multipart and _is_binary(document, prop):
            fields.append({"key": name, "type": "file", "src": []})
            continue
        field: dict[str, Any] = {"key": name, "value": _text(minimal_example(document, prop))}
        if multipart:
            field["type"] = "text"
        if name not in required:
            field["disabled"] = True
        fields.append(field)
    mode = "formdata" if multipart else "urlencoded"
    return {"mode": mode, mode: fields}


def _is_binary(document: dict[str, Any], prop: dict[str, Any]) -> bool:
    items = spec.resolve(document, prop.get("items")) or {}
    return prop.get("format") == "binary" or items.get("format") == "binary"


def _text(value: Any) -> str:
    """A parameter value as Postman shows it: strings as they are, anything else as JSON."""
    if value is spec.MISSING or value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)
