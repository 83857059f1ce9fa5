"""SEO metadata of a page: upsert, partial updates, limits, URL rules, cascades and access."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from siteninja.extensions import db
from siteninja.models import SeoMetadata
from tests import factories
from tests.resources.site_helpers import (
    audit_entries,
    delete_page,
    error_fields,
    key_client,
    make_page,
    role_client,
)

FULL = {
    "metaTitle": "Fresh bread every morning",
    "metaDescription": "Sourdough, rye and pastries baked daily in the heart of town.",
    "keywords": ["bakery", "sourdough"],
    "canonicalUrl": "https://acme.example/",
    "ogTitle": "Acme Bakery",
    "ogDescription": "Come and taste.",
    "ogImageUrl": "https://cdn.example/og.png",
    "noIndex": True,
    "noFollow": False,
    "structuredData": {"@context": "https://schema.org", "@type": "Bakery", "name": "Acme"},
}


def seo_url(tenant, page) -> str:
    page_id = page if isinstance(page, str | uuid.UUID) else page.id
    return f"/api/tenants/{tenant.id}/pages/{page_id}/seo"


@pytest.fixture
def page(tenant):
    return make_page(tenant)


def stored(page) -> SeoMetadata | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(SeoMetadata).where(SeoMetadata.page_id == page.id))


def test_get_is_404_until_set(owner_client, tenant, page):
    response = owner_client.get(seo_url(tenant, page))
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_put_creates_then_updates_with_200_and_audits(owner_client, tenant, page):
    response = owner_client.put(seo_url(tenant, page), json=FULL)
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert {key: data[key] for key in FULL} == FULL
    assert data["pageId"] == str(page.id) and data["tenantId"] == str(tenant.id)
    assert data["createdAt"].endswith("Z")
    response = owner_client.put(seo_url(tenant, page), json={"metaTitle": "Better title"})
    assert response.status_code == 200
    updated = response.get_json()["data"]
    assert updated["id"] == data["id"]
    assert updated["metaTitle"] == "Better title"
    assert updated["keywords"] == FULL["keywords"] and updated["noIndex"] is True
    got = owner_client.get(seo_url(tenant, page))
    assert got.status_code == 200 and got.get_json()["data"] == updated
    (created,) = audit_entries(data["id"], "create")
    assert created.resource_type == "seo" and created.new_value["meta_title"] == FULL["metaTitle"]
    (entry,) = audit_entries(data["id"], "update")
    assert entry.changes == {"meta_title": [FULL["metaTitle"], "Better title"]}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SeoMetadata)) == 1


def test_put_with_few_fields_gets_defaults(owner_client, tenant, page):
    response = owner_client.put(seo_url(tenant, page), json={"metaTitle": "Only a title"})
    data = response.get_json()["data"]
    assert response.status_code == 200
    assert data["keywords"] == [] and data["noIndex"] is False and data["noFollow"] is False
    assert data["metaDescription"] is None and data["structuredData"] is None
    assert owner_client.put(seo_url(tenant, make_page(tenant)), json={}).status_code == 200


def test_patch_is_an_alias_and_fields_can_be_cleared(owner_client, tenant, page):
    owner_client.put(seo_url(tenant, page), json=FULL)
    clear = {"metaTitle": None, "canonicalUrl": None, "structuredData": None, "keywords": []}
    response = owner_client.patch(seo_url(tenant, page), json=clear)
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert (data["metaTitle"], data["canonicalUrl"], data["structuredData"], data["keywords"]) == (
        None,
        None,
        None,
        [],
    )


def test_delete_is_204_then_404(owner_client, tenant, page):
    seo_id = owner_client.put(seo_url(tenant, page), json=FULL).get_json()["data"]["id"]
    response = owner_client.delete(seo_url(tenant, page))
    assert response.status_code == 204 and response.data == b""
    assert stored(page) is None
    assert owner_client.get(seo_url(tenant, page)).status_code == 404
    assert owner_client.delete(seo_url(tenant, page)).status_code == 404
    (entry,) = audit_entries(seo_id, "delete")
    assert entry.old_value["meta_title"] == FULL["metaTitle"]


def test_deleting_the_page_removes_its_seo(owner_client, tenant, page):
    owner_client.put(seo_url(tenant, page), json=FULL)
    delete_page(page.id)
    assert stored(page) is None
    assert owner_client.get(seo_url(tenant, page)).status_code == 404


@pytest.mark.parametrize(
    "field,limit",
    [("metaTitle", 70), ("metaDescription", 320), ("ogTitle", 200), ("ogDescription", 500)],
)
def test_text_length_limits(owner_client, tenant, page, field, limit):
    assert owner_client.put(seo_url(tenant, page), json={field: "x" * limit}).status_code == 200
    response = owner_client.put(seo_url(tenant, page), json={field: "x" * (limit + 1)})
    assert response.status_code == 422
    assert error_fields(response) == {field}
    attribute = {"metaTitle": "meta_title", "metaDescription": "meta_description"}.get(field)
    attribute = attribute or {"ogTitle": "og_title", "ogDescription": "og_description"}[field]
    assert getattr(stored(page), attribute) == "x" * limit


@pytest.mark.parametrize(
    "keywords",
    [
        [f"k{i}" for i in range(21)],
        ["x" * 101],
        [""],
        [1],
        ["a\x00b"],
        "bakery",
        None,
    ],
)
def test_rejected_keywords(owner_client, tenant, page, keywords):
    response = owner_client.put(seo_url(tenant, page), json={"keywords": keywords})
    assert response.status_code == 422
    assert {field.split(".")[0] for field in error_fields(response)} == {"keywords"}


def test_twenty_keywords_of_100_characters_fit(owner_client, tenant, page):
    keywords = [f"{i:02d}" + "k" * 98 for i in range(20)]
    response = owner_client.put(seo_url(tenant, page), json={"keywords": keywords})
    assert response.status_code == 200
    assert response.get_json()["data"]["keywords"] == keywords


@pytest.mark.parametrize("field", ["canonicalUrl", "ogImageUrl"])
@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "data:image/png;base64,AAAA",
        "ftp://example.com/x",
        "//example.com/x",
        "/relative",
        "example.com",
        "https://exa mple.com",
        "https://example.com/\x00",
        "https://example.com/" + "a" * 2048,
        "",
    ],
)
def test_rejected_urls(owner_client, tenant, page, field, url):
    response = owner_client.put(seo_url(tenant, page), json={field: url})
    assert response.status_code == 422, url
    assert error_fields(response) == {field}


def test_accepted_urls(owner_client, tenant, page):
    body = {"canonicalUrl": "http://acme.example/path?a=1", "ogImageUrl": "HTTPS://CDN.EXAMPLE/og.png"}
    assert owner_client.put(seo_url(tenant, page), json=body).status_code == 200


@pytest.mark.parametrize("value", [["not", "an", "object"], "a string", 42, {"text": "\x00"}, {"\x00key": 1}])
def test_structured_data_must_be_a_storable_object(owner_client, tenant, page, value):
    response = owner_client.put(seo_url(tenant, page), json={"structuredData": value})
    assert response.status_code == 422
    assert {field.split(".")[0] for field in error_fields(response)} == {"structuredData"}


def test_structured_data_is_limited_to_16_kb(owner_client, tenant, page):
    envelope = len('{"d":""}')
    fits = {"d": "x" * (16 * 1024 - envelope)}
    assert owner_client.put(seo_url(tenant, page), json={"structuredData": fits}).status_code == 200
    too_big = {"d": "x" * (16 * 1024 - envelope + 1)}
    response = owner_client.put(seo_url(tenant, page), json={"structuredData": too_big})
    assert response.status_code == 422
    nested = {"@graph": [{"@type": "Thing", "name": "n" * 100} for _ in range(200)]}
    assert owner_client.put(seo_url(tenant, page), json={"structuredData": nested}).status_code == 422


@pytest.mark.parametrize(
    "body",
    [
        {"metaTitle": "a\x00b"},
        {"ogTitle": "a\x07b"},
        {"noIndex": "sometimes"},
        {"noFollow": None},
        {"metaTitle": 5},
    ],
)
def test_field_types_and_control_characters(owner_client, tenant, page, body):
    response = owner_client.put(seo_url(tenant, page), json=body)
    assert response.status_code == 422
    assert error_fields(response) == set(body)


def test_multiline_descriptions_are_fine(owner_client, tenant, page):
    body = {"metaDescription": "Line one.\nLine two.\tTabbed.", "metaTitle": "Crème brûlée — 100 %"}
    response = owner_client.put(seo_url(tenant, page), json=body)
    assert response.status_code == 200
    assert response.get_json()["data"]["metaDescription"] == body["metaDescription"]


@pytest.mark.parametrize(
    "field", ["id", "pageId", "tenantId", "createdAt", "updatedAt", "bogus", "meta_title"]
)
def test_server_owned_and_unknown_fields_are_rejected(owner_client, tenant, page, field):
    response = owner_client.put(seo_url(tenant, page), json={field: str(uuid.uuid4())})
    assert response.status_code == 422
    assert error_fields(response) == {field}
    assert stored(page) is None


def test_pages_of_other_tenants_and_missing_pages_are_404(owner_client, tenant):
    other = factories.tenant(name="Other")
    foreign_page = make_page(other)
    db.session.add(SeoMetadata(tenant_id=other.id, page_id=foreign_page.id, meta_title="Theirs"))
    db.session.commit()
    for page_id in (foreign_page.id, uuid.uuid4(), "not-a-uuid"):
        for method in ("get", "put", "delete"):
            response = getattr(owner_client, method)(seo_url(tenant, str(page_id)), json={"metaTitle": "x"})
            assert response.status_code == 404, (method, page_id)
    for method in ("get", "put", "delete"):
        response = getattr(owner_client, method)(seo_url(other, foreign_page), json={"metaTitle": "x"})
        assert response.status_code == 404, method
    assert stored(foreign_page).meta_title == "Theirs"


def test_requests_without_credentials_are_401(client, tenant, page):
    assert client.get(seo_url(tenant, page)).status_code == 401
    assert client.put(seo_url(tenant, page), json={"metaTitle": "x"}).status_code == 401
    assert client.delete(seo_url(tenant, page)).status_code == 401


def test_role_matrix(app, tenant, page):
    owner = role_client(app, tenant, "owner")
    owner.put(seo_url(tenant, page), json=FULL)
    viewer = role_client(app, tenant, "viewer")
    assert viewer.get(seo_url(tenant, page)).status_code == 200
    assert viewer.put(seo_url(tenant, page), json={"metaTitle": "x"}).status_code == 403
    assert viewer.delete(seo_url(tenant, page)).status_code == 403
    assert stored(page).meta_title == FULL["metaTitle"]
    editor = role_client(app, tenant, "editor")
    assert editor.put(seo_url(tenant, page), json={"metaTitle": "Editor"}).status_code == 200
    assert editor.delete(seo_url(tenant, page)).status_code == 204


def test_super_admin_manages_any_tenant(super_client, tenant, page):
    assert super_client.put(seo_url(tenant, page), json=FULL).status_code == 200
    assert super_client.get(seo_url(tenant, page)).status_code == 200


def test_api_keys_need_page_scopes(app, monkeypatch, tenant, page):
    reader = key_client(app, monkeypatch, tenant=tenant, scopes={"pages:read"})
    writer = key_client(app, monkeypatch, tenant=tenant, scopes={"pages:write"})
    nav = key_client(app, monkeypatch, tenant=tenant, scopes={"navigation:read", "navigation:write"})
    assert writer.put(seo_url(tenant, page), json=FULL).status_code == 200
    assert reader.get(seo_url(tenant, page)).status_code == 200
    assert reader.put(seo_url(tenant, page), json={"metaTitle": "x"}).status_code == 403
    assert writer.get(seo_url(tenant, page)).status_code == 403
    assert nav.get(seo_url(tenant, page)).status_code == 403
    assert nav.put(seo_url(tenant, page), json={"metaTitle": "x"}).status_code == 403
