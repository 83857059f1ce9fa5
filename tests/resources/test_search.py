"""Search: ranking, snippets, the public view, injection-safe input, an index current in each write."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from siteninja.extensions import db
from siteninja.models import PageSearch
from siteninja.resources.search.index import fts5_query, mark
from siteninja.resources.search.service import reindex
from tests import factories
from tests.conftest import count_queries
from tests.resources.public_site_helpers import published, site_url


def search(client, tenant, q: str, **args):
    return client.get(f"/api/tenants/{tenant.id}/search", query_string={"q": q, **args})


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [hit["slug"] for hit in response.get_json()["data"]]


def api_page(client, tenant, **body) -> dict:
    response = client.post(f"/api/tenants/{tenant.id}/pages", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["data"]


def api_section(client, page: dict, **body) -> dict:
    body.setdefault("type", "text")
    response = client.post(f"/api/tenants/{page['tenantId']}/pages/{page['id']}/sections", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["data"]


@pytest.fixture
def corpus(owner_client, tenant):
    """Pages written through the API, so the index is built by the commit hook."""
    factories.plan(tenant, "enterprise")
    body = api_page(owner_client, tenant, title="Opening hours", slug="hours", status="published")
    api_section(
        owner_client, body, content={"bodyHtml": "<p>Our <strong>sourdough</strong> is baked daily.</p>"}
    )
    title = api_page(owner_client, tenant, title="Sourdough bread", slug="bread", status="published")
    api_section(owner_client, title, content={"title": "Rye and spelt"})
    draft = api_page(owner_client, tenant, title="Secret recipes", slug="recipes", description="croissant")
    hidden = api_page(owner_client, tenant, title="Team", slug="team", status="published")
    api_section(owner_client, hidden, content={"items": [{"name": "Mona"}]})
    api_section(owner_client, hidden, content={"text": "internal pretzel notes"}, isVisible=False)
    return {"body": body, "title": title, "draft": draft, "hidden": hidden}


def test_a_title_match_ranks_above_a_body_match(owner_client, tenant, corpus):
    response = search(owner_client, tenant, "sourdough")
    assert slugs(response) == ["bread", "hours"]
    scores = [hit["score"] for hit in response.get_json()["data"]]
    assert scores[0] > scores[1] > 0


def test_hits_carry_the_page_fields_and_a_marked_snippet_without_tags(owner_client, tenant, corpus):
    hit = search(owner_client, tenant, "baked").get_json()["data"][0]
    assert hit["pageId"] == corpus["body"]["id"] and hit["title"] == "Opening hours"
    assert hit["status"] == "published"
    assert "<mark>baked</mark>" in hit["snippet"]
    assert "<p>" not in hit["snippet"] and "strong" not in hit["snippet"]


def test_plain_text_in_snippets_is_escaped(owner_client, tenant):
    page = api_page(owner_client, tenant, title="Escapes")
    api_section(owner_client, page, content={"text": "<script>alert(1)</script> marzipan"})
    snippet = search(owner_client, tenant, "marzipan").get_json()["data"][0]["snippet"]
    assert "<script>" not in snippet and "<mark>marzipan</mark>" in snippet
    assert mark("a <b> & \x02c\x03") == "a &lt;b&gt; &amp; <mark>c</mark>"


def test_seo_and_descriptions_are_searched(owner_client, tenant, corpus):
    seo_url = f"/api/tenants/{tenant.id}/pages/{corpus['title']['id']}/seo"
    seo_body = {"metaDescription": "artisan loaves", "keywords": ["levain"]}
    assert owner_client.put(seo_url, json=seo_body).status_code == 200
    assert slugs(search(owner_client, tenant, "levain")) == ["bread"]
    assert slugs(search(owner_client, tenant, "artisan")) == ["bread"]
    assert slugs(search(owner_client, tenant, "croissant")) == ["recipes"]


def test_tenant_search_sees_every_status_and_filters_by_status(owner_client, tenant, corpus):
    assert slugs(search(owner_client, tenant, "secret")) == ["recipes"]
    assert slugs(search(owner_client, tenant, "secret", status="published")) == []
    assert slugs(search(owner_client, tenant, "pretzel")) == ["team"]


def test_public_search_shows_published_pages_and_visible_sections_only(client, tenant, corpus):
    url = site_url(tenant, "/search")
    assert slugs(client.get(url, query_string={"q": "sourdough"})) == ["bread", "hours"]
    assert slugs(client.get(url, query_string={"q": "secret"})) == []
    assert slugs(client.get(url, query_string={"q": "pretzel"})) == []
    team = client.get(url, query_string={"q": "team"}).get_json()["data"][0]
    assert "pretzel" not in team["snippet"]
    cached = client.get(url, query_string={"q": "sourdough"})
    assert cached.headers["Cache-Control"].startswith("public") and "ETag" in cached.headers


def test_public_search_of_an_unknown_host_is_404(client):
    assert client.get(site_url("nobody.siteninja.localhost", "/search?q=x")).status_code == 404


@pytest.mark.parametrize(
    "q",
    [
        '"',
        "'",
        "&",
        "!",
        "a:*",
        "|",
        "(",
        ")",
        "a & (b | !c)",
        "\\",
        "'; drop table pages; --",
        "Über straße",
        "🥐",
        "NEAR(a b)",
        "{title}: x",
        "-",
        "a OR",
        "^x*",
    ],
)
def test_any_input_is_answered_never_an_error(owner_client, client, tenant, corpus, q):
    assert search(owner_client, tenant, q).status_code == 200
    assert client.get(site_url(tenant, "/search"), query_string={"q": q}).status_code == 200


def test_words_with_syntax_still_match(owner_client, tenant, corpus):
    assert slugs(search(owner_client, tenant, "sourdough:*")) == ["bread", "hours"]
    assert slugs(search(owner_client, tenant, '"sourdough bread"')) == ["bread"]


@pytest.mark.parametrize("q", ["", "x" * 201])
def test_q_must_be_1_to_200_characters(owner_client, client, tenant, q):
    response = search(owner_client, tenant, q)
    assert response.status_code == 422
    assert [d["field"] for d in response.get_json()["error"]["details"]] == ["q"]
    assert client.get(site_url(tenant, "/search"), query_string={"q": q}).status_code == 422


def test_q_is_required(owner_client, tenant):
    response = owner_client.get(f"/api/tenants/{tenant.id}/search")
    assert response.status_code == 422


def test_the_index_is_current_right_after_each_write(owner_client, tenant):
    page = api_page(owner_client, tenant, title="Cakes")
    section = api_section(owner_client, page, content={"text": "lemon drizzle"})
    section_url = f"/api/tenants/{tenant.id}/pages/{page['id']}/sections/{section['id']}"
    assert slugs(search(owner_client, tenant, "lemon")) == [page["slug"]]
    owner_client.put(section_url, json={"content": {"text": "carrot"}})
    assert slugs(search(owner_client, tenant, "lemon")) == []
    assert slugs(search(owner_client, tenant, "carrot")) == [page["slug"]]
    owner_client.delete(section_url)
    assert slugs(search(owner_client, tenant, "carrot")) == []
    owner_client.put(f"/api/tenants/{tenant.id}/pages/{page['id']}", json={"title": "Tarts"})
    assert slugs(search(owner_client, tenant, "tarts")) == [page["slug"]]
    owner_client.delete(f"/api/tenants/{tenant.id}/pages/{page['id']}")
    assert slugs(search(owner_client, tenant, "tarts")) == []


def test_another_tenants_pages_never_match(app, owner_client, tenant, corpus):
    other = factories.tenant()
    intruder = factories.client_for(app, factories.user(tenant=other, role="owner"))
    assert search(intruder, tenant, "sourdough").status_code == 404
    assert slugs(search(intruder, other, "sourdough")) == []


def test_the_query_count_does_not_grow_with_the_results(owner_client, tenant):
    factories.plan(tenant, "enterprise")
    api_page(owner_client, tenant, title="Scone one")
    with count_queries() as few:
        assert len(slugs(search(owner_client, tenant, "scone"))) == 1
    for number in range(2, 8):
        api_page(owner_client, tenant, title=f"Scone {number}")
    with count_queries() as many:
        assert len(slugs(search(owner_client, tenant, "scone"))) == 7
    assert len(many) == len(few)


def test_a_write_rebuilds_the_index_in_constant_statements(owner_client, tenant):
    page = api_page(owner_client, tenant, title="Bulk")
    bulk_url = f"/api/tenants/{tenant.id}/pages/{page['id']}/sections/bulk"

    def index_statements(count: int) -> int:
        ops = [{"op": "create", "data": {"type": "text", "content": {"t": "x"}}} for _ in range(count)]
        with count_queries() as statements:
            assert owner_client.post(bulk_url, json={"operations": ops}).status_code == 200
        return sum("page_search" in s for s in statements)

    assert index_statements(1) == index_statements(12) > 0


def test_fts5_terms_are_quoted():
    assert fts5_query('bread "rye loaf" a"b') == '"bread" "rye loaf" "a""b"'
    assert fts5_query("& ! |") is None


def test_reindex_rebuilds_a_lost_index(owner_client, tenant):
    published(tenant, title="Baguette", slug="baguette")  # any commit runs the hook
    assert slugs(search(owner_client, tenant, "baguette")) == ["baguette"]
    db.session.execute(sa.delete(PageSearch).where(PageSearch.tenant_id == tenant.id))
    db.session.commit()
    assert slugs(search(owner_client, tenant, "baguette")) == []
    assert reindex(tenant_id=tenant.id) == 1
    assert slugs(search(owner_client, tenant, "baguette")) == ["baguette"]
