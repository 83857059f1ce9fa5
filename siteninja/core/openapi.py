"""The parts of the OpenAPI document that follow from the API's conventions rather than from any one
route: the error responses an operation can give, the headers of its successes, and 304s.

They are derived here from what each operation declares (its security, its path parameters, its
body and query, its method), so every route documents them the same way and none can forget.
"""

from __future__ import annotations

from typing import Any

ERROR_REF = "#/components/schemas/ErrorEnvelope"

# status → (component name, error.code, description): API.md §1.
ERRORS: dict[str, tuple[str, str, str]] = {
    "400": ("BadRequest", "bad_request", "Malformed JSON, or a body that is not JSON"),
    "401": ("Unauthorized", "unauthorized", "No, invalid, expired or revoked credentials"),
    "403": ("Forbidden", "forbidden", "The role, scope or plan does not allow it"),
    "404": ("NotFound", "not_found", "No such object, or it belongs to another tenant"),
    "409": ("Conflict", "conflict", "A unique value is taken"),
    "412": ("PreconditionFailed", "precondition_failed", "`If-Match` no longer matches the ETag"),
    "413": ("PayloadTooLarge", "payload_too_large", "The body is over the limit"),
    "415": ("UnsupportedMediaType", "unsupported_media_type", "The body's type is not accepted"),
    "422": ("ValidationError", "validation_error", "The body, query or path fails the schema"),
    "429": ("RateLimited", "rate_limited", "Rate limit exceeded; retry after `Retry-After` seconds"),
}
HEADERS: dict[str, dict[str, Any]] = {
    "X-Request-ID": {"description": "The request's id (the client's, if sane), also in logs and audit"},
    "ETag": {"description": "The entity tag of the body; send it back in If-None-Match / If-Match"},
    "Location": {"description": "The URL of the created object"},
    "Retry-After": {"description": "Seconds to wait before retrying"},
    "X-RateLimit-Limit": {"description": "Requests allowed in the window nearest to exhaustion"},
    "X-RateLimit-Remaining": {"description": "Requests left in that window"},
    "X-RateLimit-Reset": {"description": "Unix time at which that window resets"},
}
INTEGER_HEADERS = {"Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"}
METHODS = ("get", "put", "post", "delete", "patch")


def complete(spec: dict[str, Any], *, unthrottled_tags: set[str] | frozenset[str]) -> dict[str, Any]:
    """Add the conventional responses and headers to every operation of ``spec`` (in place)."""
    components = spec.setdefault("components", {})
    components.setdefault("headers", {}).update(_header_components())
    components.setdefault("responses", {}).update(_error_components())
    default_security = spec.get("security", [])
    for path, item in spec.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is not None:
                _complete_operation(path, method, operation, default_security, unthrottled_tags, components)
    components["responses"].pop("UNPROCESSABLE_ENTITY", None)  # smorest's, replaced by ValidationError
    return spec


def error_statuses(
    path: str,
    method: str,
    operation: dict[str, Any],
    *,
    secured: bool,
    throttled: bool,
    spec_components: dict[str, Any],
) -> set[str]:
    """The error statuses the conventions give an operation, whatever its route adds."""
    statuses: set[str] = set()
    body = operation.get("requestBody")
    query = [p for p in operation.get("parameters", []) if p.get("in") == "query"]
    if secured:
        statuses |= {"401", "403"}
    if "{" in path or _names_ids(operation, spec_components):
        statuses.add("404")  # an id in the path, or in the body (another tenant's id is a 404 too)
    if body is not None:
        statuses |= {"413", "422"}
        if "application/json" in body.get("content", {}):
            statuses.add("400")
    if query or method == "post":  # every POST checks its Idempotency-Key
        statuses.add("422")
    if secured and method in ("put", "patch", "delete"):
        statuses.add("412")
    if throttled:
        statuses.add("429")
    return statuses


def _complete_operation(
    path: str,
    method: str,
    operation: dict[str, Any],
    default_security: list[Any],
    unthrottled_tags: set[str] | frozenset[str],
    components: dict[str, Any],
) -> None:
    responses = operation.setdefault("responses", {})
    secured = bool(operation.get("security", default_security))
    throttled = not unthrottled_tags.intersection(operation.get("tags", []))
    statuses = error_statuses(
        path, method, operation, secured=secured, throttled=throttled, spec_components=components
    )
    for status in sorted(statuses):
        responses.setdefault(status, {"$ref": f"#/components/responses/{ERRORS[status][0]}"})
    if responses.get("422") == {"$ref": "#/components/responses/UNPROCESSABLE_ENTITY"}:
        responses["422"] = {"$ref": "#/components/responses/ValidationError"}
    for status, response in responses.items():
        if "$ref" not in response:
            _add_headers(method, status, response, throttled=throttled)
    if method == "get" and "200" in responses:  # every GET answers If-None-Match
        responses.setdefault("304", {"description": "Not Modified: `If-None-Match` matched the ETag"})
    operation["responses"] = dict(sorted(responses.items(), key=lambda item: (item[0] == "default", item[0])))


def _names_ids(operation: dict[str, Any], components: dict[str, Any]) -> bool:
    """Whether the operation's JSON body has a field naming another object (``pageId``, ``tenantId``)."""
    content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    schema = content.get("schema", {})
    if "$ref" in schema:
        schema = components.get("schemas", {}).get(schema["$ref"].rsplit("/", 1)[-1], {})
    return any(name.endswith("Id") for name in schema.get("properties", {}))


def _add_headers(method: str, status: str, response: dict[str, Any], *, throttled: bool) -> None:
    names = ["X-Request-ID"]
    if throttled:
        names += ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"]
    if method == "get" and status == "200":
        names.append("ETag")
    if status == "201":
        names.append("Location")
    headers = response.setdefault("headers", {})
    for name in names:
        headers.setdefault(name, {"$ref": f"#/components/headers/{name}"})


def _header_components() -> dict[str, Any]:
    return {
        name: {**doc, "schema": {"type": "integer" if name in INTEGER_HEADERS else "string"}}
        for name, doc in HEADERS.items()
    }


def _error_components() -> dict[str, Any]:
    components = {}
    for status, (name, code, description) in ERRORS.items():
        example = {
            "success": False,
            "error": {"code": code, "message": description},
            "requestId": "5f0c6f1e2b3a4d5c",
        }
        if status == "422":
            example["error"]["details"] = [{"field": "title", "message": "Missing data for required field."}]
        headers = {"X-Request-ID": {"$ref": "#/components/headers/X-Request-ID"}}
        if status == "429":
            headers["Retry-After"] = {"$ref": "#/components/headers/Retry-After"}
        components[name] = {
            "description": description,
            "headers": headers,
            "content": {"application/json": {"schema": {"$ref": ERROR_REF}, "example": example}},
        }
    return components


def webhooks_document(payloads: dict[str, str | dict[str, Any]]) -> dict[str, Any]:
    """``x-webhooks`` entries (OpenAPI 3.0's spelling of 3.1's ``webhooks``): one POST per event
    type, its body the event envelope with ``data`` as ``payloads`` gives (a component name or an
    inline schema), and the Standard Webhooks headers a receiver verifies."""
    return {
        event_type: {"post": _webhook_operation(event_type, data)} for event_type, data in payloads.items()
    }


def _webhook_operation(event_type: str, data: str | dict[str, Any]) -> dict[str, Any]:
    data_schema = {"$ref": f"#/components/schemas/{data}"} if isinstance(data, str) else data
    return {
        "summary": f"The `{event_type}` event, POSTed to each subscribed webhook URL",
        "tags": ["webhooks"],
        "parameters": [
            _header("webhook-id", "evt_…: the event's id, the same for every retry (de-duplicate on it)"),
            _header("webhook-timestamp", "Unix seconds of this attempt"),
            _header(
                "webhook-signature",
                'Space-separated `v1,<base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}">`'
                " signatures (two during a secret's rotation grace period)",
            ),
            _header("user-agent", "SiteNinja-Webhooks/1"),
        ],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["id", "type", "createdAt", "tenantId", "data"],
                        "properties": {
                            "id": {"type": "string", "example": "evt_3f1c9b0e8a6d4e2f9c1b7a5d3e0f8c2a"},
                            "type": {"type": "string", "enum": [event_type]},
                            "createdAt": {"type": "string", "format": "date-time"},
                            "tenantId": {"type": "string", "format": "uuid"},
                            "data": data_schema,
                        },
                    }
                }
            },
        },
        "responses": {
            "2XX": {"description": "Received: any 2xx within the timeout is a success"},
            "410": {"description": "Gone: the webhook is disabled at once"},
            "default": {"description": "Any other answer (or none): retried with backoff"},
        },
    }


def _header(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "header",
        "required": True,
        "description": description,
        "schema": {"type": "string"},
    }
