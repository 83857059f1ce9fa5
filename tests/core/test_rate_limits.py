"""Default rate limits: per IP for anonymous callers, per user when signed in, with headers."""

from __future__ import annotations

from siteninja import create_app
from siteninja.extensions import limiter
from tests import factories
from tests.conftest import database_url


def limited_app(**limits):
    return create_app("testing", SQLALCHEMY_DATABASE_URI=database_url(), **limits)


def test_anonymous_limit_per_ip_with_headers(app):
    small = limited_app(RATE_LIMIT_ANON="3/minute")
    client = small.test_client()
    with small.app_context():
        limiter.reset()
    responses = [client.get("/api/tenants") for _ in range(4)]
    assert [r.status_code for r in responses] == [401, 401, 401, 429]
    first, last = responses[0], responses[-1]
    assert first.headers["X-RateLimit-Limit"] == "3"
    assert first.headers["X-RateLimit-Remaining"] == "2"
    assert int(first.headers["X-RateLimit-Reset"]) > 0
    assert last.get_json()["error"]["code"] == "rate_limited"
    assert int(last.headers["Retry-After"]) >= 1
    other_ip = client.get("/api/tenants", environ_base={"REMOTE_ADDR": "10.1.1.1"})
    assert other_ip.status_code == 401


def test_signed_in_users_are_limited_per_user(app, tenant):
    small = limited_app(RATE_LIMIT_ANON="1/minute", RATE_LIMIT_USER="5/minute")
    with small.app_context():
        limiter.reset()
    user_client = small.test_client()
    user_client.environ_base["HTTP_AUTHORIZATION"] = factories.auth_headers(
        factories.user(tenant=tenant, role="owner")
    )["Authorization"]
    statuses = [user_client.get(f"/api/tenants/{tenant.id}").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
