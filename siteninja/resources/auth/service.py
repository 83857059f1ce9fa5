"""Sign-up, sign-in, sessions and the email flows (verification, password reset)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from siteninja.core.auth import Principal, decode_jwt
from siteninja.core.db import utcnow
from siteninja.core.errors import Unauthorized, ValidationFailed
from siteninja.core.throttle import count, ensure_not_exhausted, hit
from siteninja.extensions import db
from siteninja.jobs.email import queue_email
from siteninja.resources.api_keys import service as api_keys
from siteninja.resources.auth import tokens
from siteninja.resources.auth.models import EmailToken
from siteninja.resources.tenants.service import create_tenant
from siteninja.resources.users import service as users
from siteninja.resources.users.models import User
from siteninja.services import audit, passwords

VERIFY_TTL = timedelta(hours=48)
RESET_TTL = timedelta(hours=1)
ACCOUNT_FAILURE_LIMIT = "10/15minutes"
_DUMMY_HASH: dict[str, str] = {}


def register(*, data: dict[str, Any]) -> tuple[User, dict[str, Any]]:
    """Create a user (and, with tenant fields, a tenant they own) and sign them in."""
    tenant_id = None
    if "subdomain" in data:
        tenant = create_tenant(
            data={"name": data["tenant_name"], "subdomain": data["subdomain"]}, commit=False
        )
        tenant_id = tenant.id
    user = users.new_user(
        email=data["email"],
        password=data["password"],
        name=data["name"],
        role="owner" if tenant_id else "viewer",
        tenant_id=tenant_id,
    )
    _send_verification(user)
    session = tokens.issue_tokens(user)
    db.session.commit()
    return user, session


def login(*, email: str, password: str, client: str) -> tuple[User, dict[str, Any]]:
    """Verify credentials with the same answer and similar work for unknown emails and bad passwords."""
    email = users.normalize_email(email)
    limit = current_app.config["RATE_LIMIT_LOGIN"]
    hit(limit, "login-ip", client)
    hit(limit, "login-email", email)
    ensure_not_exhausted(ACCOUNT_FAILURE_LIMIT, "login-failures", email)
    user = db.session.scalar(sa.select(User).where(User.email == email, User.deleted_at.is_(None)))
    valid = passwords.verify_password(user.password_hash if user else _dummy_hash(), password)
    if user is None or not valid:
        _record_failed_login(email, user)
        raise Unauthorized("Invalid email or password")
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_login = utcnow()
    _audit_self("login", user)
    session = tokens.issue_tokens(user)
    db.session.commit()
    return user, session


def _audit_self(action: str, user: User) -> None:
    """An auth event the user performed themself, before any token names them."""
    audit.record(
        action=action,
        resource_type="user",
        resource_id=user.id,
        tenant_id=user.tenant_id,
        actor=("user", user.id),
    )


def _dummy_hash() -> str:
    if "hash" not in _DUMMY_HASH:
        _DUMMY_HASH["hash"] = passwords.hash_password(secrets.token_urlsafe(16))
    return _DUMMY_HASH["hash"]


def _record_failed_login(email: str, user: User | None) -> None:
    count(ACCOUNT_FAILURE_LIMIT, "login-failures", email)
    audit.record(
        action="login_failed",
        resource_type="user",
        resource_id=user.id if user else None,
        tenant_id=user.tenant_id if user else None,
        actor=("user", user.id) if user else ("system", None),
    )
    db.session.commit()


def refresh(refresh_token: str) -> tuple[User, dict[str, Any]]:
    """Rotate a refresh token (reuse of a rotated one revokes its family)."""
    user, session = tokens.rotate(refresh_token)
    db.session.commit()
    return user, session


def logout(*, principal: Principal, refresh_token: str | None) -> None:
    """Revoke the access token and its refresh family (and the given refresh token's family)."""
    tokens.revoke_access(principal.token)
    if principal.token.get("fid"):
        tokens.revoke_family(uuid.UUID(principal.token["fid"]))
    if refresh_token:
        claims = decode_jwt(refresh_token, expected_type="refresh")
        if claims["sub"] == str(principal.id):
            tokens.revoke_family_of(claims["jti"])
    audit.record(
        action="logout", resource_type="user", resource_id=principal.id, tenant_id=principal.tenant_id
    )
    db.session.commit()


def _new_email_token(user: User, purpose: str, ttl: timedelta) -> str:
    raw = secrets.token_urlsafe(32)
    db.session.add(
        EmailToken(user_id=user.id, purpose=purpose, token_hash=_digest(raw), expires_at=utcnow() + ttl)
    )
    return raw


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _consume_email_token(raw: str, purpose: str) -> User:
    token = db.session.scalar(
        sa.select(EmailToken).where(EmailToken.token_hash == _digest(raw), EmailToken.purpose == purpose)
    )
    if token is None or token.used_at is not None or token.expires_at <= utcnow():
        raise ValidationFailed("This link is invalid or has expired", field="token")
    user = db.session.get(User, token.user_id)
    if user is None or user.deleted_at is not None:
        raise ValidationFailed("This link is invalid or has expired", field="token")
    token.used_at = utcnow()
    return user


def _send_verification(user: User) -> None:
    raw = _new_email_token(user, "verify_email", VERIFY_TTL)
    queue_email(
        to=user.email,
        subject="Confirm your SiteNinja email",
        body=f"Hi {user.name},\n\nConfirm your email with this token:\n\n{raw}\n\n"
        f'POST it to /api/auth/verify-email as {{"token": "..."}}. It expires in 48 hours.\n',
    )


def verify_email(token: str) -> User:
    """Mark the email of the token's user as verified (single use)."""
    user = _consume_email_token(token, "verify_email")
    user.email_verified = True
    _audit_self("verify_email", user)
    db.session.commit()
    return user


def resend_verification(principal: Principal) -> None:
    """Send a new verification email unless the address is already verified."""
    user = db.session.get(User, principal.id)
    if user is not None and not user.email_verified:
        _send_verification(user)
        db.session.commit()


def forgot_password(*, email: str, client: str) -> None:
    """Email a reset token if the account exists; the caller cannot tell either way."""
    email = users.normalize_email(email)
    limit = current_app.config["RATE_LIMIT_LOGIN"]
    hit(limit, "forgot-ip", client)
    hit(limit, "forgot-email", email)
    user = db.session.scalar(sa.select(User).where(User.email == email, User.deleted_at.is_(None)))
    if user is None:
        _digest(secrets.token_urlsafe(32))
        return
    raw = _new_email_token(user, "reset_password", RESET_TTL)
    queue_email(
        to=user.email,
        subject="Reset your SiteNinja password",
        body=f"Hi {user.name},\n\nReset your password with this token (valid for 1 hour):\n\n{raw}\n\n"
        "POST it with your new password to /api/auth/reset-password. "
        "If you did not ask for this, ignore this email.\n",
    )
    db.session.commit()


def reset_password(*, token: str, password: str) -> User:
    """Set a new password with a single-use reset token; every session of the user ends."""
    problems = users.password_policy_details(password)
    try:
        user = _consume_email_token(token, "reset_password")
    except ValidationFailed as error:  # report the token and the password together
        raise ValidationFailed(details=[*error.details, *problems]) from error
    if problems:
        raise ValidationFailed(details=problems)
    user.password_hash = passwords.hash_password(password)
    tokens.revoke_user_sessions(user.id)
    _audit_self("password_reset", user)
    db.session.commit()
    return user


def describe(principal: Principal) -> dict[str, Any]:
    """``/auth/me``: the user behind a JWT, or the API key's identity and scopes."""
    if principal.is_user:
        return {"type": "user", "user": db.session.get(User, principal.id)}
    return {
        "type": "api_key",
        "api_key": api_keys.get_key(tenant_id=principal.tenant_id, key_id=principal.id),
        "tenant_id": principal.tenant_id,
        "scopes": sorted(principal.scopes),
    }
