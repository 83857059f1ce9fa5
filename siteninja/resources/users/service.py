"""User rules: role ceiling, tenant boundaries, no mass assignment, soft delete."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from siteninja.core.auth import ROLE_RANK, Principal
from siteninja.core.db import utcnow
from siteninja.core.envelope import Paginated
from siteninja.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from siteninja.core.pagination import order_by, paginate
from siteninja.extensions import db
from siteninja.resources.auth import tokens
from siteninja.resources.tenants.models import Tenant
from siteninja.resources.users.models import User
from siteninja.resources.users.schemas import UserSchema
from siteninja.services import audit, events, passwords

SORTABLE = {"createdAt": User.created_at, "email": User.email, "name": sa.func.lower(User.name)}


def normalize_email(email: str) -> str:
    """Emails compare case-insensitively: store them lowercased and trimmed."""
    return email.strip().lower()


def password_policy_details(password: str, *, field: str = "password") -> list[dict[str, str]]:
    """The 422 details (none, or one naming ``field``) of a password under the policy."""
    problems = passwords.policy_errors(password)
    return [{"field": field, "message": "Password " + ", ".join(problems)}] if problems else []


def ensure_password_policy(password: str, *, field: str = "password") -> None:
    """422 naming ``field`` when the password breaks the policy."""
    details = password_policy_details(password, field=field)
    if details:
        raise ValidationFailed(details[0]["message"], details=details)


def ensure_email_free(email: str, *, exclude: uuid.UUID | None = None) -> None:
    """409 when another account already uses ``email``."""
    stmt = sa.select(User.id).where(User.email == email)
    if exclude is not None:
        stmt = stmt.where(User.id != exclude)
    if db.session.scalar(stmt) is not None:
        raise Conflict("A user with that email already exists")


def new_user(*, email: str, password: str, name: str, role: str, tenant_id: uuid.UUID | None) -> User:
    """Validate and add a user to the session (the caller commits)."""
    email = normalize_email(email)
    ensure_password_policy(password)
    ensure_email_free(email)
    user = User(
        email=email,
        password_hash=passwords.hash_password(password),
        name=name,
        role=role,
        tenant_id=tenant_id,
        email_verified=False,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        action="create",
        resource_type="user",
        resource_id=user.id,
        tenant_id=tenant_id,
        new=audit.snapshot(user),
    )
    if tenant_id is not None:
        events.emit(tenant_id=tenant_id, type="user.created", data=UserSchema().dump(user))
    return user


def create_superadmin(*, email: str, password: str, name: str) -> User:
    """Create a platform operator (no tenant), verified."""
    user = new_user(email=email, password=password, name=name, role="super_admin", tenant_id=None)
    user.email_verified = True
    db.session.commit()
    return user


def list_users(*, principal: Principal, page: int, limit: int, sort: str, **filters: Any) -> Paginated:
    """Users the principal manages: all (optionally by tenant) for super_admins, else its tenant's."""
    stmt = sa.select(User).where(User.deleted_at.is_(None))
    if principal.is_super_admin:
        if filters.get("tenant_id"):
            stmt = stmt.where(User.tenant_id == filters["tenant_id"])
    else:
        stmt = stmt.where(User.tenant_id == principal.tenant_id)
    if filters.get("role"):
        stmt = stmt.where(User.role == filters["role"])
    if filters.get("q"):
        pattern = f"%{filters['q'].lower()}%"
        stmt = stmt.where(sa.or_(User.email.like(pattern), sa.func.lower(User.name).like(pattern)))
    return paginate(stmt.order_by(*order_by(sort, SORTABLE, User.id)), page=page, limit=limit)


def _ensure_role_ceiling(principal: Principal, role: str) -> None:
    if ROLE_RANK[role] > ROLE_RANK[principal.role or "viewer"]:
        raise Forbidden("You cannot grant a role above your own")


def create_user(*, principal: Principal, data: dict[str, Any]) -> User:
    """Create a user in the principal's tenant (super_admins name the tenant)."""
    _ensure_role_ceiling(principal, data["role"])
    tenant_id = data.get("tenant_id")
    if principal.is_super_admin:
        if tenant_id is None and data["role"] != "super_admin":
            raise ValidationFailed("tenantId is required", field="tenantId")
        if tenant_id is not None and db.session.get(Tenant, tenant_id) is None:
            raise NotFound("Tenant not found")
    elif tenant_id not in (None, principal.tenant_id):
        raise NotFound("Tenant not found")
    else:
        tenant_id = principal.tenant_id
    if data["role"] == "super_admin":
        tenant_id = None
    user = new_user(tenant_id=tenant_id, **{k: v for k, v in data.items() if k != "tenant_id"})
    db.session.commit()
    return user


def get_user(user_id: uuid.UUID, *, principal: Principal) -> User:
    """A live user the principal may manage: self, same-tenant owner/admin, or super_admin."""
    user = db.session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        raise NotFound("User not found")
    if principal.is_super_admin or user.id == principal.id:
        return user
    if user.tenant_id is None or user.tenant_id != principal.tenant_id:
        raise NotFound("User not found")
    if not principal.has_role("admin"):
        raise Forbidden("Only owners and admins can manage other users")
    if ROLE_RANK[user.role] > ROLE_RANK[principal.role or "viewer"]:
        raise Forbidden("You cannot manage a user above your own role")
    return user


def update_user(user: User, *, principal: Principal, data: dict[str, Any]) -> User:
    """Partial update; nobody changes their own role or grants one above their own."""
    if "role" in data:
        if user.id == principal.id and data["role"] != user.role:
            raise ValidationFailed("You cannot change your own role", field="role")
        _ensure_role_ceiling(principal, data["role"])
    if "email" in data:
        data["email"] = normalize_email(data["email"])
        ensure_email_free(data["email"], exclude=user.id)
    old = audit.snapshot(user)
    for key, value in data.items():
        setattr(user, key, value)
    db.session.flush()
    audit.record(
        action="update",
        resource_type="user",
        resource_id=user.id,
        tenant_id=user.tenant_id,
        old=old,
        new=audit.snapshot(user),
    )
    if user.tenant_id is not None:
        events.emit(tenant_id=user.tenant_id, type="user.updated", data=UserSchema().dump(user))
    db.session.commit()
    return user


def delete_user(user: User) -> None:
    """Soft delete: the user can no longer sign in and every token stops working."""
    old = audit.snapshot(user)
    user.deleted_at = utcnow()
    tokens.revoke_user_sessions(user.id)
    db.session.flush()
    audit.record(
        action="delete",
        resource_type="user",
        resource_id=user.id,
        tenant_id=user.tenant_id,
        old=old,
        new=audit.snapshot(user),
    )
    db.session.commit()


def change_password(user: User, *, principal: Principal, current: str, new: str) -> User:
    """Self-service password change; other sessions of the user are revoked."""
    if user.id != principal.id:
        raise Forbidden("Only the user can change their own password")
    details = password_policy_details(new, field="newPassword")
    if not passwords.verify_password(user.password_hash, current):
        details.insert(0, {"field": "currentPassword", "message": "Current password is wrong"})
    if details:
        raise ValidationFailed(details=details)
    user.password_hash = passwords.hash_password(new)
    family = principal.token.get("fid")
    tokens.revoke_user_sessions(user.id, except_family=uuid.UUID(family) if family else None)
    audit.record(
        action="password_change", resource_type="user", resource_id=user.id, tenant_id=user.tenant_id
    )
    db.session.commit()
    return user
