"""A cached authenticated read: no SQL, two Redis round trips, and every promise still kept.

Round trip 1 reads the cached principal with its epochs; round trip 2 counts the caller's rate
limit and reads the tenant's generation and the cached body together.
"""

from __future__ import annotations

import pytest
import redis
import redis.client

from siteninja import create_app
from tests import factories
from tests.conftest import count_queries, database_url

CLOSED_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def round_trips(monkeypatch) -> list[str]:
    """Every Redis round trip made while the test runs: single commands and pipelines."""
    trips: list[str] = []
    command, execute = redis.Redis.execute_command, redis.client.Pipeline.execute

    def counted_command(self, *args, **options):
        trips.append(str(args[0]))
        return command(self, *args, **options)

    def counted_pipeline(self, *args, **kwargs):
        trips.append("pipeline:" + ",".join(str(c[0][0]) for c in self.command_stack))
        return execute(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "execute_command", counted_command)
    monkeypatch.setattr(redis.client.Pipeline, "execute", counted_pipeline)
    return trips


def page_detail(tenant, page) -> str:
    return f"/api/tenants/{tenant.id}/pages/{page.id}?include=sections,seo"


@pytest.fixture
def page(tenant):
    page = factories.page(tenant=tenant)
    factories.section(page=page)
    return page


@pytest.mark.needs_services
@pytest.mark.parametrize("credential", ["jwt", "api_key"])
def test_a_cache_hit_runs_no_sql_and_two_round_trips(app, tenant, page, round_trips, credential):
    if credential == "jwt":
        client = factories.client_for(app, factories.user(tenant=tenant, role="viewer"))
    else:
        client = factories.key_client(app, factories.api_key(tenant=tenant, scopes=["pages:read"]))
    url = page_detail(tenant, page)
    first = client.get(url)
    assert first.status_code == 200
    round_trips.clear()
    with count_queries() as statements:
        hit = client.get(url)
    assert hit.status_code == 200 and hit.get_data() == first.get_data()
    assert hit.headers["ETag"] == first.headers["ETag"]
    assert statements == []
    reads = [trip for trip in round_trips if not trip.startswith("pipeline:HINCRBY")]  # key usage count
    assert reads == ["MGET", "pipeline:INCRBY,EXPIRE,MGET"], round_trips


@pytest.mark.needs_services
def test_the_rate_limit_counted_with_the_cache_read_still_refuses(tenant, page):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url(), RATE_LIMIT_USER="2/minute")
    client = factories.client_for(app, factories.user(tenant=tenant, role="viewer"))
    responses = [client.get(page_detail(tenant, page)) for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 429]
    assert responses[1].headers.getlist("X-RateLimit-Remaining") == ["0"]
    assert responses[2].get_json()["error"]["code"] == "rate_limited"
    assert int(responses[2].headers["Retry-After"]) >= 1


@pytest.mark.needs_services
def test_a_cached_route_that_errors_before_its_lookup_is_still_counted(tenant, page):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url(), RATE_LIMIT_USER="2/minute")
    intruder = factories.client_for(app, factories.user(tenant=factories.tenant(), role="owner"))
    statuses = [intruder.get(page_detail(tenant, page)).status_code for _ in range(3)]
    assert statuses == [404, 404, 429]


def test_with_redis_down_cached_reads_answer_from_the_database(tenant, page):
    # flask-limiter keeps one storage for the process: keep it usable for the tests that follow.
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=database_url(),
        REDIS_URL=CLOSED_REDIS,
        RATELIMIT_STORAGE_URI="memory://",
    )
    client = factories.client_for(app, factories.user(tenant=tenant, role="viewer"))
    responses = [client.get(page_detail(tenant, page)) for _ in range(2)]
    assert [r.status_code for r in responses] == [200, 200]
    assert responses[0].get_json() == responses[1].get_json()


@pytest.mark.needs_services
def test_a_write_is_read_back_at_once_after_a_hit(app, tenant, page):
    editor = factories.client_for(app, factories.user(tenant=tenant, role="editor"))
    assert editor.get(page_detail(tenant, page)).status_code == 200
    assert (
        editor.put(f"/api/tenants/{tenant.id}/pages/{page.id}", json={"title": "Renamed"}).status_code == 200
    )
    assert editor.get(page_detail(tenant, page)).get_json()["data"]["title"] == "Renamed"
