"""Helpers shared by the navigation, SEO, branding and subscription tests."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

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


def key_client(
    app: Flask, monkeypatch: pytest.MonkeyPatch | None = None, *, tenant: Tenant, scopes: set[str]
) -> FlaskClient:
    """A client authenticating with a real API key of ``tenant`` holding ``scopes`` (X-API-Key)."""
    return factories.key_client(
        app, factories.api_key(tenant=tenant, scopes=sorted(scopes)), header="x-api-key"
    )


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
