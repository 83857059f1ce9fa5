"""Subscriptions: one per tenant, plan changes, cancel and reactivate, owner-only access; /api/plans."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from siteninja.core.db import utcnow
from siteninja.extensions import db
from siteninja.models import Subscription
from siteninja.services import plans
from tests import factories
from tests.resources.site_helpers import audit_entries, error_fields, key_client, make_page, role_client


def url(tenant) -> str:
    return f"/api/tenants/{tenant.id}/subscription"


def stored(tenant) -> Subscription | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(Subscription).where(Subscription.tenant_id == tenant.id))


def remove_subscription(tenant) -> None:
    db.session.execute(sa.delete(Subscription).where(Subscription.tenant_id == tenant.id))
    db.session.commit()


def end_period(tenant, *, days_ago: int = 1) -> None:
    """Move the subscription's period into the past."""
    subscription = stored(tenant)
    subscription.current_period_start = utcnow() - timedelta(days=30 + days_ago)
    subscription.current_period_end = utcnow() - timedelta(days=days_ago)
    db.session.commit()


def test_new_tenants_have_an_active_free_subscription(owner_client, tenant):
    response = owner_client.get(url(tenant))
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert (data["plan"], data["status"], data["tenantId"]) == ("free", "active", str(tenant.id))
    assert data["cancelAtPeriodEnd"] is False and data["canceledAt"] is None
    assert data["currentPeriodStart"].endswith("Z") and data["currentPeriodEnd"].endswith("Z")
    assert data["currentPeriodStart"] < data["currentPeriodEnd"]
    assert set(data) == {
        "id",
        "tenantId",
        "plan",
        "status",
        "currentPeriodStart",
        "currentPeriodEnd",
        "cancelAtPeriodEnd",
        "canceledAt",
        "createdAt",
        "updatedAt",
    }


def test_get_is_404_without_a_subscription(owner_client, tenant):
    remove_subscription(tenant)
    response = owner_client.get(url(tenant))
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    assert owner_client.put(url(tenant), json={"plan": "pro"}).status_code == 404
    assert owner_client.delete(url(tenant)).status_code == 404


def test_post_creates_with_201_location_and_audit(owner_client, tenant):
    remove_subscription(tenant)
    response = owner_client.post(url(tenant), json={"plan": "starter"})
    assert response.status_code == 201
    data = response.get_json()["data"]
    assert response.headers["Location"].endswith(url(tenant))
    assert (data["plan"], data["status"], data["cancelAtPeriodEnd"]) == ("starter", "active", False)
    assert plans.effective_plan(stored(tenant)) == "starter"
    (entry,) = audit_entries(data["id"], "create")
    assert entry.resource_type == "subscription" and entry.new_value["plan"] == "starter"


def test_post_conflicts_when_one_exists_even_canceled(owner_client, tenant):
    response = owner_client.post(url(tenant), json={"plan": "pro"})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "conflict"
    assert owner_client.delete(url(tenant)).status_code == 200
    assert owner_client.post(url(tenant), json={"plan": "pro"}).status_code == 409
    assert stored(tenant).plan == "free"


@pytest.mark.parametrize(
    "body,field",
    [
        ({}, "plan"),
        ({"plan": "platinum"}, "plan"),
        ({"plan": "FREE"}, "plan"),
        ({"plan": None}, "plan"),
        ({"plan": "pro", "status": "active"}, "status"),
        ({"plan": "pro", "canceledAt": None}, "canceledAt"),
        ({"plan": "pro", "currentPeriodEnd": "2099-01-01T00:00:00Z"}, "currentPeriodEnd"),
        ({"plan": "pro", "tenantId": "00000000-0000-0000-0000-000000000000"}, "tenantId"),
        ({"plan": "pro", "bogus": 1}, "bogus"),
    ],
)
def test_bodies_are_validated(owner_client, tenant, body, field):
    remove_subscription(tenant)
    for method in ("post", "put"):
        response = getattr(owner_client, method)(url(tenant), json=body)
        assert response.status_code == 422, (method, body)
        assert field in error_fields(response)
    assert stored(tenant) is None


def test_put_changes_the_plan_and_audits(owner_client, tenant):
    before = stored(tenant)
    period = (before.current_period_start, before.current_period_end)
    response = owner_client.put(url(tenant), json={"plan": "pro"})
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert (data["plan"], data["status"]) == ("pro", "active")
    after = stored(tenant)
    assert (after.current_period_start, after.current_period_end) == period
    assert plans.limits_for(tenant.id)["pages"] == 200
    (entry,) = audit_entries(data["id"], "update")
    assert entry.changes == {"plan": ["free", "pro"]}
    assert owner_client.patch(url(tenant), json={"plan": "enterprise"}).status_code == 200
    assert plans.limits_for(tenant.id)["pages"] is None


def test_delete_cancels_and_returns_the_canceled_subscription(owner_client, tenant):
    owner_client.put(url(tenant), json={"plan": "pro"})
    response = owner_client.delete(url(tenant))
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert (data["status"], data["plan"], data["cancelAtPeriodEnd"]) == ("canceled", "pro", True)
    assert data["canceledAt"].endswith("Z")
    assert owner_client.get(url(tenant)).get_json()["data"]["status"] == "canceled"
    (entry,) = audit_entries(data["id"], "cancel")
    assert entry.changes["status"] == ["active", "canceled"]
    assert entry.changes["cancel_at_period_end"] == [False, True]


def test_canceled_plan_lasts_until_the_period_ends_then_free_applies(owner_client, tenant):
    owner_client.put(url(tenant), json={"plan": "pro"})
    owner_client.delete(url(tenant))
    assert plans.effective_plan(stored(tenant)) == "pro"
    end_period(tenant)
    assert plans.effective_plan(stored(tenant)) == "free"
    assert plans.limits_for(tenant.id)["pages"] == 5


def test_cancel_twice_is_harmless(owner_client, tenant):
    first = owner_client.delete(url(tenant)).get_json()["data"]
    second = owner_client.delete(url(tenant))
    assert second.status_code == 200
    assert second.get_json()["data"]["canceledAt"] == first["canceledAt"]
    assert len(audit_entries(first["id"], "cancel")) == 1


def test_put_reactivates_a_canceled_subscription(owner_client, tenant):
    owner_client.delete(url(tenant))
    period_end = stored(tenant).current_period_end
    response = owner_client.put(url(tenant), json={"plan": "starter"})
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert (data["plan"], data["status"], data["canceledAt"], data["cancelAtPeriodEnd"]) == (
        "starter",
        "active",
        None,
        False,
    )
    assert stored(tenant).current_period_end == period_end
    entry = audit_entries(data["id"], "update")[-1]
    assert entry.changes["status"] == ["canceled", "active"]


def test_reactivating_after_the_period_ended_starts_a_new_period(owner_client, tenant):
    owner_client.delete(url(tenant))
    end_period(tenant, days_ago=3)
    response = owner_client.put(url(tenant), json={"plan": "pro"})
    assert response.status_code == 200
    subscription = stored(tenant)
    assert subscription.current_period_end > utcnow() + timedelta(days=29)
    assert subscription.current_period_start <= utcnow()
    assert plans.effective_plan(subscription) == "pro"


def test_downgrading_below_the_page_count_is_allowed(owner_client, tenant):
    owner_client.put(url(tenant), json={"plan": "starter"})
    for _ in range(7):
        make_page(tenant)
    response = owner_client.put(url(tenant), json={"plan": "free"})
    assert response.status_code == 200
    assert response.get_json()["data"]["plan"] == "free"


def test_requests_without_credentials_are_401(client, tenant):
    assert client.get(url(tenant)).status_code == 401
    assert client.post(url(tenant), json={"plan": "pro"}).status_code == 401
    assert client.put(url(tenant), json={"plan": "pro"}).status_code == 401
    assert client.delete(url(tenant)).status_code == 401


def test_only_owners_manage_the_subscription(app, tenant):
    for role in ("viewer", "editor", "admin"):
        client = role_client(app, tenant, role)
        for method in ("get", "post", "put", "delete"):
            response = getattr(client, method)(url(tenant), json={"plan": "pro"})
            assert response.status_code == 403, (role, method)
            assert response.get_json()["error"]["code"] == "forbidden"
    assert stored(tenant).plan == "free" and stored(tenant).status == "active"


def test_api_keys_can_never_manage_the_subscription(app, monkeypatch, tenant):
    key = key_client(app, monkeypatch, tenant=tenant, scopes={"*"})
    for method in ("get", "post", "put", "delete"):
        response = getattr(key, method)(url(tenant), json={"plan": "pro"})
        assert response.status_code == 403, method
    other = factories.tenant(name="Other")
    assert key.get(url(other)).status_code == 404
    assert stored(tenant).plan == "free"


def test_other_tenants_are_404_and_super_admin_may_manage(owner_client, super_client):
    other = factories.tenant(name="Other")
    for method in ("get", "post", "put", "patch", "delete"):
        response = getattr(owner_client, method)(url(other), json={"plan": "pro"})
        assert response.status_code == 404, method
    assert stored(other).plan == "free"
    assert super_client.put(url(other), json={"plan": "pro"}).status_code == 200
    assert super_client.get(url(other)).get_json()["data"]["plan"] == "pro"


# --- /api/plans -------------------------------------------------------------------------------


def test_plans_are_public_and_come_from_configuration(client, app):
    response = client.get("/api/plans")
    assert response.status_code == 200
    assert response.headers["ETag"]
    data = response.get_json()["data"]
    assert [plan["name"] for plan in data] == ["free", "starter", "pro", "enterprise"]
    by_name = {plan["name"]: plan for plan in data}
    assert by_name["free"] == {
        "name": "free",
        "pages": 5,
        "storageBytes": 100 * 1024**2,
        "webhooks": 1,
        "apiRatePerMinute": 60,
        "premiumTemplates": False,
        "customDomain": False,
    }
    assert by_name["enterprise"]["pages"] is None
    assert by_name["pro"]["storageBytes"] == 10 * 1024**3


def test_plans_follow_configuration_changes(client, app, monkeypatch):
    limits = {**app.config["PLAN_LIMITS"], "free": {**app.config["PLAN_LIMITS"]["free"], "pages": 3}}
    monkeypatch.setitem(app.config, "PLAN_LIMITS", limits)
    data = client.get("/api/plans").get_json()["data"]
    assert data[0] == {**data[0], "name": "free", "pages": 3}


def test_plans_answer_authenticated_callers_and_refuse_writes(owner_client, client):
    assert owner_client.get("/api/plans").status_code == 200
    assert client.post("/api/plans", json={}).status_code == 405


def test_openapi_documents_the_new_routes(client):
    spec = client.get("/api/openapi.json").get_json()
    paths = spec["paths"]
    assert "/api/plans" in paths and paths["/api/plans"]["get"]["security"] == []
    for path in (
        "/api/tenants/{tenantId}/subscription",
        "/api/tenants/{tenantId}/branding",
        "/api/tenants/{tenantId}/navigation",
        "/api/tenants/{tenantId}/navigation/reorder",
        "/api/tenants/{tenantId}/navigation/{navId}",
        "/api/tenants/{tenantId}/pages/{pageId}/seo",
    ):
        assert path in paths, path
    summary = paths["/api/tenants/{tenantId}/subscription"]["put"]["summary"]
    assert "downgrade" in summary
