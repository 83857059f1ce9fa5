"""Redirects: validation, uniqueness, collapsed chains, loops, automatic 301s, public answers."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from siteninja.extensions import db
from siteninja.models import AuditLog, Redirect
from tests import factories
from tests.resources.public_site_helpers import host_of, published, site_url
from tests.resources.test_sites_cache import call_wsgi


def url(tenant, suffix: str = "") -> str:
    return f"/api/tenants/{tenant.id}/redirects{suffix}"


def create(client, tenant, from_path: str, to_path: str, status_code: int | None = None):
    body = {"fromPath": from_path, "toPath": to_path}
    if status_code is not None:
        body["statusCode"] = status_code
    return client.post(url(tenant), json=body)


def rules(tenant) -> dict[str, str]:
    stmt = sa.select(Redirect.from_path, Redirect.to_path).where(Redirect.tenant_id == tenant.id)
    return dict(db.session.execute(stmt).all())


def test_create_get_list_delete(owner_client, tenant):
    response = create(owner_client, tenant, "/old-about/", "/about", 302)
    assert response.status_code == 201
    data = response.get_json()["data"]
    assert data["fromPath"] == "/old-about" and data["toPath"] == "/about" and data["statusCode"] == 302
    assert response.headers["Location"] == url(tenant, f"/{data['id']}")
    assert owner_client.get(url(tenant, f"/{data['id']}")).get_json()["data"]["id"] == data["id"]
    listed = owner_client.get(url(tenant)).get_json()
    assert [r["fromPath"] for r in listed["data"]] == ["/old-about"] and listed["pagination"]["total"] == 1
    assert owner_client.delete(url(tenant, f"/{data['id']}")).status_code == 204
    assert owner_client.get(url(tenant, f"/{data['id']}")).status_code == 404
    actions = db.session.scalars(
        sa.select(AuditLog.action).where(
            AuditLog.resource_type == "redirect", AuditLog.tenant_id == tenant.id
        )
    )
    assert sorted(actions) == ["create", "delete"]


def test_the_status_defaults_to_301(owner_client, tenant):
    assert create(owner_client, tenant, "/a", "/b").get_json()["data"]["statusCode"] == 301


@pytest.mark.parametrize(
    "path",
    [
        "old",
        "https://evil.example/x",
        "//evil.example",
        "/a/../b",
        "/with space",
        "/tab\there",
        "/nul\x00",
        "/back\\slash",
        "/q?x=1",
        "/" + "a" * 255,
        "",
    ],
)
def test_invalid_paths_are_422(owner_client, tenant, path):
    response = create(owner_client, tenant, path, "/fine")
    assert response.status_code == 422
    assert [d["field"] for d in response.get_json()["error"]["details"]] == ["fromPath"]
    assert create(owner_client, tenant, "/fine", path).status_code == 422


def test_status_other_than_301_or_302_is_422(owner_client, tenant):
    assert create(owner_client, tenant, "/a", "/b", 307).status_code == 422


def test_a_duplicate_from_path_is_409(owner_client, tenant):
    assert create(owner_client, tenant, "/a", "/b").status_code == 201
    response = create(owner_client, tenant, "/a/", "/c")
    assert response.status_code == 409
    assert response.get_json()["error"]["details"][0]["field"] == "fromPath"


def test_a_redirect_to_itself_is_422(owner_client, tenant):
    response = create(owner_client, tenant, "/a", "/a/")
    assert response.status_code == 422
    assert response.get_json()["error"]["details"][0]["field"] == "toPath"


def test_chains_are_collapsed_both_ways(owner_client, tenant):
    assert create(owner_client, tenant, "/a", "/b").status_code == 201
    assert create(owner_client, tenant, "/b", "/c").status_code == 201
    assert rules(tenant) == {"/a": "/c", "/b": "/c"}
    assert create(owner_client, tenant, "/x", "/a").get_json()["data"]["toPath"] == "/c"
    assert rules(tenant) == {"/a": "/c", "/b": "/c", "/x": "/c"}


def test_a_loop_is_422_and_changes_nothing(owner_client, tenant):
    create(owner_client, tenant, "/a", "/b")
    create(owner_client, tenant, "/b", "/c")
    response = create(owner_client, tenant, "/c", "/a")
    assert response.status_code == 422
    assert response.get_json()["error"]["details"][0]["field"] == "toPath"
    assert rules(tenant) == {"/a": "/c", "/b": "/c"}


def rename(client, page, slug: str):
    return client.put(f"/api/tenants/{page.tenant_id}/pages/{page.id}", json={"slug": slug})


def test_renaming_a_published_page_adds_a_301(owner_client, tenant):
    page = published(tenant, slug="about")
    assert rename(owner_client, page, "about-us").status_code == 200
    redirect = db.session.scalar(sa.select(Redirect).where(Redirect.tenant_id == tenant.id))
    assert (redirect.from_path, redirect.to_path, redirect.status_code) == ("/about", "/about-us", 301)
    assert rename(owner_client, page, "team").status_code == 200
    assert rules(tenant) == {"/about": "/team", "/about-us": "/team"}


def test_renaming_a_draft_adds_nothing(owner_client, tenant):
    page = factories.page(tenant=tenant, slug="draft-one")
    assert rename(owner_client, page, "draft-two").status_code == 200
    assert rules(tenant) == {}


def test_renaming_back_leaves_no_loop(owner_client, tenant):
    page = published(tenant, slug="a")
    rename(owner_client, page, "b")
    assert rename(owner_client, page, "a").status_code == 200
    assert rules(tenant) == {"/b": "/a"}


def test_a_failed_rename_adds_no_redirect(owner_client, tenant):
    page = published(tenant, slug="one")
    factories.page(tenant=tenant, slug="taken")
    assert rename(owner_client, page, "taken").status_code == 409
    assert rules(tenant) == {}


def test_another_tenants_redirect_is_404(app, tenant):
    other = factories.tenant()
    foreign = factories.client_for(app, factories.user(tenant=other, role="owner"))
    own = factories.client_for(app, factories.user(tenant=tenant, role="owner"))
    redirect_id = create(own, tenant, "/a", "/b").get_json()["data"]["id"]
    assert foreign.get(url(tenant, f"/{redirect_id}")).status_code == 404
    assert foreign.delete(url(other, f"/{redirect_id}")).status_code == 404
    assert own.get(url(other)).status_code == 404


def test_viewer_reads_editor_writes(app, tenant):
    viewer = factories.client_for(app, factories.user(tenant=tenant, role="viewer"))
    editor = factories.client_for(app, factories.user(tenant=tenant, role="editor"))
    assert create(viewer, tenant, "/a", "/b").status_code == 403
    assert create(editor, tenant, "/a", "/b").status_code == 201
    assert viewer.get(url(tenant)).status_code == 200


# --- the public site ------------------------------------------------------------------------------


def test_a_redirected_path_answers_with_the_redirect(client, owner_client, tenant):
    published(tenant, slug="about-us")
    create(owner_client, tenant, "/about", "/about-us", 302)
    for _ in range(2):  # cold, then from the cache
        response = client.get(site_url(tenant, "/pages/about"))
        assert response.status_code == 302
        assert response.headers["Location"] == site_url(tenant, "/pages/about-us")
        assert response.get_json() == {
            "success": True,
            "data": {"redirect": {"fromPath": "/about", "toPath": "/about-us", "statusCode": 302}},
        }
        assert "ETag" in response.headers


def test_a_redirect_to_the_root_points_at_the_homepage(client, owner_client, tenant):
    create(owner_client, tenant, "/old-home", "/")
    response = client.get(site_url(tenant, "/pages/old-home"))
    assert response.status_code == 301
    assert response.headers["Location"] == site_url(tenant, "/pages/_home")


def test_a_published_page_wins_over_a_redirect(client, owner_client, tenant):
    published(tenant, slug="live")
    create(owner_client, tenant, "/live", "/elsewhere")
    assert client.get(site_url(tenant, "/pages/live")).status_code == 200


def test_create_and_delete_retire_the_cached_answer(client, owner_client, tenant):
    assert client.get(site_url(tenant, "/pages/gone")).status_code == 404
    redirect_id = create(owner_client, tenant, "/gone", "/here").get_json()["data"]["id"]
    assert client.get(site_url(tenant, "/pages/gone")).status_code == 301
    assert client.get(site_url(tenant, "/redirects")).get_json()["data"] == [
        {"fromPath": "/gone", "toPath": "/here", "statusCode": 301}
    ]
    owner_client.delete(url(tenant, f"/{redirect_id}"))
    assert client.get(site_url(tenant, "/pages/gone")).status_code == 404
    assert client.get(site_url(tenant, "/redirects")).get_json()["data"] == []


def test_a_rename_redirects_the_public_old_path(client, owner_client, tenant):
    page = published(tenant, slug="before")
    assert client.get(site_url(tenant, "/pages/before")).status_code == 200
    rename(owner_client, page, "after")
    response = client.get(site_url(tenant, "/pages/before"))
    assert response.status_code == 301 and response.headers["Location"] == site_url(tenant, "/pages/after")
    assert client.get(response.headers["Location"]).status_code == 200


def test_the_edge_list_of_an_unknown_host_is_404(client):
    assert client.get(site_url("nobody.siteninja.localhost", "/redirects")).status_code == 404


@pytest.mark.needs_services
def test_the_fast_path_answers_a_cached_redirect_as_flask_does(app, owner_client, tenant, monkeypatch):
    create(owner_client, tenant, "/old", "/new", 302)
    address = site_url(host_of(tenant), "/pages/old")
    fast, flask_only = app.wsgi_app, app.wsgi_app.inner
    call_wsgi(fast, address)  # a miss: built and stored
    from siteninja.resources.sites import service as sites_service

    monkeypatch.setattr(sites_service, "serve_page", None)  # a hit must not reach the view
    status, headers, body = call_wsgi(fast, address)
    monkeypatch.undo()
    flask_status, flask_headers, flask_body = call_wsgi(flask_only, address)
    assert status == flask_status == "302 FOUND"
    assert headers["Location"] == flask_headers["Location"] == site_url(tenant, "/pages/new")
    assert body == flask_body
    assert headers["ETag"] == flask_headers["ETag"]
    not_modified = call_wsgi(fast, address, headers={"If-None-Match": headers["ETag"]})
    assert not_modified[0] == "304 NOT MODIFIED"
