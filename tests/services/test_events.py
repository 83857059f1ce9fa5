"""events.emit: an outbox row in the caller's transaction, in the Standard Webhooks payload shape."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import datetime

import pytest
import sqlalchemy as sa

from siteninja.extensions import db
from siteninja.resources.webhooks.models import Event
from siteninja.services import events


@pytest.fixture
def emitted(tenant) -> Callable[[], list[Event]]:
    """A function listing the tenant's events emitted by the test (not its factory's)."""
    query = sa.select(Event).where(Event.tenant_id == tenant.id)
    before = {event.id for event in db.session.scalars(query)}
    return lambda: [event for event in db.session.scalars(query) if event.id not in before]


def test_emit_writes_the_event_and_its_payload(tenant, emitted):
    event = events.emit(tenant_id=tenant.id, type="page.published", data={"id": "p1", "title": "Home"})
    db.session.commit()
    [stored] = emitted()
    assert stored.id == event.id and stored.type == "page.published"
    payload = stored.payload
    assert set(payload) == {"id", "type", "createdAt", "tenantId", "data"}
    assert payload["id"] == f"evt_{event.id.hex}" and re.fullmatch(r"evt_[0-9a-f]{32}", payload["id"])
    assert payload["type"] == "page.published"
    assert payload["tenantId"] == str(tenant.id)
    assert payload["data"] == {"id": "p1", "title": "Home"}
    assert payload["createdAt"].endswith("Z")
    created = datetime.fromisoformat(payload["createdAt"].replace("Z", "+00:00"))
    assert created == stored.created_at.replace(microsecond=0)


def test_every_event_gets_its_own_id(tenant):
    first = events.emit(tenant_id=tenant.id, type="page.created", data={})
    second = events.emit(tenant_id=tenant.id, type="page.created", data={})
    assert first.payload["id"] != second.payload["id"]


def test_emit_rolls_back_with_the_callers_transaction(tenant, emitted):
    events.emit(tenant_id=tenant.id, type="page.deleted", data={"id": "p1"})
    db.session.flush()
    assert len(emitted()) == 1
    db.session.rollback()
    assert emitted() == []


@pytest.mark.parametrize("type_", ["page.exploded", "", "*", "PAGE.CREATED"])
def test_an_unknown_event_type_raises(tenant, emitted, type_):
    with pytest.raises(ValueError, match="unknown event type"):
        events.emit(tenant_id=tenant.id, type=type_, data={})
    assert emitted() == []


def test_every_documented_event_type_is_accepted(tenant, emitted):
    for type_ in [*events.EVENT_TYPES, "webhook.test"]:
        events.emit(tenant_id=tenant.id, type=type_, data={})
    db.session.flush()
    assert len(emitted()) == len(events.EVENT_TYPES) + 1


def test_wire_id_is_the_public_form_of_the_id():
    event_id = uuid.UUID("12345678-1234-5678-1234-567812345678")
    assert events.wire_id(event_id) == "evt_12345678123456781234567812345678"
