"""The principal cache: no SQL for a known caller, and every loss of rights seen on the next request.

Two app instances share PostgreSQL and Redis, as two gunicorn workers would: a change made
through one is refused by the other on its very next request.
"""

from __future__ import annotations

import os

import pytest

from siteninja import create_app
from tests import factories
from tests.conftest import count_queries, database_url

pytestmark = pytest.mark.needs_services
CLOSED_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def other_app():
    """A second process's app: same database and Redis, its own memory."""
    return create_app(
        "testing", SQLALCHEMY_DATABASE_URI=database_url(), REDIS_URL=os.environ.get("REDIS_URL")
    )


def principal_queries(statements: list[str]) -> list[str]:
    return [s for s in statements if "FROM users" in s or "FROM api_keys" in s]


def test_a_known_user_costs_no_principal_query(app, tenant):
    client = factories.client_for(app, factories.user(tenant=tenant, role="viewer"))
    assert client.get(f"/api/tenants/{tenant.id}").status_code == 200
    with count_queries() as statements:
        assert client.get(f"/api/tenants/{tenant.id}").status_code == 200
    assert principal_queries(statements) == []


def test_a_known_api_key_costs_no_key_query(app, tenant):
    client = factories.key_client(app, factories.api_key(tenant=tenant, scopes=["pages:read"]))
    assert client.get(f"/api/tenants/{tenant.id}/pages").status_code == 200
    with count_queries() as statements:
        assert client.get(f"/api/tenants/{tenant.id}/pages").status_code == 200
    assert principal_queries(statements) == []


def test_logout_is_refused_at_once_by_another_process(app, other_app, tenant):
    headers = factories.auth_headers(factories.user(tenant=tenant, role="viewer"))
    other = other_app.test_client()
    assert other.get("/api/auth/me", headers=headers).status_code == 200
    assert app.test_client().post("/api/auth/logout", headers=headers).status_code == 204
    assert other.get("/api/auth/me", headers=headers).status_code == 401


def test_a_role_change_applies_at_once_in_another_process(app, other_app, tenant, owner_client):
    editor = factories.user(tenant=tenant, role="editor")
    headers = factories.auth_headers(editor)
    other = other_app.test_client()
    page_body = {"title": "Allowed while an editor"}
    assert other.post(f"/api/tenants/{tenant.id}/pages", json=page_body, headers=headers).status_code == 201
    assert owner_client.put(f"/api/users/{editor.id}", json={"role": "viewer"}).status_code == 200
    refused = other.post(f"/api/tenants/{tenant.id}/pages", json={"title": "Now refused"}, headers=headers)
    assert refused.status_code == 403


def test_a_deleted_user_is_refused_at_once_in_another_process(app, other_app, tenant, owner_client):
    user = factories.user(tenant=tenant, role="viewer")
    headers = factories.auth_headers(user)
    other = other_app.test_client()
    assert other.get("/api/auth/me", headers=headers).status_code == 200
    assert owner_client.delete(f"/api/users/{user.id}").status_code == 204
    assert other.get("/api/auth/me", headers=headers).status_code == 401


def test_a_password_change_ends_other_sessions_at_once(app, other_app, tenant):
    user = factories.user(tenant=tenant, role="viewer")
    old_session, current = factories.auth_headers(user), factories.client_for(app, user)
    other = other_app.test_client()
    assert other.get("/api/auth/me", headers=old_session).status_code == 200
    body = {"currentPassword": factories.PASSWORD, "newPassword": "An0ther-Secret!"}
    assert current.put(f"/api/users/{user.id}/password", json=body).status_code == 200
    assert other.get("/api/auth/me", headers=old_session).status_code == 401


def test_a_suspended_tenant_is_refused_at_once(app, other_app, tenant, super_client):
    headers = factories.auth_headers(factories.user(tenant=tenant, role="owner"))
    key = factories.api_key(tenant=tenant, scopes=["pages:read"])
    other = other_app.test_client()
    key_headers = {"X-API-Key": key.secret}
    assert other.get(f"/api/tenants/{tenant.id}", headers=headers).status_code == 200
    assert other.get(f"/api/tenants/{tenant.id}/pages", headers=key_headers).status_code == 200
    assert super_client.put(f"/api/tenants/{tenant.id}", json={"status": "suspended"}).status_code == 200
    assert other.get(f"/api/tenants/{tenant.id}", headers=headers).status_code == 403
    assert other.get(f"/api/tenants/{tenant.id}/pages", headers=key_headers).status_code == 403


def test_a_revoked_api_key_is_refused_at_once_in_another_process(app, other_app, tenant, owner_client):
    key = factories.api_key(tenant=tenant, scopes=["pages:read"])
    other = other_app.test_client()
    headers = {"Authorization": f"Bearer {key.secret}"}
    assert other.get(f"/api/tenants/{tenant.id}/pages", headers=headers).status_code == 200
    assert owner_client.delete(f"/api/tenants/{tenant.id}/api-keys/{key.id}").status_code == 204
    assert other.get(f"/api/tenants/{tenant.id}/pages", headers=headers).status_code == 401


def test_rotation_without_grace_is_refused_at_once_in_another_process(app, other_app, tenant, owner_client):
    key = factories.api_key(tenant=tenant, scopes=["pages:read"])
    other = other_app.test_client()
    headers = {"X-API-Key": key.secret}
    assert other.get(f"/api/tenants/{tenant.id}/pages", headers=headers).status_code == 200
    rotated = owner_client.post(
        f"/api/tenants/{tenant.id}/api-keys/{key.id}/rotate", json={"gracePeriodHours": 0}
    )
    assert rotated.status_code == 201
    assert other.get(f"/api/tenants/{tenant.id}/pages", headers=headers).status_code == 401
    successor = {"X-API-Key": rotated.get_json()["data"]["key"]}
    assert other.get(f"/api/tenants/{tenant.id}/pages", headers=successor).status_code == 200


def test_without_redis_the_database_answers(app, tenant, owner_client):
    broken = create_app(
        "testing", SQLALCHEMY_DATABASE_URI=database_url(), REDIS_URL=CLOSED_REDIS, RATELIMIT_ENABLED=False
    )
    user = factories.user(tenant=tenant, role="viewer")
    headers = factories.auth_headers(user)
    client = broken.test_client()
    assert client.get("/api/auth/me", headers=headers).status_code == 200
    assert owner_client.delete(f"/api/users/{user.id}").status_code == 204
    assert client.get("/api/auth/me", headers=headers).status_code == 401
