"""API keys: format and checksum, issuing through the API, scopes, audit, revoke, rotate, expiry, usage."""

from __future__ import annotations

import json
import os
import re
import string
import uuid
import zlib
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from siteninja import create_app
from siteninja.core import principal_cache
from siteninja.core.idempotency import IdempotencyRecord
from siteninja.core.redis import redis_client
from siteninja.extensions import db
from siteninja.jobs import scheduler
from siteninja.models import ApiKey, ApiKeyUsage, AuditLog
from siteninja.resources.api_keys import keys, service, usage
from tests import factories
from tests.conftest import count_queries, database_url

BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
KEY_PATTERN = re.compile(r"^sn_(live|test)_[0-9A-Za-z]{32}[0-9A-Za-z]{6}$")
UUID_PATTERN = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


# --- helpers -----------------------------------------------------------------------------------


def keys_url(tenant, suffix: str = "") -> str:
    return f"/api/tenants/{tenant.id}/api-keys{suffix}"


def pages_url(tenant, suffix: str = "") -> str:
    return f"/api/tenants/{tenant.id}/pages{suffix}"


def create_key(client, tenant, **body):
    body.setdefault("name", "CRM sync")
    body.setdefault("scopes", ["pages:read"])
    return client.post(keys_url(tenant), json=body)


def issued(client, tenant, **body) -> dict:
    """Create a key through the API; its fields plus ``key`` (the secret)."""
    response = create_key(client, tenant, **body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["data"]


def error_fields(response) -> set[str]:
    return {detail["field"] for detail in response.get_json()["error"].get("details", [])}


def expected_checksum(body: str) -> str:
    """CRC32 of ``body`` in base62 (0-9A-Za-z), left-padded with 0 to 6: computed independently."""
    number = zlib.crc32(body.encode("ascii"))
    digits = ""
    while number:
        number, remainder = divmod(number, 62)
        digits = BASE62[remainder] + digits
    return digits.rjust(6, "0")


def key_hash_of(key_id) -> str:
    db.session.expire_all()
    return db.session.get(ApiKey, uuid.UUID(str(key_id))).key_hash


def travel(monkeypatch, hours: float) -> None:
    """Move the API key service's clock ``hours`` ahead.

    Entries that Redis keeps for seconds (cached principals) would be long gone by then: they go.
    """
    future = datetime.now(UTC) + timedelta(hours=hours)
    monkeypatch.setattr(service, "utcnow", lambda: future)
    client = redis_client()
    if client is not None:
        for name in client.scan_iter(f"{principal_cache.ENTRY}*"):
            client.delete(name)


def api_key_writes(statements: list[str]) -> list[str]:
    return [
        s
        for s in statements
        if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")) and "api_key" in s.lower()
    ]


@pytest.fixture
def other_tenant(db_session):
    return factories.tenant(name="Other Bakery")


@pytest.fixture
def other_owner(app, other_tenant):
    return factories.client_for(app, factories.user(tenant=other_tenant, role="owner"))


# --- 1. format ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated() -> list[str]:
    return [keys.generate(env).secret for env in ("live", "test") for _ in range(1200)]


def test_generated_keys_have_the_documented_format(generated):
    for key in generated:
        assert len(key) == 46
        assert key.startswith(("sn_live_", "sn_test_"))
        random_part = key[8:40]
        assert len(random_part) == 32
        assert set(random_part) <= set(BASE62)
        assert key[40:] == expected_checksum(key[:40])
        assert keys.well_formed(key)
    assert sum(k.startswith("sn_live_") for k in generated) == 1200
    assert sum(k.startswith("sn_test_") for k in generated) == 1200


def test_generated_random_parts_use_the_whole_base62_alphabet(generated):
    seen = set("".join(key[8:40] for key in generated))
    assert seen == set(BASE62)


def test_generated_keys_are_distinct(generated):
    assert len(set(generated)) == len(generated)
    assert len({key[8:40] for key in generated}) == len(generated)


def test_checksum_is_left_padded_to_six_characters():
    # CRC32 of the empty string is 0: the checksum is all padding.
    assert expected_checksum("") == "000000"
    for _ in range(200):
        key = keys.generate("live").secret
        assert len(key[40:]) == 6


def test_every_single_character_substitution_is_rejected(generated):
    for key in generated[::120]:  # 20 keys, both environments
        for position in range(8, 46):  # the random part and the checksum
            for char in BASE62 + "-_+/=":
                if char != key[position]:
                    mutated = key[:position] + char + key[position + 1 :]
                    assert not keys.well_formed(mutated), (key, position, char)


def test_environment_prefix_is_covered_by_the_checksum(generated):
    for key in generated[::100]:
        other = ("sn_test_" if key.startswith("sn_live_") else "sn_live_") + key[8:]
        assert not keys.well_formed(other)


def test_malformed_keys_are_not_well_formed(generated):
    key = generated[0]
    for bad in ("", "sn_live_", key[:-1], key + "0", "sn_prod_" + key[8:], key.upper(), f" {key}", "x" * 46):
        assert not keys.well_formed(bad), bad


# --- 2. bad checksum / malformed → 401 with no lookup -------------------------------------------


@pytest.mark.parametrize("header", ["bearer", "x-api-key"])
@pytest.mark.parametrize("path", ["/api/auth/me", "pages"])
def test_bad_checksum_is_401_without_any_query(app, tenant, header, path):
    real = factories.api_key(tenant=tenant, scopes=["*"])
    last = real.secret[-1]
    forged = real.secret[:-1] + ("A" if last != "A" else "B")  # same prefix as a stored key
    client = factories.key_client(app, forged, header=header)
    url = pages_url(tenant) if path == "pages" else path
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert [s for s in statements if "api_keys" in s] == []
    assert statements == []


@pytest.mark.needs_services
def test_bad_checksum_is_refused_without_a_redis_lookup(app, monkeypatch, tenant):
    real = factories.api_key(tenant=tenant, scopes=["*"])
    forged = real.secret[:-1] + ("A" if real.secret[-1] != "A" else "B")
    client, url, redis = factories.key_client(app, forged), pages_url(tenant), redis_client()
    commands: list[tuple] = []

    def recording(execute):
        return lambda *args, **kwargs: commands.append(args) or execute(*args, **kwargs)

    def pipeline(*args, **kwargs):
        pipe = original_pipeline(*args, **kwargs)
        pipe.execute_command = recording(pipe.execute_command)
        return pipe

    original_pipeline = redis.pipeline
    monkeypatch.setattr(redis, "execute_command", recording(redis.execute_command))
    monkeypatch.setattr(redis, "pipeline", pipeline)
    assert client.get(url).status_code == 401
    key_lookups = [
        c for c in commands if any(str(a).startswith(("sn:principal", "sn:epoch", "sn:usage")) for a in c)
    ]
    assert key_lookups == []
    # The recorder does see them: a real key's request is cached and counted through Redis.
    assert factories.key_client(app, real).get(url).status_code == 200
    assert any(str(a).startswith(("sn:principal", "sn:usage")) for c in commands for a in c)


@pytest.mark.parametrize("header", ["bearer", "x-api-key"])
@pytest.mark.parametrize(
    "presented", ["sn_live_short", "sn_test_" + "a" * 40, "sn_live_" + "!" * 32 + "000000"]
)
def test_malformed_key_is_401_without_any_query(app, tenant, header, presented):
    client, url = factories.key_client(app, presented, header=header), pages_url(tenant)
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert statements == []


def test_well_formed_unknown_key_is_401(app, tenant):
    unknown = keys.generate("live").secret
    response = factories.key_client(app, unknown).get(pages_url(tenant))
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_key_authenticated_request_costs_at_most_one_query_for_the_key(app, tenant):
    page = factories.page(tenant=tenant)
    client = factories.key_client(app, factories.api_key(tenant=tenant, scopes=["pages:read"]))
    url = pages_url(tenant, f"/{page.id}")
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    assert len([s for s in statements if "api_keys" in s]) <= 1


# --- 3. issuing through the API ----------------------------------------------------------------


def test_owner_creates_key_and_sees_the_secret_once(tenant, owner_client):
    response = create_key(owner_client, tenant, scopes=["pages:read", "pages:write"])
    assert response.status_code == 201
    data = response.get_json()["data"]
    assert response.headers["Location"].endswith(f"/api/tenants/{tenant.id}/api-keys/{data['id']}")
    secret = data["key"]
    assert KEY_PATTERN.match(secret) and keys.well_formed(secret)
    assert secret.startswith("sn_live_")
    assert data["environment"] == "live"
    assert data["prefix"] and secret.startswith(data["prefix"])
    assert data["last4"] == secret[-4:]
    assert sorted(data["scopes"]) == ["pages:read", "pages:write"]
    assert data["name"] == "CRM sync"
    assert data["revokedAt"] is None and data["expiresAt"] is None and data["rateLimit"] is None
    assert data["createdBy"] is not None
    assert "keyHash" not in data and "key_hash" not in data
    assert key_hash_of(data["id"]) not in response.get_data(as_text=True)


def test_admin_may_create_keys(app, tenant):
    admin = factories.client_for(app, factories.user(tenant=tenant, role="admin"))
    assert create_key(admin, tenant).status_code == 201
    assert admin.get(keys_url(tenant)).status_code == 200


def test_test_environment_gives_sn_test_keys(tenant, owner_client):
    data = issued(owner_client, tenant, environment="test")
    assert data["key"].startswith("sn_test_")
    assert keys.well_formed(data["key"])
    assert data["environment"] == "test"


def test_key_is_not_stored_in_plain(tenant, owner_client):
    data = issued(owner_client, tenant)
    db.session.expire_all()
    row = db.session.get(ApiKey, uuid.UUID(data["id"]))
    assert data["key"] not in {row.key_hash, row.prefix, row.last4, row.name}
    assert len(row.key_hash) == 64 and row.key_hash != data["key"]
    assert row.prefix == data["prefix"] and len(row.prefix) < len(data["key"])


def test_list_and_detail_show_prefix_and_last4_but_never_the_secret(tenant, owner_client):
    data = issued(owner_client, tenant)
    key_hash = key_hash_of(data["id"])
    listing = owner_client.get(keys_url(tenant))
    assert listing.status_code == 200
    items = listing.get_json()["data"]
    [item] = [i for i in items if i["id"] == data["id"]]
    assert item["prefix"] == data["prefix"] and item["last4"] == data["last4"]
    for row in items:
        assert "key" not in row and "keyHash" not in row
    assert data["key"] not in listing.get_data(as_text=True)
    assert key_hash not in listing.get_data(as_text=True)
    detail = owner_client.get(keys_url(tenant, f"/{data['id']}"))
    assert detail.status_code == 200
    body = detail.get_json()["data"]
    assert body["prefix"] == data["prefix"] and "key" not in body and "keyHash" not in body
    assert data["key"] not in detail.get_data(as_text=True)
    assert key_hash not in detail.get_data(as_text=True)


def test_secret_never_appears_in_audit_entries(tenant, owner_client):
    data = issued(owner_client, tenant)
    audit = owner_client.get(f"/api/tenants/{tenant.id}/audit?limit=100")
    assert audit.status_code == 200
    assert any(e["resourceId"] == data["id"] for e in audit.get_json()["data"])
    assert data["key"] not in audit.get_data(as_text=True)
    assert key_hash_of(data["id"]) not in audit.get_data(as_text=True)


def test_secret_is_not_kept_in_plain_by_idempotent_replay_storage(tenant, owner_client):
    response = owner_client.post(
        keys_url(tenant), json={"name": "Deploy", "scopes": ["pages:read"]}, headers={"Idempotency-Key": "k1"}
    )
    assert response.status_code == 201
    secret = response.get_json()["data"]["key"]
    stored = db.session.scalars(sa.select(IdempotencyRecord.response_body)).all()
    assert all(secret not in body for body in stored), "the full key is stored in plain for replays"


def test_scopes_star_absorbs_the_others(tenant, owner_client):
    data = issued(owner_client, tenant, scopes=["*", "pages:read"])
    assert data["scopes"] == ["*"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"scopes": ["pages:fly"]}, "scopes"),
        ({"scopes": ["users:write"]}, "scopes"),
        ({"scopes": []}, "scopes"),
        ({"scopes": "pages:read"}, "scopes"),
        ({"name": ""}, "name"),
        ({"name": None}, "name"),
        ({"environment": "prod"}, "environment"),
        ({"expiresAt": "2001-01-01T00:00:00Z"}, "expiresAt"),
        ({"expiresAt": "yesterday"}, "expiresAt"),
        ({"rateLimit": 0}, "rateLimit"),
        ({"rateLimit": -5}, "rateLimit"),
        ({"rateLimit": "10"}, "rateLimit"),
        ({"rateLimit": 2.5}, "rateLimit"),
        ({"rateLimit": True}, "rateLimit"),
        ({"rateLimit": 61}, "rateLimit"),  # above the free plan's 60/minute
        ({"keyHash": "0" * 64}, "keyHash"),
    ],
)
def test_invalid_create_bodies_are_422_naming_the_field(tenant, owner_client, body, field):
    response = create_key(owner_client, tenant, **body)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["code"] == "validation_error"
    assert any(f == field or f.startswith(f"{field}.") for f in error_fields(response)), error_fields(
        response
    )


def test_missing_name_is_422(tenant, owner_client):
    response = owner_client.post(keys_url(tenant), json={"scopes": ["pages:read"]})
    assert response.status_code == 422
    assert "name" in error_fields(response)


def test_missing_scopes_is_422(tenant, owner_client):
    response = owner_client.post(keys_url(tenant), json={"name": "x"})
    assert response.status_code == 422
    assert "scopes" in error_fields(response)


def test_rate_limit_at_the_plan_rate_is_accepted(tenant, owner_client):
    assert issued(owner_client, tenant, rateLimit=60)["rateLimit"] == 60


def test_422_lists_schema_and_plan_rate_failures_at_once(tenant, owner_client):
    response = owner_client.post(keys_url(tenant), json={"scopes": ["pages:read"], "rateLimit": 61})
    assert response.status_code == 422
    assert {"name", "rateLimit"} <= error_fields(response)


def test_body_that_is_not_an_object_names_body(tenant, owner_client):
    response = owner_client.post(keys_url(tenant), json=["pages:read"])
    assert response.status_code == 422
    assert error_fields(response) == {"body"}


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_editors_and_viewers_cannot_manage_keys(app, tenant, role):
    client = factories.client_for(app, factories.user(tenant=tenant, role=role))
    key = factories.api_key(tenant=tenant)
    assert create_key(client, tenant).status_code == 403
    assert client.get(keys_url(tenant)).status_code == 403
    assert client.get(keys_url(tenant, f"/{key.id}")).status_code == 403
    assert client.delete(keys_url(tenant, f"/{key.id}")).status_code == 403
    assert client.post(keys_url(tenant, f"/{key.id}/rotate"), json={}).status_code == 403
    assert client.get(keys_url(tenant, f"/{key.id}/usage")).status_code == 403


def test_editors_get_403_for_their_tenants_keys_and_404_for_ids_that_are_not(app, tenant):
    """As for every object route: an id that is not the tenant's is 404 before the role is checked
    (existence is never revealed across tenants); the tenant's own key is 403 for an editor."""
    editor = factories.client_for(app, factories.user(tenant=tenant, role="editor"))
    existing = factories.api_key(tenant=tenant).id
    foreign = factories.api_key(tenant=factories.tenant()).id
    for path in (f"/{existing}", f"/{existing}/usage"):
        assert editor.get(keys_url(tenant, path)).status_code == 403
    assert editor.delete(keys_url(tenant, f"/{existing}")).status_code == 403
    for key_id in (foreign, uuid.uuid4()):
        assert editor.get(keys_url(tenant, f"/{key_id}")).status_code == 404, key_id
        assert editor.delete(keys_url(tenant, f"/{key_id}")).status_code == 404, key_id


def test_another_tenants_owner_gets_404(tenant, other_owner):
    key = factories.api_key(tenant=tenant)
    assert create_key(other_owner, tenant).status_code == 404
    assert other_owner.get(keys_url(tenant)).status_code == 404
    assert other_owner.get(keys_url(tenant, f"/{key.id}")).status_code == 404
    assert other_owner.delete(keys_url(tenant, f"/{key.id}")).status_code == 404
    assert other_owner.post(keys_url(tenant, f"/{key.id}/rotate"), json={}).status_code == 404
    assert other_owner.get(keys_url(tenant, f"/{key.id}/usage")).status_code == 404


def test_a_key_id_of_another_tenant_under_ones_own_tenant_is_404(app, tenant, other_tenant, other_owner):
    key = factories.api_key(tenant=tenant)
    assert other_owner.get(keys_url(other_tenant, f"/{key.id}")).status_code == 404
    assert other_owner.delete(keys_url(other_tenant, f"/{key.id}")).status_code == 404
    assert other_owner.post(keys_url(other_tenant, f"/{key.id}/rotate"), json={}).status_code == 404
    assert other_owner.get(keys_url(other_tenant, f"/{key.id}/usage")).status_code == 404
    assert factories.key_client(app, key).get(pages_url(tenant)).status_code == 200


def test_unknown_or_non_uuid_key_ids_are_404(tenant, owner_client):
    assert owner_client.get(keys_url(tenant, f"/{uuid.uuid4()}")).status_code == 404
    assert owner_client.get(keys_url(tenant, "/not-a-uuid")).status_code == 404


def test_super_admin_may_manage_any_tenants_keys(tenant, super_client):
    data = issued(super_client, tenant)
    assert super_client.get(keys_url(tenant, f"/{data['id']}")).status_code == 200


# --- 4. authenticating and scopes --------------------------------------------------------------


@pytest.mark.parametrize("header", ["bearer", "x-api-key"])
def test_both_header_forms_authenticate(app, tenant, owner_client, header):
    data = issued(owner_client, tenant, scopes=["pages:read"])
    factories.page(tenant=tenant, title="Menu")
    response = factories.key_client(app, data["key"], header=header).get(pages_url(tenant))
    assert response.status_code == 200
    assert [p["title"] for p in response.get_json()["data"]] == ["Menu"]


def test_lowercase_bearer_scheme_with_a_key_authenticates(app, tenant):
    key = factories.api_key(tenant=tenant, scopes=["pages:read"])
    client = app.test_client()
    response = client.get(pages_url(tenant), headers={"Authorization": f"bearer {key.secret}"})
    assert response.status_code == 200


def test_pages_read_reads_but_cannot_write(app, tenant, owner_client):
    page = factories.page(tenant=tenant)
    client = factories.key_client(app, issued(owner_client, tenant, scopes=["pages:read"])["key"])
    assert client.get(pages_url(tenant)).status_code == 200
    assert client.get(pages_url(tenant, f"/{page.id}")).status_code == 200
    denied = client.post(pages_url(tenant), json={"title": "About us"})
    assert denied.status_code == 403
    assert denied.get_json()["error"]["code"] == "forbidden"
    assert client.put(pages_url(tenant, f"/{page.id}"), json={"title": "New"}).status_code == 403
    assert client.delete(pages_url(tenant, f"/{page.id}")).status_code == 403


def test_pages_write_is_needed_to_create(app, tenant, owner_client):
    writer = factories.key_client(app, issued(owner_client, tenant, scopes=["pages:write"])["key"])
    assert writer.post(pages_url(tenant), json={"title": "About us"}).status_code == 201
    nav_only = factories.key_client(app, issued(owner_client, tenant, scopes=["navigation:write"])["key"])
    assert nav_only.post(pages_url(tenant), json={"title": "Other"}).status_code == 403
    assert nav_only.get(pages_url(tenant)).status_code == 403


def test_star_key_reads_and_writes_pages_navigation_and_branding(app, tenant, owner_client):
    client = factories.key_client(app, issued(owner_client, tenant, scopes=["*"])["key"])
    base = f"/api/tenants/{tenant.id}"
    created = client.post(pages_url(tenant), json={"title": "About us"})
    assert created.status_code == 201
    page_id = created.get_json()["data"]["id"]
    assert client.get(pages_url(tenant, f"/{page_id}")).status_code == 200
    assert client.put(pages_url(tenant, f"/{page_id}"), json={"title": "About"}).status_code == 200
    assert client.get(pages_url(tenant)).status_code == 200
    nav = client.post(f"{base}/navigation", json={"label": "Home", "url": "/"})
    assert nav.status_code == 201
    assert client.get(f"{base}/navigation").status_code == 200
    assert (
        client.put(f"{base}/navigation/{nav.get_json()['data']['id']}", json={"label": "Start"}).status_code
        == 200
    )
    assert client.get(f"{base}/branding").status_code == 200
    branding = client.put(f"{base}/branding", json={"primaryColor": "#123456"})
    assert branding.status_code == 200
    assert branding.get_json()["data"]["primaryColor"] == "#123456"
    assert client.delete(pages_url(tenant, f"/{page_id}")).status_code == 204


def test_keys_never_manage_keys_users_or_the_subscription(app, tenant):
    key = factories.api_key(tenant=tenant, scopes=["*"])
    client = factories.key_client(app, key)
    assert client.get(keys_url(tenant)).status_code == 403
    assert create_key(client, tenant).status_code == 403
    assert client.post(keys_url(tenant, f"/{key.id}/rotate"), json={}).status_code == 403
    assert client.delete(keys_url(tenant, f"/{key.id}")).status_code == 403
    assert client.get(keys_url(tenant, f"/{key.id}/usage")).status_code == 403
    assert client.get("/api/users").status_code == 403
    assert client.get(f"/api/tenants/{tenant.id}/subscription").status_code == 403


def test_keys_get_403_for_key_ids_of_their_own_tenant_whether_or_not_they_exist(app, tenant):
    client = factories.key_client(app, factories.api_key(tenant=tenant, scopes=["*"]))
    for key_id in (factories.api_key(tenant=tenant).id, uuid.uuid4()):
        assert client.get(keys_url(tenant, f"/{key_id}")).status_code == 403, key_id
        assert client.post(keys_url(tenant, f"/{key_id}/rotate"), json={}).status_code == 403, key_id


def test_audit_read_scope_reads_the_audit_log(app, tenant):
    reader = factories.key_client(app, factories.api_key(tenant=tenant, scopes=["audit:read"]))
    other = factories.key_client(app, factories.api_key(tenant=tenant, scopes=["pages:read"]))
    assert reader.get(f"/api/tenants/{tenant.id}/audit").status_code == 200
    assert other.get(f"/api/tenants/{tenant.id}/audit").status_code == 403


def test_a_key_of_another_tenant_gets_404(app, tenant, other_tenant):
    page = factories.page(tenant=tenant)
    client = factories.key_client(app, factories.api_key(tenant=other_tenant, scopes=["*"]))
    assert client.get(pages_url(tenant)).status_code == 404
    assert client.get(pages_url(tenant, f"/{page.id}")).status_code == 404
    assert client.get(keys_url(tenant)).status_code == 404


def test_me_with_a_key_describes_the_key(app, tenant, owner_client):
    data = issued(owner_client, tenant, scopes=["pages:write", "pages:read"])
    response = factories.key_client(app, data["key"], header="x-api-key").get("/api/auth/me")
    assert response.status_code == 200
    me = response.get_json()["data"]
    assert me["type"] == "api_key"
    assert me["tenantId"] == str(tenant.id)
    assert sorted(me["scopes"]) == ["pages:read", "pages:write"]
    assert me["apiKey"]["id"] == data["id"]
    assert me["apiKey"]["prefix"] == data["prefix"] and me["apiKey"]["last4"] == data["last4"]
    assert "key" not in me["apiKey"] and "keyHash" not in me["apiKey"]
    assert data["key"] not in response.get_data(as_text=True)
    assert "user" not in me or me["user"] is None


# --- 5. audit ----------------------------------------------------------------------------------


def audit_list(client, tenant, **filters) -> list[dict]:
    query = "&".join(f"{k}={v}" for k, v in {"limit": 100, **filters}.items())
    response = client.get(f"/api/tenants/{tenant.id}/audit?{query}")
    assert response.status_code == 200
    return response.get_json()["data"]


def test_page_created_with_a_key_is_audited_as_the_key(app, tenant, owner_client):
    data = issued(owner_client, tenant, scopes=["pages:write"])
    created = factories.key_client(app, data["key"]).post(pages_url(tenant), json={"title": "About us"})
    assert created.status_code == 201
    page_id = created.get_json()["data"]["id"]
    [entry] = audit_list(owner_client, tenant, resourceId=page_id, action="create")
    assert entry["actorType"] == "api_key"
    assert entry["actorId"] == data["id"]


def test_create_rotate_and_revoke_are_audited_without_secrets(tenant, owner_client):
    first = issued(owner_client, tenant, scopes=["pages:read"])
    rotated = owner_client.post(keys_url(tenant, f"/{first['id']}/rotate"), json={})
    assert rotated.status_code == 201
    second = rotated.get_json()["data"]
    assert owner_client.delete(keys_url(tenant, f"/{second['id']}")).status_code == 204

    entries = audit_list(owner_client, tenant, resourceType="api_key")
    actions = {(e["action"], e["resourceId"]) for e in entries}
    assert ("create", first["id"]) in actions
    assert ("rotate", first["id"]) in actions
    assert ("revoke", second["id"]) in actions
    for entry in entries:
        assert entry["actorType"] == "user"
    text = json.dumps(entries)
    hashes = [key_hash_of(first["id"]), key_hash_of(second["id"])]
    for secret in (first["key"], second["key"], *hashes):
        assert secret not in text
    # The stored rows too, not only what the API shows.
    stored = db.session.scalars(sa.select(AuditLog).where(AuditLog.tenant_id == tenant.id)).all()
    stored_text = json.dumps([[r.old_value, r.new_value, r.changes] for r in stored], default=str)
    for secret in (first["key"], second["key"], *hashes):
        assert secret not in stored_text
    create_entry = next(e for e in entries if e["action"] == "create" and e["resourceId"] == first["id"])
    hash_fields = {k: v for k, v in create_entry["newValue"].items() if "hash" in k.lower()}
    assert hash_fields and set(hash_fields.values()) == {"[redacted]"}


# --- 6. revoke ---------------------------------------------------------------------------------


def test_revoke_is_204_and_the_next_request_is_401(app, tenant, owner_client):
    data = issued(owner_client, tenant)
    client = factories.key_client(app, data["key"])
    assert client.get(pages_url(tenant)).status_code == 200
    response = owner_client.delete(keys_url(tenant, f"/{data['id']}"))
    assert response.status_code == 204
    assert response.get_data() == b""
    refused = client.get(pages_url(tenant))
    assert refused.status_code == 401
    assert refused.get_json()["error"]["code"] == "unauthorized"
    assert (
        factories.key_client(app, data["key"], header="x-api-key").get(pages_url(tenant)).status_code == 401
    )


def test_revoking_twice_is_harmless(tenant, owner_client):
    data = issued(owner_client, tenant)
    assert owner_client.delete(keys_url(tenant, f"/{data['id']}")).status_code == 204
    assert owner_client.delete(keys_url(tenant, f"/{data['id']}")).status_code in (204, 404)


def test_revoke_through_one_app_is_seen_by_another_at_once(app, tenant, owner_client):
    other_app = create_app(
        "testing", SQLALCHEMY_DATABASE_URI=database_url(), REDIS_URL=os.environ.get("REDIS_URL")
    )
    data = issued(owner_client, tenant)
    on_b = factories.key_client(other_app, data["key"])
    assert on_b.get(pages_url(tenant)).status_code == 200
    assert owner_client.delete(keys_url(tenant, f"/{data['id']}")).status_code == 204
    assert on_b.get(pages_url(tenant)).status_code == 401


def test_revoked_keys_are_listed_only_when_asked(tenant, owner_client):
    kept = issued(owner_client, tenant)
    gone = issued(owner_client, tenant)
    owner_client.delete(keys_url(tenant, f"/{gone['id']}"))
    default_ids = {k["id"] for k in owner_client.get(keys_url(tenant)).get_json()["data"]}
    assert kept["id"] in default_ids and gone["id"] not in default_ids
    listing = owner_client.get(keys_url(tenant, "?includeRevoked=true")).get_json()["data"]
    by_id = {k["id"]: k for k in listing}
    assert by_id[gone["id"]]["revokedAt"] is not None
    assert by_id[gone["id"]]["revokedAt"].endswith("Z")
    assert by_id[kept["id"]]["revokedAt"] is None


# --- 7. rotate ---------------------------------------------------------------------------------


def rotate(client, tenant, key_id, **body):
    return client.post(keys_url(tenant, f"/{key_id}/rotate"), json=body)


def test_rotate_is_201_with_a_new_key_of_the_same_settings(tenant, owner_client):
    old = issued(
        owner_client, tenant, name="Deploy hook", scopes=["pages:read", "navigation:read"], rateLimit=30
    )
    response = rotate(owner_client, tenant, old["id"])
    assert response.status_code == 201
    new = response.get_json()["data"]
    assert response.headers["Location"].endswith(f"/api-keys/{new['id']}")
    assert new["id"] != old["id"]
    assert keys.well_formed(new["key"]) and new["key"] != old["key"]
    assert new["last4"] == new["key"][-4:]
    assert new["name"] == "Deploy hook"
    assert sorted(new["scopes"]) == ["navigation:read", "pages:read"]
    assert new["environment"] == old["environment"]
    assert new["rateLimit"] == 30


def test_rotate_without_a_body_uses_the_default_grace(app, tenant, owner_client):
    old = issued(owner_client, tenant)
    response = owner_client.post(keys_url(tenant, f"/{old['id']}/rotate"))
    assert response.status_code == 201
    assert factories.key_client(app, old["key"]).get(pages_url(tenant)).status_code == 200


def test_after_rotate_the_old_key_works_for_24_hours(app, monkeypatch, tenant, owner_client):
    old = issued(owner_client, tenant)
    new = rotate(owner_client, tenant, old["id"]).get_json()["data"]
    old_client, new_client = factories.key_client(app, old["key"]), factories.key_client(app, new["key"])
    assert old_client.get(pages_url(tenant)).status_code == 200
    assert new_client.get(pages_url(tenant)).status_code == 200
    travel(monkeypatch, 23)
    assert old_client.get(pages_url(tenant)).status_code == 200
    travel(monkeypatch, 25)
    assert old_client.get(pages_url(tenant)).status_code == 401
    assert new_client.get(pages_url(tenant)).status_code == 200


def test_rotate_with_grace_zero_stops_the_old_key_at_once(app, tenant, owner_client):
    old = issued(owner_client, tenant)
    response = rotate(owner_client, tenant, old["id"], gracePeriodHours=0)
    assert response.status_code == 201
    new = response.get_json()["data"]
    assert factories.key_client(app, old["key"]).get(pages_url(tenant)).status_code == 401
    assert factories.key_client(app, new["key"]).get(pages_url(tenant)).status_code == 200


@pytest.mark.parametrize("grace", [-1, 10000, "24", 1.5, None])
def test_invalid_grace_period_is_422(tenant, owner_client, grace):
    old = issued(owner_client, tenant)
    response = rotate(owner_client, tenant, old["id"], gracePeriodHours=grace)
    assert response.status_code == 422
    assert "gracePeriodHours" in error_fields(response)


def test_rotating_a_revoked_key_is_422(tenant, owner_client):
    old = issued(owner_client, tenant)
    owner_client.delete(keys_url(tenant, f"/{old['id']}"))
    response = rotate(owner_client, tenant, old["id"])
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "validation_error"


def test_rotating_keeps_a_shorter_original_expiry(app, monkeypatch, tenant, owner_client):
    expires = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    old = issued(owner_client, tenant, expiresAt=expires)
    new = rotate(owner_client, tenant, old["id"]).get_json()["data"]
    assert new["expiresAt"] is not None
    travel(monkeypatch, 3)
    assert factories.key_client(app, old["key"]).get(pages_url(tenant)).status_code == 401
    assert factories.key_client(app, new["key"]).get(pages_url(tenant)).status_code == 401


# --- 8. expiry ---------------------------------------------------------------------------------


def test_key_works_until_it_expires(app, monkeypatch, tenant, owner_client):
    expires = (datetime.now(UTC) + timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    data = issued(owner_client, tenant, expiresAt=expires)
    assert data["expiresAt"].endswith("Z")
    client = factories.key_client(app, data["key"])
    assert client.get(pages_url(tenant)).status_code == 200
    travel(monkeypatch, 2)
    response = client.get(pages_url(tenant))
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_an_expired_key_cannot_be_rotated(monkeypatch, tenant, owner_client):
    expires = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    data = issued(owner_client, tenant, expiresAt=expires)
    travel(monkeypatch, 2)
    assert rotate(owner_client, tenant, data["id"]).status_code == 422


# --- 9. tenant status --------------------------------------------------------------------------


def test_key_of_a_suspended_tenant_gets_403(app, tenant, owner_client, super_client):
    client = factories.key_client(app, issued(owner_client, tenant)["key"])
    assert client.get(pages_url(tenant)).status_code == 200
    assert super_client.put(f"/api/tenants/{tenant.id}", json={"status": "suspended"}).status_code == 200
    response = client.get(pages_url(tenant))
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"


def test_key_of_a_deleted_tenant_gets_401(app, tenant, owner_client):
    client = factories.key_client(app, issued(owner_client, tenant)["key"])
    assert client.get(pages_url(tenant)).status_code == 200
    assert owner_client.delete(f"/api/tenants/{tenant.id}").status_code == 204
    response = client.get(pages_url(tenant))
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


# --- 10. usage ---------------------------------------------------------------------------------


def usage_of(client, tenant, key_id, query: str = "") -> dict:
    response = client.get(keys_url(tenant, f"/{key_id}/usage{query}"))
    assert response.status_code == 200, response.get_json()
    return response.get_json()["data"]


def endpoint_counts(report: dict) -> dict[tuple[str, str], int]:
    return {(e["method"], e["path"]): e["count"] for e in report["byEndpoint"]}


def today() -> str:
    return datetime.now(UTC).date().isoformat()


def stored_usage(key_id) -> int:
    total = db.session.scalar(
        sa.select(sa.func.sum(ApiKeyUsage.count)).where(ApiKeyUsage.api_key_id == uuid.UUID(str(key_id)))
    )
    return total or 0


LIST = ("GET", "/api/tenants/{tenantId}/pages")
DETAIL = ("GET", "/api/tenants/{tenantId}/pages/{pageId}")
CREATE = ("POST", "/api/tenants/{tenantId}/pages")


def test_usage_before_any_flush_includes_pending_counts(app, tenant, owner_client):
    page = factories.page(tenant=tenant)
    data = issued(owner_client, tenant, scopes=["pages:read", "pages:write"])
    client = factories.key_client(app, data["key"])
    for _ in range(2):
        assert client.get(pages_url(tenant)).status_code == 200
    assert client.get(pages_url(tenant, f"/{page.id}")).status_code == 200
    assert client.post(pages_url(tenant), json={"title": "New"}).status_code == 201

    report = usage_of(owner_client, tenant, data["id"])
    assert report["keyId"] == data["id"]
    assert report["totalRequests"] == 4
    assert report["byDay"] == [{"date": today(), "count": 4}]
    assert endpoint_counts(report) == {LIST: 2, DETAIL: 1, CREATE: 1}
    for entry in report["byEndpoint"]:
        assert not UUID_PATTERN.search(entry["path"]), entry
    assert report["lastUsedAt"] is not None and report["lastUsedAt"].endswith("Z")
    assert stored_usage(data["id"]) == 0


def test_usage_after_a_flush_is_the_same_and_stored(app, tenant, owner_client):
    page = factories.page(tenant=tenant)
    data = issued(owner_client, tenant)
    client = factories.key_client(app, data["key"])
    client.get(pages_url(tenant))
    client.get(pages_url(tenant, f"/{page.id}"))
    before = usage_of(owner_client, tenant, data["id"])

    usage.flush()
    after = usage_of(owner_client, tenant, data["id"])
    assert after["totalRequests"] == before["totalRequests"] == 2
    assert after["byDay"] == before["byDay"] == [{"date": today(), "count": 2}]
    assert endpoint_counts(after) == endpoint_counts(before) == {LIST: 1, DETAIL: 1}
    assert stored_usage(data["id"]) == 2
    rows = db.session.scalars(sa.select(ApiKeyUsage).where(ApiKeyUsage.api_key_id == uuid.UUID(data["id"])))
    assert {(r.method, r.path, r.day.isoformat(), r.count) for r in rows} == {
        (*LIST, today(), 1),
        (*DETAIL, today(), 1),
    }
    db.session.expire_all()
    assert db.session.get(ApiKey, uuid.UUID(data["id"])).last_used_at is not None
    assert after["lastUsedAt"] is not None


def test_usage_adds_up_across_flushes_without_double_counting(app, tenant, owner_client):
    data = issued(owner_client, tenant)
    client = factories.key_client(app, data["key"])
    for _ in range(3):
        client.get(pages_url(tenant))
    usage.flush()
    for _ in range(2):
        client.get(pages_url(tenant))
    mixed = usage_of(owner_client, tenant, data["id"])
    assert mixed["totalRequests"] == 5
    assert endpoint_counts(mixed) == {LIST: 5}
    usage.flush()
    usage.flush()  # a second flush with nothing pending moves nothing
    flushed = usage_of(owner_client, tenant, data["id"])
    assert flushed["totalRequests"] == 5
    assert flushed["byDay"] == [{"date": today(), "count": 5}]
    assert stored_usage(data["id"]) == 5


def test_usage_window_counts_only_the_last_days(app, tenant, owner_client):
    data = issued(owner_client, tenant)
    old_day = datetime.now(UTC).date() - timedelta(days=40)
    db.session.add(
        ApiKeyUsage(
            api_key_id=uuid.UUID(data["id"]),
            tenant_id=tenant.id,
            day=old_day,
            method=LIST[0],
            path=LIST[1],
            count=7,
        )
    )
    db.session.commit()
    factories.key_client(app, data["key"]).get(pages_url(tenant))
    assert usage_of(owner_client, tenant, data["id"])["totalRequests"] == 1
    wide = usage_of(owner_client, tenant, data["id"], "?days=60")
    assert wide["totalRequests"] == 8
    assert wide["byDay"] == [{"date": old_day.isoformat(), "count": 7}, {"date": today(), "count": 1}]
    assert endpoint_counts(wide) == {LIST: 8}


def test_usage_of_a_key_that_was_never_used_is_empty(tenant, owner_client):
    data = issued(owner_client, tenant)
    report = usage_of(owner_client, tenant, data["id"])
    assert report == {
        "keyId": data["id"],
        "lastUsedAt": None,
        "totalRequests": 0,
        "byDay": [],
        "byEndpoint": [],
    }


def test_usage_is_per_key(app, tenant, owner_client):
    first, second = issued(owner_client, tenant), issued(owner_client, tenant)
    factories.key_client(app, first["key"]).get(pages_url(tenant))
    assert usage_of(owner_client, tenant, first["id"])["totalRequests"] == 1
    assert usage_of(owner_client, tenant, second["id"])["totalRequests"] == 0


@pytest.mark.parametrize("days", ["0", "400", "-1", "abc"])
def test_usage_days_out_of_range_is_422(tenant, owner_client, days):
    data = issued(owner_client, tenant)
    response = owner_client.get(keys_url(tenant, f"/{data['id']}/usage?days={days}"))
    assert response.status_code == 422
    assert "days" in error_fields(response)


def test_usage_days_window_includes_today(app, tenant, owner_client):
    data = issued(owner_client, tenant)
    factories.key_client(app, data["key"]).get(pages_url(tenant))
    assert usage_of(owner_client, tenant, data["id"], "?days=1")["totalRequests"] == 1
    assert usage_of(owner_client, tenant, data["id"], "?days=365")["totalRequests"] == 1


def test_usage_of_another_tenants_key_is_404(tenant, other_tenant, other_owner):
    key = factories.api_key(tenant=tenant)
    assert other_owner.get(keys_url(tenant, f"/{key.id}/usage")).status_code == 404
    assert other_owner.get(keys_url(other_tenant, f"/{key.id}/usage")).status_code == 404


def test_counting_a_request_writes_nothing_to_the_database(app, tenant):
    client = factories.key_client(app, factories.api_key(tenant=tenant, scopes=["pages:read"]))
    url = pages_url(tenant)
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    assert api_key_writes(statements) == []
    assert not [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


@pytest.mark.needs_services
def test_pending_usage_in_redis_is_seen_by_another_app(app, tenant, owner_client):
    data = issued(owner_client, tenant)
    factories.key_client(app, data["key"]).get(pages_url(tenant))
    other_app = create_app(
        "testing", SQLALCHEMY_DATABASE_URI=database_url(), REDIS_URL=os.environ.get("REDIS_URL")
    )
    owner = factories.client_for(other_app, factories.user(tenant=tenant, role="owner"))
    assert usage_of(owner, tenant, data["id"])["totalRequests"] == 1


@pytest.mark.needs_services
def test_redis_holds_neither_the_key_nor_its_digest(app, tenant, owner_client):
    data = issued(owner_client, tenant, scopes=["pages:read"])
    client = factories.key_client(app, data["key"])
    for _ in range(3):
        assert client.get(pages_url(tenant)).status_code == 200
    key_hash = key_hash_of(data["id"])
    redis = redis_client()
    for name in redis.scan_iter("*"):
        kind = redis.type(name).decode()
        if kind == "string":
            values = [redis.get(name) or b""]
        elif kind == "hash":
            values = [b" ".join(pair) for pair in redis.hgetall(name).items()]
        elif kind == "set":
            values = list(redis.smembers(name))
        elif kind == "zset":
            values = [member for member, _ in redis.zrange(name, 0, -1, withscores=True)]
        else:
            values = []
        for blob in (name, *values):
            text = blob.decode(errors="replace")
            assert data["key"] not in text and key_hash not in text, name


def test_the_scheduler_flushes_usage_on_its_own(app, tenant):
    task = scheduler.TASKS["api_keys.flush_usage"]
    assert task.seconds(app) == app.config["API_KEY_USAGE_FLUSH_SECONDS"]
    key = factories.api_key(tenant=tenant, scopes=["pages:read"])
    client = factories.key_client(app, key)
    for _ in range(3):
        assert client.get(pages_url(tenant)).status_code == 200
    task.func()
    counted = db.session.scalar(
        sa.select(sa.func.sum(ApiKeyUsage.count)).where(ApiKeyUsage.api_key_id == key.id)
    )
    assert counted == 3
