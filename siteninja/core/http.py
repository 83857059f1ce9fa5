"""Request ids, security headers, ETags and conditional requests, body checks, request log."""

from __future__ import annotations

import hashlib
import json
import logging
import time

from flask import Flask, Response, current_app, request
from werkzeug.test import EnvironBuilder

from siteninja.core import idempotency, metrics, throttle, uploads
from siteninja.core.context import INTERNAL_REQUEST, request_id, request_state, route_template
from siteninja.core.errors import BadRequest, PreconditionFailed

log = logging.getLogger("siteninja.request")

BODY_METHODS = {"POST", "PUT", "PATCH"}
CONDITIONAL_WRITES = {"PUT", "PATCH", "DELETE"}
FORWARDED_HEADERS = ("Authorization", "X-API-Key", "Accept", "X-Forwarded-For")
READ_METHODS = {"GET", "HEAD"}  # HEAD must carry the headers GET would

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "X-XSS-Protection": "0",
}
API_CSP = "default-src 'none'; frame-ancestors 'none'"
DOCS_CSP = (
    "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"
)
DOCS_PATHS = ("/api/docs",)
HSTS = "max-age=31536000; includeSubDomains"


def body_etag(body: bytes) -> str:
    """A strong ETag for a response body."""
    return hashlib.sha256(body).hexdigest()[:32]


def _start_request() -> None:
    request_state()["started"] = time.perf_counter()
    request_id()
    _check_body_type()


def _check_body_type() -> None:
    if request.method not in BODY_METHODS or not request.content_length:
        return
    if request.mimetype == "multipart/form-data" or request.is_json:
        return
    raise BadRequest("Request body must be JSON (Content-Type: application/json)")


def _check_if_match() -> None:
    """412 when ``If-Match`` names none of the current ETags of the target (what a GET would send)."""
    if request.method not in CONDITIONAL_WRITES or not request.if_match:
        return
    current = _current_etag()
    if current is None or request.if_match.star_tag or request.if_match.contains(current):
        return
    raise PreconditionFailed("The resource has changed since you read it; fetch it again")


def _current_etag() -> str | None:
    """The ETag a GET of this URL returns now, by dispatching that GET inside the application."""
    app = current_app._get_current_object()
    headers = {name: request.headers[name] for name in FORWARDED_HEADERS if name in request.headers}
    builder = EnvironBuilder(
        path=request.path,
        query_string=request.query_string,
        method="GET",
        headers=headers,
        environ_base={"REMOTE_ADDR": request.remote_addr or "", INTERNAL_REQUEST: True},
    )
    with app.request_context(builder.get_environ()):
        response = app.full_dispatch_request()
    if response.status_code != 200:
        return None
    return response.get_etag()[0]


def standard_headers(path: str, *, secure: bool) -> dict[str, str]:
    """The security headers of a response to ``path`` (a view's own values of them win)."""
    csp = DOCS_CSP if path.startswith(DOCS_PATHS) else API_CSP
    headers = {**SECURITY_HEADERS, "Content-Security-Policy": csp}
    if secure:
        headers["Strict-Transport-Security"] = HSTS
    return headers


def _finish_response(response: Response) -> Response:
    response.headers["X-Request-ID"] = request_id() or ""
    for name, value in standard_headers(request.path, secure=request.is_secure).items():
        response.headers.setdefault(name, value)
    if request.method in READ_METHODS and response.status_code == 200 and response.is_json:
        _make_conditional(response)
    if not request.environ.get(INTERNAL_REQUEST):
        _log_request(response)
    return response


def _make_conditional(response: Response) -> None:
    """ETag + revalidation; a view that set its own ETag or Cache-Control keeps it."""
    if "ETag" not in response.headers:
        response.set_etag(body_etag(response.get_data()))
    response.headers.setdefault("Cache-Control", "private, no-cache")
    response.make_conditional(request)


def _log_request(response: Response) -> None:
    """The request's metrics and its one JSON log line (never a credential)."""
    state = request_state()
    log_request_line(
        method=request.method,
        path=request.path,
        route=route_template(),
        status=response.status_code,
        started=state.get("started"),
        request_id=request_id(),
        cache=state.get("cache"),
        tenant_id=state.get("tenant_id"),
        principal=getattr(state.get("principal"), "log_name", None),
    )


def log_request_line(
    *,
    method: str,
    path: str,
    route: str | None,
    status: int,
    started: float | None,
    request_id: str | None,
    cache: str | None = None,
    tenant_id: object = None,
    principal: str | None = None,
) -> None:
    """The request's metrics and its one JSON log line (``started``: its ``time.perf_counter()``)."""
    elapsed = time.perf_counter() - started if started else 0.0
    metrics.observe_request(method, route or "unmatched", status, elapsed)
    line = {
        "method": method,
        "path": path,
        "route": route,
        "status": status,
        "ms": round(elapsed * 1000, 2),
        "cache": cache,
        "requestId": request_id,
        "tenantId": str(tenant_id) if tenant_id else None,
        "principal": principal,
    }
    if log.isEnabledFor(logging.INFO):
        log.info(json.dumps(line))


def register_request_hooks(app: Flask) -> None:
    """Install the hooks every request passes through."""
    app.request_class = uploads.UploadRequest
    app.before_request(_start_request)
    app.before_request(_check_if_match)
    app.before_request(uploads.allow_uploads)  # before anything reads the body
    app.before_request(idempotency.replay_or_reserve)
    app.after_request(_finish_response)
    # Registered after _finish_response so it runs before it: a 429 it makes is logged as such.
    app.after_request(throttle.settle_unsent_count)
    app.after_request(uploads.drain_unread_body)
    app.after_request(idempotency.remember)
