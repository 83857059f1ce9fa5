"""Tenant scoping: the TenantView base and lookups where another tenant's object is a 404."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import Response, request
from flask.views import MethodView

from siteninja.core import caching
from siteninja.core.auth import Principal, authenticated, check
from siteninja.core.context import request_state
from siteninja.core.errors import NotFound
from siteninja.extensions import db

M = TypeVar("M")

_tenants = sa.table("tenants", sa.column("id", sa.Uuid), sa.column("status", sa.String))


def tenant_visible(principal: Principal, tenant_id: uuid.UUID) -> bool:
    """Whether ``principal`` may see ``tenant_id`` at all (its own, or any live one for a super_admin)."""
    if not principal.can_access_tenant(tenant_id):
        return False
    if not principal.is_super_admin:
        return True
    status = db.session.scalar(sa.select(_tenants.c.status).where(_tenants.c.id == tenant_id))
    return status is not None


def lock_tenant(tenant_id: uuid.UUID) -> None:
    """Serialize this transaction's tenant-wide checks (plan limits, the navigation tree) with
    concurrent ones: a row lock on the tenant until commit (PostgreSQL; SQLite serializes writes)."""
    db.session.execute(
        sa.select(_tenants.c.id).where(_tenants.c.id == tenant_id).with_for_update(key_share=True)
    )


class TenantView(MethodView):
    """Base view for ``/api/tenants/<tenant_id>/…``: 401 without credentials, 404 for other tenants.

    Views of objects inside the tenant override ``check_scope``; it runs before the body or
    query is parsed, so another tenant's id answers 404 even when the input is invalid.
    """

    def check_scope(self, **kwargs: Any) -> None:
        """404 unless the objects named in the path belong to the tenant (none by default)."""

    def dispatch_request(self, **kwargs: Any) -> Any:
        tenant_id = kwargs["tenant_id"]
        principal = authenticated()
        if not tenant_visible(principal, tenant_id):
            raise NotFound("Tenant not found")
        request_state()["tenant_id"] = tenant_id
        if not principal.is_user:
            self._ensure_open_to_keys(principal)
        hit = self._cached(principal, tenant_id)
        if hit is not None:
            return hit
        self.check_scope(**kwargs)
        return super().dispatch_request(**kwargs)

    def _ensure_open_to_keys(self, principal: Principal) -> None:
        """Routes no key may use (users, keys, the subscription) are 403 for a key of the tenant
        before any object is looked up, whatever the ids in the path."""
        requires = getattr(self._handler(), "_requires", None)
        if requires and requires["scope"] is None:
            check(principal, **requires)

    def _handler(self) -> Any:
        method = "get" if request.method == "HEAD" else request.method.lower()
        return getattr(self, method, None)

    def _cached(self, principal: Principal, tenant_id: uuid.UUID) -> Response | None:
        """A cache hit for a cached read, once the caller's role or scope allows the read: its key
        (tenant and URL) proves the path's objects belong to the tenant, so no lookup is needed."""
        if request.method not in ("GET", "HEAD"):
            return None
        handler = self._handler()
        namespace = getattr(handler, "_cached_namespace", None)
        if namespace is None:
            return None
        check(principal, **handler._requires)
        return caching.lookup(namespace, tenant_id)


def get_for_tenant_or_404(model: type[M], object_id: Any, tenant_id: uuid.UUID, **filters: Any) -> M:
    """The ``model`` row with ``object_id`` belonging to ``tenant_id``, else 404.

    Through the session's identity map: the view's scope check and the service's load of the
    same object in one request cost one query.
    """
    try:
        key = object_id if isinstance(object_id, uuid.UUID) else uuid.UUID(str(object_id))
    except ValueError as exc:
        raise NotFound() from exc
    obj = db.session.get(model, key)
    if obj is None or obj.tenant_id != tenant_id or any(getattr(obj, k) != v for k, v in filters.items()):
        raise NotFound(f"{model.__name__} not found")
    return obj
