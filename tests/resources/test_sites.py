"""Public site delivery: hosts, the site document, pages, menus, sitemap and robots.txt."""

from __future__ import annotations

import json
from xml.etree import ElementTree

import pytest

from siteninja.resources.sites.service import normalize_host
from tests import factories
from tests.resources.public_site_helpers import host_of, on_plan, published, seo, site_url

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def data_of(response) -> dict:
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["success"] is True
    return body["data"]


def assert_not_found(response) -> None:
    assert response.status_code == 404, response.get_data(as_text=True)
    body = response.get_json()
    assert body["success"] is False and body["error"]["code"] == "not_found"
    assert body["requestId"] == response.headers["X-Request-ID"]


# --- hosts -------------------------------------------------------------------------------------


def test_subdomain_and_custom_domain_serve_the_same_site(client, owner_client, tenant):
    published(tenant, title="Menu", slug="menu")
    on_plan(tenant, "starter")
    assert (
        owner_client.put(f"/api/tenants/{tenant.id}", json={"customDomain": "Shop.Example.com"}).status_code
        == 200
    )
    by_subdomain = data_of(client.get(site_url(tenant)))
    by_domain = data_of(client.get(site_url("shop.example.com")))
    assert by_subdomain == by_domain
    assert by_domain["tenant"] == {
        "name": tenant.name,
        "subdomain": tenant.subdomain,
        "customDomain": "shop.example.com",
    }
    assert data_of(client.get(site_url("shop.example.com", "/pages/menu")))["title"] == "Menu"


@pytest.mark.parametrize(
    "spelling",
    ["{host}", "{HOST}", "{host}.", "{host}:8080", "{HOST}.:443"],
    ids=["plain", "upper", "dot", "port", "all"],
)
def test_host_is_case_insensitive_and_ignores_port_and_trailing_dot(client, tenant, spelling):
    host = host_of(tenant)
    response = client.get(site_url(spelling.format(host=host, HOST=host.upper())))
    assert data_of(response)["tenant"]["subdomain"] == tenant.subdomain


@pytest.mark.parametrize(
    "host",
    [
        "unknown.example.com",
        "no_underscores.example.com",
        "-leading.example.com",
        "a..b.example.com",
        "x" * 64 + ".example.com",
        ".".join(["abcdefghi"] * 26),
        "example.com:port",
        "example.com:123456",
        "bücher.example",
        "[::1]",
        "127.0.0.1:80:80",
        "%00",
    ],
)
def test_hosts_that_are_not_sites_are_404_never_an_error(client, host):
    assert_not_found(client.get(site_url(host)))
    assert_not_found(client.get(site_url(host, "/pages/_home")))


def test_normalize_host():
    assert normalize_host("WWW.Example.COM.:8443") == "www.example.com"
    assert normalize_host("example.com") == "example.com"
    assert normalize_host("example.com:") is None
    assert normalize_host("exa mple.com") is None
    assert normalize_host("") is None


def test_suspended_and_deleted_tenants_do_not_resolve(client, super_client, tenant):
    other = factories.tenant(name="Gone")
    published(tenant, is_homepage=True)
    published(other, is_homepage=True)
    assert client.get(site_url(tenant, "/pages/_home")).status_code == 200
    assert client.get(site_url(other)).status_code == 200
    assert super_client.put(f"/api/tenants/{tenant.id}", json={"status": "suspended"}).status_code == 200
    assert super_client.delete(f"/api/tenants/{other.id}").status_code == 204
    for url in (site_url(tenant), site_url(tenant, "/pages/_home"), site_url(tenant, "/robots.txt")):
        assert_not_found(client.get(url))
    for url in (site_url(other), site_url(other, "/sitemap.xml")):
        assert_not_found(client.get(url))


def test_a_moved_custom_domain_serves_its_new_tenant_at_once(client, owner_client, tenant):
    newcomer = factories.tenant(name="Newcomer")
    on_plan(tenant, "starter")
    on_plan(newcomer, "starter")
    new_owner = factories.client_for(owner_client.application, factories.user(tenant=newcomer, role="owner"))
    owner_client.put(f"/api/tenants/{tenant.id}", json={"customDomain": "moving.example.com"})
    assert data_of(client.get(site_url("moving.example.com")))["tenant"]["name"] == tenant.name
    assert_not_found(client.get(site_url("later.example.com")))
    owner_client.put(f"/api/tenants/{tenant.id}", json={"customDomain": "later.example.com"})
    assert_not_found(client.get(site_url("moving.example.com")))
    assert data_of(client.get(site_url("later.example.com")))["tenant"]["name"] == tenant.name
    new_owner.put(f"/api/tenants/{newcomer.id}", json={"customDomain": "moving.example.com"})
    assert data_of(client.get(site_url("moving.example.com")))["tenant"]["name"] == "Newcomer"


def test_a_new_tenant_resolves_right_after_an_unknown_host_was_asked_for(client, super_client):
    assert_not_found(client.get(site_url("fresh-site.siteninja.localhost")))
    created = super_client.post("/api/tenants", json={"name": "Fresh", "subdomain": "fresh-site"})
    assert created.status_code == 201
    assert data_of(client.get(site_url("fresh-site.siteninja.localhost")))["tenant"]["name"] == "Fresh"


# --- the site document -------------------------------------------------------------------------


def test_site_document_shape(client, owner_client, tenant):
    published(tenant, title="Home", slug="home", is_homepage=True, sort_order=0)
    published(tenant, title="About", slug="about", sort_order=1)
    factories.page(tenant=tenant, title="Draft", slug="draft")
    factories.page(tenant=tenant, title="Old", slug="old", status="archived")
    owner_client.put(f"/api/tenants/{tenant.id}/branding", json={"primaryColor": "#112233"})
    site = data_of(client.get(site_url(tenant)))
    assert set(site) == {"tenant", "branding", "navigation", "pages"}
    assert set(site["navigation"]) == {"header", "footer"}
    assert site["pages"] == [
        {"title": "Home", "slug": "home", "isHomepage": True},
        {"title": "About", "slug": "about", "isHomepage": False},
    ]
    assert site["branding"]["primaryColor"] == "#112233"
    assert {"id", "tenantId", "createdAt"}.isdisjoint(site["branding"])


def test_navigation_shows_visible_items_and_published_pages_only(client, tenant):
    home = published(tenant, title="Home", slug="home", is_homepage=True)
    about = published(tenant, title="About", slug="about")
    draft = factories.page(tenant=tenant, slug="secret-plans")
    nav = factories.nav_item
    root = nav(tenant=tenant, label="Home", page_id=home.id, url=None, sort_order=0)
    child = nav(tenant=tenant, label="About", page_id=about.id, url=None, parent_id=root.id, sort_order=1)
    nav(
        tenant=tenant,
        label="Grandchild",
        url="https://example.com/x",
        parent_id=child.id,
        open_in_new_tab=True,
    )
    nav(tenant=tenant, label="First child", url="/first", parent_id=root.id, sort_order=0)
    hidden = nav(tenant=tenant, label="Hidden", url="/hidden", is_visible=False, sort_order=1)
    nav(tenant=tenant, label="Under hidden", url="/under-hidden", parent_id=hidden.id)
    to_draft = nav(tenant=tenant, label="Draft link", page_id=draft.id, url=None, sort_order=2)
    nav(tenant=tenant, label="Under draft", url="/under-draft", parent_id=to_draft.id)
    nav(tenant=tenant, label="Contact", url="mailto:hi@example.com", location="footer")
    menus = data_of(client.get(site_url(tenant)))["navigation"]
    header = menus["header"]
    assert [item["label"] for item in header] == ["Home"]
    assert header[0]["url"] == "/" and header[0]["pageId"] == str(home.id)
    assert [item["label"] for item in header[0]["children"]] == ["First child", "About"]
    about_item = header[0]["children"][1]
    assert about_item["url"] == "/about"
    assert about_item["children"] == [
        {
            "id": about_item["children"][0]["id"],
            "label": "Grandchild",
            "url": "https://example.com/x",
            "pageId": None,
            "openInNewTab": True,
            "children": [],
        }
    ]
    assert [item["label"] for item in menus["footer"]] == ["Contact"]
    text = json.dumps(menus)
    for absent in ("Hidden", "Under hidden", "Draft link", "Under draft", "secret-plans"):
        assert absent not in text


# --- pages -------------------------------------------------------------------------------------


def test_published_page_with_visible_sections_in_order_and_seo(client, tenant):
    page = published(tenant, title="Services", slug="services", description="What we do")
    third = factories.section(page=page, type="cta", sort_order=2, content={"title": "Call us"})
    first = factories.section(page=page, type="hero", sort_order=0, content={"title": "Welcome"})
    factories.section(
        page=page, type="text", sort_order=1, is_visible=False, content={"title": "Hidden draft"}
    )
    seo(page, meta_title="Our services", no_follow=True, keywords=["bakery"])
    body = data_of(client.get(site_url(tenant, "/pages/services")))
    assert set(body) == {"id", "title", "slug", "description", "status", "isHomepage"} | {
        "publishedAt", "updatedAt", "sections", "seo",
    }  # fmt: skip
    assert (body["title"], body["slug"], body["status"]) == ("Services", "services", "published")
    assert [s["id"] for s in body["sections"]] == [str(first.id), str(third.id)]
    assert body["sections"][0] == {
        "id": str(first.id),
        "type": "hero",
        "content": {"title": "Welcome"},
        "sortOrder": 0,
    }
    assert body["seo"]["metaTitle"] == "Our services" and body["seo"]["noFollow"] is True
    assert body["seo"]["keywords"] == ["bakery"]
    assert "Hidden draft" not in json.dumps(body)


def test_home_is_the_homepage(client, tenant):
    published(tenant, title="Other", slug="other")
    published(tenant, title="Welcome", slug="welcome", is_homepage=True)
    body = data_of(client.get(site_url(tenant, "/pages/_home")))
    assert (body["slug"], body["isHomepage"], body["seo"]) == ("welcome", True, None)


def test_home_without_a_published_homepage_is_404(client, tenant):
    factories.page(tenant=tenant, slug="draft-home", is_homepage=True)
    assert_not_found(client.get(site_url(tenant, "/pages/_home")))


@pytest.mark.parametrize("status", ["draft", "archived"])
def test_unpublished_pages_are_404(client, tenant, status):
    factories.page(tenant=tenant, slug="not-live", status=status)
    assert_not_found(client.get(site_url(tenant, "/pages/not-live")))


@pytest.mark.parametrize("slug", ["unknown", "Upper", "double--hyphen", "x" * 101, "_other", "%20"])
def test_unknown_or_impossible_slugs_are_404(client, tenant, slug):
    published(tenant, slug="known")
    assert_not_found(client.get(site_url(tenant, f"/pages/{slug}")))


def test_another_tenants_page_is_not_served_on_this_host(client, tenant):
    other = factories.tenant(name="Other")
    published(other, slug="theirs")
    assert_not_found(client.get(site_url(tenant, "/pages/theirs")))


def test_public_documents_carry_no_user_or_audit_data(client, tenant):
    author = factories.user(tenant=tenant, role="editor")
    page = published(tenant, slug="by-author", created_by=author.id, is_homepage=True)
    factories.section(page=page)
    for suffix in ("", "/pages/by-author"):
        text = client.get(site_url(tenant, suffix)).get_data(as_text=True)
        assert str(author.id) not in text and author.email not in text
        assert "createdBy" not in text and "tenantId" not in text


# --- sitemap and robots.txt --------------------------------------------------------------------


def sitemap_of(client, tenant) -> list[tuple[str, str]]:
    response = client.get(site_url(tenant, "/sitemap.xml"))
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    root = ElementTree.fromstring(response.get_data())
    assert root.tag == f"{SITEMAP_NS}urlset"
    entries = []
    for url in root:
        assert url.tag == f"{SITEMAP_NS}url"
        assert [child.tag for child in url] == [f"{SITEMAP_NS}loc", f"{SITEMAP_NS}lastmod"]
        entries.append((url.find(f"{SITEMAP_NS}loc").text, url.find(f"{SITEMAP_NS}lastmod").text))
    return entries


def test_sitemap_lists_indexable_published_pages_with_lastmod(client, tenant):
    about = published(tenant, slug="about", sort_order=2)
    published(tenant, slug="home", is_homepage=True, sort_order=5)
    hidden = published(tenant, slug="thank-you", sort_order=1)
    seo(hidden, no_index=True)
    seo(about, meta_title="About us")
    factories.page(tenant=tenant, slug="draft")
    entries = sitemap_of(client, tenant)
    host = host_of(tenant)
    assert [loc for loc, _ in entries] == [f"https://{host}/", f"https://{host}/about"]
    for _, lastmod in entries:
        assert lastmod.endswith("Z") and len(lastmod) == len("2026-11-23T20:31:00Z")


def test_sitemap_lastmod_follows_section_and_seo_changes(client, owner_client, tenant):
    page = published(tenant, slug="about", is_homepage=True)
    section = factories.section(page=page)
    before = sitemap_of(client, tenant)[0][1]
    url = f"/api/tenants/{tenant.id}/pages/{page.id}/sections/{section.id}"
    assert owner_client.put(url, json={"content": {"title": "Changed"}}).status_code == 200
    after = sitemap_of(client, tenant)[0][1]
    assert after >= before


def test_sitemap_is_404_when_no_page_may_be_indexed(client, tenant):
    seo(published(tenant, slug="private"), no_index=True)
    assert_not_found(client.get(site_url(tenant, "/sitemap.xml")))


def test_robots_names_the_sitemap(client, tenant):
    published(tenant, slug="home", is_homepage=True)
    response = client.get(site_url(tenant, "/robots.txt"))
    assert response.status_code == 200 and response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /" not in lines
    assert f"Sitemap: https://{host_of(tenant)}/sitemap.xml" in lines


@pytest.mark.parametrize("pages", [0, 2])
def test_robots_disallows_everything_when_every_page_is_noindex(client, tenant, pages):
    for n in range(pages):
        seo(published(tenant, slug=f"private-{n}"), no_index=True)
    factories.page(tenant=tenant, slug="draft-public")
    lines = client.get(site_url(tenant, "/robots.txt")).get_data(as_text=True).splitlines()
    assert lines == ["User-agent: *", "Disallow: /"]


# --- OpenAPI -----------------------------------------------------------------------------------


def test_openapi_documents_public_operations(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    expected = {
        "/api/sites/{host}": "application/json",
        "/api/sites/{host}/pages/{slug}": "application/json",
        "/api/sites/{host}/sitemap.xml": "application/xml",
        "/api/sites/{host}/robots.txt": "text/plain",
    }
    for path, content_type in expected.items():
        operation = paths[path]["get"]
        assert operation["security"] == [], path
        assert operation["summary"], path
        assert content_type in operation["responses"]["200"]["content"], path
        assert {"304", "404", "429"} <= set(operation["responses"]), path
    page_doc = paths["/api/sites/{host}/pages/{slug}"]["get"]["responses"]["200"]["content"]
    assert page_doc["application/json"]["schema"] == {"$ref": "#/components/schemas/SitePageEnvelope"}
