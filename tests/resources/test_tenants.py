"""Tenants: create with branding/domains/subscription, validation, conflicts, update, soft delete."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from siteninja.extensions import db
from siteninja.models import AuditLog, Branding, Domain, Event, Subscription, Tenant
from tests import factories
from tests.conftest import count_queries


def create(client, **body):
    body.setdefault("name", "Bloom Florist")
    body.setdefault("subdomain", factories.unique("bloom-"))
    return client.post("/api/tenants", json=body)


def test_create_tenant_makes_branding_domain_subscription_audit_and_event(super_client):
    response = create(super_client, subdomain="bloom", name="Bloom")
    assert response.status_code == 201
    body = response.get_json()
    assert body["success"] is True
    data = body["data"]
    assert data["subdomain"] == "bloom"
    assert data["status"] == "active"
    assert data["createdAt"].endswith("Z")
    assert response.headers["Location"].endswith(f"/api/tenants/{data['id']}")
    tenant_id = uuid.UUID(data["id"])
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Branding).where(Branding.tenant_id == tenant_id)
        )
        == 1
    )
    assert (
        db.session.scalar(sa.select(Domain.host).where(Domain.tenant_id == tenant_id))
        == "bloom.siteninja.localhost"
    )
    assert (
        db.session.scalar(sa.select(Subscription.plan).where(Subscription.tenant_id == tenant_id)) == "free"
    )
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.resource_id == data["id"]))
    assert entry.action == "create" and entry.request_id == response.headers["X-Request-ID"]
    event = db.session.scalar(sa.select(Event).where(Event.tenant_id == tenant_id))
    assert event.type == "tenant.created"
    assert event.payload["data"]["subdomain"] == "bloom"


def test_subdomain_rules(super_client):
    for bad in ["ab", "-abc", "abc-", "Abc", "a_b", "www", "api", "x" * 64]:
        response = create(super_client, subdomain=bad)
        assert response.status_code == 422, bad
        error = response.get_json()["error"]
        assert error["code"] == "validation_error"
        assert error["details"][0]["field"] == "subdomain"


def test_duplicate_subdomain_and_custom_domain_conflict(super_client, tenant):
    assert create(super_client, subdomain=tenant.subdomain).status_code == 409
    tenant.custom_domain = "www.bloom.test"
    db.session.commit()
    response = create(super_client, customDomain="WWW.Bloom.test")
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "conflict"


def test_custom_domain_needs_a_plan_that_includes_it(super_client, tenant):
    response = super_client.put(f"/api/tenants/{tenant.id}", json={"customDomain": "shop.example.com"})
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "plan_limit_exceeded"
    db.session.execute(
        sa.update(Subscription).where(Subscription.tenant_id == tenant.id).values(plan="starter")
    )
    db.session.commit()
    response = super_client.put(f"/api/tenants/{tenant.id}", json={"customDomain": "shop.example.com"})
    assert response.status_code == 200
    hosts = set(db.session.scalars(sa.select(Domain.host).where(Domain.tenant_id == tenant.id)))
    assert hosts == {f"{tenant.subdomain}.siteninja.localhost", "shop.example.com"}


def test_invalid_custom_domain(super_client):
    for bad in ["localhost", "exa mple.com", "-bad.com", "x.123", "http://x.com"]:
        assert create(super_client, customDomain=bad).status_code == 422, bad


def test_get_update_and_audit_diff(super_client, tenant):
    response = super_client.get(f"/api/tenants/{tenant.id}")
    assert response.status_code == 200
    assert response.get_json()["data"]["name"] == "Acme Bakery"
    response = super_client.patch(
        f"/api/tenants/{tenant.id}", json={"name": "Acme Bread", "settings": {"lang": "en"}}
    )
    assert response.status_code == 200
    assert response.get_json()["data"]["settings"] == {"lang": "en"}
    entry = db.session.scalar(
        sa.select(AuditLog).where(AuditLog.resource_id == str(tenant.id), AuditLog.action == "update")
    )
    assert entry.changes["name"] == ["Acme Bakery", "Acme Bread"]


def test_changing_subdomain_moves_the_host(super_client, tenant):
    response = super_client.put(f"/api/tenants/{tenant.id}", json={"subdomain": "renamed-shop"})
    assert response.status_code == 200
    hosts = set(db.session.scalars(sa.select(Domain.host).where(Domain.tenant_id == tenant.id)))
    assert hosts == {"renamed-shop.siteninja.localhost"}


def test_update_rejects_server_owned_and_unknown_fields(super_client, tenant):
    for body in ({"id": str(tenant.id)}, {"createdAt": "2020-01-01T00:00:00Z"}, {"bogus": 1}):
        response = super_client.put(f"/api/tenants/{tenant.id}", json=body)
        assert response.status_code == 422
        assert response.get_json()["error"]["details"][0]["field"] == next(iter(body))


def test_soft_delete_removes_hosts(super_client, tenant):
    response = super_client.delete(f"/api/tenants/{tenant.id}")
    assert response.status_code == 204
    assert response.data == b""
    db.session.expire_all()
    stored = db.session.get(Tenant, tenant.id)
    assert stored.status == "deleted" and stored.deleted_at is not None
    assert db.session.scalar(sa.select(Domain.id).where(Domain.tenant_id == tenant.id)) is None


def test_list_filters_sort_and_pagination(super_client):
    for name in ["Charlie", "alpha", "Bravo"]:
        factories.tenant(name=name)
    response = super_client.get("/api/tenants?sort=name&limit=2")
    body = response.get_json()
    assert [t["name"] for t in body["data"]] == ["alpha", "Bravo"]
    assert body["pagination"] == {
        "page": 1,
        "limit": 2,
        "total": 3,
        "totalPages": 2,
        "hasNext": True,
        "hasPrev": False,
    }
    assert super_client.get("/api/tenants?q=brav").get_json()["pagination"]["total"] == 1
    assert super_client.get("/api/tenants?sort=-name").get_json()["data"][0]["name"] == "Charlie"


def test_list_rejects_bad_query_args(super_client):
    for query in ["limit=101", "limit=0", "page=0", "sort=bogus", "status=gone", "unknown=1"]:
        response = super_client.get(f"/api/tenants?{query}")
        assert response.status_code == 422, query


def test_unknown_and_non_uuid_ids_are_404(super_client):
    assert super_client.get("/api/tenants/not-a-uuid").status_code == 404
    response = super_client.get("/api/tenants/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_tenant_routes_need_credentials(client, tenant):
    assert client.get("/api/tenants").status_code == 401
    assert client.get(f"/api/tenants/{tenant.id}").status_code == 401
    assert client.post("/api/tenants", json={"name": "x", "subdomain": "xyz"}).status_code == 401


def test_owner_sees_only_own_tenant_and_others_are_404(app, owner_client, tenant):
    other = factories.tenant(name="Other")
    listed = owner_client.get("/api/tenants").get_json()["data"]
    assert [t["id"] for t in listed] == [str(tenant.id)]
    for method in ("get", "put", "delete"):
        response = getattr(owner_client, method)(f"/api/tenants/{other.id}", json={"name": "Hijack"})
        assert response.status_code == 404, method


def test_role_matrix_for_tenant_routes(app, tenant):
    editor = factories.client_for(app, factories.user(tenant=tenant, role="editor"))
    admin = factories.client_for(app, factories.user(tenant=tenant, role="admin"))
    owner = factories.client_for(app, factories.user(tenant=tenant, role="owner"))
    assert editor.get(f"/api/tenants/{tenant.id}").status_code == 200
    assert admin.put(f"/api/tenants/{tenant.id}", json={"name": "New"}).status_code == 403
    assert owner.post("/api/tenants", json={"name": "x", "subdomain": "xyz-shop"}).status_code == 403
    assert owner.put(f"/api/tenants/{tenant.id}", json={"status": "suspended"}).status_code == 403
    assert owner.put(f"/api/tenants/{tenant.id}", json={"name": "New"}).status_code == 200


def test_suspended_tenant_users_are_refused(app, super_client, tenant):
    member = factories.client_for(app, factories.user(tenant=tenant, role="owner"))
    assert super_client.put(f"/api/tenants/{tenant.id}", json={"status": "suspended"}).status_code == 200
    assert member.get(f"/api/tenants/{tenant.id}").status_code == 403
    assert super_client.delete(f"/api/tenants/{tenant.id}").status_code == 204
    assert member.get(f"/api/tenants/{tenant.id}").status_code == 401


def test_tenant_reads_are_cached_and_writes_invalidate(owner_client, tenant):
    url = f"/api/tenants/{tenant.id}"
    db.session.expire_all()
    with count_queries() as cold:
        first = owner_client.get(url)
    db.session.expire_all()
    with count_queries() as warm:
        second = owner_client.get(url)
    assert first.get_json() == second.get_json()
    assert len(warm) < len(cold)
    assert owner_client.put(url, json={"name": "Fresh Name"}).status_code == 200
    assert owner_client.get(url).get_json()["data"]["name"] == "Fresh Name"


def test_nul_characters_and_trailing_newlines_are_rejected(super_client, tenant):
    url = f"/api/tenants/{tenant.id}"
    nul_name = super_client.put(url, json={"name": "Bad\x00Name"})
    assert nul_name.status_code == 422
    assert nul_name.get_json()["error"]["details"][0]["field"] == "name"
    nul_setting = super_client.put(url, json={"settings": {"theme": {"font": "x\x00"}}})
    assert nul_setting.get_json()["error"]["details"][0]["field"] == "settings.theme.font"
    assert super_client.put(url, json={"subdomain": "abcd\n"}).status_code == 422
    assert create(super_client, customDomain="shop.example.com\n").status_code == 422
