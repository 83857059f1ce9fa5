"""Tenant-scoped lookups: another tenant's object is indistinguishable from a missing one."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

import sqlalchemy as sa

from siteninja.core.errors import NotFound
from siteninja.extensions import db

M = TypeVar("M")


def get_for_tenant_or_404(model: type[M], object_id: Any, tenant_id: uuid.UUID, **filters: Any) -> M:
    """The ``model`` row with ``object_id`` belonging to ``tenant_id``, else 404."""
    try:
        key = object_id if isinstance(object_id, uuid.UUID) else uuid.UUID(str(object_id))
    except ValueError as exc:
        raise NotFound() from exc
    stmt = sa.select(model).where(model.id == key, model.tenant_id == tenant_id).filter_by(**filters)
    obj = db.session.scalar(stmt)
    if obj is None:
        raise NotFound(f"{model.__name__} not found")
    return obj
