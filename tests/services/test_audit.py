"""audit.record: in the caller's transaction, with a field diff, redacted secrets and request facts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from siteninja.core.auth import Principal
from siteninja.core.context import request_state
from siteninja.extensions import db
from siteninja.resources.audit.models import AuditLog
from siteninja.services import audit
from tests import factories

R = audit.REDACTED


def entries_for(resource_id: str) -> list[AuditLog]:
    return list(db.session.scalars(sa.select(AuditLog).where(AuditLog.resource_id == resource_id)))


def test_record_commits_with_the_callers_transaction(tenant):
    audit.record(action="update", resource_type="tenant", resource_id="r-commit", tenant_id=tenant.id)
    db.session.commit()
    [entry] = entries_for("r-commit")
    assert (entry.action, entry.resource_type, entry.tenant_id) == ("update", "tenant", tenant.id)


def test_record_rolls_back_with_the_callers_transaction(tenant):
    tenant.name = "Renamed"
    audit.record(action="update", resource_type="tenant", resource_id="r-rollback", tenant_id=tenant.id)
    db.session.flush()
    assert len(entries_for("r-rollback")) == 1
    db.session.rollback()
    assert entries_for("r-rollback") == []
    assert db.session.get(type(tenant), tenant.id).name != "Renamed"


def test_record_stores_old_new_and_changes():
    entry = audit.record(
        action="update",
        resource_type="page",
        old={"title": "Old", "slug": "home", "updated_at": "t1"},
        new={"title": "New", "slug": "home", "updated_at": "t2"},
    )
    assert entry.old_value["title"] == "Old" and entry.new_value["title"] == "New"
    assert entry.changes == {"title": ["Old", "New"]}


def test_create_and_delete_have_no_changes():
    assert audit.record(action="create", resource_type="page", new={"a": 1}).changes is None
    assert audit.record(action="delete", resource_type="page", old={"a": 1}).changes is None


def test_diff_gives_field_to_old_and_new():
    assert audit.diff({"a": 1, "b": 2, "c": 3}, {"a": 1, "b": 5, "d": 4}) == {
        "b": [2, 5],
        "c": [3, None],
        "d": [None, 4],
    }
    assert audit.diff(None, {"a": 1}) == {"a": [None, 1]}
    assert audit.diff({"a": 1, "updated_at": "x"}, {"a": 1, "updated_at": "y"}) == {}


@pytest.mark.parametrize(
    "key",
    [
        "password",
        "password_hash",
        "passwordHash",
        "currentPassword",
        "newPassword",
        "token",
        "refreshToken",
        "access_token",
        "secret",
        "previous_secret",
        "key_hash",
        "token_hash",
        "apiKey",
        "api_key",
        "X-API-Key",
        "key",
        "Authorization",
        "Cookie",
        "private_key",
    ],
)
def test_secret_keys_are_redacted_at_any_depth(key):
    data = {key: "s3cr3t", "nested": {"list": [{key: "s3cr3t", "ok": 1}], "deeper": {"x": {key: "s3cr3t"}}}}
    assert audit.redact(data) == {
        key: R,
        "nested": {"list": [{key: R, "ok": 1}], "deeper": {"x": {key: R}}},
    }


@pytest.mark.parametrize("key", ["keywords", "targetKeywords", "title", "name", "email", "storage_key"])
def test_ordinary_keys_are_kept(key):
    assert audit.redact({key: "visible"}) == {key: "visible"}


def test_a_webhook_secret_never_reaches_the_log():
    entry = audit.record(
        action="update",
        resource_type="webhook",
        old={"url": "https://a.test/hook", "secret": "whsec_old", "headers": {"Authorization": "Bearer a"}},
        new={"url": "https://b.test/hook", "secret": "whsec_new", "headers": {"Authorization": "Bearer b"}},
    )
    db.session.flush()
    stored = repr((entry.old_value, entry.new_value, entry.changes))
    assert "whsec_" not in stored and "Bearer" not in stored
    assert entry.new_value["secret"] == R and entry.new_value["headers"]["Authorization"] == R
    assert entry.changes == {"url": ["https://a.test/hook", "https://b.test/hook"]}


def test_snapshot_of_a_user_redacts_its_password_hash(tenant):
    user = factories.user(tenant=tenant)
    values = audit.snapshot(user)
    assert values["password_hash"] == R
    assert values["email"] == user.email and values["id"] == str(user.id)


def test_values_are_made_json_safe():
    some_id, when = uuid.uuid4(), datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    entry = audit.record(action="create", resource_type="page", new={"id": some_id, "at": [when]})
    db.session.flush()
    assert entry.new_value == {"id": str(some_id), "at": [when.isoformat()]}


def test_request_metadata_is_captured_inside_a_request(app):
    headers = {"User-Agent": "pytest-agent/1.0", "X-Request-ID": "req-123"}
    with app.test_request_context(
        "/api/tenants/x", method="PUT", headers=headers, environ_base={"REMOTE_ADDR": "203.0.113.9"}
    ):
        entry = audit.record(action="update", resource_type="tenant")
    assert entry.ip_address == "203.0.113.9"
    assert entry.user_agent == "pytest-agent/1.0"
    assert entry.request_id == "req-123"
    assert (entry.method, entry.path) == ("PUT", "/api/tenants/x")


def test_outside_a_request_there_is_no_metadata_and_the_actor_is_the_system():
    entry = audit.record(action="update", resource_type="tenant")
    assert (entry.ip_address, entry.user_agent, entry.request_id, entry.method, entry.path) == (None,) * 5
    assert (entry.actor_type, entry.actor_id) == ("system", None)


def test_the_actor_is_system_in_a_request_without_a_principal(app):
    with app.test_request_context("/api/tenants", method="POST"):
        entry = audit.record(action="create", resource_type="tenant")
    assert (entry.actor_type, entry.actor_id) == ("system", None)


def test_the_actor_is_the_requests_principal(app, tenant):
    key_id = uuid.uuid4()
    with app.test_request_context("/api/pages", method="POST"):
        request_state()["principal"] = Principal(kind="api_key", id=key_id, tenant_id=tenant.id)
        entry = audit.record(action="create", resource_type="page")
    assert (entry.actor_type, entry.actor_id) == ("api_key", key_id)


def test_the_actor_comes_from_the_requests_credentials_even_if_the_view_did_not_ask(app, tenant):
    user = factories.user(tenant=tenant)
    with app.test_request_context("/api/pages", method="POST", headers=factories.auth_headers(user)):
        entry = audit.record(action="create", resource_type="page")
    assert (entry.actor_type, entry.actor_id) == ("user", user.id)


def test_an_explicit_actor_wins(app):
    actor_id = uuid.uuid4()
    entry = audit.record(action="login", resource_type="user", actor=("user", actor_id))
    assert (entry.actor_type, entry.actor_id) == ("user", actor_id)
