"""Preview links: a signed link shows the page as it is now (draft or not) in the public page's shape,
never cached; tampered, expired, other-host, revoked and deleted-page links are 404."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from itsdangerous import URLSafeTimedSerializer

from siteninja.core.redis import redis_client
from siteninja.extensions import cache
from siteninja.resources.pages import preview
from tests import factories
from tests.resources.public_site_helpers import fresh_app, host_of, site_url


@pytest.fixture
def editor(app, tenant):
    return factories.client_for(app, factories.user(tenant=tenant, role="editor"))


@pytest.fixture
def draft(editor, tenant):
    """A draft page with a visible and a hidden section and SEO, made through the API."""
    base = f"/api/tenants/{tenant.id}/pages"
    page = editor.post(base, json={"title": "Spring menu", "slug": "spring"}).get_json()["data"]
    sections = f"{base}/{page['id']}/sections"
    editor.post(sections, json={"type": "hero", "content": {"title": "Spring"}})
    editor.post(sections, json={"type": "text", "content": {"title": "Hidden"}, "isVisible": False})
    editor.put(f"{base}/{page['id']}/seo", json={"metaTitle": "Spring at the bistro"})
    return page


def links_url(tenant, page) -> str:
    return f"/api/tenants/{tenant.id}/pages/{page['id']}/preview-links"


def new_link(editor, tenant, page, **body) -> dict:
    response = editor.post(links_url(tenant, page), json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["data"]


def path_of(link: dict) -> str:
    return urlsplit(link["url"]).path


def assert_not_found(response) -> None:
    assert response.status_code == 404
    body = response.get_json()
    assert body["success"] is False and body["error"]["code"] == "not_found" and "data" not in body


def public_cache_keys() -> list[str]:
    """Every key of the public site cache (Redis, or the in-process cache of the embedded default)."""
    client = redis_client()
    if client is not None:
        return [key.decode() for key in client.keys("*site:*")]
    return [key for key in cache.cache._cache if "site:" in key]


def test_a_link_shows_the_draft_with_its_visible_sections_and_seo(client, editor, tenant, draft):
    before = datetime.now(UTC)
    link = new_link(editor, tenant, draft)
    assert set(link) == {"url", "token", "expiresAt"}
    assert link["url"] == f"http://localhost/api/sites/{host_of(tenant)}/preview/{link['token']}"
    expires = datetime.fromisoformat(link["expiresAt"])
    assert before + timedelta(minutes=59) < expires <= datetime.now(UTC) + timedelta(minutes=60)
    response = client.get(path_of(link))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["X-Robots-Tag"] == "noindex"
    data = response.get_json()["data"]
    assert (data["title"], data["status"]) == ("Spring menu", "draft")
    assert [s["content"]["title"] for s in data["sections"]] == ["Spring"]
    assert data["seo"]["metaTitle"] == "Spring at the bistro"
    assert client.get(site_url(tenant, "/pages/spring")).status_code == 404  # still a draft


def test_the_preview_has_exactly_the_shape_of_the_public_page(client, editor, tenant, draft):
    link = new_link(editor, tenant, draft)
    editor.put(f"/api/tenants/{tenant.id}/pages/{draft['id']}", json={"status": "published"})
    public = client.get(site_url(tenant, "/pages/spring")).get_json()
    assert client.get(path_of(link)).get_json() == public


def test_a_preview_is_never_cached_an_edit_shows_at_once(client, editor, tenant, draft):
    link = new_link(editor, tenant, draft)
    assert client.get(path_of(link)).get_json()["data"]["title"] == "Spring menu"
    editor.put(f"/api/tenants/{tenant.id}/pages/{draft['id']}", json={"title": "Summer menu"})
    assert client.get(path_of(link)).get_json()["data"]["title"] == "Summer menu"
    assert [key for key in public_cache_keys() if "preview" in key] == []


def test_expires_in_minutes_bounds(editor, tenant, draft):
    assert new_link(editor, tenant, draft, expiresInMinutes=10_080)["token"]
    for bad in (0, 10_081, "5", 1.5, None):
        response = editor.post(links_url(tenant, draft), json={"expiresInMinutes": bad})
        assert response.status_code == 422, bad
        assert response.get_json()["error"]["details"][0]["field"] == "expiresInMinutes"


def test_a_tampered_token_is_404(client, editor, tenant, draft):
    link = new_link(editor, tenant, draft)
    token = link["token"]
    flipped = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    assert_not_found(client.get(site_url(tenant, f"/preview/{flipped}")))
    assert_not_found(client.get(site_url(tenant, "/preview/not-a-token")))


def test_a_token_signed_with_another_key_or_salt_is_404(app, client, editor, tenant, draft):
    claims = {"t": tenant.id.hex, "p": draft["id"].replace("-", ""), "v": 0, "x": 4_102_444_800}
    for key, salt in (("wrong-key", preview.SALT), (app.config["SECRET_KEY"], "other-salt")):
        forged = URLSafeTimedSerializer(key, salt=salt).dumps(claims)
        assert_not_found(client.get(site_url(tenant, f"/preview/{forged}")))


def test_an_expired_link_is_404(client, editor, tenant, draft, monkeypatch):
    link = new_link(editor, tenant, draft, expiresInMinutes=5)
    assert client.get(path_of(link)).status_code == 200
    later = datetime.now(UTC) + timedelta(minutes=5, seconds=1)
    monkeypatch.setattr(preview, "utcnow", lambda: later)
    assert_not_found(client.get(path_of(link)))


def test_a_link_used_on_another_tenants_host_or_an_unknown_host_is_404(client, editor, tenant, draft):
    link = new_link(editor, tenant, draft)
    other = factories.tenant()
    assert_not_found(client.get(site_url(other, f"/preview/{link['token']}")))
    assert_not_found(client.get(site_url("nowhere.example.com", f"/preview/{link['token']}")))


def test_revoking_makes_every_earlier_link_404(client, editor, tenant, draft):
    first, second = new_link(editor, tenant, draft), new_link(editor, tenant, draft)
    response = editor.delete(links_url(tenant, draft))
    assert response.status_code == 204
    assert_not_found(client.get(path_of(first)))
    assert_not_found(client.get(path_of(second)))
    assert client.get(path_of(new_link(editor, tenant, draft))).status_code == 200
    history = editor.get(f"/api/tenants/{tenant.id}/pages/{draft['id']}/revisions").get_json()["data"]
    assert "update" not in [r["action"] for r in history]  # revoking links is no edit of the page


def test_a_deleted_page_is_404(client, editor, tenant, draft):
    link = new_link(editor, tenant, draft)
    assert editor.delete(f"/api/tenants/{tenant.id}/pages/{draft['id']}").status_code == 204
    assert_not_found(client.get(path_of(link)))


def test_a_viewer_cannot_create_or_revoke_links(app, tenant, draft):
    viewer = factories.client_for(app, factories.user(tenant=tenant, role="viewer"))
    assert viewer.post(links_url(tenant, draft), json={}).status_code == 403
    assert viewer.delete(links_url(tenant, draft)).status_code == 403


def test_previews_count_against_the_anonymous_limit(editor, tenant, draft):
    link = new_link(editor, tenant, draft)
    live = fresh_app(RATE_LIMIT_ANON="2/minute")  # (re)initializes the one limiter, enabled
    client = live.test_client()
    responses = [client.get(path_of(link)) for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 429]
    assert [r.headers["X-RateLimit-Remaining"] for r in responses] == ["1", "0", "0"]
    refused = responses[-1]
    assert refused.get_json()["error"]["code"] == "rate_limited" and "Retry-After" in refused.headers
    # the same allowance as the other public routes of that visitor
    assert client.get(site_url(tenant)).status_code == 429


def test_the_preview_route_is_documented_as_public(client):
    spec = client.get("/api/openapi.json").get_json()
    operation = spec["paths"]["/api/sites/{host}/preview/{token}"]["get"]
    assert operation["security"] == []
    assert {"200", "404", "429"} <= set(operation["responses"])
