"""User rules."""

from __future__ import annotations

import sqlalchemy as sa

from siteninja.core.errors import Conflict, ValidationFailed
from siteninja.extensions import db
from siteninja.resources.users.models import User
from siteninja.services import audit, passwords


def normalize_email(email: str) -> str:
    """Emails compare case-insensitively: store them lowercased and trimmed."""
    return email.strip().lower()


def create_superadmin(*, email: str, password: str, name: str) -> User:
    """Create a platform operator (no tenant)."""
    email = normalize_email(email)
    problems = passwords.policy_errors(password)
    if problems:
        raise ValidationFailed("Password " + ", ".join(problems), field="password")
    if db.session.scalar(sa.select(User.id).where(User.email == email)):
        raise Conflict("A user with that email already exists")
    user = User(
        email=email,
        password_hash=passwords.hash_password(password),
        name=name,
        role="super_admin",
        email_verified=True,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(action="create", resource_type="user", resource_id=user.id, new=audit.snapshot(user))
    db.session.commit()
    return user
