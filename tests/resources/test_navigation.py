"""Navigation: targets, URL safety, depth and cycles, locations, ordering, trees, cascades, access."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from siteninja.extensions import db
from siteninja.models import NavigationItem
from tests import factories
from tests.conftest import count_queries
from tests.resources.site_helpers import (
    audit_entries,
    delete_page,
    error_fields,
    key_client,
    make_page,
    role_client,
)


def base(tenant) -> str:
    return f"/api/tenants/{tenant.id}/navigation"


def create(client, tenant, **body):
    body.setdefault("label", "Home")
    if "pageId" not in body:
        body.setdefault("url", "/")
    return client.post(base(tenant), json=body)


def stored(item_id) -> NavigationItem | None:
    db.session.expire_all()
    return db.session.get(NavigationItem, uuid.UUID(str(item_id)))


# --- create, read, update, delete -------------------------------------------------------------


def test_create_returns_201_with_location_defaults_and_audit(owner_client, tenant):
    response = create(owner_client, tenant, label="Contact", url="https://example.com/contact")
    assert response.status_code == 201
    data = response.get_json()["data"]
    assert response.headers["Location"].endswith(f"{base(tenant)}/{data['id']}")
    assert data["tenantId"] == str(tenant.id)
    assert data["label"] == "Contact"
    assert data["url"] == "https://example.com/contact"
    assert data["pageId"] is None and data["parentId"] is None
    assert data["location"] == "header"
    assert data["sortOrder"] == 0
    assert data["isVisible"] is True and data["openInNewTab"] is False
    assert data["createdAt"].endswith("Z") and data["updatedAt"].endswith("Z")
    assert "children" not in data
    (entry,) = audit_entries(data["id"], "create")
    assert entry.resource_type == "navigation_item" and entry.tenant_id == tenant.id
    assert entry.new_value["label"] == "Contact"
    assert entry.request_id == response.headers["X-Request-ID"]


def test_create_with_page_and_all_fields(owner_client, tenant):
    page = make_page(tenant)
    response = create(
        owner_client,
        tenant,
        label="About",
        pageId=str(page.id),
        location="footer",
        sortOrder=7,
        isVisible=False,
        openInNewTab=True,
    )
    assert response.status_code == 201, response.get_json()
    data = response.get_json()["data"]
    assert data["pageId"] == str(page.id) and data["url"] is None
    assert (data["location"], data["sortOrder"], data["isVisible"], data["openInNewTab"]) == (
        "footer",
        7,
        False,
        True,
    )


def test_new_items_are_appended_to_their_siblings(owner_client, tenant):
    first = create(owner_client, tenant).get_json()["data"]
    second = create(owner_client, tenant).get_json()["data"]
    footer = create(owner_client, tenant, location="footer").get_json()["data"]
    child = create(owner_client, tenant, parentId=first["id"]).get_json()["data"]
    assert (first["sortOrder"], second["sortOrder"], footer["sortOrder"], child["sortOrder"]) == (0, 1, 0, 0)


def test_get_update_and_patch_with_audit_changes(owner_client, tenant):
    item = factories.nav_item(tenant=tenant, label="Old")
    response = owner_client.get(f"{base(tenant)}/{item.id}")
    assert response.status_code == 200
    assert response.get_json()["data"]["label"] == "Old"
    assert response.headers["ETag"]
    response = owner_client.put(f"{base(tenant)}/{item.id}", json={"label": "New", "isVisible": False})
    assert response.status_code == 200
    assert response.get_json()["data"]["label"] == "New"
    response = owner_client.patch(f"{base(tenant)}/{item.id}", json={"openInNewTab": True})
    assert response.status_code == 200
    assert response.get_json()["data"]["label"] == "New"
    first, second = audit_entries(item.id, "update")
    assert first.changes == {"label": ["Old", "New"], "is_visible": [True, False]}
    assert second.changes == {"open_in_new_tab": [False, True]}


def test_delete_returns_204_and_audits(owner_client, tenant):
    item = factories.nav_item(tenant=tenant)
    response = owner_client.delete(f"{base(tenant)}/{item.id}")
    assert response.status_code == 204 and response.data == b""
    assert stored(item.id) is None
    (entry,) = audit_entries(item.id, "delete")
    assert entry.old_value["label"] == item.label and entry.new_value is None
    assert owner_client.get(f"{base(tenant)}/{item.id}").status_code == 404


def test_delete_cascades_to_children_and_grandchildren(owner_client, tenant):
    root = factories.nav_item(tenant=tenant)
    child = factories.nav_item(tenant=tenant, parent_id=root.id)
    grandchild = factories.nav_item(tenant=tenant, parent_id=child.id)
    sibling = factories.nav_item(tenant=tenant)
    assert owner_client.delete(f"{base(tenant)}/{root.id}").status_code == 204
    remaining = set(
        db.session.scalars(sa.select(NavigationItem.id).where(NavigationItem.tenant_id == tenant.id))
    )
    assert remaining == {sibling.id}
    for removed in (child, grandchild):
        assert len(audit_entries(removed.id, "delete")) == 1
    assert owner_client.get(base(tenant)).get_json()["data"][0]["id"] == str(sibling.id)


def test_deleting_a_page_removes_its_nav_items(owner_client, tenant):
    page = make_page(tenant)
    linked = create(owner_client, tenant, pageId=str(page.id)).get_json()["data"]
    child = create(owner_client, tenant, parentId=linked["id"], url="/x").get_json()["data"]
    other = create(owner_client, tenant, url="/keep").get_json()["data"]
    delete_page(page.id)
    assert stored(linked["id"]) is None and stored(child["id"]) is None
    assert [i["id"] for i in owner_client.get(base(tenant)).get_json()["data"]] == [other["id"]]


# --- exactly one target -----------------------------------------------------------------------


@pytest.mark.parametrize("body", [{}, {"url": None}, {"url": "/a", "pageId": "PAGE"}])
def test_create_needs_exactly_one_of_url_and_page(owner_client, tenant, body):
    page = make_page(tenant)
    body = {k: (str(page.id) if v == "PAGE" else v) for k, v in body.items()}
    response = owner_client.post(base(tenant), json={"label": "X", **body})
    assert response.status_code == 422
    assert {"url", "pageId"} <= error_fields(response)


def test_partial_update_keeps_exactly_one_target(owner_client, tenant):
    page = make_page(tenant)
    item = factories.nav_item(tenant=tenant, url="/a")
    detail = f"{base(tenant)}/{item.id}"
    assert owner_client.put(detail, json={"pageId": str(page.id)}).status_code == 422
    assert owner_client.put(detail, json={"url": None}).status_code == 422
    response = owner_client.put(detail, json={"url": None, "pageId": str(page.id)})
    assert response.status_code == 200
    assert (response.get_json()["data"]["url"], response.get_json()["data"]["pageId"]) == (None, str(page.id))
    assert owner_client.put(detail, json={"url": "/b"}).status_code == 422
    assert owner_client.put(detail, json={"pageId": None}).status_code == 422
    assert owner_client.put(detail, json={"pageId": None, "url": "/b"}).status_code == 200


def test_page_of_another_tenant_or_missing_is_404(owner_client, tenant):
    foreign = make_page(factories.tenant(name="Other"))
    item = factories.nav_item(tenant=tenant)
    for page_id in (foreign.id, uuid.uuid4()):
        response = create(owner_client, tenant, pageId=str(page_id))
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"
        update = owner_client.put(f"{base(tenant)}/{item.id}", json={"url": None, "pageId": str(page_id)})
        assert update.status_code == 404
    assert stored(item.id).url == "/"


# --- URL safety -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/about",
        "/a/b?x=1&y=2#top",
        "/%2F%2Fstill-a-path",
        "http://example.com",
        "https://example.com/path?q=1#frag",
        "HTTPS://EXAMPLE.COM/",
        "https://localhost:8443/x",
        "mailto:hello@example.com",
        "mailto:a@example.com,b@example.com?subject=Hi",
        "tel:+1-555-0100",
        "TEL:+44(0)20.7946.0018",
    ],
)
def test_accepted_urls(owner_client, tenant, url):
    response = create(owner_client, tenant, url=url)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["data"]["url"] == url


@pytest.mark.parametrize(
    "url",
    [
        "",
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "JAVASCRIPT:alert(1)",
        " javascript:alert(1)",
        "javascript:alert(1) ",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "\x00javascript:alert(1)",
        "\u200bjavascript:alert(1)",
        "\ufeffhttps://example.com",
        "javascript&colon;alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "ftp://example.com/file",
        "//evil.example",
        "///evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "https:\\\\evil.example",
        "about",
        "#top",
        "?q=1",
        "https://",
        "https:///path",
        "https://user:pw@evil.example/",
        "https://exa mple.com",
        "/path with space",
        "/path\r\nSet-Cookie:x",
        "mailto:",
        "mailto:nobody",
        "tel:",
        "tel:call-me",
        "https://example.com/" + "a" * 2048,
    ],
)
def test_rejected_urls(owner_client, tenant, url):
    response = create(owner_client, tenant, url=url)
    assert response.status_code == 422, url
    assert error_fields(response) == {"url"}


def test_url_rules_apply_to_updates(owner_client, tenant):
    item = factories.nav_item(tenant=tenant)
    response = owner_client.put(f"{base(tenant)}/{item.id}", json={"url": "javascript:alert(1)"})
    assert response.status_code == 422
    assert stored(item.id).url == "/"


# --- labels and server-owned fields -----------------------------------------------------------


@pytest.mark.parametrize("label", ["", "   ", "x" * 101, "a\x00b", "line\nbreak", None, 5])
def test_rejected_labels(owner_client, tenant, label):
    response = owner_client.post(base(tenant), json={"label": label, "url": "/"})
    assert response.status_code == 422
    assert error_fields(response) == {"label"}


def test_label_is_required_and_100_characters_fit(owner_client, tenant):
    assert owner_client.post(base(tenant), json={"url": "/"}).status_code == 422
    assert create(owner_client, tenant, label="x" * 100).status_code == 201
    assert create(owner_client, tenant, label="Café ☕ Ünïcode").status_code == 201


@pytest.mark.parametrize(
    "field,value",
    [
        ("id", "00000000-0000-0000-0000-000000000001"),
        ("tenantId", "00000000-0000-0000-0000-000000000001"),
        ("createdAt", "2020-01-01T00:00:00Z"),
        ("updatedAt", "2020-01-01T00:00:00Z"),
        ("children", []),
        ("bogus", 1),
    ],
)
def test_server_owned_and_unknown_fields_are_rejected(owner_client, tenant, field, value):
    item = factories.nav_item(tenant=tenant)
    assert error_fields(create(owner_client, tenant, **{field: value})) == {field}
    response = owner_client.put(f"{base(tenant)}/{item.id}", json={field: value})
    assert response.status_code == 422
    assert error_fields(response) == {field}


@pytest.mark.parametrize(
    "body",
    [
        {"location": "sidebar"},
        {"sortOrder": -1},
        {"sortOrder": "first"},
        {"isVisible": "perhaps"},
        {"parentId": "not-a-uuid"},
        {"pageId": "not-a-uuid"},
    ],
)
def test_field_types_are_checked(owner_client, tenant, body):
    response = create(owner_client, tenant, **body)
    assert response.status_code == 422
    assert error_fields(response) == set(body)


def test_body_must_be_a_json_object(owner_client, tenant):
    assert owner_client.post(base(tenant), json=[{"label": "x", "url": "/"}]).status_code == 422
    response = owner_client.post(base(tenant), data="{", content_type="application/json")
    assert response.status_code == 400


# --- parents, depth, cycles, locations --------------------------------------------------------


def test_parent_of_another_tenant_or_missing_is_404(owner_client, tenant):
    foreign = factories.nav_item(tenant=factories.tenant(name="Other"))
    item = factories.nav_item(tenant=tenant)
    for parent_id in (foreign.id, uuid.uuid4()):
        assert create(owner_client, tenant, parentId=str(parent_id)).status_code == 404
        response = owner_client.put(f"{base(tenant)}/{item.id}", json={"parentId": str(parent_id)})
        assert response.status_code == 404
    assert stored(item.id).parent_id is None


def test_three_levels_are_allowed_a_fourth_is_not(owner_client, tenant):
    level1 = create(owner_client, tenant).get_json()["data"]
    level2 = create(owner_client, tenant, parentId=level1["id"]).get_json()["data"]
    level3 = create(owner_client, tenant, parentId=level2["id"])
    assert level3.status_code == 201
    response = create(owner_client, tenant, parentId=level3.get_json()["data"]["id"])
    assert response.status_code == 422
    assert error_fields(response) == {"parentId"}


def test_moving_a_subtree_counts_its_own_depth(owner_client, tenant):
    a = factories.nav_item(tenant=tenant)
    a_child = factories.nav_item(tenant=tenant, parent_id=a.id)
    b = factories.nav_item(tenant=tenant)
    b_child = factories.nav_item(tenant=tenant, parent_id=b.id)
    factories.nav_item(tenant=tenant, parent_id=b_child.id)
    assert owner_client.put(f"{base(tenant)}/{b.id}", json={"parentId": str(a.id)}).status_code == 422
    assert owner_client.put(f"{base(tenant)}/{b_child.id}", json={"parentId": str(a.id)}).status_code == 200
    response = owner_client.put(f"{base(tenant)}/{b.id}", json={"parentId": str(a_child.id)})
    assert response.status_code == 200
    assert stored(b.id).parent_id == a_child.id


def test_cycles_are_rejected(owner_client, tenant):
    root = factories.nav_item(tenant=tenant)
    child = factories.nav_item(tenant=tenant, parent_id=root.id)
    grandchild = factories.nav_item(tenant=tenant, parent_id=child.id)
    for target in (root, child, grandchild):
        response = owner_client.put(f"{base(tenant)}/{root.id}", json={"parentId": str(target.id)})
        assert response.status_code == 422, target.label
        assert error_fields(response) == {"parentId"}
    assert owner_client.put(f"{base(tenant)}/{child.id}", json={"parentId": str(child.id)}).status_code == 422
    assert stored(root.id).parent_id is None


def test_moving_to_the_root_and_back(owner_client, tenant):
    root = factories.nav_item(tenant=tenant)
    child = factories.nav_item(tenant=tenant, parent_id=root.id)
    response = owner_client.put(f"{base(tenant)}/{child.id}", json={"parentId": None})
    assert response.status_code == 200
    assert response.get_json()["data"]["parentId"] is None
    assert response.get_json()["data"]["sortOrder"] == 1
    response = owner_client.put(f"{base(tenant)}/{child.id}", json={"parentId": str(root.id), "sortOrder": 5})
    assert (response.get_json()["data"]["parentId"], response.get_json()["data"]["sortOrder"]) == (
        str(root.id),
        5,
    )


def test_children_follow_their_parent_location(owner_client, tenant):
    footer = create(owner_client, tenant, location="footer").get_json()["data"]
    child = create(owner_client, tenant, parentId=footer["id"])
    assert child.status_code == 201
    assert child.get_json()["data"]["location"] == "footer"
    assert create(owner_client, tenant, parentId=footer["id"], location="footer").status_code == 201
    response = create(owner_client, tenant, parentId=footer["id"], location="header")
    assert response.status_code == 422
    assert error_fields(response) == {"location"}
    child_id = child.get_json()["data"]["id"]
    assert owner_client.put(f"{base(tenant)}/{child_id}", json={"location": "header"}).status_code == 422


def test_changing_a_root_location_moves_its_subtree(owner_client, tenant):
    root = factories.nav_item(tenant=tenant, location="header")
    child = factories.nav_item(tenant=tenant, parent_id=root.id, location="header")
    grandchild = factories.nav_item(tenant=tenant, parent_id=child.id, location="header")
    factories.nav_item(tenant=tenant, location="footer", sort_order=3)
    response = owner_client.put(f"{base(tenant)}/{root.id}", json={"location": "footer"})
    assert response.status_code == 200
    assert response.get_json()["data"]["sortOrder"] == 4
    assert {stored(i.id).location for i in (root, child, grandchild)} == {"footer"}


def test_moving_under_a_parent_of_the_other_location_moves_the_subtree(owner_client, tenant):
    footer = factories.nav_item(tenant=tenant, location="footer")
    item = factories.nav_item(tenant=tenant, location="header")
    child = factories.nav_item(tenant=tenant, parent_id=item.id, location="header")
    response = owner_client.put(f"{base(tenant)}/{item.id}", json={"parentId": str(footer.id)})
    assert response.status_code == 200
    assert response.get_json()["data"]["location"] == "footer"
    assert stored(child.id).location == "footer"


# --- lists and trees --------------------------------------------------------------------------


def build_menu(tenant):
    """header: Home, Shop > (Shoes > (Boots), Hats); footer: Legal."""
    shop = factories.nav_item(tenant=tenant, label="Shop", sort_order=1)
    home = factories.nav_item(tenant=tenant, label="Home", sort_order=0)
    hats = factories.nav_item(tenant=tenant, label="Hats", parent_id=shop.id, sort_order=2)
    shoes = factories.nav_item(tenant=tenant, label="Shoes", parent_id=shop.id, sort_order=1)
    boots = factories.nav_item(tenant=tenant, label="Boots", parent_id=shoes.id)
    legal = factories.nav_item(tenant=tenant, label="Legal", location="footer")
    return {"home": home, "shop": shop, "hats": hats, "shoes": shoes, "boots": boots, "legal": legal}


def labels(tree):
    return [(node["label"], labels(node["children"])) for node in tree]


def test_flat_list_is_ordered_by_location_parent_and_sort_order(owner_client, tenant):
    build_menu(tenant)
    factories.nav_item(tenant=factories.tenant(name="Other"), label="Foreign")
    response = owner_client.get(base(tenant))
    assert response.status_code == 200
    body = response.get_json()
    assert "pagination" not in body
    order = [item["label"] for item in body["data"]]
    assert order[-1] == "Legal"
    assert order[:2] == ["Home", "Shop"]
    assert order.index("Shoes") < order.index("Hats")
    assert set(order) == {"Home", "Shop", "Shoes", "Hats", "Boots", "Legal"}
    assert all("children" not in item for item in body["data"])


def test_tree_nests_children_in_order(owner_client, tenant):
    build_menu(tenant)
    response = owner_client.get(f"{base(tenant)}?tree=true")
    assert response.status_code == 200
    assert labels(response.get_json()["data"]) == [
        ("Home", []),
        ("Shop", [("Shoes", [("Boots", [])]), ("Hats", [])]),
        ("Legal", []),
    ]


def test_location_filter(owner_client, tenant):
    build_menu(tenant)
    footer = owner_client.get(f"{base(tenant)}?location=footer").get_json()["data"]
    assert [item["label"] for item in footer] == ["Legal"]
    header_tree = owner_client.get(f"{base(tenant)}?tree=true&location=header").get_json()["data"]
    assert [node["label"] for node in header_tree] == ["Home", "Shop"]
    assert owner_client.get(f"{base(tenant)}?tree=false").status_code == 200


@pytest.mark.parametrize("query", ["tree=maybe", "location=sidebar", "page=1", "unknown=1"])
def test_list_rejects_bad_query_args(owner_client, tenant, query):
    assert owner_client.get(f"{base(tenant)}?{query}").status_code == 422


def test_empty_list(owner_client, tenant):
    assert owner_client.get(base(tenant)).get_json() == {"success": True, "data": []}
    assert owner_client.get(f"{base(tenant)}?tree=true").get_json()["data"] == []


def add_items(tenant, count: int) -> None:
    """``count`` items spread over three levels and both locations."""
    roots = [factories.nav_item(tenant=tenant, location=("header", "footer")[i % 2]) for i in range(2)]
    for i in range(count - 2):
        parent = roots[i % 2]
        item = factories.nav_item(tenant=tenant, parent_id=parent.id, location=parent.location)
        if i % 3 == 0:
            roots.append(item)


@pytest.mark.parametrize("query", ["", "?tree=true", "?tree=true&location=header"])
def test_list_runs_a_constant_number_of_queries(app, tenant, query):
    other = factories.tenant(name="Bigger")
    big_client = role_client(app, other, "viewer")
    small_client = role_client(app, tenant, "viewer")
    factories.nav_item(tenant=tenant)
    add_items(other, 50)
    small_url, big_url = f"{base(tenant)}{query}", f"{base(other)}{query}"
    for client in (small_client, big_client):
        client.get("/api/auth/me")  # principals cached: count the menu's own work
    with count_queries() as one:  # both uncached: the first read of each tenant's menu
        response = small_client.get(small_url)
        assert response.status_code == 200 and len(response.get_json()["data"]) == 1
    with count_queries() as fifty:
        response = big_client.get(big_url)
        assert response.status_code == 200 and len(response.get_json()["data"]) >= 1
    assert len(one) == len(fifty), (one, fifty)
    assert sum("navigation_items" in statement for statement in fifty) == 1


def test_list_is_cached_and_every_write_invalidates_it(owner_client, tenant):
    item = factories.nav_item(tenant=tenant, label="First")
    assert [i["label"] for i in owner_client.get(base(tenant)).get_json()["data"]] == ["First"]
    with count_queries() as statements:
        cached = owner_client.get(base(tenant))
    assert cached.status_code == 200
    assert not any("navigation_items" in statement for statement in statements)
    writes = [
        lambda: create(owner_client, tenant, label="Second"),
        lambda: owner_client.put(f"{base(tenant)}/{item.id}", json={"label": "Renamed"}),
        lambda: owner_client.put(f"{base(tenant)}/reorder", json={"order": list(reversed(ids()))}),
        lambda: owner_client.delete(f"{base(tenant)}/{item.id}"),
    ]

    def ids():
        return [i["id"] for i in owner_client.get(base(tenant)).get_json()["data"]]

    expected = [["First", "Second"], ["Renamed", "Second"], ["Second", "Renamed"], ["Second"]]
    for write, labels_after in zip(writes, expected, strict=True):
        assert write().status_code in (200, 201, 204)
        for query in ("", "?tree=true"):
            data = owner_client.get(f"{base(tenant)}{query}").get_json()["data"]
            assert [i["label"] for i in data] == labels_after


def test_cached_list_still_checks_access(app, owner_client, tenant):
    factories.nav_item(tenant=tenant)
    assert owner_client.get(base(tenant)).status_code == 200
    outsider = role_client(app, factories.tenant(name="Other"), "owner")
    assert outsider.get(base(tenant)).status_code == 404
    assert app.test_client().get(base(tenant)).status_code == 401


def test_tree_holds_all_fifty_items(owner_client, tenant):
    add_items(tenant, 50)

    def count(nodes):
        return sum(1 + count(node["children"]) for node in nodes)

    assert count(owner_client.get(f"{base(tenant)}?tree=true").get_json()["data"]) == 50
    assert len(owner_client.get(base(tenant)).get_json()["data"]) == 50


# --- reorder ----------------------------------------------------------------------------------


def test_reorder_roots_and_children(owner_client, tenant):
    menu = build_menu(tenant)
    order = [str(menu["shop"].id), str(menu["legal"].id), str(menu["home"].id)]
    response = owner_client.put(f"{base(tenant)}/reorder", json={"parentId": None, "order": order})
    assert response.status_code == 200
    assert [item["id"] for item in response.get_json()["data"]] == order
    assert [item["sortOrder"] for item in response.get_json()["data"]] == [0, 1, 2]
    tree = owner_client.get(f"{base(tenant)}?tree=true").get_json()["data"]
    assert [node["label"] for node in tree] == ["Shop", "Home", "Legal"]
    children = [str(menu["hats"].id), str(menu["shoes"].id)]
    response = owner_client.put(
        f"{base(tenant)}/reorder", json={"parentId": str(menu["shop"].id), "order": children}
    )
    assert response.status_code == 200
    tree = owner_client.get(f"{base(tenant)}?tree=true").get_json()["data"]
    assert [node["label"] for node in tree[0]["children"]] == ["Hats", "Shoes"]
    (entry,) = audit_entries(menu["shop"].id, "reorder")
    assert entry.changes == {"order": [list(reversed(children)), children]}


def test_reorder_roots_of_one_location(owner_client, tenant):
    menu = build_menu(tenant)
    body = {"parentId": None, "location": "header", "order": [str(menu["shop"].id), str(menu["home"].id)]}
    response = owner_client.put(f"{base(tenant)}/reorder", json=body)
    assert response.status_code == 200
    body["order"].append(str(menu["legal"].id))
    assert owner_client.put(f"{base(tenant)}/reorder", json=body).status_code == 422


def test_reorder_must_list_exactly_the_siblings(owner_client, tenant):
    menu = build_menu(tenant)
    shop, shoes, hats, boots = (str(menu[k].id) for k in ("shop", "shoes", "hats", "boots"))
    bad_orders = [
        [shoes],
        [shoes, hats, boots],
        [shoes, hats, hats],
        [shoes, shoes],
        [shoes, str(uuid.uuid4())],
        [],
    ]
    for order in bad_orders:
        response = owner_client.put(f"{base(tenant)}/reorder", json={"parentId": shop, "order": order})
        assert response.status_code == 422, order
        assert error_fields(response) == {"order"}
    assert stored(shoes).sort_order == 1 and stored(hats).sort_order == 2


def test_reorder_body_and_parent_checks(owner_client, tenant):
    foreign = factories.nav_item(tenant=factories.tenant(name="Other"))
    url = f"{base(tenant)}/reorder"
    assert owner_client.put(url, json={"parentId": str(foreign.id), "order": []}).status_code == 404
    assert owner_client.put(url, json={"parentId": str(uuid.uuid4()), "order": []}).status_code == 404
    assert owner_client.put(url, json={"parentId": None}).status_code == 422
    assert owner_client.put(url, json={"order": ["nope"]}).status_code == 422
    assert owner_client.put(url, json={"order": [], "extra": 1}).status_code == 422
    assert owner_client.put(url, json={"order": []}).status_code == 200
    assert owner_client.post(url, json={"order": []}).status_code == 405


def test_reorder_cannot_touch_another_tenants_items(owner_client, tenant):
    mine = factories.nav_item(tenant=tenant)
    foreign = factories.nav_item(tenant=factories.tenant(name="Other"))
    response = owner_client.put(f"{base(tenant)}/reorder", json={"order": [str(mine.id), str(foreign.id)]})
    assert response.status_code == 422
    assert stored(foreign.id).sort_order == 0


def test_menu_writes_lock_the_tenant_menu(owner_client, tenant):
    item = factories.nav_item(tenant=tenant)
    with count_queries() as statements:
        owner_client.put(f"{base(tenant)}/{item.id}", json={"label": "Locked"})
    flat = [" ".join(statement.split()) for statement in statements]
    locks = [statement for statement in flat if statement.startswith("SELECT tenants.id FROM tenants WHERE")]
    assert len(locks) == 1, statements
    if db.engine.dialect.name == "postgresql":
        assert locks[0].rstrip().endswith("FOR NO KEY UPDATE")


# --- access -----------------------------------------------------------------------------------


def test_requests_without_credentials_are_401(client, tenant):
    item = factories.nav_item(tenant=tenant)
    assert client.get(base(tenant)).status_code == 401
    assert client.post(base(tenant), json={"label": "x", "url": "/"}).status_code == 401
    assert client.get(f"{base(tenant)}/{item.id}").status_code == 401
    assert client.put(f"{base(tenant)}/reorder", json={"order": []}).status_code == 401


def test_role_matrix(app, tenant):
    item = factories.nav_item(tenant=tenant)
    viewer = role_client(app, tenant, "viewer")
    assert viewer.get(base(tenant)).status_code == 200
    assert viewer.get(f"{base(tenant)}/{item.id}").status_code == 200
    assert viewer.post(base(tenant), json={"label": "x", "url": "/"}).status_code == 403
    assert viewer.put(f"{base(tenant)}/{item.id}", json={"label": "x"}).status_code == 403
    assert viewer.put(f"{base(tenant)}/reorder", json={"order": [str(item.id)]}).status_code == 403
    assert viewer.delete(f"{base(tenant)}/{item.id}").status_code == 403
    assert viewer.delete(f"{base(tenant)}/{item.id}").get_json()["error"]["code"] == "forbidden"
    for role in ("editor", "admin", "owner"):
        client = role_client(app, tenant, role)
        created = client.post(base(tenant), json={"label": role, "url": "/"})
        assert created.status_code == 201, role
        created_id = created.get_json()["data"]["id"]
        assert client.put(f"{base(tenant)}/{created_id}", json={"label": "y"}).status_code == 200
        assert client.delete(f"{base(tenant)}/{created_id}").status_code == 204


def test_other_tenants_are_404(app, owner_client, tenant):
    other = factories.tenant(name="Other")
    foreign = factories.nav_item(tenant=other)
    item_body = {"label": "Hijack"}
    for method, path, body in [
        ("get", base(other), None),
        ("post", base(other), {"label": "Hijack", "url": "/"}),
        ("get", f"{base(other)}/{foreign.id}", None),
        ("put", f"{base(other)}/{foreign.id}", item_body),
        ("delete", f"{base(other)}/{foreign.id}", None),
        ("put", f"{base(other)}/reorder", {"order": [str(foreign.id)]}),
        ("get", f"{base(tenant)}/{foreign.id}", None),
        ("put", f"{base(tenant)}/{foreign.id}", item_body),
        ("patch", f"{base(tenant)}/{foreign.id}", item_body),
        ("delete", f"{base(tenant)}/{foreign.id}", None),
    ]:
        response = getattr(owner_client, method)(path, json=body)
        assert response.status_code == 404, (method, path)
        assert response.get_json()["error"]["code"] == "not_found"
    assert stored(foreign.id).label == foreign.label


def test_unknown_and_malformed_ids_are_404(owner_client, tenant):
    assert owner_client.get(f"{base(tenant)}/not-a-uuid").status_code == 404
    assert owner_client.get(f"{base(tenant)}/{uuid.uuid4()}").status_code == 404
    assert owner_client.get("/api/tenants/not-a-uuid/navigation").status_code == 404


def test_super_admin_manages_any_tenant(super_client, tenant):
    response = create(super_client, tenant)
    assert response.status_code == 201
    assert super_client.get(base(tenant)).get_json()["data"][0]["id"] == response.get_json()["data"]["id"]


def test_api_keys_need_navigation_scopes(app, monkeypatch, tenant):
    item = factories.nav_item(tenant=tenant)
    reader = key_client(app, monkeypatch, tenant=tenant, scopes={"navigation:read"})
    writer = key_client(app, monkeypatch, tenant=tenant, scopes={"navigation:write"})
    everything = key_client(app, monkeypatch, tenant=tenant, scopes={"*"})
    pages_only = key_client(app, monkeypatch, tenant=tenant, scopes={"pages:read", "pages:write"})
    assert reader.get(base(tenant)).status_code == 200
    assert reader.post(base(tenant), json={"label": "x", "url": "/"}).status_code == 403
    assert writer.get(base(tenant)).status_code == 403
    response = writer.post(base(tenant), json={"label": "x", "url": "/"})
    assert response.status_code == 201
    (entry,) = audit_entries(response.get_json()["data"]["id"], "create")
    assert entry.actor_type == "api_key"
    assert everything.delete(f"{base(tenant)}/{item.id}").status_code == 204
    assert pages_only.get(base(tenant)).status_code == 403
    other = factories.tenant(name="Other")
    assert reader.get(base(other)).status_code == 404
