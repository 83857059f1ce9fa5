"""Sections: positions, validation, sanitizing, reorder, bulk, roles, tenant isolation, query counts."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from siteninja.core.redis import redis_client
from siteninja.extensions import db
from siteninja.models import AuditLog, Event, Section
from tests import factories
from tests.conftest import count_queries
from tests.xss_corpus import BENIGN, XSS_PAYLOADS, dangerous_parts


def url(page, suffix: str = "") -> str:
    return f"/api/tenants/{page.tenant_id}/pages/{page.id}/sections{suffix}"


@pytest.fixture
def editor(app, tenant):
    return factories.client_for(app, factories.user(tenant=tenant, role="editor"))


@pytest.fixture
def viewer(app, tenant):
    return factories.client_for(app, factories.user(tenant=tenant, role="viewer"))


@pytest.fixture
def page(tenant):
    return factories.page(tenant=tenant, title="Home", slug="home")


def stored(page) -> list[tuple[str, int]]:
    """(type, sortOrder) of the page's sections as stored, in order."""
    db.session.expire_all()
    rows = db.session.execute(
        sa.select(Section.type, Section.sort_order)
        .where(Section.page_id == page.id)
        .order_by(Section.sort_order)
    )
    return [tuple(row) for row in rows]


def event_types(tenant) -> list[str]:
    stmt = sa.select(Event.type).where(Event.tenant_id == tenant.id, Event.type.like("section.%"))
    return sorted(db.session.scalars(stmt))


def make(client, page, **body):
    body.setdefault("type", "text")
    return client.post(url(page), json=body)


# --- create, read, update, delete -------------------------------------------------------


def test_create_appends_at_the_end_with_location_audit_and_event(editor, page, tenant):
    first = make(editor, page, type="hero", content={"title": "Welcome"})
    assert first.status_code == 201
    data = first.get_json()["data"]
    assert data["sortOrder"] == 0 and data["isVisible"] is True
    assert data["pageId"] == str(page.id) and data["content"] == {"title": "Welcome"}
    assert set(data) == {
        "id",
        "pageId",
        "type",
        "content",
        "sortOrder",
        "isVisible",
        "createdAt",
        "updatedAt",
    }
    assert first.headers["Location"].endswith(url(page, f"/{data['id']}"))
    second = make(editor, page, isVisible=False)
    assert second.get_json()["data"]["sortOrder"] == 1
    assert second.get_json()["data"]["content"] == {}
    assert stored(page) == [("hero", 0), ("text", 1)]
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.resource_id == data["id"]))
    assert (entry.action, entry.resource_type, entry.tenant_id) == ("create", "section", tenant.id)
    assert entry.new_value["content"] == {"title": "Welcome"}
    assert event_types(tenant) == ["section.created", "section.created"]
    event = db.session.scalar(sa.select(Event).where(Event.type == "section.created").limit(1))
    assert event.payload["data"]["pageId"] == str(page.id)


def test_create_at_a_position_shifts_the_later_sections(editor, page):
    for kind in ("hero", "text", "cta"):
        factories.section(page=page, type=kind)
    response = make(editor, page, type="faq", sortOrder=1)
    assert response.status_code == 201
    assert response.get_json()["data"]["sortOrder"] == 1
    assert stored(page) == [("hero", 0), ("faq", 1), ("text", 2), ("cta", 3)]
    assert make(editor, page, type="team", sortOrder=0).get_json()["data"]["sortOrder"] == 0
    beyond = make(editor, page, type="custom", sortOrder=99)
    assert beyond.get_json()["data"]["sortOrder"] == 5, "a position past the end appends"
    assert [s for _, s in stored(page)] == [0, 1, 2, 3, 4, 5]


def test_list_is_ordered_filtered_and_paginated(viewer, page):
    factories.section(page=page, type="cta", sort_order=2)
    factories.section(page=page, type="hero", sort_order=0)
    factories.section(page=page, type="text", sort_order=1, is_visible=False)
    body = viewer.get(url(page)).get_json()
    assert [s["type"] for s in body["data"]] == ["hero", "text", "cta"]
    assert body["pagination"]["total"] == 3 and body["pagination"]["limit"] == 100
    assert [s["type"] for s in viewer.get(url(page, "?sort=-sortOrder")).get_json()["data"]] == [
        "cta",
        "text",
        "hero",
    ]
    assert [s["type"] for s in viewer.get(url(page, "?type=text")).get_json()["data"]] == ["text"]
    visible = viewer.get(url(page, "?isVisible=true")).get_json()["data"]
    assert [s["type"] for s in visible] == ["hero", "cta"]
    paged = viewer.get(url(page, "?limit=2&page=2")).get_json()
    assert [s["type"] for s in paged["data"]] == ["cta"] and paged["pagination"]["hasPrev"] is True


def test_list_rejects_bad_query_args(viewer, page):
    for query in ["limit=101", "page=0", "sort=title", "type=banner", "isVisible=maybe", "bogus=1"]:
        response = viewer.get(url(page, f"?{query}"))
        assert response.status_code == 422, query
        assert response.get_json()["error"]["details"][0]["field"] == query.split("=")[0], query


def test_get_update_and_audit_changes(editor, page, tenant):
    section = factories.section(page=page, type="text", content={"title": "Old"})
    response = editor.get(url(page, f"/{section.id}"))
    assert response.status_code == 200 and response.get_json()["data"]["content"] == {"title": "Old"}
    response = editor.put(
        url(page, f"/{section.id}"), json={"content": {"title": "New"}, "isVisible": False, "type": "cta"}
    )
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert (data["content"], data["isVisible"], data["type"]) == ({"title": "New"}, False, "cta")
    entry = db.session.scalar(
        sa.select(AuditLog).where(AuditLog.resource_id == str(section.id), AuditLog.action == "update")
    )
    assert entry.changes["content"] == [{"title": "Old"}, {"title": "New"}]
    assert entry.changes["is_visible"] == [True, False]
    assert entry.changes["type"] == ["text", "cta"]
    assert event_types(tenant) == ["section.updated"]
    patched = editor.patch(url(page, f"/{section.id}"), json={"isVisible": True})
    assert patched.status_code == 200 and patched.get_json()["data"]["isVisible"] is True


def test_update_sort_order_moves_the_section(editor, page):
    sections = [factories.section(page=page, type=kind) for kind in ("hero", "text", "cta", "faq")]
    response = editor.put(url(page, f"/{sections[0].id}"), json={"sortOrder": 2})
    assert response.status_code == 200 and response.get_json()["data"]["sortOrder"] == 2
    assert stored(page) == [("text", 0), ("cta", 1), ("hero", 2), ("faq", 3)]
    editor.put(url(page, f"/{sections[3].id}"), json={"sortOrder": 0})
    assert stored(page) == [("faq", 0), ("text", 1), ("cta", 2), ("hero", 3)]


def test_delete_closes_the_gap(editor, page, tenant):
    sections = [factories.section(page=page, type=kind) for kind in ("hero", "text", "cta")]
    response = editor.delete(url(page, f"/{sections[1].id}"))
    assert response.status_code == 204 and response.data == b""
    assert stored(page) == [("hero", 0), ("cta", 1)]
    assert editor.get(url(page, f"/{sections[1].id}")).status_code == 404
    entry = db.session.scalar(
        sa.select(AuditLog).where(AuditLog.resource_id == str(sections[1].id), AuditLog.action == "delete")
    )
    assert entry.old_value["type"] == "text" and entry.new_value is None
    event = db.session.scalar(sa.select(Event).where(Event.type == "section.deleted"))
    assert event.payload["data"]["id"] == str(sections[1].id)


# --- validation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "type"),
        ({"type": "banner"}, "type"),
        ({"type": 3}, "type"),
        ({"type": "text", "content": []}, "content"),
        ({"type": "text", "content": "<p>x</p>"}, "content"),
        ({"type": "text", "content": None}, "content"),
        ({"type": "text", "content": {"t": "x" * (64 * 1024)}}, "content"),
        ({"type": "text", "content": {"t": "nul\x00"}}, "content.t"),
        ({"type": "text", "isVisible": "yes"}, "isVisible"),
        ({"type": "text", "isVisible": 1}, "isVisible"),
        ({"type": "text", "isVisible": None}, "isVisible"),
        ({"type": "text", "sortOrder": "1"}, "sortOrder"),
        ({"type": "text", "sortOrder": -1}, "sortOrder"),
        ({"type": "text", "sortOrder": 1.5}, "sortOrder"),
        ({"type": "text", "sortOrder": True}, "sortOrder"),
        ({"type": "text", "id": str(uuid.uuid4())}, "id"),
        ({"type": "text", "pageId": str(uuid.uuid4())}, "pageId"),
        ({"type": "text", "createdAt": "2020-01-01T00:00:00Z"}, "createdAt"),
        ({"type": "text", "updatedAt": "2020-01-01T00:00:00Z"}, "updatedAt"),
        ({"type": "text", "tenantId": str(uuid.uuid4())}, "tenantId"),
        ({"type": "text", "sort_order": 1}, "sort_order"),
        ({"type": "text", "bogus": 1}, "bogus"),
    ],
)
def test_create_validation_names_the_field(editor, page, body, field):
    response = editor.post(url(page), json=body)
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert [d["field"] for d in error["details"]] == [field]
    assert stored(page) == []


def test_content_just_under_the_limit_is_accepted(editor, page):
    filler = "x" * (64 * 1024 - len('{"t":""}'))
    assert make(editor, page, content={"t": filler}).status_code == 201
    assert make(editor, page, content={"t": filler + "x"}).status_code == 422


def test_update_validation_and_server_owned_fields(editor, page):
    section = factories.section(page=page)
    for body, field in [
        ({"id": str(uuid.uuid4())}, "id"),
        ({"pageId": str(uuid.uuid4())}, "pageId"),
        ({"createdAt": "2020-01-01T00:00:00Z"}, "createdAt"),
        ({"type": "nope"}, "type"),
        ({"content": [1]}, "content"),
        ({"isVisible": "false"}, "isVisible"),
    ]:
        response = editor.put(url(page, f"/{section.id}"), json=body)
        assert response.status_code == 422, body
        assert response.get_json()["error"]["details"][0]["field"] == field


def test_non_object_body_is_422(editor, page):
    assert editor.post(url(page), json=[{"type": "text"}]).status_code == 422
    assert editor.post(url(page), json="text").status_code == 422


# --- sanitizing ------------------------------------------------------------------------


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_xss_payloads_do_not_survive_a_write(editor, page, payload):
    content = {
        "title": "<b>x</b>",
        "bodyHtml": payload,
        "items": [{"title": payload, "descriptionHtml": payload}],
    }
    response = make(editor, page, content=content)
    assert response.status_code == 201
    returned = response.get_json()["data"]["content"]
    db.session.expire_all()
    saved = db.session.get(Section, uuid.UUID(response.get_json()["data"]["id"])).content
    assert saved == returned
    for html in (returned["bodyHtml"], returned["items"][0]["descriptionHtml"]):
        assert dangerous_parts(html) == [], (payload, html)
    assert returned["title"] == "<b>x</b>", "plain-text keys are stored verbatim"
    assert returned["items"][0]["title"] == payload, "plain-text keys are stored verbatim"


@pytest.mark.parametrize(("html", "expected"), BENIGN)
def test_benign_formatting_survives_a_write(editor, page, html, expected):
    response = make(editor, page, content={"bodyHtml": html, "items": [{"descriptionHtml": html}]})
    content = response.get_json()["data"]["content"]
    assert content == {"bodyHtml": expected, "items": [{"descriptionHtml": expected}]}


def test_updates_and_bulk_writes_are_sanitized_too(editor, page):
    section = factories.section(page=page)
    evil = '<p onclick="x()">hi</p><script>alert(1)</script>'
    response = editor.put(url(page, f"/{section.id}"), json={"content": {"introHTML": evil, "note": evil}})
    assert response.get_json()["data"]["content"] == {"introHTML": "<p>hi</p>", "note": evil}
    response = editor.post(
        url(page, "/bulk"),
        json={
            "operations": [
                {"op": "create", "data": {"type": "text", "content": {"html": evil}}},
                {"op": "update", "id": str(section.id), "data": {"content": {"bodyHtml": evil}}},
            ]
        },
    )
    results = response.get_json()["data"]["results"]
    assert results[0]["data"]["content"] == {"html": "<p>hi</p>"}
    assert results[1]["data"]["content"] == {"bodyHtml": "<p>hi</p>"}


# --- reorder ---------------------------------------------------------------------------


def test_reorder_applies_the_new_order(editor, page, tenant):
    sections = [factories.section(page=page, type=kind) for kind in ("hero", "text", "cta")]
    order = [str(sections[2].id), str(sections[0].id), str(sections[1].id)]
    response = editor.put(url(page, "/reorder"), json={"order": order})
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert [s["id"] for s in data] == order and [s["sortOrder"] for s in data] == [0, 1, 2]
    assert stored(page) == [("cta", 0), ("hero", 1), ("text", 2)]
    assert event_types(tenant) == ["section.updated"] * 3
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "reorder"))
    assert entry.resource_id == str(page.id)
    assert entry.changes["section_order"][1] == order


def test_reorder_must_list_exactly_the_pages_sections(app, editor, page, tenant):
    sections = [factories.section(page=page, type=kind) for kind in ("hero", "text", "cta")]
    ids = [str(s.id) for s in sections]
    elsewhere = factories.section(page=factories.page(tenant=tenant))
    foreign = factories.section(page=factories.page(tenant=factories.tenant(name="Other")))
    for order in [
        ids[:2],
        [*ids, str(uuid.uuid4())],
        [*ids, str(elsewhere.id)],
        [*ids, str(foreign.id)],
        [ids[0], ids[1], ids[2], ids[0]],
        [ids[0], ids[0], ids[1]],
        [],
    ]:
        response = editor.put(url(page, "/reorder"), json={"order": order})
        assert response.status_code == 422, order
        assert response.get_json()["error"]["details"][0]["field"] == "order"
    for body in [{"order": "abc"}, {"order": None}, {}, {"order": ids, "extra": 1}]:
        response = editor.put(url(page, "/reorder"), json=body)
        assert response.status_code == 422, body
    response = editor.put(url(page, "/reorder"), json={"order": [ids[0], "nope", ids[2]]})
    assert response.get_json()["error"]["details"][0]["field"] == "order.1"
    assert stored(page) == [("hero", 0), ("text", 1), ("cta", 2)], "nothing moved"


def test_reorder_of_an_empty_page_is_an_empty_list(editor, page):
    response = editor.put(url(page, "/reorder"), json={"order": []})
    assert response.status_code == 200 and response.get_json()["data"] == []


# --- bulk ------------------------------------------------------------------------------


def test_bulk_applies_every_operation_in_order(editor, page, tenant):
    keep, change, drop = (factories.section(page=page, type=kind) for kind in ("hero", "text", "cta"))
    operations = [
        {"op": "create", "data": {"type": "faq", "content": {"q": "?"}}},
        {"op": "update", "id": str(change.id), "data": {"content": {"title": "Changed"}}},
        {"op": "delete", "id": str(drop.id)},
        {"op": "create", "data": {"type": "team", "sortOrder": 0}},
        {"op": "update", "id": str(keep.id), "data": {}},
    ]
    response = editor.post(url(page, "/bulk"), json={"operations": operations})
    assert response.status_code == 200, response.get_json()
    results = response.get_json()["data"]["results"]
    assert [r["op"] for r in results] == ["create", "update", "delete", "create", "update"]
    assert results[1]["id"] == str(change.id) and results[1]["data"]["content"] == {"title": "Changed"}
    assert results[2] == {"op": "delete", "id": str(drop.id), "data": None}
    assert results[0]["data"]["type"] == "faq" and results[0]["id"] == results[0]["data"]["id"]
    assert stored(page) == [("team", 0), ("hero", 1), ("text", 2), ("faq", 3)]
    assert [r["data"]["sortOrder"] for r in results if r["data"]] == [3, 2, 0, 1]
    assert event_types(tenant) == sorted(
        ["section.created", "section.updated", "section.deleted", "section.created", "section.updated"]
    )
    actions = db.session.scalars(sa.select(AuditLog.action).where(AuditLog.resource_type == "section"))
    assert sorted(actions) == ["create", "create", "delete", "update", "update"]


def test_bulk_is_all_or_nothing_on_an_unknown_id(editor, page, tenant):
    section = factories.section(page=page, type="hero")
    foreign = factories.section(page=factories.page(tenant=factories.tenant(name="Other")))
    for bad_id in (str(uuid.uuid4()), str(foreign.id)):
        operations = [
            {"op": "create", "data": {"type": "faq"}},
            {"op": "update", "id": str(section.id), "data": {"type": "cta"}},
            {"op": "delete", "id": bad_id},
        ]
        response = editor.post(url(page, "/bulk"), json={"operations": operations})
        assert response.status_code == 404
        assert response.get_json()["error"]["details"] == [
            {"field": "operations.2.id", "message": "No such section on this page"}
        ]
    assert stored(page) == [("hero", 0)]
    assert event_types(tenant) == []
    assert db.session.scalar(sa.select(AuditLog.id).where(AuditLog.resource_type == "section")) is None
    db.session.expire_all()
    assert db.session.scalars(sa.select(Section.id).where(Section.page_id == foreign.page_id)).all()


def test_bulk_update_then_delete_of_one_section(editor, page, tenant):
    section = factories.section(page=page, type="hero")
    ops = [
        {"op": "update", "id": str(section.id), "data": {"type": "cta"}},
        {"op": "delete", "id": str(section.id)},
    ]
    response = editor.post(url(page, "/bulk"), json={"operations": ops})
    assert response.status_code == 200
    results = response.get_json()["data"]["results"]
    assert results[0]["data"]["type"] == "cta" and results[1]["data"] is None
    assert stored(page) == []
    assert event_types(tenant) == ["section.deleted", "section.updated"]


def test_bulk_deleting_the_same_section_twice_fails_as_a_whole(editor, page):
    section = factories.section(page=page)
    ops = [{"op": "delete", "id": str(section.id)}, {"op": "delete", "id": str(section.id)}]
    response = editor.post(url(page, "/bulk"), json={"operations": ops})
    assert response.status_code == 404
    assert response.get_json()["error"]["details"][0]["field"] == "operations.1.id"
    assert stored(page) == [("text", 0)]


@pytest.mark.parametrize(
    ("operation", "field"),
    [
        ({"op": "create", "data": {"type": "banner"}}, "operations.3.data.type"),
        ({"op": "create", "data": {"type": "text", "content": []}}, "operations.3.data.content"),
        ({"op": "create", "data": {"type": "text", "bogus": 1}}, "operations.3.data.bogus"),
        ({"op": "create", "data": {}}, "operations.3.data.type"),
        ({"op": "create"}, "operations.3.data"),
        ({"op": "create", "id": "00000000-0000-0000-0000-000000000001", "data": {"type": "text"}}, None),
        ({"op": "update", "data": {"type": "text"}}, "operations.3.id"),
        ({"op": "update", "id": "not-a-uuid", "data": {}}, "operations.3.id"),
        ({"op": "update", "id": "00000000-0000-0000-0000-000000000001", "data": {"id": "x"}}, None),
        ({"op": "delete"}, "operations.3.id"),
        ({"op": "delete", "id": "00000000-0000-0000-0000-000000000001", "data": {}}, "operations.3.data"),
        ({"op": "upsert", "data": {}}, "operations.3.op"),
        ({"data": {"type": "text"}}, "operations.3.op"),
        ({"op": "create", "data": {"type": "text"}, "extra": True}, "operations.3.extra"),
        ({"op": "create", "data": "text"}, "operations.3.data"),
        ("create", "operations.3"),
    ],
)
def test_bulk_validation_names_the_failing_operation(editor, page, tenant, operation, field):
    section = factories.section(page=page, type="hero")
    operations = [
        {"op": "create", "data": {"type": "faq"}},
        {"op": "update", "id": str(section.id), "data": {"type": "cta"}},
        {"op": "create", "data": {"type": "team"}},
        operation,
    ]
    response = editor.post(url(page, "/bulk"), json={"operations": operations})
    assert response.status_code == 422, response.get_json()
    fields = [d["field"] for d in response.get_json()["error"]["details"]]
    if field is None:
        assert all(f.startswith("operations.3.") for f in fields), fields
    else:
        assert fields == [field]
    assert stored(page) == [("hero", 0)]
    assert event_types(tenant) == []


def test_bulk_limits_the_number_of_operations(editor, page):
    too_many = [{"op": "create", "data": {"type": "text"}}] * 101
    for body in ({"operations": too_many}, {"operations": []}, {"operations": {}}, {}):
        response = editor.post(url(page, "/bulk"), json=body)
        assert response.status_code == 422, body
        assert response.get_json()["error"]["details"][0]["field"] == "operations"
    response = editor.post(url(page, "/bulk"), json={"operations": too_many[:100]})
    assert response.status_code == 200
    assert len(response.get_json()["data"]["results"]) == 100
    assert [s for _, s in stored(page)] == list(range(100))


# --- roles, isolation, routing -----------------------------------------------------------


def test_viewer_reads_but_cannot_write(viewer, page):
    section = factories.section(page=page)
    assert viewer.get(url(page)).status_code == 200
    assert viewer.get(url(page, f"/{section.id}")).status_code == 200
    writes = [
        ("post", url(page), {"type": "text"}),
        ("post", url(page), {"type": "invalid"}),
        ("put", url(page, f"/{section.id}"), {"isVisible": False}),
        ("patch", url(page, f"/{section.id}"), {"bogus": 1}),
        ("delete", url(page, f"/{section.id}"), None),
        ("put", url(page, "/reorder"), {"order": [str(section.id)]}),
        ("post", url(page, "/bulk"), {"operations": [{"op": "delete", "id": str(section.id)}]}),
        ("post", url(page, "/bulk"), {"operations": "bad"}),
    ]
    for method, path, body in writes:
        response = getattr(viewer, method)(path, json=body)
        assert response.status_code == 403, (method, path, body)
        assert response.get_json()["error"]["code"] == "forbidden"
    assert stored(page) == [("text", 0)]


def test_roles_from_editor_up_can_write(app, tenant, page, super_client):
    for role in ("editor", "admin", "owner"):
        client = factories.client_for(app, factories.user(tenant=tenant, role=role))
        assert make(client, page).status_code == 201, role
    assert make(super_client, page).status_code == 201
    assert len(stored(page)) == 4


def test_no_credentials_is_401(client, page):
    section = factories.section(page=page)
    assert client.get(url(page)).status_code == 401
    assert client.get(url(page, f"/{section.id}")).status_code == 401
    assert client.post(url(page), json={"type": "text"}).status_code == 401
    assert client.post(url(page, "/bulk"), json={"operations": []}).status_code == 401


def test_other_tenants_pages_and_sections_are_404(editor, page, tenant):
    other_tenant = factories.tenant(name="Other")
    other_page = factories.page(tenant=other_tenant)
    other_section = factories.section(page=other_page)
    own_section = factories.section(page=page)
    sibling_page = factories.page(tenant=tenant)
    # Another tenant's page through our own tenant's path.
    forged = f"/api/tenants/{tenant.id}/pages/{other_page.id}/sections"
    requests = [
        ("get", forged, None),
        ("post", forged, {"type": "text"}),
        ("put", f"{forged}/reorder", {"order": [str(other_section.id)]}),
        ("post", f"{forged}/bulk", {"operations": [{"op": "delete", "id": str(other_section.id)}]}),
        ("get", f"{forged}/{other_section.id}", None),
        ("put", f"{forged}/{other_section.id}", {"isVisible": False}),
        ("delete", f"{forged}/{other_section.id}", None),
        # Another tenant's section under our own page, and our section under another page.
        ("get", url(page, f"/{other_section.id}"), None),
        ("put", url(page, f"/{other_section.id}"), {"isVisible": False}),
        ("delete", url(page, f"/{other_section.id}"), None),
        ("get", url(sibling_page, f"/{own_section.id}"), None),
        ("delete", url(sibling_page, f"/{own_section.id}"), None),
        # The other tenant's own path.
        ("get", url(other_page), None),
        ("post", url(other_page), {"type": "text"}),
        ("get", url(other_page, f"/{other_section.id}"), None),
    ]
    for method, path, body in requests:
        response = getattr(editor, method)(path, json=body)
        assert response.status_code == 404, (method, path)
        assert response.get_json()["error"]["code"] == "not_found"
    db.session.expire_all()
    assert db.session.get(Section, other_section.id).is_visible is True
    assert db.session.get(Section, own_section.id) is not None


def test_other_tenants_ids_are_404_before_the_body_or_the_role_is_checked(app, editor, viewer, page):
    other_page = factories.page(tenant=factories.tenant(name="Other"))
    other_section = factories.section(page=other_page)
    forged = f"/api/tenants/{page.tenant_id}/pages/{other_page.id}/sections"
    for client in (editor, viewer):
        for method, path in [
            ("post", forged),
            ("put", f"{forged}/reorder"),
            ("post", f"{forged}/bulk"),
            ("put", f"{forged}/{other_section.id}"),
            ("put", url(page, f"/{other_section.id}")),
        ]:
            response = getattr(client, method)(path, json={"type": 42, "order": "x", "operations": 1})
            assert response.status_code == 404, (method, path, response.get_json())


def test_non_uuid_ids_are_404_and_actions_do_not_collide(editor, page):
    assert editor.get(url(page, "/not-a-uuid")).status_code == 404
    assert editor.get(f"/api/tenants/{page.tenant_id}/pages/nope/sections").status_code == 404
    assert editor.get(url(page, "/reorder")).status_code == 405
    assert editor.get(url(page, "/bulk")).status_code == 405
    assert editor.delete(url(page, "/bulk")).status_code == 405


def test_unknown_section_is_404(editor, page):
    missing = uuid.uuid4()
    assert editor.get(url(page, f"/{missing}")).status_code == 404
    assert editor.put(url(page, f"/{missing}"), json={"isVisible": True}).status_code == 404
    assert editor.delete(url(page, f"/{missing}")).status_code == 404


# --- query counts ------------------------------------------------------------------------


def test_section_list_runs_a_constant_number_of_queries(viewer, tenant):
    small, large = factories.page(tenant=tenant), factories.page(tenant=tenant)
    factories.section(page=small)
    for _ in range(50):
        factories.section(page=large)
    small_url, large_url = url(small), url(large)
    viewer.get("/api/auth/me")  # the principal is cached from here on: compare the list work alone
    with count_queries() as one:
        response = viewer.get(small_url)
    assert len(response.get_json()["data"]) == 1
    with count_queries() as fifty:
        response = viewer.get(large_url)
    assert len(response.get_json()["data"]) == 50
    assert len(one) == len(fifty), (one, fifty)
    assert len(fifty) <= 5


def test_a_section_create_takes_at_most_thirteen_statements(app, tenant, editor):
    page = factories.page(tenant=tenant)
    url_ = url(page)
    assert editor.post(url_, json={"type": "text", "content": {"title": "warm"}}).status_code == 201
    db.session.expire_all()  # as in a request's fresh session
    with count_queries() as statements:
        response = editor.post(url_, json={"type": "text", "content": {"title": "Counted"}})
    assert response.status_code == 201 and response.get_json()["data"]["sortOrder"] == 1
    # The page, lock + count, section, audit, event, webhook fan-out, and the revision (the page's
    # sections; lock + last number + SEO; insert), the search index of the page (page + SEO,
    # sections, delete, insert); without Redis (the embedded default) no principal is cached, so the
    # caller is looked up too.
    assert len(statements) <= (13 if redis_client() else 14), statements
