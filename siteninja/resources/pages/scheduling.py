"""Scheduled publishing: the rule on ``publishAt``/``unpublishAt`` and the periodic task that acts on
them, exactly once however many workers run it.

Each due page is claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` on the scheduled value that was seen
due: a concurrent run skips the row while it is held and, once it is committed, no longer finds that
value, so no page is published (or archived) twice.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from siteninja.core.db import utcnow
from siteninja.core.errors import ValidationFailed
from siteninja.extensions import db
from siteninja.jobs import scheduler
from siteninja.resources.pages import changes
from siteninja.resources.pages.models import Page
from siteninja.resources.pages.schemas import PageSchema
from siteninja.services import audit, events

SYSTEM = ("system", None)
BATCH = 200


def check_schedule(page: Page | None, data: dict[str, Any]) -> None:
    """422 unless ``unpublishAt`` falls after ``publishAt`` when both are set, counting the stored
    value of the one the request leaves out (the schema has checked that both are in the future)."""
    publish_at = data["publish_at"] if "publish_at" in data else getattr(page, "publish_at", None)
    unpublish_at = data["unpublish_at"] if "unpublish_at" in data else getattr(page, "unpublish_at", None)
    if publish_at is None or unpublish_at is None or unpublish_at > publish_at:
        return
    if "unpublish_at" in data:
        raise ValidationFailed("Must be after publishAt", field="unpublishAt")
    raise ValidationFailed("Must be before unpublishAt", field="publishAt")


def publish_due_pages(now: datetime | None = None) -> dict[str, int]:
    """Publish every page whose ``publishAt`` has passed, then archive those whose ``unpublishAt``
    has; one transaction per page (audit actor ``system``, its event, a revision, the caches)."""
    now = now or utcnow()
    published = sum(_publish(page_id, seen) for page_id, seen in _due(Page.publish_at, now))
    archived = sum(_archive(page_id, seen) for page_id, seen in _due(Page.unpublish_at, now))
    return {"published": published, "archived": archived}


def _due(column: Any, now: datetime) -> list[tuple[uuid.UUID, datetime]]:
    """(page id, scheduled moment) of the pages due on ``column`` (the partial index), oldest first."""
    stmt = sa.select(Page.id, column).where(column.is_not(None), column <= now).order_by(column).limit(BATCH)
    rows = [(page_id, seen) for page_id, seen in db.session.execute(stmt)]
    db.session.commit()
    return rows


def _claim(page_id: uuid.UUID, column: Any, seen: datetime) -> Page | None:
    """The page, row-locked, if it is still scheduled at ``seen`` and no other run holds it."""
    stmt = (
        sa.select(Page)
        .where(Page.id == page_id, column == seen)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    page = db.session.scalar(stmt)
    if page is None:
        db.session.rollback()
    return page


def _publish(page_id: uuid.UUID, seen: datetime) -> bool:
    page = _claim(page_id, Page.publish_at, seen)
    if page is None:
        return False
    old = audit.snapshot(page)
    publishing = page.status != "published"
    page.publish_at = None
    if publishing:
        page.status, page.published_at = "published", seen
        changes.note(db.session, page, "publish")
    _finish(page, old, "publish" if publishing else "update", "page.published" if publishing else None)
    return publishing


def _archive(page_id: uuid.UUID, seen: datetime) -> bool:
    page = _claim(page_id, Page.unpublish_at, seen)
    if page is None:
        return False
    old = audit.snapshot(page)
    archiving = page.status != "archived"
    page.unpublish_at = None
    if archiving:
        page.status = "archived"
        changes.note(db.session, page, "unpublish")
    _finish(page, old, "update", "page.updated" if archiving else None)
    return archiving


def _finish(page: Page, old: dict[str, Any], action: str, event_type: str | None) -> None:
    """Audit the change as the system, emit its event, commit (revision and caches follow)."""
    db.session.flush()
    audit.record(
        action=action,
        resource_type="page",
        resource_id=page.id,
        tenant_id=page.tenant_id,
        old=old,
        new=audit.snapshot(page),
        actor=SYSTEM,
    )
    if event_type is not None:
        events.emit(tenant_id=page.tenant_id, type=event_type, data=PageSchema().dump(page))
    db.session.commit()


scheduler.every("PUBLISH_SCHEDULE_SECONDS", "pages.publish_due", publish_due_pages)
