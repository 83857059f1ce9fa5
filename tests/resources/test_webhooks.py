"""Webhooks API: CRUD, validation, the plan limit, secrets and rotation, test, the delivery log,
redelivery; events reach subscribed webhooks through a real receiver on 127.0.0.1."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa
from standardwebhooks import Webhook as StandardWebhook

from siteninja.core.db import utcnow
from siteninja.extensions import db
from siteninja.models import AuditLog, Event, Webhook, WebhookDelivery
from siteninja.services import events
from tests import factories
from tests.conftest import count_queries
from tests.webhook_support import (
    PUBLIC_ADDRESS,
    allow_local_receivers,
    install_fake_dns,
    receiver,
    record_connections,
    reply,
)

WEBHOOK_FIELDS = {
    "id",
    "url",
    "events",
    "description",
    "isActive",
    "failureCount",
    "disabledAt",
    "disabledReason",
    "lastDeliveryAt",
    "createdAt",
    "updatedAt",
}
DELIVERY_FIELDS = {
    "id",
    "eventId",
    "eventType",
    "attempt",
    "status",
    "responseStatus",
    "responseBody",
    "durationMs",
    "error",
    "nextRetryAt",
    "createdAt",
}
HOOK_URL = "https://hooks.example.test/siteninja"


@pytest.fixture(autouse=True)
def dns(monkeypatch):
    """hooks.example.test is a public name; nothing else resolves, and nothing connects outside."""
    fake = install_fake_dns(monkeypatch)
    fake.add("hooks.example.test", [PUBLIC_ADDRESS])
    record_connections(monkeypatch)
    return fake


@pytest.fixture
def local(app, monkeypatch):
    allow_local_receivers(app, monkeypatch)


def hooks_url(tenant, suffix: str = "") -> str:
    return f"/api/tenants/{tenant.id}/webhooks{suffix}"


def create(client, tenant, **body):
    body.setdefault("url", HOOK_URL)
    body.setdefault("events", ["*"])
    return client.post(hooks_url(tenant), json=body)


def deliveries(webhook_id) -> list[WebhookDelivery]:
    stmt = sa.select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook_id)
    return list(db.session.scalars(stmt.order_by(WebhookDelivery.attempt)))


def test_create_shows_the_secret_once(owner_client, tenant):
    response = create(owner_client, tenant, events=["page.published"], description="Slack")
    assert response.status_code == 201
    data = response.get_json()["data"]
    assert set(data) == WEBHOOK_FIELDS | {"secret"}
    assert data["secret"].startswith("whsec_")
    assert data["events"] == ["page.published"] and data["isActive"] is True and data["failureCount"] == 0
    assert response.headers["Location"].endswith(hooks_url(tenant, f"/{data['id']}"))

    detail = owner_client.get(hooks_url(tenant, f"/{data['id']}")).get_json()["data"]
    listed = owner_client.get(hooks_url(tenant)).get_json()["data"]
    assert set(detail) == WEBHOOK_FIELDS and [set(item) for item in listed] == [WEBHOOK_FIELDS]
    entries = db.session.scalars(sa.select(AuditLog).where(AuditLog.resource_type == "webhook"))
    assert data["secret"] not in json.dumps([[e.new_value, e.old_value] for e in entries])


def test_create_rejects_every_bad_field_at_once(owner_client, tenant):
    response = create(owner_client, tenant, url="http://hooks.example.test/x", events=["page.exploded"])
    assert response.status_code == 422
    fields = {detail["field"] for detail in response.get_json()["error"]["details"]}
    assert fields == {"url", "events.0"}
    missing = owner_client.post(hooks_url(tenant), json={})
    assert {d["field"] for d in missing.get_json()["error"]["details"]} == {"url", "events"}


@pytest.mark.parametrize(
    "events", [[], "page.created", ["*", "nope"], [1], ["PAGE.CREATED"], ["webhook.test"]]
)
def test_events_must_be_known_names_or_star(owner_client, tenant, events):
    assert create(owner_client, tenant, events=events).status_code == 422


def test_events_are_kept_once_each_and_star_stands_alone(owner_client, tenant):
    factories.plan(tenant, "pro")
    first = create(owner_client, tenant, events=["page.created", "page.deleted", "page.created"])
    assert first.get_json()["data"]["events"] == ["page.created", "page.deleted"]
    assert create(owner_client, tenant, events=["page.created", "*"]).get_json()["data"]["events"] == ["*"]


def test_http_is_allowed_only_when_configured(app, owner_client, tenant, monkeypatch):
    assert create(owner_client, tenant, url="http://hooks.example.test/x").status_code == 422
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_HTTP", True)
    assert create(owner_client, tenant, url="http://hooks.example.test/x").status_code == 201


def test_the_plans_webhook_limit_is_a_403(owner_client, tenant):
    assert create(owner_client, tenant).status_code == 201
    refused = create(owner_client, tenant)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "plan_limit_exceeded"
    factories.plan(tenant, "starter")
    assert [create(owner_client, tenant).status_code for _ in range(4)] == [201, 201, 201, 201]
    assert create(owner_client, tenant).status_code == 403


def test_update_is_partial_and_rejects_server_owned_fields(owner_client, tenant):
    webhook_id = create(owner_client, tenant).get_json()["data"]["id"]
    url = hooks_url(tenant, f"/{webhook_id}")
    updated = owner_client.put(url, json={"events": ["page.updated"], "description": "Search index"})
    assert updated.status_code == 200
    assert updated.get_json()["data"]["events"] == ["page.updated"]
    assert updated.get_json()["data"]["url"] == HOOK_URL and "secret" not in updated.get_json()["data"]
    for field in ("secret", "failureCount", "id", "disabledAt", "tenantId"):
        assert owner_client.patch(url, json={field: "x"}).status_code == 422, field
    assert owner_client.put(url, json={"url": "https://127.0.0.1/x"}).status_code == 422


def test_disabling_and_re_enabling(owner_client, tenant):
    webhook_id = create(owner_client, tenant).get_json()["data"]["id"]
    url = hooks_url(tenant, f"/{webhook_id}")
    db.session.execute(sa.update(Webhook).where(Webhook.id == uuid.UUID(webhook_id)).values(failure_count=7))
    db.session.commit()
    off = owner_client.put(url, json={"isActive": False}).get_json()["data"]
    assert off["isActive"] is False and off["disabledAt"] and off["disabledReason"] == "Disabled by a user"
    on = owner_client.put(url, json={"isActive": True}).get_json()["data"]
    assert on["isActive"] is True and on["disabledAt"] is None and on["disabledReason"] is None
    assert on["failureCount"] == 0


def test_delete_removes_the_webhook_and_its_log(owner_client, tenant):
    webhook = factories.webhook(tenant=tenant)
    factories.delivery(webhook=webhook)
    assert owner_client.delete(hooks_url(tenant, f"/{webhook.id}")).status_code == 204
    assert owner_client.get(hooks_url(tenant, f"/{webhook.id}")).status_code == 404
    assert deliveries(webhook.id) == []
    entry = db.session.scalar(
        sa.select(AuditLog).where(AuditLog.action == "delete", AuditLog.resource_type == "webhook")
    )
    assert entry.old_value["secret"] == "[redacted]"


def test_rotate_secret_keeps_the_old_one_for_the_grace_period(owner_client, tenant):
    created = create(owner_client, tenant).get_json()["data"]
    url = hooks_url(tenant, f"/{created['id']}/rotate-secret")
    rotated = owner_client.post(url, json={})
    assert rotated.status_code == 200
    new_secret = rotated.get_json()["data"]["secret"]
    assert new_secret.startswith("whsec_") and new_secret != created["secret"]
    webhook = db.session.get(Webhook, uuid.UUID(created["id"]), populate_existing=True)
    assert webhook.previous_secret == created["secret"]
    assert abs(webhook.previous_secret_expires_at - (utcnow() + timedelta(hours=24))) < timedelta(minutes=1)

    owner_client.post(url, json={"gracePeriodHours": 0})
    webhook = db.session.get(Webhook, uuid.UUID(created["id"]), populate_existing=True)
    assert webhook.previous_secret is None and webhook.previous_secret_expires_at is None


@pytest.mark.parametrize("hours", [-1, 721, "24", 1.5, None])
def test_rotate_secret_validates_the_grace_period(owner_client, tenant, hours):
    webhook = factories.webhook(tenant=tenant)
    response = owner_client.post(
        hooks_url(tenant, f"/{webhook.id}/rotate-secret"), json={"gracePeriodHours": hours}
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["details"][0]["field"] == "gracePeriodHours"


def test_test_sends_a_signed_webhook_test_event_now_and_returns_the_attempt(local, owner_client, tenant):
    with receiver() as hook:
        created = create(owner_client, tenant, url=hook.url(), events=["page.deleted"]).get_json()["data"]
        response = owner_client.post(hooks_url(tenant, f"/{created['id']}/test"))
        [request] = hook.requests
    assert response.status_code == 200
    attempt = response.get_json()["data"]
    assert set(attempt) == DELIVERY_FIELDS
    assert attempt["status"] == "success" and attempt["responseStatus"] == 200 and attempt["attempt"] == 1
    assert attempt["eventType"] == "webhook.test" and attempt["responseBody"] == '{"received": true}'
    payload = StandardWebhook(created["secret"]).verify(request.body, request.headers)
    assert payload["type"] == "webhook.test" and payload["data"]["webhookId"] == created["id"]
    assert payload["id"] == attempt["eventId"] == request.headers["webhook-id"]


def test_a_failed_test_is_not_retried_and_does_not_count(local, owner_client, tenant):
    with receiver(lambda handler, received: reply(handler, 500, b"down")) as hook:
        created = create(owner_client, tenant, url=hook.url(), isActive=False).get_json()["data"]
        attempt = owner_client.post(hooks_url(tenant, f"/{created['id']}/test")).get_json()["data"]
    assert (
        attempt["status"] == "failed" and attempt["responseStatus"] == 500 and attempt["error"] == "HTTP 500"
    )
    assert attempt["nextRetryAt"] is None and len(hook.requests) == 1  # sent although disabled
    webhook = db.session.get(Webhook, uuid.UUID(created["id"]), populate_existing=True)
    assert webhook.failure_count == 0 and webhook.last_delivery_at is None
    assert len(deliveries(uuid.UUID(created["id"]))) == 1


def test_a_page_publish_reaches_subscribed_active_webhooks_only(local, app, owner_client, tenant):
    factories.plan(tenant, "pro")
    page = factories.page(tenant=tenant)
    with receiver() as hook:
        published = create(owner_client, tenant, url=hook.url("/published"), events=["page.published"])
        create(owner_client, tenant, url=hook.url("/deleted"), events=["page.deleted"])
        create(owner_client, tenant, url=hook.url("/off"), isActive=False)
        everything = create(owner_client, tenant, url=hook.url("/all"))
        owner_client.put(f"/api/tenants/{tenant.id}/pages/{page.id}", json={"status": "published"})
        paths = sorted(request.path for request in hook.requests)
        requests_by_path = {request.path: request for request in hook.requests}
    assert paths == ["/all", "/all", "/published"]  # /all: page.updated and page.published
    request = requests_by_path["/published"]
    payload = StandardWebhook(published.get_json()["data"]["secret"]).verify(request.body, request.headers)
    assert payload["type"] == "page.published" and payload["data"]["id"] == str(page.id)
    assert set(payload) == {"id", "type", "createdAt", "tenantId", "data"}
    assert payload["tenantId"] == str(tenant.id)
    event = db.session.get(Event, uuid.UUID(payload["id"].removeprefix("evt_")))
    assert request.body == event.body.encode()  # the bytes serialized once at emit
    assert everything.status_code == 201


def test_the_delivery_log_filters_and_pages(local, owner_client, tenant):
    webhook = factories.webhook(tenant=tenant)
    for event_type, status in [
        ("page.created", "success"),
        ("page.deleted", "failed"),
        ("page.created", "failed"),
    ]:
        factories.delivery(webhook=webhook, event_type=event_type, status=status)
    url = hooks_url(tenant, f"/{webhook.id}/deliveries")
    everything = owner_client.get(url).get_json()
    assert everything["pagination"]["total"] == 3 and all(
        set(d) == DELIVERY_FIELDS for d in everything["data"]
    )
    failed = owner_client.get(url, query_string={"status": "failed"}).get_json()["data"]
    assert [d["eventType"] for d in failed] == ["page.created", "page.deleted"]  # newest first
    created = owner_client.get(url, query_string={"eventType": "page.created", "status": "failed"}).get_json()
    assert created["pagination"]["total"] == 1
    assert (
        owner_client.get(url, query_string={"limit": 1, "page": 2}).get_json()["data"][0]["eventType"]
        == "page.deleted"
    )
    for bad in ({"status": "lost"}, {"eventType": "page.exploded"}, {"limit": 101}):
        assert owner_client.get(url, query_string=bad).status_code == 422


def test_redeliver_makes_a_new_attempt_of_the_same_event(local, owner_client, tenant):
    with receiver() as hook:
        created = create(owner_client, tenant, url=hook.url()).get_json()["data"]
        webhook = db.session.get(Webhook, uuid.UUID(created["id"]))
        original = factories.delivery(webhook=webhook, event_type="page.updated", attempt=2, status="failed")
        response = owner_client.post(hooks_url(tenant, f"/{webhook.id}/deliveries/{original.id}/redeliver"))
        [request] = hook.requests
    assert response.status_code == 202
    attempt = response.get_json()["data"]
    assert attempt["attempt"] == 3 and attempt["eventId"] == f"evt_{original.event_id.hex}"
    assert request.headers["webhook-id"] == attempt["eventId"]
    assert [d.status for d in deliveries(webhook.id)] == ["failed", "success"]
    assert db.session.scalar(sa.select(AuditLog.action).where(AuditLog.action == "redeliver")) == "redeliver"


def test_redeliver_to_a_disabled_webhook_is_a_conflict(owner_client, tenant):
    webhook = factories.webhook(tenant=tenant, is_active=False)
    delivery = factories.delivery(webhook=webhook)
    response = owner_client.post(hooks_url(tenant, f"/{webhook.id}/deliveries/{delivery.id}/redeliver"))
    assert response.status_code == 409


def test_a_delivery_of_another_webhook_is_404(owner_client, tenant):
    factories.plan(tenant, "pro")
    mine, other = factories.webhook(tenant=tenant), factories.webhook(tenant=tenant)
    delivery = factories.delivery(webhook=other)
    response = owner_client.post(hooks_url(tenant, f"/{mine.id}/deliveries/{delivery.id}/redeliver"))
    assert response.status_code == 404


def test_lists_run_a_fixed_number_of_queries(owner_client, tenant):
    factories.plan(tenant, "pro")
    webhook = factories.webhook(tenant=tenant)
    factories.delivery(webhook=webhook)
    hooks, deliveries = hooks_url(tenant), hooks_url(tenant, f"/{webhook.id}/deliveries")
    owner_client.get("/api/auth/me")  # the principal is cached from here on: count the lists' own work
    with count_queries() as one_hook:
        owner_client.get(hooks)
    with count_queries() as one_delivery:
        owner_client.get(deliveries)
    for _ in range(9):
        factories.delivery(webhook=factories.webhook(tenant=tenant))
        factories.delivery(webhook=webhook)
    with count_queries() as ten_hooks:
        owner_client.get(hooks)
    with count_queries() as ten_deliveries:
        owner_client.get(deliveries)
    assert len(ten_hooks) == len(one_hook) and len(ten_deliveries) == len(one_delivery)


def test_an_emit_with_no_webhooks_adds_one_query(app, tenant):
    tenant_id = tenant.id
    with count_queries() as statements:
        events.emit(tenant_id=tenant_id, type="page.updated", data={})
        db.session.flush()
    assert len(statements) == 2  # the event insert and the subscribed-webhooks select
