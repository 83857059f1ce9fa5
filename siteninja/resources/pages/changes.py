"""Which pages a transaction changed (their fields, their sections or their SEO), for the work every
such change owes before it commits: a revision, the search index.

One session hook sees every change, whichever service made it, so no route or service has to
remember to call anything. Handlers run once per outermost commit, inside the transaction (what
they write commits with the change or not at all), with every page the transaction changed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from siteninja.resources.pages.models import Page
from siteninja.resources.sections.models import Section
from siteninja.resources.seo.models import SeoMetadata

_PENDING = "page_changes"


@dataclass
class PageChanges:
    """What one transaction did to pages: ``changed`` maps a page id to its tenant and the action
    that names the change (``create``, ``update``, ``section``, ``seo``, or what a service noted);
    ``deleted`` holds the ids of pages deleted in it (they have no page left to describe)."""

    changed: dict[uuid.UUID, PageChange] = field(default_factory=dict)
    deleted: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.changed or self.deleted)


@dataclass
class PageChange:
    """One changed page: its tenant and the action that best names what happened to it."""

    tenant_id: uuid.UUID
    action: str
    noted: bool = False


PageChangeHandler = Callable[[Session, PageChanges], None]
_handlers: list[PageChangeHandler] = []


def on_pages_changed(handler: PageChangeHandler) -> PageChangeHandler:
    """Register ``handler`` to run before every commit that changed a page (usable as a decorator)."""
    _handlers.append(handler)
    return handler


def note(session: Session, page: Page, action: str) -> None:
    """Name the change a service is making to ``page`` (``publish``, ``reorder``, ``restore``, …);
    the first name noted in a transaction wins over the ones derived from the rows written."""
    change = _pending(session).changed.get(page.id)
    if change is None or not change.noted:
        _pending(session).changed[page.id] = PageChange(page.tenant_id, action, noted=True)


def _pending(session: Session) -> PageChanges:
    return session.info.setdefault(_PENDING, PageChanges())


def _derived(obj: Any, session: Session) -> tuple[uuid.UUID, uuid.UUID, str] | None:
    """(page id, tenant id, action) for a written row that belongs to a page, else None."""
    if isinstance(obj, Page):
        return obj.id, obj.tenant_id, "create" if obj in session.new else "update"
    if isinstance(obj, Section):
        return obj.page_id, obj.tenant_id, "section"
    if isinstance(obj, SeoMetadata):
        return obj.page_id, obj.tenant_id, "seo"
    return None


@event.listens_for(Session, "after_flush")
def _collect(session: Session, flush_context: Any) -> None:
    pending = _pending(session)
    for obj in session.deleted:
        if isinstance(obj, Page):
            pending.deleted[obj.id] = obj.tenant_id
            pending.changed.pop(obj.id, None)
    for obj in (*session.new, *session.dirty, *session.deleted):
        derived = _derived(obj, session)
        if derived is None:
            continue
        page_id, tenant_id, action = derived
        if page_id in pending.deleted:
            continue
        known = pending.changed.get(page_id)
        if known is None or (action == "create" and not known.noted):
            pending.changed[page_id] = PageChange(tenant_id, action)


@event.listens_for(Session, "before_commit")
def _run_handlers(session: Session) -> None:
    if session.in_nested_transaction() or not _handlers:
        return
    session.flush()  # changes not flushed yet are part of this commit too
    changes = session.info.pop(_PENDING, None)
    if not changes:
        return
    for handler in _handlers:
        handler(session, changes)
    session.flush()
    session.info.pop(_PENDING, None)  # rows the handlers wrote are not changes of their own


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_PENDING, None)
