"""422 details: the body as a whole is named ``body``; every failing field is listed at once."""

from __future__ import annotations

import pytest

from tests import factories

WEAK = "weak"


@pytest.mark.parametrize("body", [b"[1, 2]", b'"text"', b"7", b"null"])
def test_a_body_that_is_not_an_object_names_the_field_body(client, body):
    response = client.post("/api/auth/register", data=body, content_type="application/json")
    assert response.status_code == 422
    details = response.get_json()["error"]["details"]
    assert details and all(isinstance(d["field"], str) for d in details)
    assert [d["field"] for d in details] == ["body"]


def test_register_lists_a_bad_email_and_a_weak_password_together(client):
    response = client.post("/api/auth/register", json={"email": "not-an-email", "password": WEAK, "name": ""})
    assert response.status_code == 422
    fields = {d["field"]: d["message"] for d in response.get_json()["error"]["details"]}
    assert set(fields) == {"email", "password", "name"}
    assert "uppercase" in fields["password"] and "digit" in fields["password"]


def test_user_create_lists_the_password_policy_with_other_fields(owner_client, tenant):
    response = owner_client.post(
        "/api/users", json={"email": "x", "password": WEAK, "name": "New", "role": "boss"}
    )
    assert response.status_code == 422
    assert {d["field"] for d in response.get_json()["error"]["details"]} == {"email", "password", "role"}


def test_password_change_lists_a_wrong_current_password_and_a_weak_new_one(app, tenant):
    user = factories.user(tenant=tenant, role="editor")
    client = factories.client_for(app, user)
    response = client.put(
        f"/api/users/{user.id}/password", json={"currentPassword": "Wrong-pw-1!", "newPassword": WEAK}
    )
    assert response.status_code == 422
    assert [d["field"] for d in response.get_json()["error"]["details"]] == ["currentPassword", "newPassword"]


def test_reset_password_lists_a_bad_token_and_a_weak_password(client):
    response = client.post("/api/auth/reset-password", json={"token": "nope", "password": WEAK})
    assert response.status_code == 422
    assert [d["field"] for d in response.get_json()["error"]["details"]] == ["token", "password"]


def test_a_rule_error_without_a_field_names_the_body(app, tenant):
    editor = factories.client_for(app, factories.user(tenant=tenant, role="editor"))
    page = factories.page(tenant=tenant)
    response = editor.post(f"/api/tenants/{tenant.id}/pages/{page.id}/reset-template")
    assert response.status_code == 422
    assert [d["field"] for d in response.get_json()["error"]["details"]] == ["body"]
