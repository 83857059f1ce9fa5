"""JWT issue, refresh rotation with reuse detection, and revocation (kept in the database)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_jwt_extended import create_access_token, create_refresh_token

from siteninja.core import principal_cache
from siteninja.core.auth import Principal, decode_jwt
from siteninja.core.db import utcnow
from siteninja.core.errors import Forbidden, Unauthorized
from siteninja.extensions import db
from siteninja.resources.auth.models import RefreshToken, RevokedToken
from siteninja.resources.tenants.models import Tenant
from siteninja.resources.users.models import User


def _expiry(claims: dict[str, Any]) -> datetime:
    return datetime.fromtimestamp(claims["exp"], tz=utcnow().tzinfo)


def issue_tokens(user: User, *, family_id: uuid.UUID | None = None) -> dict[str, Any]:
    """A new access token and a refresh token in ``family_id`` (a new family on login)."""
    family_id = family_id or uuid.uuid4()
    claims = {
        "role": user.role,
        "tenantId": str(user.tenant_id) if user.tenant_id else None,
        "fid": str(family_id),
    }
    access = create_access_token(identity=str(user.id), additional_claims=claims)
    refresh = create_refresh_token(identity=str(user.id), additional_claims=claims)
    refresh_claims = decode_jwt(refresh, expected_type="refresh")
    db.session.add(
        RefreshToken(
            jti=refresh_claims["jti"],
            family_id=family_id,
            user_id=user.id,
            expires_at=_expiry(refresh_claims),
        )
    )
    return {
        "access_token": access,
        "refresh_token": refresh,
        "token_type": "Bearer",
        "expires_in": current_app.config["JWT_ACCESS_MINUTES"] * 60,
    }


def rotate(refresh_token: str) -> tuple[User, dict[str, Any]]:
    """Exchange a refresh token for new tokens; replaying a used one revokes its whole family."""
    claims = decode_jwt(refresh_token, expected_type="refresh")
    now = utcnow()
    claimed = db.session.execute(
        sa.update(RefreshToken)
        .where(
            RefreshToken.jti == claims["jti"],
            RefreshToken.used_at.is_(None),
            RefreshToken.revoked_at.is_(None),
        )
        .values(used_at=now)
    )
    if claimed.rowcount != 1:
        stored = db.session.get(RefreshToken, claims["jti"])
        if stored is not None:
            revoke_family(stored.family_id)
            db.session.commit()
        raise Unauthorized("Refresh token is no longer valid")
    stored = db.session.get(RefreshToken, claims["jti"])
    user = _active_user(stored.user_id)
    return user, issue_tokens(user, family_id=stored.family_id)


def revoke_family(family_id: uuid.UUID) -> None:
    """Revoke every refresh token of a family (access tokens of the family stop at once too)."""
    revoked = db.session.execute(
        sa.update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .returning(RefreshToken.user_id)
    )
    _retire_cached_principals(*revoked.scalars())


def revoke_family_of(jti: str) -> None:
    """Revoke the family of the refresh token ``jti``, if we issued it."""
    stored = db.session.get(RefreshToken, jti)
    if stored is not None:
        revoke_family(stored.family_id)


def revoke_user_sessions(user_id: uuid.UUID, *, except_family: uuid.UUID | None = None) -> None:
    """Revoke all of a user's refresh families (password change/reset), optionally keeping one."""
    stmt = sa.update(RefreshToken).where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
    if except_family is not None:
        stmt = stmt.where(RefreshToken.family_id != except_family)
    db.session.execute(stmt.values(revoked_at=utcnow()))
    _retire_cached_principals(user_id)


def revoke_access(claims: dict[str, Any]) -> None:
    """Revoke one access token until it would have expired."""
    if db.session.get(RevokedToken, claims["jti"]) is None:
        db.session.add(RevokedToken(jti=claims["jti"], expires_at=_expiry(claims)))
    _retire_cached_principals(claims["sub"])


def _retire_cached_principals(*user_ids: uuid.UUID | str) -> None:
    """Cached principals of these users stop being believed once this transaction commits."""
    principal_cache.retire_after_commit(db.session(), *{principal_cache.user_subject(u) for u in user_ids})


def _active_user(user_id: uuid.UUID) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        raise Unauthorized("Invalid or expired token")
    return user


_PRINCIPAL_QUERY = (
    sa.select(
        User.id,
        User.tenant_id,
        User.role,
        User.deleted_at,
        Tenant.status,
        sa.select(RevokedToken.jti).where(RevokedToken.jti == sa.bindparam("jti")).exists(),
        sa.select(RefreshToken.jti)
        .where(
            RefreshToken.family_id == sa.bindparam("fid", type_=sa.Uuid), RefreshToken.revoked_at.is_not(None)
        )
        .exists(),
    )
    .outerjoin(Tenant, Tenant.id == User.tenant_id)
    .where(User.id == sa.bindparam("sub", type_=sa.Uuid))
)


def principal_for_claims(claims: dict[str, Any]) -> Principal:
    """The user behind verified access-token claims, if the token, user and tenant are still good.

    From the principal cache when its epochs hold; else one prepared query: the user, the
    tenant's status and both revocation checks.
    """
    subject = principal_cache.user_subject(claims["sub"])
    principal = principal_cache.cached(f"jwt:{claims['jti']}", subject, lambda: _load_principal(claims))
    return replace(principal, token=claims)


def _load_principal(claims: dict[str, Any]) -> Principal:
    row = db.session.execute(
        _PRINCIPAL_QUERY,
        {
            "jti": claims["jti"],
            "sub": uuid.UUID(claims["sub"]),
            "fid": uuid.UUID(claims["fid"]) if claims.get("fid") else None,
        },
    ).first()
    if row is None:
        raise Unauthorized("Invalid or expired token")
    user_id, tenant_id, role, deleted_at, tenant_status, token_revoked, family_revoked = row
    if token_revoked or family_revoked or deleted_at is not None:
        raise Unauthorized("Invalid or expired token")
    if tenant_status == "deleted":
        raise Unauthorized("This site no longer exists")
    if tenant_status == "suspended":
        raise Forbidden("This site is suspended")
    return Principal(kind="user", id=user_id, tenant_id=tenant_id, role=role, token=claims)


def purge_expired() -> int:
    """Delete revocation rows and refresh tokens past their expiry; returns rows removed."""
    now = utcnow()
    removed = db.session.execute(sa.delete(RevokedToken).where(RevokedToken.expires_at < now)).rowcount
    removed += db.session.execute(sa.delete(RefreshToken).where(RefreshToken.expires_at < now)).rowcount
    db.session.commit()
    return removed
