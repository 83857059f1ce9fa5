"""Users API: listing scope, creation rules, role ceiling, mass assignment, soft delete, password."""

from __future__ import annotations

import sqlalchemy as sa

from siteninja.extensions import db
from siteninja.models import AuditLog, Event, User
from tests import factories

PASSWORD = "Val1d-Passw0rd!"


def new_user_body(**fields):
    body = {
        "email": f"{factories.unique('member')}@example.test",
        "password": PASSWORD,
        "name": "Member",
        "role": "editor",
    }
    body.update(fields)
    return body


def client_as(app, tenant, role):
    user = factories.user(tenant=tenant, role=role)
    return user, factories.client_for(app, user)


def test_admin_lists_only_own_tenant_and_super_admin_filters(app, tenant, super_client):
    other = factories.tenant()
    factories.user(tenant=other, role="viewer")
    member = factories.user(tenant=tenant, role="viewer")
    _, admin = client_as(app, tenant, "admin")
    ids = {u["id"] for u in admin.get("/api/users").get_json()["data"]}
    assert str(member.id) in ids
    assert all(u["tenantId"] == str(tenant.id) for u in admin.get("/api/users").get_json()["data"])
    filtered = super_client.get(f"/api/users?tenantId={other.id}").get_json()["data"]
    assert filtered and all(u["tenantId"] == str(other.id) for u in filtered)


def test_viewers_and_editors_cannot_manage_users(app, tenant):
    for role in ("viewer", "editor"):
        _, client = client_as(app, tenant, role)
        assert client.get("/api/users").status_code == 403
        assert client.post("/api/users", json=new_user_body()).status_code == 403


def test_admin_creates_in_own_tenant_with_audit_and_event(app, tenant):
    _, admin = client_as(app, tenant, "admin")
    response = admin.post("/api/users", json=new_user_body())
    assert response.status_code == 201
    data = response.get_json()["data"]
    assert data["tenantId"] == str(tenant.id) and data["role"] == "editor"
    assert "password" not in data and "passwordHash" not in data
    assert response.headers["Location"].endswith(f"/api/users/{data['id']}")
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.resource_id == data["id"]))
    assert entry.action == "create" and entry.new_value["password_hash"] == "[redacted]"
    assert db.session.scalar(
        sa.select(Event.type).where(Event.tenant_id == tenant.id, Event.type == "user.created")
    )


def test_creation_rules(app, tenant, super_client):
    other = factories.tenant()
    _, admin = client_as(app, tenant, "admin")
    assert admin.post("/api/users", json=new_user_body(role="owner")).status_code == 403
    assert admin.post("/api/users", json=new_user_body(tenantId=str(other.id))).status_code == 404
    assert admin.post("/api/users", json=new_user_body(tenantId=str(tenant.id))).status_code == 201
    missing = super_client.post("/api/users", json=new_user_body())
    assert missing.status_code == 422 and missing.get_json()["error"]["details"][0]["field"] == "tenantId"
    assert super_client.post("/api/users", json=new_user_body(tenantId=str(other.id))).status_code == 201
    weak = admin.post("/api/users", json=new_user_body(password="password"))
    assert weak.status_code == 422 and weak.get_json()["error"]["details"][0]["field"] == "password"
    taken = new_user_body()
    assert admin.post("/api/users", json=taken).status_code == 201
    assert admin.post("/api/users", json={**taken, "email": taken["email"].upper()}).status_code == 409


def test_self_service_and_mass_assignment(app, tenant):
    user, client = client_as(app, tenant, "editor")
    assert client.get(f"/api/users/{user.id}").status_code == 200
    assert (
        client.put(f"/api/users/{user.id}", json={"name": "Renamed"}).get_json()["data"]["name"] == "Renamed"
    )
    own_role = client.put(f"/api/users/{user.id}", json={"role": "admin"})
    assert own_role.status_code in (403, 422)
    for field, value in (
        ("tenantId", str(tenant.id)),
        ("id", str(user.id)),
        ("emailVerified", True),
        ("passwordHash", "x"),
    ):
        response = client.put(f"/api/users/{user.id}", json={field: value})
        assert response.status_code == 422, field
        assert response.get_json()["error"]["details"][0]["field"] == field


def test_owner_cannot_change_own_role(app, tenant):
    owner, client = client_as(app, tenant, "owner")
    response = client.put(f"/api/users/{owner.id}", json={"role": "viewer"})
    assert response.status_code == 422 and response.get_json()["error"]["details"][0]["field"] == "role"


def test_role_ceiling_on_updates(app, tenant):
    member = factories.user(tenant=tenant, role="viewer")
    owner = factories.user(tenant=tenant, role="owner")
    _, admin = client_as(app, tenant, "admin")
    assert admin.put(f"/api/users/{member.id}", json={"role": "editor"}).status_code == 200
    assert admin.put(f"/api/users/{member.id}", json={"role": "owner"}).status_code == 403
    assert admin.put(f"/api/users/{owner.id}", json={"name": "x"}).status_code == 403


def test_other_users_are_404_across_tenants_and_403_within(app, tenant):
    stranger = factories.user(tenant=factories.tenant(), role="viewer")
    colleague = factories.user(tenant=tenant, role="viewer")
    _, admin = client_as(app, tenant, "admin")
    _, viewer = client_as(app, tenant, "viewer")
    for method in ("get", "put", "delete"):
        assert getattr(admin, method)(f"/api/users/{stranger.id}", json={"name": "x"}).status_code == 404
    assert viewer.get(f"/api/users/{colleague.id}").status_code == 403


def test_soft_delete_stops_login_and_tokens(app, tenant, client):
    member = factories.user(tenant=tenant, role="viewer", password=PASSWORD)
    member_client = factories.client_for(app, member)
    _, admin = client_as(app, tenant, "admin")
    assert admin.delete(f"/api/users/{member.id}").status_code == 204
    assert db.session.get(User, member.id).deleted_at is not None
    assert member_client.get("/api/auth/me").status_code == 401
    login = client.post("/api/auth/login", json={"email": member.email, "password": PASSWORD})
    assert login.status_code == 401
    assert admin.get(f"/api/users/{member.id}").status_code == 404


def test_password_change(app, tenant, client):
    user = factories.user(tenant=tenant, role="editor", password=PASSWORD)
    session = client.post("/api/auth/login", json={"email": user.email, "password": PASSWORD}).get_json()[
        "data"
    ]
    other_session = client.post("/api/auth/login", json={"email": user.email, "password": PASSWORD})
    other_refresh = other_session.get_json()["data"]["refreshToken"]
    headers = {"Authorization": f"Bearer {session['accessToken']}"}
    url = f"/api/users/{user.id}/password"
    wrong = client.put(
        url, json={"currentPassword": "Nope-123!x", "newPassword": "N3w-Passw0rd!"}, headers=headers
    )
    assert wrong.status_code == 422 and wrong.get_json()["error"]["details"][0]["field"] == "currentPassword"
    weak = client.put(url, json={"currentPassword": PASSWORD, "newPassword": "weak"}, headers=headers)
    assert weak.status_code == 422 and weak.get_json()["error"]["details"][0]["field"] == "newPassword"
    ok = client.put(url, json={"currentPassword": PASSWORD, "newPassword": "N3w-Passw0rd!"}, headers=headers)
    assert ok.status_code == 200
    assert (
        client.post("/api/auth/refresh", headers={"Authorization": f"Bearer {other_refresh}"}).status_code
        == 401
    )
    assert (
        client.post(
            "/api/auth/refresh", headers={"Authorization": f"Bearer {session['refreshToken']}"}
        ).status_code
        == 200
    )
    _, admin = client_as(app, tenant, "admin")
    assert (
        admin.put(url, json={"currentPassword": "N3w-Passw0rd!", "newPassword": "An0ther-pass!"}).status_code
        == 403
    )
    actions = db.session.scalars(sa.select(AuditLog.action).where(AuditLog.resource_id == str(user.id))).all()
    assert "password_change" in actions
