"""Per-key rate limits, and rate-limit headers that appear once each, as single integers."""

from __future__ import annotations

import os
import re
import time

import pytest

from siteninja import create_app
from siteninja.extensions import limiter
from tests import factories
from tests.conftest import database_url

LIMIT_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")
INTEGER = re.compile(r"^\d+$")


def limited_app(**limits):
    """A fresh app with small limits, sharing the test database (and Redis when configured)."""
    app = create_app(
        "testing", SQLALCHEMY_DATABASE_URI=database_url(), REDIS_URL=os.environ.get("REDIS_URL"), **limits
    )
    with app.app_context():
        limiter.reset()
    return app


def single(response, name: str) -> int:
    """The one integer value of header ``name`` (fails if absent, repeated or not an integer)."""
    values = response.headers.getlist(name)
    assert len(values) == 1, f"{name}: {values}"
    assert INTEGER.match(values[0]), f"{name}: {values}"
    return int(values[0])


def assert_limit_headers(response) -> tuple[int, int, int]:
    limit, remaining, reset = (single(response, name) for name in LIMIT_HEADERS)
    assert 0 <= remaining <= limit
    assert reset >= int(time.time())
    if response.status_code == 429:
        retry = single(response, "Retry-After")
        assert 1 <= retry <= 3600
    else:
        assert "Retry-After" not in response.headers
    return limit, remaining, reset


def pages_url(tenant) -> str:
    return f"/api/tenants/{tenant.id}/pages"


def login(client, email: str, password: str = factories.PASSWORD, **kwargs):
    return client.post("/api/auth/login", json={"email": email, "password": password}, **kwargs)


# --- 11. per-key limits ------------------------------------------------------------------------


def test_key_with_rate_limit_3_gets_429_on_the_4th_request(tenant):
    small = limited_app()
    client = factories.key_client(
        small, factories.api_key(tenant=tenant, scopes=["pages:read"], rate_limit=3)
    )
    responses = [client.get(pages_url(tenant)) for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert [assert_limit_headers(r)[:2] for r in responses] == [(3, 2), (3, 1), (3, 0), (3, 0)]
    refused = responses[-1]
    assert refused.get_json()["error"]["code"] == "rate_limited"
    assert single(refused, "Retry-After") >= 1


def test_key_limit_holds_for_both_header_forms(tenant):
    small = limited_app()
    key = factories.api_key(tenant=tenant, scopes=["pages:read"], rate_limit=2)
    bearer = factories.key_client(small, key, header="bearer")
    header = factories.key_client(small, key, header="x-api-key")
    assert [bearer.get(pages_url(tenant)).status_code, header.get(pages_url(tenant)).status_code] == [
        200,
        200,
    ]
    assert bearer.get(pages_url(tenant)).status_code == 429
    assert header.get(pages_url(tenant)).status_code == 429


def test_two_keys_of_one_tenant_are_limited_independently(tenant):
    small = limited_app()
    first = factories.key_client(small, factories.api_key(tenant=tenant, scopes=["pages:read"], rate_limit=2))
    second = factories.key_client(
        small, factories.api_key(tenant=tenant, scopes=["pages:read"], rate_limit=2)
    )
    assert [first.get(pages_url(tenant)).status_code for _ in range(3)] == [200, 200, 429]
    response = second.get(pages_url(tenant))
    assert response.status_code == 200
    assert assert_limit_headers(response)[:2] == (2, 1)


def test_a_key_is_not_limited_by_the_anonymous_per_ip_limit(tenant):
    small = limited_app(RATE_LIMIT_ANON="2/minute")
    client = factories.key_client(
        small, factories.api_key(tenant=tenant, scopes=["pages:read"], rate_limit=5)
    )
    assert [client.get(pages_url(tenant)).status_code for _ in range(5)] == [200] * 5


@pytest.mark.needs_services
def test_a_keys_limit_is_shared_by_every_app_through_redis(tenant):
    key = factories.api_key(tenant=tenant, scopes=["pages:read"], rate_limit=2)
    first, second = limited_app(), limited_app()
    on_first, on_second = factories.key_client(first, key), factories.key_client(second, key)
    assert on_first.get(pages_url(tenant)).status_code == 200
    assert on_second.get(pages_url(tenant)).status_code == 200
    assert on_first.get(pages_url(tenant)).status_code == 429
    assert on_second.get(pages_url(tenant)).status_code == 429


def test_key_without_rate_limit_gets_the_free_plans_60(tenant):
    small = limited_app()
    client = factories.key_client(small, factories.api_key(tenant=tenant, scopes=["pages:read"]))
    response = client.get(pages_url(tenant))
    assert response.status_code == 200
    assert assert_limit_headers(response)[:2] == (60, 59)


def test_a_keys_default_limit_follows_a_plan_change_at_once(tenant):
    small = limited_app()
    owner = factories.client_for(small, factories.user(tenant=tenant, role="owner"))
    client = factories.key_client(small, factories.api_key(tenant=tenant, scopes=["pages:read"]))
    assert single(client.get(pages_url(tenant)), "X-RateLimit-Limit") == 60
    subscribed = owner.put(f"/api/tenants/{tenant.id}/subscription", json={"plan": "starter"})
    assert subscribed.status_code == 200
    assert single(client.get(pages_url(tenant)), "X-RateLimit-Limit") == 300


def test_key_made_through_the_api_with_a_rate_limit_is_limited(tenant):
    small = limited_app()
    owner = factories.client_for(small, factories.user(tenant=tenant, role="owner"))
    created = owner.post(
        f"/api/tenants/{tenant.id}/api-keys", json={"name": "Sync", "scopes": ["pages:read"], "rateLimit": 2}
    )
    assert created.status_code == 201
    client = factories.key_client(small, created.get_json()["data"]["key"])
    responses = [client.get(pages_url(tenant)) for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 429]
    assert single(responses[-1], "X-RateLimit-Limit") == 2


def test_login_limit_per_ip_holds_when_a_key_is_also_sent(tenant):
    small = limited_app(RATE_LIMIT_LOGIN="2/minute")
    user = factories.user(tenant=tenant, role="owner")
    client = factories.key_client(small, factories.api_key(tenant=tenant, scopes=["*"]), header="x-api-key")
    responses = [login(client, user.email) for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 429]
    assert responses[-1].get_json()["error"]["code"] == "rate_limited"
    assert single(responses[-1], "X-RateLimit-Limit") == 2
    # Another email from the same address: still refused (the per-IP limit).
    other = factories.user(tenant=tenant, role="editor")
    assert login(client, other.email).status_code == 429


def test_login_limit_per_ip_holds_with_a_bearer_key(tenant):
    small = limited_app(RATE_LIMIT_LOGIN="2/minute")
    client = factories.key_client(small, factories.api_key(tenant=tenant, scopes=["*"]))
    statuses = [login(client, f"nobody{i}@example.test").status_code for i in range(3)]
    assert statuses == [401, 401, 429]


# --- 12. headers exactly once ------------------------------------------------------------------


def test_login_headers_appear_once_describing_the_lowest_remaining(tenant):
    small = limited_app(RATE_LIMIT_LOGIN="5/minute")
    client = small.test_client()
    first_user, second_user = factories.user(tenant=tenant), factories.user(tenant=tenant)
    first = login(client, first_user.email)
    assert first.status_code == 200
    assert assert_limit_headers(first)[:2] == (5, 4)
    login(client, first_user.email)
    # Per IP 2 left after this one, per email (a new one) 4, anonymous 997: the per-IP limit shows.
    third = login(client, second_user.email)
    assert third.status_code == 200
    assert assert_limit_headers(third)[:2] == (5, 2)


def test_login_headers_show_the_anonymous_limit_when_it_is_nearer(tenant):
    small = limited_app(RATE_LIMIT_ANON="3/minute", RATE_LIMIT_LOGIN="5/minute")
    client = small.test_client()
    response = login(client, factories.user(tenant=tenant).email)
    assert response.status_code == 200
    assert assert_limit_headers(response)[:2] == (3, 2)


def test_per_email_login_limit_shows_when_it_is_nearest(tenant):
    small = limited_app(RATE_LIMIT_LOGIN="3/minute")
    client = small.test_client()
    email = factories.user(tenant=tenant).email
    login(client, email, environ_base={"REMOTE_ADDR": "10.0.0.1"})
    login(client, email, environ_base={"REMOTE_ADDR": "10.0.0.2"})
    response = login(client, email, environ_base={"REMOTE_ADDR": "10.0.0.3"})
    assert response.status_code == 200
    assert assert_limit_headers(response)[:2] == (3, 0)
    refused = login(client, email, environ_base={"REMOTE_ADDR": "10.0.0.4"})
    assert refused.status_code == 429
    assert assert_limit_headers(refused)[:2] == (3, 0)


def test_429_from_the_login_throttle_describes_the_login_limit(tenant):
    small = limited_app(RATE_LIMIT_LOGIN="2/minute")
    client = small.test_client()
    email = factories.user(tenant=tenant).email
    responses = [login(client, email, password="Wrong-passw0rd!") for _ in range(3)]
    assert [r.status_code for r in responses] == [401, 401, 429]
    for response in responses:
        assert_limit_headers(response)
    refused = responses[-1]
    assert refused.get_json()["error"]["code"] == "rate_limited"
    assert single(refused, "X-RateLimit-Limit") == 2
    assert single(refused, "X-RateLimit-Remaining") == 0
    assert 1 <= single(refused, "Retry-After") <= 61
    assert single(refused, "X-RateLimit-Reset") <= int(time.time()) + 61


def test_429_from_the_anonymous_limit_on_login_describes_it(tenant):
    small = limited_app(RATE_LIMIT_ANON="2/minute", RATE_LIMIT_LOGIN="5/minute")
    client = small.test_client()
    email = factories.user(tenant=tenant).email
    responses = [login(client, email) for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 429]
    assert assert_limit_headers(responses[-1])[:2] == (2, 0)


def test_429_from_the_account_lockout_describes_the_lockout(tenant):
    small = limited_app(RATE_LIMIT_LOGIN="100/minute")
    client = small.test_client()
    email = factories.user(tenant=tenant).email
    statuses = [login(client, email, password="Wrong-passw0rd!").status_code for _ in range(11)]
    assert statuses == [401] * 10 + [429]
    refused = login(client, email)  # even the right password waits for the lockout to end
    assert refused.status_code == 429
    limit, remaining, _ = assert_limit_headers(refused)
    assert (limit, remaining) == (10, 0)
    assert single(refused, "Retry-After") > 60  # the 15-minute window, not the per-minute one


def test_headers_count_down_the_failed_login_allowance_when_it_is_nearest(tenant):
    small = limited_app(RATE_LIMIT_LOGIN="100/minute")
    client = small.test_client()
    email = factories.user(tenant=tenant).email
    for _ in range(8):
        login(client, email, password="Wrong-passw0rd!")
    # 9 failures of 10 allowed per 15 minutes: nearer to exhaustion than 91 of 100 per minute.
    response = login(client, email, password="Wrong-passw0rd!")
    assert response.status_code == 401
    assert assert_limit_headers(response)[:2] == (10, 1)


def test_forgot_password_headers_appear_once(tenant):
    small = limited_app(RATE_LIMIT_LOGIN="2/minute")
    client = small.test_client()
    email = factories.user(tenant=tenant).email
    responses = [client.post("/api/auth/forgot-password", json={"email": email}) for _ in range(3)]
    assert [r.status_code for r in responses] == [202, 202, 429]
    assert [assert_limit_headers(r)[:2] for r in responses] == [(2, 1), (2, 0), (2, 0)]


def test_user_requests_carry_one_set_of_headers_and_no_retry_after(tenant):
    small = limited_app(RATE_LIMIT_USER="4/minute")
    client = factories.client_for(small, factories.user(tenant=tenant, role="owner"))
    for expected in (3, 2, 1):
        response = client.get(pages_url(tenant))
        assert response.status_code == 200
        assert assert_limit_headers(response)[:2] == (4, expected)


def test_error_responses_below_429_have_no_retry_after(tenant):
    small = limited_app(RATE_LIMIT_ANON="5/minute")
    client = small.test_client()
    intruder = factories.key_client(small, factories.api_key(tenant=factories.tenant(), scopes=["*"]))
    for response in (
        client.get(pages_url(tenant)),  # 401
        intruder.get(pages_url(tenant)),  # 404: another tenant's key
        client.post("/api/auth/login", json={"email": "x"}),  # 422
    ):
        assert response.status_code < 429
        assert "Retry-After" not in response.headers
        assert_limit_headers(response)
    assert "Retry-After" not in client.get("/api/no-such-route").headers


def test_rate_limit_headers_are_exposed_to_browsers(tenant):
    small = limited_app(CORS_ORIGINS=["https://app.example.test"])
    client = small.test_client()
    response = client.get(pages_url(tenant), headers={"Origin": "https://app.example.test"})
    exposed = {
        h.strip().lower() for h in response.headers.get("Access-Control-Expose-Headers", "").split(",")
    }
    assert {"x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "retry-after"} <= exposed
