"""Tenant rules: creation with its branding, domains and free plan; updates; soft delete."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from siteninja.core.auth import Principal
from siteninja.core.db import utcnow
from siteninja.core.envelope import Paginated
from siteninja.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from siteninja.core.pagination import order_by, paginate
from siteninja.extensions import db
from siteninja.resources.branding.models import DEFAULT_BRANDING, Branding
from siteninja.resources.subscriptions.models import Subscription
from siteninja.resources.templates.models import Industry
from siteninja.resources.tenants.models import Domain, Tenant
from siteninja.resources.tenants.schemas import TenantSchema
from siteninja.services import audit, events, plans

SORTABLE = {"name": sa.func.lower(Tenant.name), "createdAt": Tenant.created_at}
FREE_PERIOD = timedelta(days=30)


def subdomain_host(subdomain: str) -> str:
    """The public host of a tenant's subdomain."""
    return f"{subdomain}.{current_app.config['SITE_BASE_DOMAIN']}"


def list_tenants(
    *,
    principal: Principal,
    page: int,
    limit: int,
    sort: str,
    status: str | None = None,
    q: str | None = None,
) -> Paginated:
    """Tenants the principal may see: all for a super_admin, else only its own."""
    stmt = sa.select(Tenant)
    if not principal.is_super_admin:
        stmt = stmt.where(Tenant.id == principal.tenant_id)
    stmt = stmt.where(Tenant.status == status) if status else stmt.where(Tenant.status != "deleted")
    if q:
        pattern = f"%{q.lower()}%"
        stmt = stmt.where(sa.or_(sa.func.lower(Tenant.name).like(pattern), Tenant.subdomain.like(pattern)))
    stmt = stmt.order_by(*order_by(sort, SORTABLE, Tenant.id))
    return paginate(stmt, page=page, limit=limit)


def get_tenant(tenant_id: uuid.UUID, *, principal: Principal | None = None) -> Tenant:
    """A tenant the principal may see; deleted tenants are visible to super_admins only."""
    tenant = db.session.get(Tenant, tenant_id)
    if tenant is None or (principal is not None and not principal.can_access_tenant(tenant_id)):
        raise NotFound("Tenant not found")
    if tenant.status == "deleted" and not (principal is None or principal.is_super_admin):
        raise NotFound("Tenant not found")
    return tenant


def create_tenant(*, data: dict[str, Any], commit: bool = True) -> Tenant:
    """Create a tenant with its default branding, domain rows and a free subscription."""
    _ensure_available(data.get("subdomain"), data.get("custom_domain"))
    _ensure_industry(data.get("industry_id"))
    tenant = Tenant(id=uuid.uuid4(), status="active", settings={}, **data)
    db.session.add(tenant)
    db.session.flush()
    db.session.add(Branding(tenant_id=tenant.id, **DEFAULT_BRANDING))
    now = utcnow()
    db.session.add(
        Subscription(
            tenant_id=tenant.id,
            plan="free",
            status="active",
            current_period_start=now,
            current_period_end=now + FREE_PERIOD,
        )
    )
    db.session.flush()
    if tenant.custom_domain:
        plans.ensure_feature(tenant.id, "custom_domain", "custom domains")
    _sync_domains(tenant)
    audit.record(
        action="create",
        resource_type="tenant",
        resource_id=tenant.id,
        tenant_id=tenant.id,
        new=audit.snapshot(tenant),
    )
    events.emit(tenant_id=tenant.id, type="tenant.created", data=TenantSchema().dump(tenant))
    if commit:
        db.session.commit()
    return tenant


def update_tenant(tenant: Tenant, *, principal: Principal, data: dict[str, Any]) -> Tenant:
    """Apply a partial update; status changes are reserved to super_admins."""
    if "status" in data and not principal.is_super_admin:
        raise Forbidden("Only a platform administrator can change a tenant's status")
    _ensure_available(data.get("subdomain"), data.get("custom_domain"), exclude=tenant.id)
    _ensure_industry(data.get("industry_id"))
    if data.get("custom_domain") and data["custom_domain"] != tenant.custom_domain:
        plans.ensure_feature(tenant.id, "custom_domain", "custom domains")
    old = audit.snapshot(tenant)
    for key, value in data.items():
        setattr(tenant, key, value)
    db.session.flush()
    _sync_domains(tenant)
    audit.record(
        action="update",
        resource_type="tenant",
        resource_id=tenant.id,
        tenant_id=tenant.id,
        old=old,
        new=audit.snapshot(tenant),
    )
    events.emit(tenant_id=tenant.id, type="tenant.updated", data=TenantSchema().dump(tenant))
    db.session.commit()
    return tenant


def delete_tenant(tenant: Tenant) -> None:
    """Soft-delete: the tenant stays on record but its sites stop resolving at once."""
    old = audit.snapshot(tenant)
    tenant.status = "deleted"
    tenant.deleted_at = utcnow()
    db.session.flush()
    _sync_domains(tenant)
    audit.record(
        action="delete",
        resource_type="tenant",
        resource_id=tenant.id,
        tenant_id=tenant.id,
        old=old,
        new=audit.snapshot(tenant),
    )
    db.session.commit()


def _ensure_available(
    subdomain: str | None, custom_domain: str | None, *, exclude: uuid.UUID | None = None
) -> None:
    if custom_domain and custom_domain.endswith("." + current_app.config["SITE_BASE_DOMAIN"]):
        raise ValidationFailed(
            "Use the subdomain field for hosts under the platform domain", field="customDomain"
        )
    checks = (
        ("subdomain", subdomain, Tenant.subdomain),
        ("customDomain", custom_domain, Tenant.custom_domain),
    )
    for name, value, column in checks:
        if not value:
            continue
        stmt = sa.select(Tenant.id).where(column == value)
        if exclude is not None:
            stmt = stmt.where(Tenant.id != exclude)
        if db.session.scalar(stmt) is not None:
            raise Conflict(f"That {'subdomain' if name == 'subdomain' else 'custom domain'} is already taken")


def _ensure_industry(industry_id: uuid.UUID | None) -> None:
    if industry_id is not None and db.session.get(Industry, industry_id) is None:
        raise ValidationFailed("Unknown industry", field="industryId")


def _sync_domains(tenant: Tenant) -> None:
    """Make the host lookup rows match the tenant: none once deleted."""
    wanted: dict[str, str] = {}
    if tenant.status != "deleted":
        wanted[subdomain_host(tenant.subdomain)] = "subdomain"
        if tenant.custom_domain:
            wanted[tenant.custom_domain] = "custom"
    existing = db.session.scalars(sa.select(Domain).where(Domain.tenant_id == tenant.id)).all()
    for domain in existing:
        if wanted.pop(domain.host, None) is None:
            db.session.delete(domain)
    db.session.flush()
    for host, kind in wanted.items():
        db.session.add(Domain(tenant_id=tenant.id, host=host, kind=kind))
