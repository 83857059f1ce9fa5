"""Templates and industries: CRUD rules, filters, preview, apply, premium by plan, customizations."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from siteninja.extensions import db
from siteninja.models import (
    AuditLog,
    Event,
    Industry,
    Page,
    PageTemplate,
    Section,
    SeoMetadata,
    Template,
)
from tests import factories
from tests.conftest import count_queries
from tests.resources.site_helpers import error_fields, key_client, role_client, set_plan

STRUCTURE = {
    "sections": [
        {"type": "hero", "content": {"title": "Fresh food", "ctaText": "Book"}},
        {"type": "text", "content": {"bodyHtml": "<p>Seasonal</p><script>alert(1)</script>"}},
        {"type": "faq", "content": {"items": [{"question": "Parking?", "answer": "Yes"}]}},
    ],
    "seo": {"metaTitle": "Bistro", "keywords": ["bistro"]},
}


def industry(slug: str = "restaurant") -> Industry:
    obj = Industry(name=slug.title(), slug=f"{slug}-{uuid.uuid4().hex[:6]}")
    db.session.add(obj)
    db.session.commit()
    return obj


def template(**fields) -> Template:
    fields.setdefault("name", "Bistro Home")
    fields.setdefault("slug", factories.unique("bistro-"))
    fields.setdefault("category", "home")
    fields.setdefault("structure", {**STRUCTURE, "sections": [dict(s) for s in STRUCTURE["sections"]]})
    obj = Template(**fields)
    db.session.add(obj)
    db.session.commit()
    return obj


@pytest.fixture
def editor(app, tenant):
    return role_client(app, tenant, "editor")


@pytest.fixture
def viewer(app, tenant):
    return role_client(app, tenant, "viewer")


@pytest.fixture
def page(tenant):
    return factories.page(tenant=tenant)


def apply(client, tpl, page, mode: str | None = None, **extra):
    body = {"tenantId": str(page.tenant_id), "pageId": str(page.id), **extra}
    if mode:
        body["mode"] = mode
    return client.post(f"/api/templates/{tpl.id}/apply", json=body)


def page_detail(client, page, include: str = "sections,template") -> dict:
    response = client.get(f"/api/tenants/{page.tenant_id}/pages/{page.id}?include={include}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()["data"]


# --- CRUD and rules ------------------------------------------------------------------------


def test_super_admin_creates_a_template_with_validated_sanitized_structure(super_client):
    sector = industry()
    body = {
        "name": "Clinic Home",
        "description": "Calm",
        "category": "home",
        "industryId": str(sector.id),
        "isPremium": True,
        "thumbnailUrl": "https://cdn.example.test/clinic.png",
        "structure": STRUCTURE,
    }
    response = super_client.post("/api/templates", json=body)
    assert response.status_code == 201, response.get_json()
    data = response.get_json()["data"]
    assert (
        data["slug"] == "clinic-home" and data["industryId"] == str(sector.id) and data["isPremium"] is True
    )
    assert response.headers["Location"].endswith(f"/api/templates/{data['id']}")
    sections = data["structure"]["sections"]
    assert sections[1]["content"]["bodyHtml"] == "<p>Seasonal</p>", "rich text is sanitized as in sections"
    assert data["structure"]["seo"]["metaTitle"] == "Bistro"
    assert set(data) == {
        "id",
        "name",
        "slug",
        "description",
        "category",
        "industryId",
        "isPremium",
        "thumbnailUrl",
        "structure",
        "createdAt",
        "updatedAt",
    }
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.resource_id == data["id"]))
    assert entry.action == "create" and entry.resource_type == "template" and entry.tenant_id is None


@pytest.mark.parametrize(
    ("structure", "field"),
    [
        ({"sections": [{"type": "carousel", "content": {}}]}, "structure.sections.0.type"),
        ({"sections": [{"type": "hero", "content": []}]}, "structure.sections.0.content"),
        (
            {"sections": [{"type": "hero", "content": {"x": "y" * (64 * 1024)}}]},
            "structure.sections.0.content",
        ),
        ({"sections": [{"content": {}}]}, "structure.sections.0.type"),
        ({"sections": [{"type": "hero", "style": "x"}]}, "structure.sections.0.style"),
        ({"sections": [], "seo": {"metaTitle": "t" * 71}}, "structure.seo.metaTitle"),
        ({"sections": [], "extra": 1}, "structure.extra"),
        ({"seo": {"metaTitle": "Sections are required"}}, "structure.sections"),
    ],
)
def test_structure_is_validated_like_sections(super_client, structure, field):
    response = super_client.post("/api/templates", json={"name": "Bad", "structure": structure})
    assert response.status_code == 422
    assert field in error_fields(response)


def test_create_lists_every_failing_field(super_client):
    response = super_client.post(
        "/api/templates", json={"name": "", "slug": "Not A Slug", "isPremium": "yes", "id": str(uuid.uuid4())}
    )
    assert response.status_code == 422
    assert {"name", "slug", "isPremium", "id"} <= error_fields(response)


def test_slug_is_unique(super_client):
    template(slug="taken")
    response = super_client.post("/api/templates", json={"name": "Other", "slug": "taken"})
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "conflict"
    other = template()
    response = super_client.put(f"/api/templates/{other.id}", json={"slug": "taken"})
    assert response.status_code == 409


def test_unknown_industry_is_404_naming_the_field(super_client):
    response = super_client.post("/api/templates", json={"name": "X", "industryId": str(uuid.uuid4())})
    assert response.status_code == 404 and error_fields(response) == {"industryId"}


def test_update_and_delete_by_super_admin_with_audit(super_client, tenant, editor, page):
    tpl = template()
    response = super_client.put(
        f"/api/templates/{tpl.id}",
        json={
            "name": "Renamed",
            "structure": {"sections": [{"type": "cta", "content": {"onclickHtml": "<b>x</b>"}}]},
        },
    )
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert data["name"] == "Renamed" and data["structure"] == {
        "sections": [{"type": "cta", "content": {"onclickHtml": "<b>x</b>"}}]
    }
    assert super_client.patch(f"/api/templates/{tpl.id}", json={"isPremium": True}).status_code == 200
    assert apply(editor, template(), page).status_code == 200
    used = template()
    assert apply(editor, used, page).status_code == 200
    assert super_client.delete(f"/api/templates/{used.id}").status_code == 204
    assert super_client.get(f"/api/templates/{used.id}").status_code == 404
    db.session.expire_all()
    assert db.session.get(Page, page.id).template_id is None, "pages keep their sections, lose the link"
    assert len(db.session.scalars(sa.select(Section).where(Section.page_id == page.id)).all()) == 3
    actions = db.session.scalars(sa.select(AuditLog.action).where(AuditLog.resource_type == "template")).all()
    assert {"update", "delete"} <= set(actions)
    assert page_detail(editor, page)["templateId"] is None, "the tenant's cached page is invalidated"


def test_writes_are_super_admin_only(app, tenant, monkeypatch):
    tpl = template()
    owner = role_client(app, tenant, "owner")
    key = key_client(app, monkeypatch, tenant=tenant, scopes={"*"})
    for client in (owner, key):
        assert client.post("/api/templates", json={"name": "X"}).status_code == 403
        assert client.put(f"/api/templates/{tpl.id}", json={"name": "X"}).status_code == 403
        assert client.delete(f"/api/templates/{tpl.id}").status_code == 403
    assert db.session.get(Template, tpl.id).name == "Bistro Home"


def test_reads_need_a_signed_in_user_or_templates_read(app, client, tenant, monkeypatch):
    tpl = template()
    lonely = factories.client_for(app, factories.user(tenant=None, role="viewer"))
    reader = key_client(app, monkeypatch, tenant=tenant, scopes={"templates:read"})
    pages_only = key_client(app, monkeypatch, tenant=tenant, scopes={"pages:read", "pages:write"})
    for url in (
        "/api/templates",
        f"/api/templates/{tpl.id}",
        f"/api/templates/{tpl.id}/preview",
        "/api/industries",
    ):
        assert client.get(url).status_code == 401
        assert lonely.get(url).status_code == 200
        assert reader.get(url).status_code == 200
        assert pages_only.get(url).status_code == 403


def test_unknown_and_malformed_ids_are_404(viewer, super_client):
    for url in (
        f"/api/templates/{uuid.uuid4()}",
        "/api/templates/not-a-uuid",
        f"/api/templates/{uuid.uuid4()}/preview",
    ):
        assert viewer.get(url).status_code == 404
    assert super_client.put(f"/api/templates/{uuid.uuid4()}", json={"bad": 1}).status_code == 404


# --- list, filters, industries ---------------------------------------------------------------


def test_list_filters_by_category_industry_premium_and_q(viewer):
    food, law = industry("restaurant"), industry("law")
    template(name="Bistro Home", category="home", industry_id=food.id)
    template(name="Menu", category="menu", industry_id=food.id, is_premium=True)
    template(name="Law Firm", category="home", industry_id=law.id, description="Counsel you trust")

    def names(query: str) -> list[str]:
        response = viewer.get(f"/api/templates?{query}")
        assert response.status_code == 200, response.get_json()
        return [t["name"] for t in response.get_json()["data"]]

    assert names("category=home") == ["Bistro Home", "Law Firm"]
    assert names(f"industry={food.id}") == ["Bistro Home", "Menu"]
    assert names(f"industry={law.slug}") == ["Law Firm"]
    assert names("industry=nothing-like-it") == []
    assert names("isPremium=true") == ["Menu"]
    assert names("isPremium=false&category=home") == ["Bistro Home", "Law Firm"]
    assert names("q=counsel") == ["Law Firm"]
    assert names("q=MENU") == ["Menu"]
    assert names("sort=-name") == ["Menu", "Law Firm", "Bistro Home"]
    response = viewer.get("/api/templates?limit=2&page=2")
    assert response.get_json()["pagination"] == {
        "page": 2,
        "limit": 2,
        "total": 3,
        "totalPages": 2,
        "hasNext": False,
        "hasPrev": True,
    }


def test_list_rejects_bad_query_args(viewer):
    for query in ("sort=price", "limit=101", "isPremium=maybe", "color=red"):
        assert viewer.get(f"/api/templates?{query}").status_code == 422, query


def test_industries_are_listed_by_name(viewer):
    industry("zoo"), industry("bakery")
    response = viewer.get("/api/industries")
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert [i["name"] for i in data] == sorted(i["name"] for i in data)
    assert set(data[0]) == {"id", "name", "slug", "description", "createdAt", "updatedAt"}


def test_template_list_runs_a_constant_number_of_queries(viewer):
    template()
    viewer.get("/api/auth/me")  # the principal is cached from here on: count the list's own work
    with count_queries() as one:
        assert len(viewer.get("/api/templates").get_json()["data"]) == 1
    for _ in range(20):
        template(structure={"sections": [{"type": "text", "content": {"n": i}} for i in range(8)]})
    with count_queries() as many:
        assert len(viewer.get("/api/templates?limit=50").get_json()["data"]) == 21
    assert len(one) == len(many) <= 4, (one, many)


# --- preview -----------------------------------------------------------------------------------


def test_preview_renders_the_sections_and_seo_a_page_would_get(viewer):
    tpl = template()
    tpl.structure = {
        **tpl.structure,
        "sections": [*tpl.structure["sections"], {"type": "legacy", "content": {}}],
    }
    db.session.commit()
    response = viewer.get(f"/api/templates/{tpl.id}/preview")
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert data["templateId"] == str(tpl.id)
    assert [(s["type"], s["sortOrder"], s["isVisible"]) for s in data["sections"]] == [
        ("hero", 0, True),
        ("text", 1, True),
        ("faq", 2, True),
        ("custom", 3, True),
    ]
    assert data["sections"][1]["content"] == {"bodyHtml": "<p>Seasonal</p>"}
    assert data["seo"]["metaTitle"] == "Bistro" and data["seo"]["keywords"] == ["bistro"]
    assert data["seo"]["noIndex"] is False and data["seo"]["metaDescription"] is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Section)) == 0


# --- apply -------------------------------------------------------------------------------------


def test_apply_replace_swaps_the_sections_in_one_transaction(editor, tenant, page):
    factories.section(page=page, content={"title": "Old"})
    tpl = template()
    response = apply(editor, tpl, page, mode="replace")
    assert response.status_code == 200, response.get_json()
    data = response.get_json()["data"]
    assert data["id"] == str(page.id) and data["templateId"] == str(tpl.id)
    assert [s["type"] for s in data["sections"]] == ["hero", "text", "faq"]
    assert data["sections"][1]["content"] == {"bodyHtml": "<p>Seasonal</p>"}
    assert data["template"]["templateId"] == str(tpl.id) and data["template"]["appliedAt"].endswith("Z")
    assert data["template"]["customizations"] == {
        "modified": [],
        "added": [],
        "removed": [],
        "reordered": False,
    }
    record = db.session.scalar(sa.select(PageTemplate).where(PageTemplate.page_id == page.id))
    assert record.template_id == tpl.id and record.applied_at is not None
    seo = db.session.scalar(sa.select(SeoMetadata).where(SeoMetadata.page_id == page.id))
    assert seo.meta_title == "Bistro"
    events = db.session.scalars(sa.select(Event.type).where(Event.tenant_id == tenant.id)).all()
    assert events.count("section.created") == 3 and events.count("section.deleted") == 1
    assert "page.updated" in events
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "apply_template"))
    assert entry.resource_id == str(page.id) and entry.new_value == {
        "template_id": str(tpl.id),
        "mode": "replace",
    }


def test_apply_append_keeps_the_pages_sections_and_seo(editor, tenant, page):
    own = factories.section(page=page, content={"title": "Mine"})
    db.session.add(SeoMetadata(tenant_id=tenant.id, page_id=page.id, meta_title="Mine"))
    db.session.commit()
    data = apply(editor, template(), page, mode="append").get_json()["data"]
    assert [s["type"] for s in data["sections"]] == ["text", "hero", "text", "faq"]
    assert data["sections"][0]["id"] == str(own.id)
    assert [s["sortOrder"] for s in data["sections"]] == [0, 1, 2, 3]
    assert data["template"]["customizations"]["added"] == [{"sectionId": str(own.id), "type": "text"}]
    db.session.expire_all()
    seo = db.session.scalar(sa.select(SeoMetadata).where(SeoMetadata.page_id == page.id))
    assert seo.meta_title == "Mine", "append leaves an existing SEO alone"


def test_apply_validates_the_body(editor, page):
    tpl = template()
    cases = [
        ({}, {"tenantId", "pageId"}),
        ({"tenantId": str(page.tenant_id), "pageId": str(page.id), "mode": "merge"}, {"mode"}),
        ({"tenantId": "x", "pageId": str(page.id)}, {"tenantId"}),
        ({"tenantId": str(page.tenant_id), "pageId": str(page.id), "extra": 1}, {"extra"}),
    ]
    for body, fields in cases:
        response = editor.post(f"/api/templates/{tpl.id}/apply", json=body)
        assert response.status_code == 422 and error_fields(response) == fields, body
    assert editor.post(f"/api/templates/{tpl.id}/apply", json=[1]).status_code == 422


def test_apply_to_another_tenant_or_its_page_is_404(app, editor, tenant, page):
    tpl = template()
    other = factories.tenant()
    foreign = factories.page(tenant=other)
    response = apply(editor, tpl, foreign)
    assert response.status_code == 404 and error_fields(response) == {"tenantId"}
    response = editor.post(
        f"/api/templates/{tpl.id}/apply", json={"tenantId": str(tenant.id), "pageId": str(foreign.id)}
    )
    assert response.status_code == 404 and error_fields(response) == {"pageId"}
    outsider_viewer = role_client(app, other, "viewer")
    assert apply(outsider_viewer, tpl, page).status_code == 404, "404 before the role is looked at"
    assert apply(editor, Template(id=uuid.uuid4()), page).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Section)) == 0


def test_apply_needs_the_rights_of_a_section_write(app, viewer, tenant, page, monkeypatch, super_client):
    tpl = template()
    assert apply(viewer, tpl, page).status_code == 403
    assert (
        apply(
            key_client(app, monkeypatch, tenant=tenant, scopes={"pages:read", "templates:read"}), tpl, page
        ).status_code
        == 403
    )
    assert (
        apply(key_client(app, monkeypatch, tenant=tenant, scopes={"pages:write"}), tpl, page).status_code
        == 200
    )
    for role in ("admin", "owner"):
        assert apply(role_client(app, tenant, role), tpl, page).status_code == 200
    assert apply(super_client, tpl, page).status_code == 200
    assert apply(app.test_client(), tpl, page).status_code == 401


def test_premium_templates_need_a_plan_that_allows_them(editor, tenant, page):
    tpl = template(is_premium=True)
    response = apply(editor, tpl, page)
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "plan_limit_exceeded"
    set_plan(tenant, "starter")
    assert apply(editor, tpl, page).status_code == 403
    set_plan(tenant, "pro")
    assert apply(editor, tpl, page).status_code == 200


def test_apply_runs_a_constant_number_of_queries(editor, tenant):
    small, large = factories.page(tenant=tenant), factories.page(tenant=tenant)
    factories.section(page=small)
    for _ in range(30):
        factories.section(page=large)
    few = template(structure={"sections": [{"type": "text", "content": {"n": 0}}]})
    lots = template(structure={"sections": [{"type": "text", "content": {"n": i}} for i in range(30)]})
    editor.get("/api/auth/me")  # the principal is cached from here on: count the apply's own work
    with count_queries() as one:
        assert apply(editor, few, small).status_code == 200
    with count_queries() as thirty:
        assert apply(editor, lots, large).status_code == 200
    assert len(one) == len(thirty), (one, thirty)


# --- customizations ----------------------------------------------------------------------------


def sections_url(page, suffix: str = "") -> str:
    return f"/api/tenants/{page.tenant_id}/pages/{page.id}/sections{suffix}"


def customizations(client, page) -> dict:
    return page_detail(client, page)["template"]["customizations"]


def test_customizations_follow_section_edits_and_reset_clears_them(editor, page):
    tpl = template()
    applied = apply(editor, tpl, page).get_json()["data"]["sections"]
    hero, text, faq = (s["id"] for s in applied)
    editor.put(sections_url(page, f"/{hero}"), json={"content": {"title": "Our food", "ctaText": "Book"}})
    editor.put(sections_url(page, f"/{faq}"), json={"isVisible": False})
    assert customizations(editor, page) == {
        "modified": [
            {"sectionId": hero, "templateIndex": 0, "type": "hero", "fields": ["content.title"]},
            {"sectionId": faq, "templateIndex": 2, "type": "faq", "fields": ["isVisible"]},
        ],
        "added": [],
        "removed": [],
        "reordered": False,
    }
    added = editor.post(sections_url(page), json={"type": "cta", "content": {"title": "Call"}}).get_json()[
        "data"
    ]
    assert editor.delete(sections_url(page, f"/{text}")).status_code == 204
    now = customizations(editor, page)
    assert now["added"] == [{"sectionId": added["id"], "type": "cta"}]
    assert now["removed"] == [{"sectionId": text, "templateIndex": 1, "type": "text"}]
    editor.put(sections_url(page, f"/{hero}"), json={"content": {"title": "Fresh food", "ctaText": "Book"}})
    assert [m["sectionId"] for m in customizations(editor, page)["modified"]] == [faq], "undoing an edit"
    response = editor.post(f"/api/tenants/{page.tenant_id}/pages/{page.id}/reset-template")
    assert response.status_code == 200
    assert customizations(editor, page) == {"modified": [], "added": [], "removed": [], "reordered": False}
    fresh = page_detail(editor, page)["sections"]
    editor.put(sections_url(page, f"/{fresh[2]['id']}"), json={"content": {"items": []}})
    assert customizations(editor, page)["modified"][0]["fields"] == ["content.items"], "tracked after reset"


def test_customizations_track_nested_fields_reorder_and_bulk(editor, page):
    applied = apply(editor, template(), page).get_json()["data"]["sections"]
    hero, text, faq = (s["id"] for s in applied)
    editor.put(sections_url(page, "/reorder"), json={"order": [text, hero, faq]})
    assert customizations(editor, page)["reordered"] is True
    editor.put(sections_url(page, "/reorder"), json={"order": [hero, text, faq]})
    assert customizations(editor, page) == {"modified": [], "added": [], "removed": [], "reordered": False}
    operations = [
        {
            "op": "update",
            "id": faq,
            "data": {"content": {"items": [{"question": "Parking?", "answer": "No"}]}},
        },
        {"op": "update", "id": hero, "data": {"type": "cta"}},
        {"op": "delete", "id": text},
    ]
    assert editor.post(sections_url(page, "/bulk"), json={"operations": operations}).status_code == 200
    now = customizations(editor, page)
    assert [(m["sectionId"], m["fields"]) for m in now["modified"]] == [
        (hero, ["type"]),
        (faq, ["content.items.0.answer"]),
    ]
    assert [r["sectionId"] for r in now["removed"]] == [text]


def test_customizations_are_kept_in_the_same_transaction(editor, page):
    applied = apply(editor, template(), page).get_json()["data"]["sections"]
    response = editor.put(sections_url(page, f"/{applied[0]['id']}"), json={"content": {"title": "New"}})
    assert response.status_code == 200
    db.session.expire_all()
    record = db.session.scalar(sa.select(PageTemplate).where(PageTemplate.page_id == page.id))
    assert record.customizations["modified"][0]["fields"] == ["content.ctaText", "content.title"]


def test_duplicate_keeps_tracking_against_the_copied_sections(editor, page):
    applied = apply(editor, template(), page).get_json()["data"]["sections"]
    editor.put(sections_url(page, f"/{applied[0]['id']}"), json={"isVisible": False})
    copy = editor.post(f"/api/tenants/{page.tenant_id}/pages/{page.id}/duplicate").get_json()["data"]
    copied = db.session.get(Page, uuid.UUID(copy["id"]))
    data = page_detail(editor, copied)
    assert data["template"]["customizations"]["modified"][0]["sectionId"] == data["sections"][0]["id"]
    editor.put(sections_url(copied, f"/{data['sections'][0]['id']}"), json={"isVisible": True})
    assert customizations(editor, copied) == {"modified": [], "added": [], "removed": [], "reordered": False}


def test_include_template_is_null_without_one_and_documented(editor, page, app):
    assert page_detail(editor, page, "template")["template"] is None
    assert "template" not in page_detail(editor, page, "sections")
    spec = app.test_client().get("/api/openapi.json").get_json()
    assert "PageTemplateInfo" in spec["components"]["schemas"]
    assert "/api/templates/{templateId}/apply" in spec["paths"]


def test_page_detail_with_template_runs_a_constant_number_of_queries(editor, viewer, tenant):
    small, large = factories.page(tenant=tenant), factories.page(tenant=tenant)
    apply(editor, template(structure={"sections": [{"type": "text", "content": {}}]}), small)
    apply(
        editor,
        template(structure={"sections": [{"type": "text", "content": {"n": i}} for i in range(25)]}),
        large,
    )
    small_url, large_url = (
        f"/api/tenants/{tenant.id}/pages/{page.id}?include=sections,seo,template" for page in (small, large)
    )
    viewer.get("/api/auth/me")  # the principal is cached from here on: count the page's own work
    with count_queries() as one:
        assert len(viewer.get(small_url).get_json()["data"]["sections"]) == 1
    with count_queries() as many:
        assert len(viewer.get(large_url).get_json()["data"]["sections"]) == 25
    assert len(one) == len(many) <= 6, (one, many)
