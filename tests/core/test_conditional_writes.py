"""If-Match on writes (412 when stale) and Idempotency-Key on POSTs (replay within 24 h)."""

from __future__ import annotations

import sqlalchemy as sa

from siteninja.extensions import db
from siteninja.models import IdempotencyRecord, Tenant
from tests import factories


def test_if_match_accepts_the_current_etag_and_refuses_a_stale_one(owner_client, tenant):
    url = f"/api/tenants/{tenant.id}"
    etag = owner_client.get(url).headers["ETag"]
    fresh = owner_client.put(url, json={"name": "First"}, headers={"If-Match": etag})
    assert fresh.status_code == 200
    stale = owner_client.put(url, json={"name": "Second"}, headers={"If-Match": etag})
    assert stale.status_code == 412
    assert stale.get_json()["error"]["code"] == "precondition_failed"
    assert owner_client.get(url).get_json()["data"]["name"] == "First"
    assert owner_client.put(url, json={"name": "Third"}, headers={"If-Match": "*"}).status_code == 200
    new_etag = owner_client.get(url).headers["ETag"]
    assert owner_client.patch(url, json={"name": "Fourth"}, headers={"If-Match": new_etag}).status_code == 200


def test_if_match_on_delete_and_without_header(app, owner_client, tenant):
    page = factories.page(tenant=tenant)
    url = f"/api/tenants/{tenant.id}/pages/{page.id}"
    etag = owner_client.get(url).headers["ETag"]
    owner_client.put(url, json={"title": "Changed"})
    assert owner_client.delete(url, headers={"If-Match": etag}).status_code == 412
    assert owner_client.delete(url).status_code == 204


def test_if_match_does_not_leak_across_tenants(app, tenant):
    intruder = factories.client_for(app, factories.user(tenant=factories.tenant(), role="owner"))
    response = intruder.put(f"/api/tenants/{tenant.id}", json={"name": "x"}, headers={"If-Match": '"abc"'})
    assert response.status_code == 404


def test_idempotent_post_replays_the_first_response(super_client):
    body = {"name": "Once Only", "subdomain": "once-only"}
    headers = {"Idempotency-Key": "create-once-only"}
    first = super_client.post("/api/tenants", json=body, headers=headers)
    second = super_client.post("/api/tenants", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.get_json() == second.get_json()
    assert second.headers["Location"] == first.headers["Location"]
    assert second.headers["Idempotent-Replayed"] == "true"
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Tenant).where(Tenant.subdomain == "once-only")
        )
        == 1
    )


def test_same_key_with_another_body_is_422(super_client):
    headers = {"Idempotency-Key": "reused-key"}
    assert (
        super_client.post(
            "/api/tenants", json={"name": "A", "subdomain": "key-a"}, headers=headers
        ).status_code
        == 201
    )
    other = super_client.post("/api/tenants", json={"name": "B", "subdomain": "key-b"}, headers=headers)
    assert other.status_code == 422
    assert other.get_json()["error"]["details"][0]["field"] == "Idempotency-Key"


def test_keys_are_per_principal_and_bounded(app, super_client):
    other_admin = factories.client_for(app, factories.user(tenant=None, role="super_admin"))
    headers = {"Idempotency-Key": "shared-name"}
    assert (
        super_client.post(
            "/api/tenants", json={"name": "A", "subdomain": "per-a"}, headers=headers
        ).status_code
        == 201
    )
    assert (
        other_admin.post(
            "/api/tenants", json={"name": "B", "subdomain": "per-b"}, headers=headers
        ).status_code
        == 201
    )
    too_long = super_client.post(
        "/api/tenants", json={"name": "C", "subdomain": "per-c"}, headers={"Idempotency-Key": "k" * 256}
    )
    assert too_long.status_code == 422


def test_client_errors_are_replayed_too_but_nothing_is_written_twice(super_client):
    headers = {"Idempotency-Key": "bad-request-key"}
    first = super_client.post("/api/tenants", json={"name": "X", "subdomain": "ab"}, headers=headers)
    second = super_client.post("/api/tenants", json={"name": "X", "subdomain": "ab"}, headers=headers)
    assert first.status_code == second.status_code == 422
    assert first.get_json()["error"]["details"] == second.get_json()["error"]["details"]
    stored = db.session.scalar(sa.select(IdempotencyRecord).where(IdempotencyRecord.key == "bad-request-key"))
    assert stored.status_code == 422 and "Authorization" not in stored.response_headers
