"""Redirect rules: unique source paths, collapsed chains, no loops, automatic 301s for moved pages."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from siteninja.core.envelope import Paginated
from siteninja.core.errors import Conflict, ValidationFailed
from siteninja.core.pagination import order_by, paginate
from siteninja.core.tenancy import get_for_tenant_or_404, lock_tenant
from siteninja.extensions import db
from siteninja.resources.redirects.models import Redirect
from siteninja.services import audit

SORTABLE = {"fromPath": Redirect.from_path, "createdAt": Redirect.created_at}
MOVED_PERMANENTLY = 301


def list_redirects(*, tenant_id: uuid.UUID, page: int, limit: int, sort: str) -> Paginated:
    """The tenant's redirects, one page of them."""
    stmt = sa.select(Redirect).where(Redirect.tenant_id == tenant_id)
    return paginate(stmt.order_by(*order_by(sort, SORTABLE, Redirect.id)), page=page, limit=limit)


def ensure_redirect(*, tenant_id: uuid.UUID, redirect_id: uuid.UUID) -> None:
    """404 unless ``redirect_id`` is one of the tenant's redirects."""
    get_for_tenant_or_404(Redirect, redirect_id, tenant_id)


def get_redirect(*, tenant_id: uuid.UUID, redirect_id: uuid.UUID) -> Redirect:
    """One of the tenant's redirects."""
    return get_for_tenant_or_404(Redirect, redirect_id, tenant_id)


def create_redirect(*, tenant_id: uuid.UUID, data: dict[str, Any]) -> Redirect:
    """Add a redirect (409 for a taken ``fromPath``, 422 for a loop), collapsing chains through it."""
    lock_tenant(tenant_id)  # chain rewrites of concurrent creates must not interleave
    redirect = _add(tenant_id, data["from_path"], data["to_path"], data["status_code"], replace=False)
    db.session.commit()
    return redirect


def delete_redirect(*, tenant_id: uuid.UUID, redirect_id: uuid.UUID) -> None:
    """Remove a redirect; the site answers its path as any other at once."""
    _remove(get_for_tenant_or_404(Redirect, redirect_id, tenant_id))
    db.session.commit()


def page_moved(*, tenant_id: uuid.UUID, old_path: str, new_path: str) -> None:
    """A published page moved from ``old_path`` to ``new_path``: a 301 between them, in the
    caller's transaction. A redirect from ``new_path`` (the page lived there before) is dropped,
    so renaming a page back never leaves a loop."""
    lock_tenant(tenant_id)
    shadowed = _from(tenant_id, new_path)
    if shadowed is not None:
        _remove(shadowed)
    _add(tenant_id, old_path, new_path, MOVED_PERMANENTLY, replace=True)


def site_redirects(tenant_id: uuid.UUID) -> list[Redirect]:
    """Every redirect of the tenant's site, by source path (one query)."""
    stmt = sa.select(Redirect).where(Redirect.tenant_id == tenant_id).order_by(Redirect.from_path)
    return list(db.session.scalars(stmt))


def redirect_from(tenant_id: uuid.UUID, path: str) -> Redirect | None:
    """The tenant's redirect whose source is ``path``, if any (one query)."""
    return _from(tenant_id, path)


def _add(tenant_id: uuid.UUID, from_path: str, to_path: str, status_code: int, *, replace: bool) -> Redirect:
    """Store ``from_path`` → the end of the chain starting at ``to_path``, and point every redirect
    that led to ``from_path`` there too; ``replace`` retargets an existing redirect from ``from_path``."""
    if from_path == to_path:
        raise ValidationFailed("A redirect must lead to another path", field="toPath")
    existing = _from(tenant_id, from_path)
    if existing is not None and not replace:
        raise Conflict(
            "A redirect from that path already exists",
            details=[{"field": "fromPath", "message": "Already redirected"}],
        )
    onward = _from(tenant_id, to_path)
    target = onward.to_path if onward is not None else to_path
    if target == from_path:
        raise ValidationFailed(f"{to_path} redirects back to {from_path}: that would loop", field="toPath")
    for leading in db.session.scalars(_to(tenant_id, from_path)):
        _change(leading, to_path=target)
    if existing is not None:
        _change(existing, to_path=target, status_code=status_code)
        return existing
    redirect = Redirect(tenant_id=tenant_id, from_path=from_path, to_path=target, status_code=status_code)
    db.session.add(redirect)
    db.session.flush()
    audit.record(
        action="create",
        resource_type="redirect",
        resource_id=redirect.id,
        tenant_id=tenant_id,
        new=audit.snapshot(redirect),
    )
    return redirect


def _change(redirect: Redirect, **values: Any) -> None:
    old = audit.snapshot(redirect)
    for key, value in values.items():
        setattr(redirect, key, value)
    db.session.flush()
    audit.record(
        action="update",
        resource_type="redirect",
        resource_id=redirect.id,
        tenant_id=redirect.tenant_id,
        old=old,
        new=audit.snapshot(redirect),
    )


def _remove(redirect: Redirect) -> None:
    old = audit.snapshot(redirect)
    db.session.delete(redirect)
    db.session.flush()
    audit.record(
        action="delete",
        resource_type="redirect",
        resource_id=old["id"],
        tenant_id=redirect.tenant_id,
        old=old,
    )


def _from(tenant_id: uuid.UUID, path: str) -> Redirect | None:
    stmt = sa.select(Redirect).where(Redirect.tenant_id == tenant_id, Redirect.from_path == path)
    return db.session.scalar(stmt)


def _to(tenant_id: uuid.UUID, path: str) -> sa.Select:
    return sa.select(Redirect).where(Redirect.tenant_id == tenant_id, Redirect.to_path == path)
