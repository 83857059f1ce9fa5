"""Request-scoped facts every layer may ask for: the request id and request metadata."""

from __future__ import annotations

import re
import uuid
from functools import lru_cache
from typing import Any

from flask import has_request_context, request

from siteninja.core.limits import client_address
from siteninja.core.schemas import camelcase

_RULE_ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
# fullmatch, not match: "$" would accept a trailing newline, which cannot go into a header.
INTERNAL_REQUEST = "siteninja.internal"
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def request_state() -> dict[str, Any]:
    """Per-request scratch space (kept in the WSGI environ, so it never outlives the request)."""
    return request.environ.setdefault("siteninja.state", {})


def request_id() -> str | None:
    """This request's id: the client's if it sent a sane one, else a generated one."""
    if not has_request_context():
        return None
    state = request_state()
    if "request_id" not in state:
        state["request_id"] = sane_request_id(request.headers.get("X-Request-ID", ""))
    return state["request_id"]


def sane_request_id(incoming: str) -> str:
    """The client's ``X-Request-ID`` when it is sane, else a generated one."""
    return incoming if REQUEST_ID_PATTERN.fullmatch(incoming) else uuid.uuid4().hex


def request_metadata() -> dict[str, Any]:
    """Who asked and how, for audit entries; empty outside a request (CLI, jobs)."""
    if not has_request_context():
        return {}
    return {
        "ip_address": client_address(),
        "user_agent": (request.user_agent.string or "")[:512] or None,
        "request_id": request_id(),
        "method": request.method,
        "path": request.path[:512],
    }


def is_internal_request() -> bool:
    """True for a request the application dispatched to itself (e.g. to evaluate If-Match)."""
    return bool(request.environ.get(INTERNAL_REQUEST))


def route_template() -> str | None:
    """The matched route as documented (``/api/tenants/{tenantId}/pages``), None for no route."""
    rule = request.url_rule
    return None if rule is None else documented_route(rule.rule)


@lru_cache(maxsize=1024)
def documented_route(rule: str) -> str:
    """A Werkzeug rule as the API documents it: ``<uuid:tenant_id>`` → ``{tenantId}``."""
    return _RULE_ARGUMENT.sub(lambda match: "{" + camelcase(match.group(1)) + "}", rule)
