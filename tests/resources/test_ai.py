"""AI endpoints: shapes, determinism, validation, tenant isolation, saving a draft, the rate limit."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from siteninja.extensions import db
from siteninja.models import AuditLog, Event, Page, PageTemplate, SeoMetadata, Template
from siteninja.services.seed import seed_reference_data
from tests import factories
from tests.resources.site_helpers import error_fields, key_client, role_client, set_plan

PROMPT = "A family-run Italian restaurant in Lisbon called Nonna's Table serving handmade pasta."
TEXT = (
    "Our family bakery was founded in 1990 by two friends who loved bread and wanted the whole "
    "neighbourhood to share it, and we have been baking sourdough loaves every single morning since."
)


@pytest.fixture
def editor(app, tenant):
    return role_client(app, tenant, "editor")


@pytest.fixture
def viewer(app, tenant):
    return role_client(app, tenant, "viewer")


@pytest.fixture
def seeded(db_session):
    seed_reference_data()


def post(client, endpoint: str, **body):
    return client.post(f"/api/ai/{endpoint}", json=body)


# --- content-optimize --------------------------------------------------------------------------


def test_content_optimize_shape_and_determinism(viewer):
    body = {"content": TEXT, "tone": "friendly", "targetKeywords": ["sourdough", "bakery"]}
    first = post(viewer, "content-optimize", **body)
    assert first.status_code == 200
    data = first.get_json()["data"]
    assert set(data) == {
        "score",
        "readability",
        "keywordDensity",
        "suggestions",
        "optimizedContent",
        "provider",
        "model",
    }
    assert set(data["readability"]) == {"fleschReadingEase", "gradeLevel", "avgSentenceLength"}
    assert data["provider"] == "builtin" and data["model"] is None
    assert 0 <= data["score"] <= 100 and set(data["keywordDensity"]) == {"sourdough", "bakery"}
    assert all(set(s) == {"type", "message", "severity"} for s in data["suggestions"])
    assert data["optimizedContent"] != TEXT
    assert post(viewer, "content-optimize", **body).get_json()["data"] == data


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "content"),
        ({"content": ""}, "content"),
        ({"content": " ... <br> "}, "content"),
        ({"content": "x" * 100_001}, "content"),
        ({"content": "Hello there", "tone": "sarcastic"}, "tone"),
        ({"content": "Hello there", "targetKeywords": ["k"] * 21}, "targetKeywords"),
        ({"content": "Hello there", "targetKeywords": [""]}, "targetKeywords.0"),
        ({"content": "Hello there", "targetKeywords": "bread"}, "targetKeywords"),
        ({"content": "Hello there", "extra": 1}, "extra"),
        ({"content": 5}, "content"),
    ],
)
def test_content_optimize_validation(viewer, body, field):
    response = post(viewer, "content-optimize", **body)
    assert response.status_code == 422 and field in error_fields(response)


def test_ai_needs_credentials_before_anything_else(client):
    for endpoint in ("content-optimize", "seo-optimize", "generate-page"):
        response = client.post(f"/api/ai/{endpoint}", json={"bad": 1})
        assert response.status_code == 401, endpoint


def test_api_keys_of_the_tenant_may_optimize(app, monkeypatch, tenant):
    key = key_client(app, monkeypatch, tenant=tenant, scopes={"templates:read"})
    assert post(key, "content-optimize", content=TEXT).status_code == 200


# --- seo-optimize ------------------------------------------------------------------------------


def test_seo_optimize_by_fields(viewer):
    body = {
        "title": "Bakery",
        "content": "<h1>Fresh bread</h1><p>We bake bread daily in Lisbon.</p>",
        "keywords": ["sourdough"],
    }
    response = post(viewer, "seo-optimize", **body)
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert set(data) == {"score", "issues", "suggestions", "provider", "model"}
    assert set(data["suggestions"]) == {"metaTitle", "metaDescription", "keywords", "headings"}
    fields = {issue["field"] for issue in data["issues"]}
    assert {"title", "metaDescription", "keywords", "content"} <= fields
    assert "headings" not in {i["field"] for i in data["issues"] if i["severity"] == "warning"}, "h1 found"
    assert data == post(viewer, "seo-optimize", **body).get_json()["data"]


def test_seo_optimize_by_page_uses_its_sections_and_seo(viewer, tenant):
    page = factories.page(tenant=tenant, title="Home")
    factories.section(page=page, type="hero", content={"title": "Sourdough every morning"})
    factories.section(page=page, content={"bodyHtml": "<p>We bake sourdough bread daily.</p>"})
    factories.section(page=page, content={"bodyHtml": "<p>Hidden text</p>"}, is_visible=False)
    db.session.add(
        SeoMetadata(
            tenant_id=tenant.id, page_id=page.id, meta_title="Sourdough bakery", keywords=["sourdough"]
        )
    )
    db.session.commit()
    data = post(viewer, "seo-optimize", pageId=str(page.id)).get_json()["data"]
    messages = " ".join(i["message"] for i in data["issues"])
    assert "16 characters" in messages, "the SEO meta title is reviewed, not the page title"
    assert "Hidden" not in str(data) and "'sourdough'" not in messages, "keyword found in visible content"
    assert data["suggestions"]["headings"][0].startswith("Sourdough")
    assert data["suggestions"]["metaTitle"].endswith(f"| {tenant.name}")


def test_seo_optimize_rules_for_page_and_tenant(app, viewer, tenant, super_client, monkeypatch):
    page = factories.page(tenant=tenant)
    foreign = factories.page(tenant=factories.tenant())
    response = post(viewer, "seo-optimize", pageId=str(foreign.id))
    assert response.status_code == 404 and error_fields(response) == {"pageId"}
    response = post(viewer, "seo-optimize", pageId=str(page.id), tenantId=str(foreign.tenant_id))
    assert response.status_code == 404 and error_fields(response) == {"tenantId"}
    response = post(viewer, "seo-optimize", pageId=str(page.id), title="x")
    assert response.status_code == 422 and error_fields(response) == {"pageId"}
    assert error_fields(post(viewer, "seo-optimize")) == {"body"}
    assert error_fields(post(viewer, "seo-optimize", title="x", tenantId=str(tenant.id))) == {"tenantId"}
    response = post(super_client, "seo-optimize", pageId=str(page.id))
    assert response.status_code == 422 and error_fields(response) == {"tenantId"}
    assert post(super_client, "seo-optimize", pageId=str(page.id), tenantId=str(tenant.id)).status_code == 200
    reader = key_client(app, monkeypatch, tenant=tenant, scopes={"pages:read"})
    other = key_client(app, monkeypatch, tenant=tenant, scopes={"templates:read"})
    assert post(reader, "seo-optimize", pageId=str(page.id)).status_code == 200
    assert post(other, "seo-optimize", pageId=str(page.id)).status_code == 403
    assert post(other, "seo-optimize", pageId=str(foreign.id)).status_code == 404, "404 before 403"


# --- generate-page -----------------------------------------------------------------------------


def test_generate_page_shape_and_determinism(viewer, tenant, seeded):
    response = post(viewer, "generate-page", prompt=PROMPT, tenantId=str(tenant.id))
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert set(data) == {"title", "slug", "templateId", "sections", "seo", "provider", "model"}
    assert data["title"] == "Nonna's Table" and data["slug"] == "nonna-s-table"
    bistro = db.session.scalar(sa.select(Template).where(Template.slug == "bistro-home"))
    assert data["templateId"] == str(bistro.id), "restaurant industry inferred; premium menu not allowed"
    assert [s["type"] for s in data["sections"]] == [s["type"] for s in bistro.structure["sections"]]
    assert data["sections"][0]["content"]["title"] == "Nonna's Table"
    assert set(data["seo"]) == {"metaTitle", "metaDescription", "keywords"}
    assert len(data["seo"]["metaTitle"]) <= 60 and "lisbon" in data["seo"]["keywords"]
    assert post(viewer, "generate-page", prompt=PROMPT).get_json()["data"] == data, (
        "tenant defaults, same answer"
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Page)) == 0, "nothing saved"


def test_generate_page_honours_industry_and_plan(viewer, tenant, seeded):
    def chosen(**body) -> str:
        response = post(viewer, "generate-page", prompt="Our new website", **body)
        assert response.status_code == 200, response.get_json()
        return db.session.get(Template, uuid.UUID(response.get_json()["data"]["templateId"])).slug

    assert chosen(industry="real-estate") == "property-listings"
    law = db.session.scalar(sa.select(Template).where(Template.slug == "law-firm"))
    assert chosen(industry=str(law.industry_id)) == "consultant-landing", "law-firm is premium"
    set_plan(tenant, "pro")
    assert chosen(industry="professional-services") == "consultant-landing"
    assert post(viewer, "generate-page", prompt="A law firm with partners").get_json()["data"][
        "templateId"
    ] == str(law.id)
    response = post(viewer, "generate-page", prompt="Our new website", industry="space-tourism")
    assert response.status_code == 422 and error_fields(response) == {"industry"}


def test_generate_page_without_templates_uses_a_basic_structure(viewer):
    data = post(viewer, "generate-page", prompt="Website for a yoga studio").get_json()["data"]
    assert data["templateId"] is None and [s["type"] for s in data["sections"]] == [
        "hero",
        "text",
        "cta",
        "contact",
    ]


def test_generate_page_with_create_saves_a_draft(editor, tenant, seeded):
    response = post(editor, "generate-page", prompt=PROMPT, tenantId=str(tenant.id), create=True)
    assert response.status_code == 201, response.get_json()
    data = response.get_json()["data"]
    page = data["page"]
    assert response.headers["Location"].endswith(f"/api/tenants/{tenant.id}/pages/{page['id']}")
    assert page["status"] == "draft" and page["title"] == data["title"] and page["slug"] == data["slug"]
    assert [s["content"] for s in page["sections"]] == [s["content"] for s in data["sections"]]
    assert page["seo"]["metaTitle"] == data["seo"]["metaTitle"]
    assert page["template"]["templateId"] == data["templateId"]
    assert page["template"]["customizations"]["modified"] == []
    record = db.session.scalar(sa.select(PageTemplate).where(PageTemplate.page_id == uuid.UUID(page["id"])))
    assert record.template_id == uuid.UUID(data["templateId"])
    events = db.session.scalars(sa.select(Event.type).where(Event.tenant_id == tenant.id)).all()
    assert "page.created" in events and events.count("section.created") == len(page["sections"])
    assert db.session.scalar(sa.select(AuditLog).where(AuditLog.resource_id == page["id"])).action == "create"
    again = post(editor, "generate-page", prompt=PROMPT, create=True).get_json()["data"]
    assert again["slug"] == "nonna-s-table-2"


def test_generate_page_create_rules(app, viewer, editor, tenant, super_client, monkeypatch):
    response = post(viewer, "generate-page", prompt=PROMPT, create=True)
    assert response.status_code == 403
    key = key_client(app, monkeypatch, tenant=tenant, scopes={"pages:read"})
    assert post(key, "generate-page", prompt=PROMPT, create=True).status_code == 403
    assert post(key, "generate-page", prompt=PROMPT).status_code == 200
    response = post(editor, "generate-page", prompt=PROMPT, tenantId=str(factories.tenant().id), create=True)
    assert response.status_code == 404 and error_fields(response) == {"tenantId"}
    response = post(super_client, "generate-page", prompt=PROMPT)
    assert response.status_code == 422 and error_fields(response) == {"tenantId"}
    assert (
        post(super_client, "generate-page", prompt=PROMPT, tenantId=str(tenant.id), create=True).status_code
        == 201
    )
    for _ in range(4):
        factories.page(tenant=tenant)
    response = post(editor, "generate-page", prompt=PROMPT, create=True)
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "plan_limit_exceeded"
    for body, field in (({"prompt": "hi"}, "prompt"), ({"prompt": PROMPT, "create": "yes"}, "create")):
        assert field in error_fields(post(editor, "generate-page", **body))


# --- rate limit --------------------------------------------------------------------------------


def test_ai_limit_is_20_per_minute_per_tenant_shared_by_the_endpoints(app, tenant, viewer, editor):
    assert app.config["RATE_LIMIT_AI"] == "20/minute"
    statuses = [post(viewer, "content-optimize", content="Hello there.").status_code for _ in range(10)]
    statuses += [post(editor, "seo-optimize", title="Hello there").status_code for _ in range(10)]
    assert statuses == [200] * 20
    refused = post(editor, "generate-page", prompt="A bakery in Porto")
    assert refused.status_code == 429 and refused.get_json()["error"]["code"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) >= 1 and refused.headers["X-RateLimit-Limit"] == "20"
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    outsider = role_client(app, factories.tenant(), "viewer")
    assert post(outsider, "content-optimize", content="Hello there.").status_code == 200, "another tenant"


def test_headers_describe_the_limit_nearest_to_exhaustion(app, viewer, monkeypatch):
    monkeypatch.setitem(app.config, "RATE_LIMIT_AI", "3/minute")
    first = post(viewer, "content-optimize", content="Hello there.")
    assert (first.headers["X-RateLimit-Limit"], first.headers["X-RateLimit-Remaining"]) == ("3", "2")
    assert len(first.headers.getlist("X-RateLimit-Limit")) == 1
    assert viewer.get("/api/industries").headers["X-RateLimit-Limit"] == "5000", (
        "other routes: the user limit"
    )
    statuses = [post(viewer, "content-optimize", content="Hello there.").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
