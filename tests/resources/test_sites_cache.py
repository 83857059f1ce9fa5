"""Public site delivery from the cache: ETags, 304, HEAD, no SQL on a hit, one Redis round trip,
invalidation by every committed change, single-flight misses, the anonymous rate limit."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import uuid

import pytest
from werkzeug.test import EnvironBuilder

from siteninja.core import public_cache
from siteninja.core.public_cache import CACHE_CONTROL, Entry, entry_ttl
from siteninja.core.redis import redis_client
from siteninja.resources.sites import service as sites_service
from tests import factories
from tests.conftest import count_queries
from tests.resources.public_site_helpers import (
    count_redis_round_trips,
    fresh_app,
    published,
    seo,
    site_url,
)

SUFFIXES = ["", "/pages/_home", "/pages/about", "/sitemap.xml", "/robots.txt"]


@pytest.fixture
def site(tenant):
    """A small published site: homepage and about page with sections, SEO and a menu."""
    home = published(tenant, title="Home", slug="home", is_homepage=True)
    about = published(tenant, title="About", slug="about", sort_order=1)
    for page in (home, about):
        factories.section(page=page, content={"title": f"{page.title} hero"})
    seo(about, meta_title="About the bakery")
    factories.nav_item(tenant=tenant, label="About", page_id=about.id, url=None)
    return tenant


def statements_of(client, url: str, **kwargs) -> tuple[object, list[str]]:
    with count_queries() as statements:
        response = client.get(url, **kwargs)
    return response, statements


# --- conditional requests and headers -----------------------------------------------------------


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_etag_cache_control_304_and_head(client, site, suffix):
    url = site_url(site, suffix)
    first = client.get(url)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert etag.startswith('"') and first.headers["Cache-Control"] == CACHE_CONTROL
    again = client.get(url)
    assert again.headers["ETag"] == etag and again.get_data() == first.get_data()
    not_modified = client.get(url, headers={"If-None-Match": etag})
    assert not_modified.status_code == 304 and not_modified.get_data() == b""
    assert not_modified.headers["ETag"] == etag and not_modified.headers["Cache-Control"] == CACHE_CONTROL
    assert client.get(url, headers={"If-None-Match": f"W/{etag}"}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"stale"'}).status_code == 200
    head = client.head(url)
    assert head.status_code == 200 and head.get_data() == b""
    assert head.headers["ETag"] == etag and int(head.headers["Content-Length"]) == len(first.get_data())


def test_public_routes_ignore_credentials(client, site):
    response = client.get(site_url(site), headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == CACHE_CONTROL


# --- hits: no SQL, one Redis round trip ----------------------------------------------------------


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_a_hit_runs_no_sql(client, site, suffix):
    url = site_url(site, suffix)
    miss, statements = statements_of(client, url)
    assert miss.status_code == 200 and statements
    hit, statements = statements_of(client, url)
    assert statements == []
    assert hit.get_data() == miss.get_data()
    _, statements = statements_of(client, url, headers={"If-None-Match": miss.headers["ETag"]})
    assert statements == []
    _, statements = statements_of(client, f"{url}?utm_source=mail")
    assert statements == [], "a query string must not bypass the cache"


def test_an_unknown_host_is_remembered_without_sql(client):
    assert client.get(site_url("nobody.example.com")).status_code == 404
    response, statements = statements_of(client, site_url("nobody.example.com"))
    assert response.status_code == 404 and statements == []


@pytest.mark.needs_services
@pytest.mark.parametrize("suffix", SUFFIXES)
def test_a_hit_is_one_redis_round_trip_with_the_rate_limit_counted(monkeypatch, site, suffix):
    live = fresh_app()  # rate limiting on, counted in Redis as in production
    client = live.test_client()
    url = site_url(site, suffix)
    miss = client.get(url)
    assert miss.status_code == 200
    for headers in ({}, {"If-None-Match": miss.headers["ETag"]}):
        with count_redis_round_trips(monkeypatch) as trips, count_queries() as statements:
            hit = client.get(url, headers=headers)
        assert hit.status_code in (200, 304)
        assert trips == ["EVALSHA"], trips
        assert statements == []
        assert int(hit.headers["X-RateLimit-Remaining"]) < int(miss.headers["X-RateLimit-Remaining"])


# --- misses: a constant number of queries --------------------------------------------------------


def miss_statements(client, url: str) -> list[str]:
    response, statements = statements_of(client, url)
    assert response.status_code == 200, response.get_data(as_text=True)
    return statements


def test_a_page_miss_is_two_queries_for_one_or_thirty_sections(client, tenant):
    other = factories.tenant(name="Big")
    small = published(tenant, slug="page", is_homepage=True)
    big = published(other, slug="page", is_homepage=True)
    factories.section(page=small)
    for _ in range(30):
        factories.section(page=big)
    seo(big, meta_title="Big")
    one = miss_statements(client, site_url(tenant, "/pages/page"))
    thirty = miss_statements(client, site_url(other, "/pages/page"))
    assert len(one) == len(thirty) == 2, thirty  # the host, then the page with its SEO and sections


def test_a_site_miss_is_four_queries_for_one_or_twenty_menu_items(client, tenant):
    other = factories.tenant(name="Big")
    factories.nav_item(tenant=tenant, label="Only", url="/only")
    published(tenant, slug="only")
    pages = [published(other, slug=f"page-{n}") for n in range(5)]
    root = None
    for n in range(20):
        location = "header" if n < 10 else "footer"
        nests = root is not None and root.location == location and n % 4
        item = factories.nav_item(
            tenant=other, label=f"Item {n}", page_id=pages[n % 5].id, url=None,
            parent_id=root.id if nests else None, location=location,
        )  # fmt: skip
        root = root if nests else item
    one = miss_statements(client, site_url(tenant))
    twenty = miss_statements(client, site_url(other))
    assert len(one) == len(twenty) == 4, twenty  # host, tenant + branding, pages, menu items
    menus = client.get(site_url(other)).get_json()["data"]["navigation"]
    roots = menus["header"] + menus["footer"]
    assert len(roots) + sum(len(item["children"]) for item in roots) == 20


@pytest.mark.parametrize("suffix", ["/sitemap.xml", "/robots.txt"])
def test_sitemap_and_robots_misses_are_three_queries_whatever_the_page_count(client, tenant, suffix):
    other = factories.tenant(name="Big")
    published(tenant, slug="only")
    for n in range(20):
        page = published(other, slug=f"page-{n}")
        factories.section(page=page)
        seo(page, no_index=n % 2 == 0)
    assert len(miss_statements(client, site_url(tenant, suffix))) == 3
    assert len(miss_statements(client, site_url(other, suffix))) == 3


# --- invalidation ------------------------------------------------------------------------------


def _api(tenant, suffix: str = "") -> str:
    return f"/api/tenants/{tenant.id}{suffix}"


SECTION = "/pages/{about}/sections/{section}"
WRITES = {  # name: (public URL suffix it changes, method, tenant API path, body)
    "page title": ("/pages/about", "PUT", "/pages/{about}", {"title": "Our story"}),
    "unpublish": ("/pages/about", "PUT", "/pages/{about}", {"status": "draft"}),
    "section content": ("/pages/about", "PUT", SECTION, {"content": {"title": "New"}}),
    "section hidden": ("/pages/about", "PUT", SECTION, {"isVisible": False}),
    "seo": ("/pages/about", "PUT", "/pages/{about}/seo", {"metaTitle": "New"}),
    "noindex": ("/sitemap.xml", "PUT", "/pages/{about}/seo", {"noIndex": True}),
    "menu item": ("", "POST", "/navigation", {"label": "Blog", "url": "/blog"}),
    "branding": ("", "PUT", "/branding", {"primaryColor": "#000000"}),
    "tenant name": ("", "PUT", "", {"name": "Renamed Bakery"}),
    "new page": ("", "POST", "/pages", {"title": "Shop", "status": "published"}),
}


@pytest.mark.parametrize("write", list(WRITES))
def test_every_committed_change_retires_the_cached_response(client, owner_client, site, write):
    suffix, method, path, body = WRITES[write]
    about = next(p for p in owner_client.get(_api(site, "/pages")).get_json()["data"] if p["slug"] == "about")
    section = owner_client.get(_api(site, f"/pages/{about['id']}/sections")).get_json()["data"][0]
    ids = {"about": about["id"], "section": section["id"]}
    url = site_url(site, suffix)
    before = client.get(url)
    assert client.get(url).get_data() == before.get_data()
    written = owner_client.open(_api(site, path.format(**ids)), method=method, json=body)
    assert written.status_code in (200, 201), written.get_json()
    after = client.get(url)
    assert (after.status_code, after.get_data()) != (before.status_code, before.get_data()), write
    assert after.headers.get("ETag") != before.headers["ETag"]


@pytest.mark.needs_services
def test_a_write_is_seen_at_once_through_a_second_app_instance(client, owner_client, site):
    second = fresh_app().test_client()
    url = site_url(site, "/pages/about")
    assert second.get(url).get_json()["data"]["title"] == "About"
    assert second.get(url).get_json()["data"]["title"] == "About"  # now cached, in Redis
    page_id = second.get(url).get_json()["data"]["id"]
    assert owner_client.put(_api(site, f"/pages/{page_id}"), json={"title": "Our story"}).status_code == 200
    assert second.get(url).get_json()["data"]["title"] == "Our story"
    assert owner_client.delete(_api(site)).status_code == 204
    assert second.get(url).status_code == 404
    assert second.get(site_url(site)).status_code == 404


# --- single flight -----------------------------------------------------------------------------


def run_concurrently(count: int, work) -> list:
    barrier = threading.Barrier(count)
    results: list = []

    def worker() -> None:
        barrier.wait(timeout=10)
        results.append(work())

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(results) == count, "a worker did not finish"
    return results


def test_concurrent_misses_resolve_and_build_once(app):
    host, tenant_id = f"flight-{uuid.uuid4().hex[:8]}.example.com", uuid.uuid4()
    resolved, built = [], []

    def resolve(name: str) -> uuid.UUID:
        resolved.append(name)
        return tenant_id

    def build(owner: uuid.UUID) -> Entry:
        built.append(owner)
        time.sleep(0.3)
        return Entry.ok(b'{"success":true,"data":{}}', "application/json")

    def request_page():
        with app.test_request_context(site_url(host, "/pages/p")):
            response = public_cache.serve(host=host, path="/pages/p", resolve=resolve, build=build)
            return response.status_code, response.headers["ETag"]

    results = run_concurrently(8, request_page)
    assert len(set(results)) == 1 and results[0][0] == 200
    assert (len(resolved), len(built)) == (1, 1)


@pytest.mark.needs_services
def test_concurrent_http_misses_query_the_database_once(client, site, monkeypatch):
    assert client.get(site_url(site)).status_code == 200  # the host is resolved and cached
    single = miss_statements(client, site_url(site, "/pages/about"))
    builds = []
    original = sites_service._page_entry

    def slow_build(tenant_id, slug, host):
        builds.append(slug)
        time.sleep(0.3)
        return original(tenant_id, slug, host)

    monkeypatch.setattr(sites_service, "_page_entry", slow_build)
    url = site_url(site, "/pages/home")  # outside the threads: they must not share the test's session
    with count_queries() as statements:
        results = run_concurrently(8, lambda: client.get(url).status_code)
    assert results == [200] * 8
    assert builds == ["home"]
    assert len(statements) == len(single)


# --- rate limit --------------------------------------------------------------------------------


def test_the_anonymous_limit_applies_with_its_headers(site):
    live = fresh_app(RATE_LIMIT_ANON="3/minute")
    client = live.test_client()
    responses = [client.get(site_url(site)) for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert [r.headers["X-RateLimit-Remaining"] for r in responses] == ["2", "1", "0", "0"]
    assert all(r.headers["X-RateLimit-Limit"] == "3" for r in responses)
    assert int(responses[0].headers["X-RateLimit-Reset"]) >= int(time.time())
    assert "Retry-After" not in responses[0].headers
    refused = responses[-1]
    assert refused.get_json()["error"]["code"] == "rate_limited"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert client.get(site_url(site), environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code == 200
    # One allowance per visitor across the API: the public routes count in the same window.
    assert client.get(site_url(site, "/robots.txt")).status_code == 429
    assert client.get("/api/plans").status_code == 429


# --- failure and lifetimes ---------------------------------------------------------------------


def test_without_redis_the_site_is_served_from_the_database(client, site):
    expected = client.get(site_url(site, "/pages/about")).get_data()
    # Redis down for the cache; the limiter keeps a store (flask-limiter has one instance for all apps).
    live = fresh_app(
        REDIS_URL="redis://127.0.0.1:1/0", RATELIMIT_STORAGE_URI=os.environ.get("REDIS_URL") or "memory://"
    )
    down = live.test_client()
    response = down.get(site_url(site, "/pages/about"))
    assert response.status_code == 200 and response.get_data() == expected
    assert response.headers["Cache-Control"] == CACHE_CONTROL
    assert down.get(site_url("nobody.example.com")).status_code == 404


def test_the_cache_never_outlives_signed_asset_urls():
    assert entry_ttl({"SITE_CACHE_TTL": 300, "ASSET_URL_TTL": 3600}) == 300
    assert entry_ttl({"SITE_CACHE_TTL": 300, "ASSET_URL_TTL": 400}) == 400 - 60 - 300
    assert entry_ttl({"SITE_CACHE_TTL": 300, "ASSET_URL_TTL": 60}) == 1


@pytest.mark.needs_services
def test_entries_are_stored_in_redis_with_that_lifetime(app, client, site, monkeypatch):
    monkeypatch.setitem(app.config, "ASSET_URL_TTL", 420)
    assert client.get(site_url(site, "/pages/about")).status_code == 200
    redis = redis_client()
    keys = list(redis.scan_iter(f"{app.config['CACHE_KEY_PREFIX']}site:{site.id}:*"))
    assert len(keys) == 1
    assert 0 < redis.ttl(keys[0]) <= 420 - 60 - 300


# --- the fast path (Redis): hits answered before Flask, exactly as Flask would -------------------

# Date: werkzeug's make_conditional adds it to JSON responses; servers (gunicorn) add it to every one.
VARYING = {"X-Request-ID", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Date"}


def call_wsgi(wsgi, url: str, **kwargs) -> tuple[str, dict[str, str], bytes]:
    environ = EnvironBuilder(path=url, environ_base={"REMOTE_ADDR": "127.0.0.1"}, **kwargs).get_environ()
    captured = []
    body = b"".join(wsgi(environ, lambda status, headers, *rest: captured.append((status, headers))))
    status, headers = captured[0]
    return status, dict(headers), body


@pytest.mark.needs_services
@pytest.mark.parametrize("suffix", SUFFIXES)
@pytest.mark.parametrize("kind", ["GET", "HEAD", "304"])
def test_the_fast_path_answers_a_hit_exactly_as_flask_does(app, site, caplog, suffix, kind):
    url = site_url(site, suffix)
    fast, flask_only = app.wsgi_app, app.wsgi_app.inner
    etag = call_wsgi(fast, url)[1]["ETag"]
    options = {"method": "HEAD"} if kind == "HEAD" else {}
    if kind == "304":
        options["headers"] = {"If-None-Match": etag}
    with caplog.at_level(logging.INFO, logger="siteninja.request"):
        answers = [call_wsgi(wsgi, url, **options) for wsgi in (fast, flask_only)]
    (fast_status, fast_headers, fast_body), (status, headers, body) = answers
    assert (fast_status, fast_body) == (status, body)
    assert {k: v for k, v in fast_headers.items() if k not in VARYING} == {
        k: v for k, v in headers.items() if k not in VARYING
    }
    assert set(fast_headers) == set(headers) - {"Date"}
    lines = [
        json.loads(record.getMessage()) for record in caplog.records if record.name == "siteninja.request"
    ]
    assert len(lines) == 2 and lines[0].keys() == lines[1].keys()
    assert lines[0]["status"] == lines[1]["status"] == int(status.split()[0])


@pytest.mark.needs_services
def test_hits_never_reach_flask_and_misses_do(client, site, monkeypatch):
    assert client.get(site_url(site, "/pages/about")).status_code == 200

    def unreachable(**kwargs):
        raise AssertionError("a cache hit reached the Flask view")

    monkeypatch.setattr(sites_service, "serve_page", unreachable)
    assert client.get(site_url(site, "/pages/about")).status_code == 200
    assert client.get(site_url(site, "/pages/home")).status_code == 500  # a miss: the view runs


def test_a_cors_request_is_answered_by_flask_with_its_cors_headers(site):
    live = fresh_app(CORS_ORIGINS=["https://www.example.com"])
    client = live.test_client()
    url = site_url(site, "/pages/about")
    assert client.get(url).status_code == 200
    plain = client.get(url)
    cors = client.get(url, headers={"Origin": "https://www.example.com"})
    assert plain.headers["Vary"] == "Origin"
    assert cors.headers["Access-Control-Allow-Origin"] == "https://www.example.com"
    assert "Origin" in cors.headers["Vary"]
    assert cors.get_data() == plain.get_data()
