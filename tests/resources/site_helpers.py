"""Helpers shared by the navigation, SEO, branding and subscription tests."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from siteninja.core import auth
from siteninja.core.auth import Principal
from siteninja.core.errors import Unauthorized
from siteninja.extensions import db
from siteninja.models import AuditLog, Page, Subscription, Tenant
from tests import factories


def make_page(tenant: Tenant, **fields: Any) -> Page:
    """A page of ``tenant`` written straight through the model."""
    fields.setdefault("title", "About us")
    fields.setdefault("slug", factories.unique("page-"))
    page = Page(tenant_id=tenant.id, **fields)
    db.session.add(page)
    db.session.commit()
    return page


def delete_page(page_id: uuid.UUID) -> None:
    """Delete a page row with SQL, so only the database's ON DELETE CASCADE cleans up after it."""
    db.session.execute(sa.delete(Page).where(Page.id == page_id))
    db.session.commit()
    db.session.expire_all()


def role_client(app: Flask, tenant: Tenant, role: str) -> FlaskClient:
    """A client signed in as a new user of ``tenant`` with ``role``."""
    return factories.client_for(app, factories.user(tenant=tenant, role=role))


class StubKeys:
    """Stands in for the API-key loader: a fixed set of keys, each mapped to its principal."""

    def __init__(self) -> None:
        self.keys: dict[str, Principal] = {}

    def __call__(self, key: str) -> Principal:
        if key not in self.keys:
            raise Unauthorized("Invalid API key")
        return self.keys[key]


def key_client(
    app: Flask, monkeypatch: pytest.MonkeyPatch, *, tenant: Tenant, scopes: set[str]
) -> FlaskClient:
    """A client authenticating with an API key of ``tenant`` holding ``scopes``.

    The API-key resource plugs its loader into ``core.auth.loaders``; until it exists this stands in
    for it, so the scope checks of ``require`` are exercised exactly as with real keys.
    """
    stub = auth.loaders.api_key if isinstance(auth.loaders.api_key, StubKeys) else StubKeys()
    monkeypatch.setattr(auth.loaders, "api_key", stub)
    principal = Principal(kind="api_key", id=uuid.uuid4(), tenant_id=tenant.id, scopes=frozenset(scopes))
    key = f"sn_test_{principal.id.hex}"
    stub.keys[key] = principal
    client = app.test_client()
    client.environ_base["HTTP_X_API_KEY"] = key
    return client


def audit_entries(resource_id: Any, action: str | None = None) -> list[AuditLog]:
    """Audit entries about ``resource_id``, oldest first."""
    stmt = sa.select(AuditLog).where(AuditLog.resource_id == str(resource_id))
    if action:
        stmt = stmt.where(AuditLog.action == action)
    return list(db.session.scalars(stmt.order_by(AuditLog.created_at)))


def error_fields(response) -> set[str | None]:
    """The ``field`` of every validation detail of an error response."""
    return {detail["field"] for detail in response.get_json()["error"].get("details", [])}


def set_plan(tenant: Tenant, plan: str) -> None:
    """Put ``tenant`` on ``plan`` (its subscription row, no API rules)."""
    db.session.execute(sa.update(Subscription).where(Subscription.tenant_id == tenant.id).values(plan=plan))
    db.session.commit()
