"""Audit entries, written into the caller's transaction, with secrets redacted."""

from __future__ import annotations

import uuid
from typing import Any

from flask import has_request_context
from sqlalchemy import inspect

from siteninja.core.auth import optional_principal
from siteninja.core.context import request_metadata
from siteninja.core.redaction import REDACTED, jsonable, redact
from siteninja.extensions import db
from siteninja.resources.audit.models import AuditLog

__all__ = ["REDACTED", "current_actor", "diff", "jsonable", "record", "redact", "snapshot"]


def snapshot(obj: Any) -> dict[str, Any]:
    """The column values of a model instance, JSON-safe and redacted."""
    columns = inspect(obj).mapper.column_attrs
    return redact({attr.key: getattr(obj, attr.key) for attr in columns})


def diff(old: dict[str, Any] | None, new: dict[str, Any] | None) -> dict[str, list[Any]]:
    """Field → [old, new] for every field whose value differs (timestamps of the write excluded)."""
    old, new = old or {}, new or {}
    keys = (old.keys() | new.keys()) - {"updated_at"}
    return {key: [old.get(key), new.get(key)] for key in sorted(keys) if old.get(key) != new.get(key)}


def current_actor() -> tuple[str, uuid.UUID | None]:
    """(actor type, actor id) of the principal of this request, or the system outside one."""
    # Resolved from the request's credentials even if the view never asked for them.
    principal = optional_principal() if has_request_context() else None
    if principal is None:
        return "system", None
    return principal.actor_type, principal.actor_id


def record(
    *,
    action: str,
    resource_type: str,
    resource_id: Any = None,
    tenant_id: uuid.UUID | None = None,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    actor: tuple[str, uuid.UUID | None] | None = None,
) -> AuditLog:
    """Add an audit entry to the current transaction; it commits or rolls back with the change."""
    actor_type, actor_id = actor or current_actor()
    old, new = redact(old), redact(new)
    entry = AuditLog(
        tenant_id=tenant_id,
        actor_type=actor_type,
        actor_id=actor_id,
        action=action,
        resource_type=resource_type,
        resource_id=str(resource_id) if resource_id is not None else None,
        old_value=old,
        new_value=new,
        changes=diff(old, new) if old is not None and new is not None else None,
        **request_metadata(),
    )
    db.session.add(entry)
    return entry
