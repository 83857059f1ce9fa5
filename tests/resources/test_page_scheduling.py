"""Scheduled publishing: publishAt/unpublishAt validation, the periodic task publishing and archiving
due pages (events, audit actor system, a revision, the public site at once), and exactly once with
two concurrent runs on PostgreSQL."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from siteninja import create_app
from siteninja.core.db import utcnow
from siteninja.extensions import db
from siteninja.jobs import scheduler
from siteninja.models import AuditLog, Event, Page, PageRevision, Tenant
from siteninja.resources.pages.scheduling import publish_due_pages
from tests import factories
from tests.conftest import database_url
from tests.resources.public_site_helpers import site_url


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def in_hours(hours: float) -> datetime:
    return (utcnow() + timedelta(hours=hours)).replace(microsecond=0)


@pytest.fixture
def editor(app, tenant):
    return factories.client_for(app, factories.user(tenant=tenant, role="editor"))


def create(client, tenant, **body):
    body.setdefault("title", "Launch")
    return client.post(f"/api/tenants/{tenant.id}/pages", json=body)


def update(client, page_id, tenant, **body):
    return client.put(f"/api/tenants/{tenant.id}/pages/{page_id}", json=body)


def details(response) -> dict[str, str]:
    assert response.status_code == 422, response.get_json()
    return {d["field"]: d["message"] for d in response.get_json()["error"]["details"]}


# --- validation --------------------------------------------------------------------------------


def test_schedule_fields_are_written_read_and_cleared(editor, tenant):
    publish, unpublish = in_hours(1), in_hours(5)
    response = create(editor, tenant, publishAt=iso(publish), unpublishAt=iso(unpublish))
    assert response.status_code == 201
    page = response.get_json()["data"]
    assert (page["publishAt"], page["unpublishAt"]) == (iso(publish), iso(unpublish))
    cleared = update(editor, page["id"], tenant, publishAt=None).get_json()["data"]
    assert (cleared["publishAt"], cleared["unpublishAt"]) == (None, iso(unpublish))


def test_a_moment_in_the_past_is_422_naming_the_field(editor, tenant):
    assert set(details(create(editor, tenant, publishAt=iso(in_hours(-1))))) == {"publishAt"}
    both = create(editor, tenant, publishAt=iso(in_hours(-1)), unpublishAt=iso(in_hours(-2)))
    assert set(details(both)) == {"publishAt", "unpublishAt"}
    assert set(details(create(editor, tenant, publishAt="tomorrow"))) == {"publishAt"}
    assert set(details(create(editor, tenant, publishAt="2030-01-01T10:00:00"))) == {"publishAt"}  # no offset


def test_unpublish_must_follow_publish_counting_the_stored_value(editor, tenant):
    assert details(create(editor, tenant, publishAt=iso(in_hours(3)), unpublishAt=iso(in_hours(2)))) == {
        "unpublishAt": "Must be after publishAt"
    }
    page = create(editor, tenant, publishAt=iso(in_hours(3))).get_json()["data"]
    assert details(update(editor, page["id"], tenant, unpublishAt=iso(in_hours(1)))) == {
        "unpublishAt": "Must be after publishAt"
    }
    assert update(editor, page["id"], tenant, unpublishAt=iso(in_hours(4))).status_code == 200
    assert details(update(editor, page["id"], tenant, publishAt=iso(in_hours(5)))) == {
        "publishAt": "Must be before unpublishAt"
    }
    assert update(editor, page["id"], tenant, publishAt=iso(in_hours(2))).status_code == 200


def test_publishing_by_hand_clears_the_pending_schedule(editor, tenant):
    page = create(editor, tenant, publishAt=iso(in_hours(2))).get_json()["data"]
    published = update(editor, page["id"], tenant, status="published").get_json()["data"]
    assert published["status"] == "published" and published["publishAt"] is None


# --- the periodic task -------------------------------------------------------------------------


def test_the_task_is_registered_with_its_configured_interval(app):
    task = scheduler.TASKS["pages.publish_due"]
    assert task.interval == "PUBLISH_SCHEDULE_SECONDS"
    assert task.seconds(app) == 30
    assert task.func is publish_due_pages


def test_a_due_page_is_published_once_at_its_scheduled_time(client, editor, tenant):
    publish_at = in_hours(1)
    page = create(editor, tenant, title="Launch", slug="launch", publishAt=iso(publish_at)).get_json()["data"]
    public = site_url(tenant, "/pages/launch")
    assert client.get(public).status_code == 404  # a draft; the miss is cached too

    assert publish_due_pages(now=publish_at - timedelta(seconds=1)) == {"published": 0, "archived": 0}
    assert publish_due_pages(now=publish_at + timedelta(seconds=5)) == {"published": 1, "archived": 0}
    assert publish_due_pages(now=publish_at + timedelta(seconds=10)) == {"published": 0, "archived": 0}

    shown = client.get(public)
    assert shown.status_code == 200 and shown.get_json()["data"]["title"] == "Launch"
    data = editor.get(f"/api/tenants/{tenant.id}/pages/{page['id']}").get_json()["data"]
    assert (data["status"], data["publishedAt"], data["publishAt"]) == ("published", iso(publish_at), None)
    events = db.session.scalars(
        sa.select(Event).where(Event.tenant_id == tenant.id, Event.type == "page.published")
    ).all()
    assert [e.payload["data"]["id"] for e in events] == [page["id"]]
    entry = db.session.scalar(
        sa.select(AuditLog).where(AuditLog.resource_id == page["id"], AuditLog.action == "publish")
    )
    assert (entry.actor_type, entry.actor_id) == ("system", None)
    assert entry.changes["status"] == ["draft", "published"]
    revision = db.session.scalars(
        sa.select(PageRevision)
        .where(PageRevision.page_id == uuid.UUID(page["id"]))
        .order_by(PageRevision.number)
    ).all()[-1]
    assert (revision.action, revision.actor_type, revision.actor_id) == ("publish", "system", None)


def test_a_page_is_archived_when_its_unpublish_time_passes(client, editor, tenant):
    unpublish_at = in_hours(2)
    page = create(editor, tenant, slug="sale", status="published", unpublishAt=iso(unpublish_at))
    page = page.get_json()["data"]
    public = site_url(tenant, "/pages/sale")
    assert client.get(public).status_code == 200
    assert publish_due_pages(now=unpublish_at - timedelta(minutes=1))["archived"] == 0
    assert publish_due_pages(now=unpublish_at)["archived"] == 1
    assert client.get(public).status_code == 404
    data = editor.get(f"/api/tenants/{tenant.id}/pages/{page['id']}").get_json()["data"]
    assert (data["status"], data["unpublishAt"]) == ("archived", None)
    updated = db.session.scalars(
        sa.select(Event).where(Event.tenant_id == tenant.id, Event.type == "page.updated")
    ).all()
    assert updated[-1].payload["data"]["status"] == "archived"
    entry = db.session.scalars(
        sa.select(AuditLog).where(AuditLog.resource_id == page["id"]).order_by(AuditLog.created_at)
    ).all()[-1]
    assert entry.actor_type == "system" and entry.changes["status"] == ["published", "archived"]


def test_publish_then_archive_in_one_run_when_both_have_passed(editor, tenant):
    publish_at, unpublish_at = in_hours(1), in_hours(2)
    page = create(editor, tenant, publishAt=iso(publish_at), unpublishAt=iso(unpublish_at)).get_json()["data"]
    assert publish_due_pages(now=unpublish_at + timedelta(hours=1)) == {"published": 1, "archived": 1}
    data = editor.get(f"/api/tenants/{tenant.id}/pages/{page['id']}").get_json()["data"]
    assert (data["status"], data["publishedAt"]) == ("archived", iso(publish_at))


# --- exactly once, with real concurrent transactions (PostgreSQL) ------------------------------


@pytest.fixture
def live(own_session):
    """A second app on the real database with committed data: a tenant with 30 scheduled drafts."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url(), RATELIMIT_ENABLED=False)
    publish_at = in_hours(1)
    with app.app_context():
        tenant = factories.tenant(name="Scheduled", subdomain=factories.unique("scheduled-"))
        for _ in range(30):
            factories.page(tenant=tenant, publish_at=publish_at)
        tenant_id = tenant.id
    yield app, tenant_id, publish_at
    with app.app_context():
        db.session.delete(db.session.get(Tenant, tenant_id))
        db.session.commit()
        db.engine.dispose()


def published_events(tenant_id) -> list[str]:
    stmt = sa.select(Event.payload).where(Event.tenant_id == tenant_id, Event.type == "page.published")
    return [payload["data"]["id"] for payload in db.session.scalars(stmt)]


@pytest.mark.needs_services
def test_two_concurrent_runs_publish_each_due_page_exactly_once(live):
    app, tenant_id, publish_at = live
    barrier = threading.Barrier(2)
    results: list[dict] = []

    def run() -> None:
        with app.app_context():
            barrier.wait(timeout=10)
            results.append(publish_due_pages(now=publish_at + timedelta(seconds=1)))
            db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 2, "a run did not finish"
    assert sum(r["published"] for r in results) == 30
    with app.app_context():
        events = published_events(tenant_id)
        assert len(events) == len(set(events)) == 30
        statuses = db.session.scalars(sa.select(Page.status).where(Page.tenant_id == tenant_id)).all()
        assert set(statuses) == {"published"}
        audits = db.session.scalar(
            sa.select(sa.func.count()).where(AuditLog.tenant_id == tenant_id, AuditLog.action == "publish")
        )
        assert audits == 30


@pytest.mark.needs_services
def test_a_page_held_by_another_run_is_skipped_then_published_once(live):
    app, tenant_id, publish_at = live
    due = publish_at + timedelta(seconds=1)
    with app.app_context():
        held = db.session.scalars(sa.select(Page.id).where(Page.tenant_id == tenant_id)).first()
        other = db.engine.connect()
        transaction = other.begin()
        other.execute(sa.select(Page.id).where(Page.id == held).with_for_update())  # another run's claim
        try:
            assert publish_due_pages(now=due)["published"] == 29
        finally:
            transaction.rollback()
            other.close()
        assert publish_due_pages(now=due)["published"] == 1
        assert publish_due_pages(now=due)["published"] == 0
        assert len(published_events(tenant_id)) == 30
