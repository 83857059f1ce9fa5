"""Pages: CRUD, slugs, homepage, publishing, plan limits, templates, duplicate, reset, roles, isolation."""

from __future__ import annotations

import uuid
from collections import Counter

import pytest
import sqlalchemy as sa

from siteninja.extensions import db
from siteninja.models import (
    AuditLog,
    Event,
    NavigationItem,
    Page,
    PageTemplate,
    Section,
    SeoMetadata,
    Subscription,
    Template,
)
from tests import factories
from tests.conftest import count_queries

TEMPLATE_STRUCTURE = {
    "sections": [
        {"type": "hero", "content": {"title": "Fresh food", "ctaText": "Book"}},
        {"type": "text", "content": {"bodyHtml": "<p>Seasonal</p><script>alert(1)</script>"}},
        {"type": "contact", "content": {"address": "12 Market Street"}},
    ],
    "seo": {"metaTitle": "Bistro"},
}


def pages_url(tenant, suffix: str = "") -> str:
    return f"/api/tenants/{tenant.id}/pages{suffix}"


def page_url(page, suffix: str = "") -> str:
    return f"/api/tenants/{page.tenant_id}/pages/{page.id}{suffix}"


@pytest.fixture
def editor_user(tenant):
    return factories.user(tenant=tenant, role="editor")


@pytest.fixture
def editor(app, editor_user):
    return factories.client_for(app, editor_user)


@pytest.fixture
def viewer(app, tenant):
    return factories.client_for(app, factories.user(tenant=tenant, role="viewer"))


def make_template(*, premium: bool = False, structure: dict | None = None) -> Template:
    template = Template(
        name="Bistro Home",
        slug=factories.unique("bistro-"),
        category="home",
        is_premium=premium,
        structure=structure if structure is not None else TEMPLATE_STRUCTURE,
    )
    db.session.add(template)
    db.session.commit()
    return template


def set_plan(tenant, plan: str) -> None:
    db.session.execute(sa.update(Subscription).where(Subscription.tenant_id == tenant.id).values(plan=plan))
    db.session.commit()


def page_events(tenant) -> Counter:
    stmt = sa.select(Event.type).where(Event.tenant_id == tenant.id, Event.type != "tenant.created")
    return Counter(db.session.scalars(stmt))


def sections_of(page_id) -> list[Section]:
    db.session.expire_all()
    stmt = sa.select(Section).where(Section.page_id == page_id).order_by(Section.sort_order)
    return list(db.session.scalars(stmt))


def create(client, tenant, **body):
    body.setdefault("title", "About us")
    return client.post(pages_url(tenant), json=body)


# --- create ------------------------------------------------------------------------------


def test_create_page_with_location_audit_and_event(editor, editor_user, tenant):
    response = create(editor, tenant, title="About us", description="Who we are")
    assert response.status_code == 201
    data = response.get_json()["data"]
    assert set(data) == {
        "id",
        "tenantId",
        "title",
        "slug",
        "description",
        "status",
        "isHomepage",
        "sortOrder",
        "templateId",
        "publishedAt",
        "publishAt",
        "unpublishAt",
        "createdBy",
        "createdAt",
        "updatedAt",
    }
    assert data["slug"] == "about-us" and data["status"] == "draft" and data["isHomepage"] is False
    assert data["tenantId"] == str(tenant.id) and data["createdBy"] == str(editor_user.id)
    assert data["publishedAt"] is None and data["templateId"] is None
    assert data["createdAt"].endswith("Z")
    assert response.headers["Location"].endswith(pages_url(tenant, f"/{data['id']}"))
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.resource_id == data["id"]))
    assert (entry.action, entry.resource_type, entry.tenant_id) == ("create", "page", tenant.id)
    assert entry.actor_id == editor_user.id and entry.new_value["title"] == "About us"
    event = db.session.scalar(sa.select(Event).where(Event.type == "page.created"))
    assert event.tenant_id == tenant.id and event.payload["data"]["slug"] == "about-us"
    assert page_events(tenant) == Counter({"page.created": 1})


def test_new_pages_go_after_the_last_one_unless_told(editor, tenant):
    assert create(editor, tenant, title="A").get_json()["data"]["sortOrder"] == 0
    assert create(editor, tenant, title="B").get_json()["data"]["sortOrder"] == 1
    assert create(editor, tenant, title="C", sortOrder=7).get_json()["data"]["sortOrder"] == 7
    assert create(editor, tenant, title="D").get_json()["data"]["sortOrder"] == 8


def test_created_published_page_gets_published_at_and_event(editor, tenant):
    data = create(editor, tenant, status="published").get_json()["data"]
    assert data["publishedAt"] is not None
    assert page_events(tenant) == Counter({"page.created": 1, "page.published": 1})


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Über uns — Team!", "uber-uns-team"),
        ("  Hello   World  ", "hello-world"),
        ("Prices & Plans 2026", "prices-plans-2026"),
        ("!!!", "page"),
        ("日本語", "page"),
        ("a" * 150, "a" * 100),
        ("x" * 99 + " yz", "x" * 99),
    ],
)
def test_slug_is_derived_from_the_title(editor, tenant, title, slug):
    response = create(editor, tenant, title=title)
    assert response.status_code == 201
    assert response.get_json()["data"]["slug"] == slug


def test_derived_slugs_are_deduplicated_but_explicit_duplicates_conflict(app, editor, tenant):
    slugs = [create(editor, tenant, title="Contact").get_json()["data"]["slug"] for _ in range(3)]
    assert slugs == ["contact", "contact-2", "contact-3"]
    response = create(editor, tenant, title="Other", slug="contact")
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "conflict"
    other = factories.tenant(name="Other")
    other_editor = factories.client_for(app, factories.user(tenant=other, role="editor"))
    assert create(other_editor, other, title="Contact").get_json()["data"]["slug"] == "contact"


def test_a_long_derived_slug_stays_within_100_characters_when_deduplicated(editor, tenant):
    first = create(editor, tenant, title="a" * 120).get_json()["data"]["slug"]
    second = create(editor, tenant, title="a" * 120).get_json()["data"]["slug"]
    assert first == "a" * 100
    assert second == "a" * 98 + "-2"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": None}, "title"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": 5}, "title"),
        ({"title": "ok\x00"}, "title"),
        ({"slug": "About"}, "slug"),
        ({"slug": "a--b"}, "slug"),
        ({"slug": "-ab"}, "slug"),
        ({"slug": "ab-"}, "slug"),
        ({"slug": "a_b"}, "slug"),
        ({"slug": "a b"}, "slug"),
        ({"slug": ""}, "slug"),
        ({"slug": "a" * 101}, "slug"),
        ({"slug": "ünï"}, "slug"),
        ({"status": "live"}, "status"),
        ({"isHomepage": "yes"}, "isHomepage"),
        ({"isHomepage": 1}, "isHomepage"),
        ({"sortOrder": "1"}, "sortOrder"),
        ({"sortOrder": -1}, "sortOrder"),
        ({"description": 3}, "description"),
        ({"description": "x" * 5001}, "description"),
        ({"templateId": "nope"}, "templateId"),
        ({"id": str(uuid.uuid4())}, "id"),
        ({"tenantId": str(uuid.uuid4())}, "tenantId"),
        ({"createdAt": "2020-01-01T00:00:00Z"}, "createdAt"),
        ({"updatedAt": "2020-01-01T00:00:00Z"}, "updatedAt"),
        ({"publishedAt": "2020-01-01T00:00:00Z"}, "publishedAt"),
        ({"createdBy": str(uuid.uuid4())}, "createdBy"),
        ({"is_homepage": True}, "is_homepage"),
        ({"sections": []}, "sections"),
    ],
)
def test_create_validation_names_the_field(editor, tenant, body, field):
    body = {"title": "Valid", **body}
    response = editor.post(pages_url(tenant), json=body)
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert [d["field"] for d in error["details"]] == [field]
    assert db.session.scalar(sa.select(Page.id).where(Page.tenant_id == tenant.id)) is None


def test_missing_title_and_non_object_bodies_are_422(editor, tenant):
    response = editor.post(pages_url(tenant), json={"slug": "x"})
    assert [d["field"] for d in response.get_json()["error"]["details"]] == ["title"]
    assert editor.post(pages_url(tenant), json=[{"title": "x"}]).status_code == 422


# --- templates ---------------------------------------------------------------------------


def test_create_from_a_template_builds_its_sections(editor, tenant):
    template = make_template()
    response = create(editor, tenant, title="Home", templateId=str(template.id))
    assert response.status_code == 201
    data = response.get_json()["data"]
    assert data["templateId"] == str(template.id)
    sections = sections_of(uuid.UUID(data["id"]))
    assert [(s.type, s.sort_order) for s in sections] == [("hero", 0), ("text", 1), ("contact", 2)]
    assert sections[0].content == {"title": "Fresh food", "ctaText": "Book"}
    assert sections[1].content == {"bodyHtml": "<p>Seasonal</p>"}, "template rich text is sanitized"
    record = db.session.scalar(sa.select(PageTemplate).where(PageTemplate.page_id == uuid.UUID(data["id"])))
    assert record.template_id == template.id and record.tenant_id == tenant.id
    assert record.customizations == {} and record.applied_at is not None
    assert page_events(tenant) == Counter({"page.created": 1, "section.created": 3})


def test_unknown_template_is_404_naming_the_field(editor, tenant):
    response = create(editor, tenant, templateId=str(uuid.uuid4()))
    assert response.status_code == 404
    assert response.get_json()["error"]["details"][0]["field"] == "templateId"
    assert db.session.scalar(sa.select(Page.id).where(Page.tenant_id == tenant.id)) is None


def test_premium_template_needs_a_plan_that_includes_it(editor, tenant):
    template = make_template(premium=True)
    response = create(editor, tenant, templateId=str(template.id))
    assert response.status_code == 403
    error = response.get_json()["error"]
    assert error["code"] == "plan_limit_exceeded" and "premium templates" in error["message"]
    assert db.session.scalar(sa.select(Page.id).where(Page.tenant_id == tenant.id)) is None
    set_plan(tenant, "pro")
    assert create(editor, tenant, templateId=str(template.id)).status_code == 201


# --- plan limits -------------------------------------------------------------------------


def test_free_plan_allows_five_pages(editor, tenant):
    for index in range(5):
        assert create(editor, tenant, title=f"Page {index}").status_code == 201
    response = create(editor, tenant, title="Sixth")
    assert response.status_code == 403
    error = response.get_json()["error"]
    assert error["code"] == "plan_limit_exceeded" and "5 pages" in error["message"]
    source = db.session.scalar(sa.select(Page).where(Page.tenant_id == tenant.id).limit(1))
    duplicate = editor.post(page_url(source, "/duplicate"))
    assert duplicate.status_code == 403
    assert duplicate.get_json()["error"]["code"] == "plan_limit_exceeded"
    assert db.session.scalar(sa.select(sa.func.count(Page.id)).where(Page.tenant_id == tenant.id)) == 5
    set_plan(tenant, "starter")
    assert create(editor, tenant, title="Sixth").status_code == 201
    assert editor.post(page_url(source, "/duplicate")).status_code == 201


def test_deleting_a_page_frees_room_under_the_limit(editor, tenant):
    pages = [factories.page(tenant=tenant) for _ in range(5)]
    assert create(editor, tenant).status_code == 403
    assert editor.delete(page_url(pages[0])).status_code == 204
    assert create(editor, tenant).status_code == 201


# --- list --------------------------------------------------------------------------------


def test_list_filters_sorts_and_paginates(viewer, tenant):
    factories.page(tenant=tenant, title="Charlie", slug="charlie", status="published", sort_order=2)
    factories.page(tenant=tenant, title="alpha", slug="first", sort_order=1)
    factories.page(tenant=tenant, title="Bravo", slug="bravo-100-percent", sort_order=0)
    factories.page(tenant=factories.tenant(name="Other"), title="Alpha elsewhere")

    def titles(query: str) -> list[str]:
        response = viewer.get(pages_url(tenant, f"?{query}"))
        assert response.status_code == 200, response.get_json()
        return [p["title"] for p in response.get_json()["data"]]

    assert titles("") == ["Bravo", "alpha", "Charlie"], "default sort is sortOrder"
    assert titles("sort=title") == ["alpha", "Bravo", "Charlie"]
    assert titles("sort=-title") == ["Charlie", "Bravo", "alpha"]
    assert titles("sort=-sortOrder") == ["Charlie", "alpha", "Bravo"]
    assert titles("sort=createdAt") == ["Charlie", "alpha", "Bravo"]
    assert titles("sort=-updatedAt")[-1] == "Charlie"
    assert titles("status=published") == ["Charlie"]
    assert titles("status=draft&sort=title") == ["alpha", "Bravo"]
    assert titles("q=ALP") == ["alpha"]
    assert titles("q=first") == ["alpha"], "q matches the slug too"
    assert titles("q=%25") == [], "LIKE wildcards are matched literally"
    assert titles("q=_") == []
    body = viewer.get(pages_url(tenant, "?limit=2&sort=title")).get_json()
    assert [p["title"] for p in body["data"]] == ["alpha", "Bravo"]
    assert body["pagination"] == {
        "page": 1,
        "limit": 2,
        "total": 3,
        "totalPages": 2,
        "hasNext": True,
        "hasPrev": False,
    }


def test_list_rejects_bad_query_args(viewer, tenant):
    for query in ["limit=101", "limit=0", "page=0", "sort=slug", "sort=bogus", "status=gone", "unknown=1"]:
        response = viewer.get(pages_url(tenant, f"?{query}"))
        assert response.status_code == 422, query
        assert response.get_json()["error"]["details"][0]["field"] == query.split("=")[0], query


def test_list_etag_and_conditional_get(viewer, tenant):
    factories.page(tenant=tenant)
    first = viewer.get(pages_url(tenant))
    assert first.headers.get("ETag")
    again = viewer.get(pages_url(tenant), headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


# --- read with include -------------------------------------------------------------------


def test_get_without_include_has_no_sections_or_seo(viewer, tenant):
    page = factories.page(tenant=tenant)
    data = viewer.get(page_url(page)).get_json()["data"]
    assert data["id"] == str(page.id)
    assert "sections" not in data and "seo" not in data


def test_get_with_include_embeds_ordered_sections_and_seo(viewer, tenant):
    page = factories.page(tenant=tenant)
    for kind, order in (("cta", 2), ("hero", 0), ("text", 1)):
        factories.section(page=page, type=kind, sort_order=order)
    data = viewer.get(page_url(page, "?include=sections,seo")).get_json()["data"]
    assert [s["type"] for s in data["sections"]] == ["hero", "text", "cta"]
    assert data["seo"] is None
    db.session.add(SeoMetadata(tenant_id=tenant.id, page_id=page.id, meta_title="Home", keywords=["a"]))
    db.session.commit()
    data = viewer.get(page_url(page, "?include=seo,sections")).get_json()["data"]
    assert data["seo"]["metaTitle"] == "Home" and data["seo"]["keywords"] == ["a"]
    only_sections = viewer.get(page_url(page, "?include=sections")).get_json()["data"]
    assert "seo" not in only_sections and len(only_sections["sections"]) == 3
    only_seo = viewer.get(page_url(page, "?include=seo")).get_json()["data"]
    assert "sections" not in only_seo and only_seo["seo"]["metaTitle"] == "Home"


def test_include_rejects_unknown_relations(viewer, tenant):
    page = factories.page(tenant=tenant)
    for query in ("include=bogus", "include=sections,navigation", "include=sections&x=1"):
        response = viewer.get(page_url(page, f"?{query}"))
        assert response.status_code == 422, query


def test_get_by_slug(viewer, tenant):
    page = factories.page(tenant=tenant, slug="our-story")
    factories.section(page=page, type="hero")
    response = viewer.get(pages_url(tenant, "/slug/our-story?include=sections,seo"))
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert data["id"] == str(page.id) and [s["type"] for s in data["sections"]] == ["hero"]
    assert data["seo"] is None
    assert "sections" not in viewer.get(pages_url(tenant, "/slug/our-story")).get_json()["data"]
    assert viewer.get(pages_url(tenant, "/slug/missing")).status_code == 404
    assert viewer.get(pages_url(tenant, "/slug/Not_A_Slug")).status_code == 404
    other = factories.tenant(name="Other")
    factories.page(tenant=other, slug="secret")
    assert viewer.get(pages_url(tenant, "/slug/secret")).status_code == 404
    assert viewer.get(pages_url(other, "/slug/secret")).status_code == 404


# --- update ------------------------------------------------------------------------------


def test_update_records_changes_and_emits_page_updated(editor, tenant):
    page = factories.page(tenant=tenant, title="Old", slug="old")
    response = editor.put(page_url(page), json={"title": "New", "description": "D"})
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert (data["title"], data["description"], data["slug"]) == ("New", "D", "old")
    entry = db.session.scalar(
        sa.select(AuditLog).where(AuditLog.resource_id == str(page.id), AuditLog.action == "update")
    )
    assert entry.changes["title"] == ["Old", "New"] and entry.changes["description"] == [None, "D"]
    assert "updated_at" not in entry.changes
    assert page_events(tenant) == Counter({"page.updated": 1})
    event = db.session.scalar(sa.select(Event).where(Event.type == "page.updated"))
    assert event.payload["data"]["title"] == "New"
    assert editor.patch(page_url(page), json={"title": "Patched"}).get_json()["data"]["title"] == "Patched"


def test_publishing_sets_published_at_once_and_emits_page_published(editor, tenant):
    page = factories.page(tenant=tenant)
    response = editor.put(page_url(page), json={"status": "published"})
    published_at = response.get_json()["data"]["publishedAt"]
    assert response.status_code == 200 and published_at is not None
    assert page_events(tenant) == Counter({"page.updated": 1, "page.published": 1})
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "publish"))
    assert entry.resource_id == str(page.id) and entry.changes["status"] == ["draft", "published"]
    assert editor.put(page_url(page), json={"status": "published"}).status_code == 200
    assert page_events(tenant)["page.published"] == 1, "already published: no second event"
    editor.put(page_url(page), json={"status": "draft"})
    again = editor.put(page_url(page), json={"status": "published"}).get_json()["data"]
    assert again["publishedAt"] == published_at, "publishedAt is kept once set"
    assert page_events(tenant)["page.published"] == 2


def test_one_homepage_per_tenant(editor, tenant):
    first = factories.page(tenant=tenant, is_homepage=True)
    second = factories.page(tenant=tenant)
    other_tenant_home = factories.page(tenant=factories.tenant(name="Other"), is_homepage=True)
    response = editor.put(page_url(second), json={"isHomepage": True})
    assert response.status_code == 200 and response.get_json()["data"]["isHomepage"] is True
    db.session.expire_all()
    assert db.session.get(Page, first.id).is_homepage is False
    assert db.session.get(Page, other_tenant_home.id).is_homepage is True
    assert page_events(tenant) == Counter({"page.updated": 2})
    created = create(editor, tenant, title="Newest", isHomepage=True).get_json()["data"]
    homes = db.session.scalars(
        sa.select(Page.id).where(Page.tenant_id == tenant.id, Page.is_homepage.is_(True))
    ).all()
    assert homes == [uuid.UUID(created["id"])]
    assert editor.put(page_url(second), json={"isHomepage": True}).status_code == 200
    assert editor.put(page_url(second), json={"isHomepage": True}).status_code == 200, "idempotent"
    assert editor.put(page_url(second), json={"isHomepage": False}).status_code == 200
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Page.id)).where(Page.tenant_id == tenant.id, Page.is_homepage.is_(True))
        )
        == 0
    )


def test_slug_update_conflicts_and_own_slug_is_fine(editor, tenant):
    factories.page(tenant=tenant, slug="taken")
    page = factories.page(tenant=tenant, slug="mine")
    assert editor.put(page_url(page), json={"slug": "taken"}).status_code == 409
    assert editor.put(page_url(page), json={"slug": "mine"}).status_code == 200
    assert editor.put(page_url(page), json={"slug": "renamed"}).get_json()["data"]["slug"] == "renamed"


def test_update_rejects_server_owned_and_create_only_fields(editor, tenant):
    page = factories.page(tenant=tenant)
    for field, value in [
        ("id", str(uuid.uuid4())),
        ("tenantId", str(uuid.uuid4())),
        ("createdAt", "2020-01-01T00:00:00Z"),
        ("updatedAt", "2020-01-01T00:00:00Z"),
        ("publishedAt", "2020-01-01T00:00:00Z"),
        ("createdBy", str(uuid.uuid4())),
        ("templateId", str(uuid.uuid4())),
        ("title", ""),
        ("slug", "Bad Slug"),
        ("status", "gone"),
    ]:
        response = editor.put(page_url(page), json={field: value})
        assert response.status_code == 422, field
        assert response.get_json()["error"]["details"][0]["field"] == field


# --- delete ------------------------------------------------------------------------------


def test_delete_cascades_and_emits_page_deleted(editor, tenant):
    page = factories.page(tenant=tenant)
    keep = factories.page(tenant=tenant)
    factories.section(page=page)
    factories.section(page=keep)
    db.session.add(SeoMetadata(tenant_id=tenant.id, page_id=page.id, meta_title="x"))
    db.session.add(NavigationItem(tenant_id=tenant.id, label="Go", page_id=page.id))
    template = make_template()
    db.session.add(PageTemplate(tenant_id=tenant.id, page_id=page.id, template_id=template.id))
    db.session.commit()
    response = editor.delete(page_url(page))
    assert response.status_code == 204 and response.data == b""
    db.session.expire_all()
    assert db.session.get(Page, page.id) is None
    for model in (Section, SeoMetadata, NavigationItem, PageTemplate):
        assert db.session.scalar(sa.select(model.id).where(model.page_id == page.id)) is None, model
    assert len(sections_of(keep.id)) == 1
    event = db.session.scalar(sa.select(Event).where(Event.type == "page.deleted"))
    assert event.payload["data"]["id"] == str(page.id)
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "delete"))
    assert entry.resource_id == str(page.id) and entry.old_value["slug"] == page.slug
    assert editor.get(page_url(page)).status_code == 404
    assert editor.delete(page_url(page)).status_code == 404


# --- duplicate ---------------------------------------------------------------------------


def test_duplicate_copies_page_sections_and_seo_as_a_draft(editor, editor_user, tenant):
    source = factories.page(
        tenant=tenant,
        title="Home",
        slug="home",
        status="published",
        is_homepage=True,
        description="Welcome",
    )
    for kind in ("hero", "text"):
        factories.section(page=source, type=kind, content={"kind": kind}, is_visible=kind == "hero")
    db.session.add(SeoMetadata(tenant_id=tenant.id, page_id=source.id, meta_title="Home", no_index=True))
    db.session.commit()
    response = editor.post(page_url(source, "/duplicate"))
    assert response.status_code == 201
    data = response.get_json()["data"]
    assert response.headers["Location"].endswith(pages_url(tenant, f"/{data['id']}"))
    assert data["slug"] == "home-copy" and data["title"] == "Home (copy)"
    assert data["status"] == "draft" and data["isHomepage"] is False and data["publishedAt"] is None
    assert data["description"] == "Welcome" and data["createdBy"] == str(editor_user.id)
    copied = sections_of(uuid.UUID(data["id"]))
    originals = sections_of(source.id)
    assert [(s.type, s.content, s.sort_order, s.is_visible) for s in copied] == [
        (s.type, s.content, s.sort_order, s.is_visible) for s in originals
    ]
    assert not {s.id for s in copied} & {s.id for s in originals}
    seo = db.session.scalar(sa.select(SeoMetadata).where(SeoMetadata.page_id == uuid.UUID(data["id"])))
    assert seo.meta_title == "Home" and seo.no_index is True and seo.tenant_id == tenant.id
    db.session.expire_all()
    assert db.session.get(Page, source.id).is_homepage is True, "the source stays the homepage"
    assert page_events(tenant) == Counter({"page.created": 1, "section.created": 2})
    slugs = [editor.post(page_url(source, "/duplicate")).get_json()["data"]["slug"] for _ in range(2)]
    assert slugs == ["home-copy-2", "home-copy-3"]


def test_duplicate_of_a_template_page_can_be_reset(editor, tenant):
    template = make_template()
    created = create(editor, tenant, title="From template", templateId=str(template.id)).get_json()["data"]
    source = db.session.get(Page, uuid.UUID(created["id"]))
    copy = editor.post(page_url(source, "/duplicate")).get_json()["data"]
    assert copy["templateId"] == str(template.id)
    response = editor.post(pages_url(tenant, f"/{copy['id']}/reset-template"))
    assert response.status_code == 200


# --- reset-template ----------------------------------------------------------------------


def test_reset_template_restores_the_templates_sections(editor, tenant):
    template = make_template()
    created = create(editor, tenant, title="Home", templateId=str(template.id)).get_json()["data"]
    page = db.session.get(Page, uuid.UUID(created["id"]))
    sections = sections_of(page.id)
    base = page_url(page, "/sections")
    editor.put(f"{base}/{sections[0].id}", json={"content": {"title": "Edited"}})
    editor.delete(f"{base}/{sections[2].id}")
    editor.post(base, json={"type": "faq"})
    record = db.session.scalar(sa.select(PageTemplate).where(PageTemplate.page_id == page.id))
    record.customizations = {"edited": True}
    db.session.commit()
    response = editor.post(page_url(page, "/reset-template"))
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert data["id"] == str(page.id) and data["templateId"] == str(template.id)
    assert [(s["type"], s["sortOrder"]) for s in data["sections"]] == [
        ("hero", 0),
        ("text", 1),
        ("contact", 2),
    ]
    assert data["sections"][0]["content"] == {"title": "Fresh food", "ctaText": "Book"}
    assert [(s.type, s.content) for s in sections_of(page.id)] == [
        (s["type"], s["content"]) for s in data["sections"]
    ]
    db.session.expire_all()
    assert db.session.get(PageTemplate, record.id).customizations == {}
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "reset_template"))
    assert entry.resource_id == str(page.id) and entry.changes["customizations"] == [{"edited": True}, {}]


def test_reset_template_uses_the_last_applied_template(editor, tenant):
    page = factories.page(tenant=tenant)
    older = make_template(structure={"sections": [{"type": "hero", "content": {}}]})
    newer = make_template(structure={"sections": [{"type": "faq", "content": {"q": "?"}}]})
    db.session.add_all(
        [
            PageTemplate(tenant_id=tenant.id, page_id=page.id, template_id=newer.id),
            PageTemplate(tenant_id=tenant.id, page_id=page.id, template_id=older.id),
        ]
    )
    db.session.flush()
    older_record = db.session.scalar(sa.select(PageTemplate).where(PageTemplate.template_id == older.id))
    newer_record = db.session.scalar(sa.select(PageTemplate).where(PageTemplate.template_id == newer.id))
    older_record.applied_at = newer_record.applied_at.replace(year=2020)
    db.session.commit()
    data = editor.post(page_url(page, "/reset-template")).get_json()["data"]
    assert [s["type"] for s in data["sections"]] == ["faq"]


def test_reset_template_without_a_template_is_422(editor, tenant):
    page = factories.page(tenant=tenant)
    factories.section(page=page)
    response = editor.post(page_url(page, "/reset-template"))
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "validation_error"
    assert len(sections_of(page.id)) == 1


# --- roles, isolation ----------------------------------------------------------------------


def test_viewer_can_read_but_not_write(viewer, tenant):
    page = factories.page(tenant=tenant)
    assert viewer.get(pages_url(tenant)).status_code == 200
    assert viewer.get(page_url(page)).status_code == 200
    assert viewer.get(pages_url(tenant, f"/slug/{page.slug}")).status_code == 200
    writes = [
        ("post", pages_url(tenant), {"title": "x"}),
        ("post", pages_url(tenant), {"title": ""}),
        ("put", page_url(page), {"title": "x"}),
        ("patch", page_url(page), {"bogus": True}),
        ("delete", page_url(page), None),
        ("post", page_url(page, "/duplicate"), None),
        ("post", page_url(page, "/reset-template"), None),
    ]
    for method, path, body in writes:
        response = getattr(viewer, method)(path, json=body)
        assert response.status_code == 403, (method, path, body)
        assert response.get_json()["error"]["code"] == "forbidden"
    assert db.session.scalar(sa.select(sa.func.count(Page.id)).where(Page.tenant_id == tenant.id)) == 1


def test_editor_and_above_can_write(app, tenant, super_client):
    set_plan(tenant, "pro")
    for role in ("editor", "admin", "owner"):
        client = factories.client_for(app, factories.user(tenant=tenant, role=role))
        assert create(client, tenant, title=role).status_code == 201, role
    response = create(super_client, tenant, title="By the operator")
    assert response.status_code == 201


def test_no_credentials_is_401(client, tenant):
    page = factories.page(tenant=tenant)
    assert client.get(pages_url(tenant)).status_code == 401
    assert client.get(page_url(page)).status_code == 401
    assert client.post(pages_url(tenant), json={"title": "x"}).status_code == 401
    assert client.delete(page_url(page)).status_code == 401


def test_other_tenants_pages_are_404(editor, tenant):
    other = factories.tenant(name="Other")
    theirs = factories.page(tenant=other, title="Theirs")
    forged = pages_url(tenant, f"/{theirs.id}")
    requests = [
        ("get", forged, None),
        ("get", f"{forged}?include=sections,seo", None),
        ("put", forged, {"title": "Hijack"}),
        ("delete", forged, None),
        ("post", f"{forged}/duplicate", None),
        ("post", f"{forged}/reset-template", None),
        ("get", pages_url(other), None),
        ("post", pages_url(other), {"title": "Intruder"}),
        ("get", page_url(theirs), None),
        ("delete", page_url(theirs), None),
    ]
    for method, path, body in requests:
        response = getattr(editor, method)(path, json=body)
        assert response.status_code == 404, (method, path)
        assert response.get_json()["error"]["code"] == "not_found"
    db.session.expire_all()
    assert db.session.get(Page, theirs.id).title == "Theirs"
    assert db.session.scalar(sa.select(sa.func.count(Page.id)).where(Page.tenant_id == other.id)) == 1


def test_other_tenants_page_is_404_before_the_body_or_the_role_is_checked(editor, viewer, tenant):
    theirs = factories.page(tenant=factories.tenant(name="Other"))
    forged = pages_url(tenant, f"/{theirs.id}")
    for client in (editor, viewer):
        assert client.put(forged, json={"title": "", "bogus": 1}).status_code == 404
        assert client.patch(forged, json=[]).status_code == 404
        assert client.delete(forged).status_code == 404
        assert client.post(f"{forged}/duplicate").status_code == 404
        assert client.get(f"{forged}?include=bogus").status_code == 404


def test_unknown_and_non_uuid_ids_are_404(editor, tenant):
    assert editor.get(pages_url(tenant, "/not-a-uuid")).status_code == 404
    assert editor.get(pages_url(tenant, f"/{uuid.uuid4()}")).status_code == 404
    assert editor.put(pages_url(tenant, f"/{uuid.uuid4()}"), json={"title": "x"}).status_code == 404
    assert editor.post(pages_url(tenant, f"/{uuid.uuid4()}/duplicate")).status_code == 404
    assert editor.get(f"/api/tenants/{uuid.uuid4()}/pages").status_code == 404


def test_super_admin_works_across_tenants(super_client, tenant):
    page = factories.page(tenant=tenant)
    assert super_client.get(page_url(page)).status_code == 200
    response = super_client.put(page_url(page), json={"title": "Fixed by support"})
    assert response.status_code == 200
    assert response.get_json()["data"]["createdBy"] is None


# --- query counts --------------------------------------------------------------------------


def test_page_list_runs_a_constant_number_of_queries(app, tenant):
    set_plan(tenant, "pro")
    viewer = factories.client_for(app, factories.user(tenant=tenant, role="viewer"))
    other = factories.tenant(name="Big")
    big_viewer = factories.client_for(app, factories.user(tenant=other, role="viewer"))
    factories.page(tenant=tenant)
    for _ in range(50):
        factories.page(tenant=other)
    small_url, large_url = pages_url(tenant, "?limit=100"), pages_url(other, "?limit=100")
    with count_queries() as one:
        response = viewer.get(small_url)
    assert len(response.get_json()["data"]) == 1
    with count_queries() as fifty:
        response = big_viewer.get(large_url)
    assert len(response.get_json()["data"]) == 50
    assert len(one) == len(fifty), (one, fifty)
    assert len(fifty) <= 4


def test_page_detail_with_includes_runs_a_constant_number_of_queries(viewer, tenant):
    small, large = factories.page(tenant=tenant), factories.page(tenant=tenant)
    factories.section(page=small)
    for _ in range(50):
        factories.section(page=large)
    for page in (small, large):
        db.session.add(SeoMetadata(tenant_id=tenant.id, page_id=page.id, meta_title="t"))
    db.session.commit()
    viewer.get("/api/auth/me")  # the principal is cached from here on: compare the page work alone
    for build in (
        lambda page: page_url(page, "?include=sections,seo"),
        lambda page: pages_url(tenant, f"/slug/{page.slug}?include=sections,seo"),
    ):
        small_url, large_url = build(small), build(large)
        db.session.expire_all()  # as in a request's fresh session: nothing already loaded
        with count_queries() as one:
            response = viewer.get(small_url)
        assert len(response.get_json()["data"]["sections"]) == 1
        db.session.expire_all()
        with count_queries() as fifty:
            response = viewer.get(large_url)
        assert len(response.get_json()["data"]["sections"]) == 50
        assert response.get_json()["data"]["seo"]["metaTitle"] == "t"
        assert len(one) == len(fifty), (one, fifty)
        assert len(fifty) <= 5


def test_a_templates_seo_is_applied_with_its_sections(editor, tenant):
    structure = {**TEMPLATE_STRUCTURE, "seo": {"metaTitle": "Fresh food daily", "keywords": ["bistro"]}}
    template = make_template(structure=structure)
    created = create(editor, tenant, title="Home", templateId=str(template.id)).get_json()["data"]
    seo = editor.get(f"/api/tenants/{tenant.id}/pages/{created['id']}/seo").get_json()["data"]
    assert seo["metaTitle"] == "Fresh food daily" and seo["keywords"] == ["bistro"]


def test_reset_to_a_premium_template_needs_the_plan_still(editor, tenant):
    set_plan(tenant, "pro")
    template = make_template(premium=True)
    created = create(editor, tenant, title="Home", templateId=str(template.id)).get_json()["data"]
    set_plan(tenant, "free")
    page = db.session.get(Page, uuid.UUID(created["id"]))
    response = editor.post(page_url(page, "/reset-template"))
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "plan_limit_exceeded"
