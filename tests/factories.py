"""Factories for test data; each tenant-owned factory takes ``tenant=``."""

from __future__ import annotations

import itertools
from typing import Any

from siteninja.extensions import db
from siteninja.resources.auth.tokens import issue_tokens
from siteninja.resources.tenants.models import Tenant
from siteninja.resources.tenants.service import create_tenant
from siteninja.resources.users.models import User
from siteninja.services.passwords import hash_password

_counter = itertools.count(1)
PASSWORD = "Sup3r-Secret!pw"


def unique(prefix: str) -> str:
    return f"{prefix}{next(_counter)}"


def tenant(**data: Any) -> Tenant:
    data.setdefault("name", "Acme Bakery")
    data.setdefault("subdomain", unique("acme-"))
    return create_tenant(data=data)


def user(*, tenant: Tenant | None, role: str = "owner", password: str = PASSWORD, **fields: Any) -> User:
    fields.setdefault("email", f"{unique('user')}@example.test")
    fields.setdefault("name", "Test User")
    obj = User(
        tenant_id=tenant.id if tenant else None,
        role=role,
        password_hash=hash_password(password),
        email_verified=True,
        **fields,
    )
    db.session.add(obj)
    db.session.commit()
    return obj


def auth_headers(user: User) -> dict[str, str]:
    """A real access token for ``user``, as request headers."""
    tokens = issue_tokens(user)
    db.session.commit()
    return {"Authorization": f"Bearer {tokens['accessToken']}"}


def client_for(app, user: User):
    """A test client that authenticates every request as ``user``."""
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = auth_headers(user)["Authorization"]
    return client
