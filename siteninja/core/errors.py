"""The ApiError tree and the one handler that turns every error into the error envelope."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import Any

from flask import Flask, current_app, jsonify
from flask.wrappers import Response
from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from siteninja.core.context import request_id

log = logging.getLogger("siteninja.errors")

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "precondition_failed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}

MESSAGES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    412: "Precondition failed",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


class ApiError(Exception):
    """An error a service raises on purpose; its status, code and message reach the client."""

    status = 500

    def __init__(
        self,
        message: str | None = None,
        *,
        details: list[dict[str, Any]] | None = None,
        code: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.message = message or MESSAGES[self.status]
        self.details = details
        self.code = code or CODES[self.status]
        self.headers = dict(headers or {})
        super().__init__(self.message)


class BadRequest(ApiError):
    status = 400


class Unauthorized(ApiError):
    status = 401


class Forbidden(ApiError):
    status = 403


class PlanLimitExceeded(ApiError):
    status = 403

    def __init__(self, message: str) -> None:
        super().__init__(message, code="plan_limit_exceeded")


class NotFound(ApiError):
    status = 404


class Conflict(ApiError):
    status = 409


class PreconditionFailed(ApiError):
    status = 412


class PayloadTooLarge(ApiError):
    status = 413


class UnsupportedMediaType(ApiError):
    status = 415


class ValidationFailed(ApiError):
    status = 422

    def __init__(self, message: str | None = None, *, field: str | None = None, **kwargs) -> None:
        if "details" not in kwargs:
            kwargs["details"] = [{"field": field or BODY_FIELD, "message": message or MESSAGES[422]}]
        super().__init__(message, **kwargs)


class RateLimited(ApiError):
    status = 429


class Unavailable(ApiError):
    status = 503


# The field named by an error about the body as a whole (not an object, or nothing where one is required).
BODY_FIELD = "body"
LOCATIONS = {"json", "query", "querystring", "view_args", "path", "form", "files", "multipart", "headers"}


def flatten_messages(messages: Any) -> Iterator[dict[str, Any]]:
    """webargs' error messages as details with dotted field paths.

    Only the top level is keyed by request location (``json``, ``query``…); deeper down a key
    named ``path`` or ``query`` is a field like any other.
    """
    if isinstance(messages, Mapping) and messages and all(str(key) in LOCATIONS for key in messages):
        for value in messages.values():
            yield from field_details(value)
    else:
        yield from field_details(messages)


def field_details(messages: Any, path: str = "") -> Iterator[dict[str, Any]]:
    """marshmallow's nested error messages as ``{field, message}`` (``content.items.0.title``)."""
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            key = str(key)
            nested = path if key == "_schema" else (f"{path}.{key}" if path else key)
            yield from field_details(value, nested)
    elif isinstance(messages, list | tuple) and all(isinstance(m, str) for m in messages):
        yield {"field": path or BODY_FIELD, "message": " ".join(messages)}
    elif isinstance(messages, list | tuple):
        for item in messages:
            yield from field_details(item, path)
    else:
        yield {"field": path or BODY_FIELD, "message": str(messages)}


def error_response(
    status: int,
    *,
    message: str | None = None,
    code: str | None = None,
    details: list[dict[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The error envelope, the only shape an error ever takes on the wire."""
    error: dict[str, Any] = {
        "code": code or CODES.get(status) or _status_code_name(status),
        "message": message or MESSAGES.get(status) or HTTP_STATUS_CODES.get(status, "Error"),
    }
    if details:
        error["details"] = details
    response = jsonify({"success": False, "error": error, "requestId": request_id()})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _status_code_name(status: int) -> str:
    """A code for statuses the API does not list (416 → ``requested_range_not_satisfiable``)."""
    return HTTP_STATUS_CODES.get(status, "error").lower().replace(" ", "_").replace("-", "_")


def _rollback_session() -> None:
    """Leave the session usable for what runs after the handler (after-request hooks)."""
    sqlalchemy = current_app.extensions.get("sqlalchemy")
    if sqlalchemy is not None:
        sqlalchemy.session.rollback()


def _handle_api_error(error: ApiError) -> Response:
    return error_response(
        error.status,
        message=error.message,
        code=error.code,
        details=error.details,
        headers=error.headers,
    )


def _handle_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    headers = dict(data.get("headers") or {})
    if status == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    if status == 429:
        headers.update({k: v for k, v in (error.get_headers() or []) if k == "Retry-After"})
        return error_response(429, message=f"Rate limit exceeded: {error.description}", headers=headers)
    messages = data.get("messages") or data.get("errors")
    if status == 422 and messages:
        return error_response(422, details=list(flatten_messages(messages)), headers=headers)
    if status == 400 and messages:
        return error_response(400, message="Malformed JSON body", headers=headers)
    return error_response(status, headers=headers)


def _handle_validation_error(error: ValidationError) -> Response:
    """A schema or validator used outside webargs (in a service) fails like request validation."""
    return error_response(422, details=list(field_details(error.messages)))


def _handle_integrity_error(error: IntegrityError) -> Response:
    _rollback_session()
    log.info("integrity error mapped to 409", extra={"requestId": request_id()})
    return error_response(409, message="Conflicts with an existing record")


def _handle_unexpected(error: Exception) -> Response:
    log.exception("unhandled error", extra={"requestId": request_id()})
    return error_response(500)


def register_error_handlers(app: Flask) -> None:
    """Route every error source through the one error envelope."""
    app.register_error_handler(ApiError, _handle_api_error)
    app.register_error_handler(HTTPException, _handle_http_exception)
    app.register_error_handler(ValidationError, _handle_validation_error)
    app.register_error_handler(IntegrityError, _handle_integrity_error)
    app.register_error_handler(Exception, _handle_unexpected)
