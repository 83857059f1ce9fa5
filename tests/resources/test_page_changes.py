"""The page-change hook: every commit that touches a page, its sections or its SEO reports that page
once, with the action that names the change, to the handlers that must run in the transaction."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from siteninja.resources.pages import changes
from tests import factories


@pytest.fixture
def seen() -> Iterator[list[changes.PageChanges]]:
    """Every PageChanges the hook hands to handlers during the test."""
    recorded: list[changes.PageChanges] = []

    def handler(session, page_changes):
        recorded.append(page_changes)

    changes.on_pages_changed(handler)
    yield recorded
    changes._handlers.remove(handler)


def actions(recorded: list[changes.PageChanges]) -> list[dict]:
    return [{page_id: change.action for page_id, change in c.changed.items()} for c in recorded]


def test_a_page_create_over_http_is_reported_once_as_create(owner_client, tenant, seen):
    response = owner_client.post(f"/api/tenants/{tenant.id}/pages", json={"title": "About"})
    assert response.status_code == 201
    page_id = response.get_json()["data"]["id"]
    assert [{str(k): v for k, v in a.items()} for a in actions(seen)] == [{page_id: "create"}]
    assert seen[0].changed[next(iter(seen[0].changed))].tenant_id == tenant.id


def test_section_and_seo_writes_report_their_page(owner_client, tenant, seen):
    page = factories.page(tenant=tenant)
    seen.clear()
    base = f"/api/tenants/{tenant.id}/pages/{page.id}"
    assert owner_client.post(f"{base}/sections", json={"type": "text", "content": {}}).status_code == 201
    assert owner_client.put(f"{base}/seo", json={"metaTitle": "Hi"}).status_code == 200
    assert actions(seen) == [{page.id: "section"}, {page.id: "seo"}]


def test_a_bulk_of_many_operations_is_one_report(owner_client, tenant, seen):
    page = factories.page(tenant=tenant)
    seen.clear()
    operations = [{"op": "create", "data": {"type": "text", "content": {}}} for _ in range(50)]
    response = owner_client.post(
        f"/api/tenants/{tenant.id}/pages/{page.id}/sections/bulk", json={"operations": operations}
    )
    assert response.status_code == 200
    assert actions(seen) == [{page.id: "bulk"}]  # the bulk service names its change


def test_a_noted_action_wins_and_a_deleted_page_is_reported_as_deleted(db_session, tenant, seen):
    page = factories.page(tenant=tenant)
    seen.clear()
    page.title = "Renamed"
    changes.note(db_session, page, "restore")
    factories.section(page=page)  # commits: the section write does not rename the change
    assert actions(seen) == [{page.id: "restore"}]
    db_session.delete(page)
    db_session.commit()
    assert seen[-1].changed == {}
    assert seen[-1].deleted == {page.id: tenant.id}


def test_a_rolled_back_change_reports_nothing(db_session, tenant, seen):
    page = factories.page(tenant=tenant)
    seen.clear()
    page.title = "Never"
    db_session.flush()
    db_session.rollback()
    factories.tenant()  # the next commit touches no page
    assert seen == []
