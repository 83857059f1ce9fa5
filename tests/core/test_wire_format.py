"""The wire format of API.md §1 and §4: envelopes, errors, request ids, headers, ETags, CORS.

The tenants endpoints are the guinea pig. Behaviour that needs routes of its own (500s,
IntegrityError) or other settings (CORS origins, tiny rate limits) runs on a fresh app, so
nothing is added to the shared session app.
"""

from __future__ import annotations

import logging
import os
import re

import pytest
import sqlalchemy as sa
from flask import Flask
from marshmallow import ValidationError

from siteninja import create_app
from siteninja.core.errors import flatten_messages
from siteninja.extensions import db
from siteninja.resources.tenants.models import Tenant
from tests import factories

API_CSP = "default-src 'none'; frame-ancestors 'none'"
ALLOWED_ORIGIN = "https://app.example.com"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "X-XSS-Protection": "0",
}
GENERATED_ID = re.compile(r"[0-9a-f]{32}")


# --- helpers ---------------------------------------------------------------------------------


def make_app(tmp_path, **overrides) -> Flask:
    """A fresh app on its own SQLite file, for routes and settings the shared app must not get.

    The rate-limit store stays the shared app's: flask-limiter keeps it on its one instance.
    """
    settings = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/fresh.db",
        "REDIS_URL": None,
        "RATELIMIT_STORAGE_URI": os.environ.get("REDIS_URL") or "memory://",
        **overrides,
    }
    return create_app("testing", **settings)


def create_tenant(client, **body):
    body.setdefault("name", "Bloom Florist")
    body.setdefault("subdomain", factories.unique("bloom-"))
    return client.post("/api/tenants", json=body)


def assert_error(response, status: int, code: str) -> dict:
    """The error envelope with ``status``/``code``; returns its ``error`` object."""
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"success", "error", "requestId"}
    assert body["success"] is False
    assert body["requestId"] == response.headers["X-Request-ID"]
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert set(body["error"]) <= {"code", "message", "details"}
    return body["error"]


def fields_of(error: dict) -> list[str | None]:
    return [detail["field"] for detail in error["details"]]


# --- success envelope ------------------------------------------------------------------------


def test_object_success_envelope(super_client, tenant):
    response = super_client.get(f"/api/tenants/{tenant.id}")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["success"] is True
    assert body["data"]["id"] == str(tenant.id)
    assert "pagination" not in body
    assert set(body) <= {"success", "data", "message"}


def test_list_success_envelope_has_pagination(super_client, tenant):
    body = super_client.get("/api/tenants?limit=5").get_json()
    assert body["success"] is True
    assert isinstance(body["data"], list)
    assert set(body["pagination"]) == {"page", "limit", "total", "totalPages", "hasNext", "hasPrev"}
    assert body["pagination"]["limit"] == 5


def test_pagination_does_not_leak_into_the_next_response(app, super_client, tenant):
    """Requests made under one long-lived app context (tests, scripts) share ``g``."""
    with app.app_context():
        assert "pagination" in super_client.get("/api/tenants").get_json()
        assert "pagination" not in super_client.get(f"/api/tenants/{tenant.id}").get_json()


def test_create_is_201_with_location_and_camelcase_fields(super_client):
    response = create_tenant(super_client, customDomain=None)
    assert response.status_code == 201
    data = response.get_json()["data"]
    assert response.headers["Location"].endswith(f"/api/tenants/{data['id']}")
    assert {"createdAt", "updatedAt", "customDomain", "industryId"} <= set(data)
    assert not any("_" in key for key in data)


def test_delete_is_204_without_a_body(super_client, tenant):
    response = super_client.delete(f"/api/tenants/{tenant.id}")
    assert response.status_code == 204
    assert response.data == b""


# --- bad bodies ------------------------------------------------------------------------------


def test_malformed_json_is_400_bad_request(super_client):
    response = super_client.post("/api/tenants", data='{"name": "x",', content_type="application/json")
    error = assert_error(response, 400, "bad_request")
    assert "details" not in error


def test_json_that_is_not_utf8_is_400(super_client):
    response = super_client.post("/api/tenants", data=b'{"name": "\xff"}', content_type="application/json")
    assert_error(response, 400, "bad_request")


@pytest.mark.parametrize(
    ("content_type", "data"),
    [
        ("text/plain", '{"name": "x"}'),
        ("application/x-www-form-urlencoded", "name=x&subdomain=abc"),
        ("application/xml", "<tenant/>"),
    ],
)
def test_a_body_that_is_not_json_is_400(super_client, content_type, data):
    response = super_client.post("/api/tenants", data=data, content_type=content_type)
    error = assert_error(response, 400, "bad_request")
    assert "application/json" in error["message"]


def test_a_bodyless_post_with_another_content_type_is_not_a_content_type_error(super_client):
    response = super_client.post("/api/tenants", content_type="text/plain")
    assert_error(response, 422, "validation_error")


@pytest.mark.parametrize("body", ['[{"name": "x"}]', '"a string"', "42", "null"])
def test_a_json_body_that_is_not_an_object_is_422(super_client, body):
    response = super_client.post("/api/tenants", data=body, content_type="application/json")
    assert_error(response, 422, "validation_error")


def test_unknown_fields_are_422_naming_the_field_as_sent(super_client):
    response = create_tenant(super_client, bogusField=1, custom_domain="shop.example.com")
    error = assert_error(response, 422, "validation_error")
    assert sorted(fields_of(error)) == ["bogusField", "custom_domain"]


def test_server_owned_fields_are_rejected_not_ignored(super_client, tenant):
    for field in ("id", "createdAt", "updatedAt"):
        response = super_client.put(f"/api/tenants/{tenant.id}", json={field: "x"})
        assert fields_of(assert_error(response, 422, "validation_error")) == [field]


def test_wrong_types_are_422_one_detail_per_field(super_client):
    response = super_client.post("/api/tenants", json={"name": 5, "subdomain": ["abc"], "settings": "x"})
    error = assert_error(response, 422, "validation_error")
    assert sorted(fields_of(error)) == ["name", "settings", "subdomain"]
    assert all(detail["message"] for detail in error["details"])


def test_missing_required_fields_are_named(super_client):
    error = assert_error(super_client.post("/api/tenants", json={}), 422, "validation_error")
    assert sorted(fields_of(error)) == ["name", "subdomain"]


def test_name_is_limited_to_200_characters(super_client):
    error = assert_error(create_tenant(super_client, name="x" * 201), 422, "validation_error")
    assert fields_of(error) == ["name"]
    assert create_tenant(super_client, name="x" * 200).status_code == 201


def test_bad_query_arguments_are_422_without_the_location_in_the_field(super_client):
    error = assert_error(super_client.get("/api/tenants?limit=500&bogus=1"), 422, "validation_error")
    assert sorted(fields_of(error)) == ["bogus", "limit"]


def test_a_body_over_1_mb_is_413_payload_too_large(super_client):
    body = '{"name": "' + "x" * (1024 * 1024) + '"}'
    response = super_client.post("/api/tenants", data=body, content_type="application/json")
    assert_error(response, 413, "payload_too_large")


def test_a_body_just_under_1_mb_is_read_and_validated(super_client):
    response = create_tenant(super_client, name="x" * (1024 * 1024 - 100))
    assert fields_of(assert_error(response, 422, "validation_error")) == ["name"]


# --- flatten_messages: webargs/marshmallow messages → details ---------------------------------


def test_nested_error_paths_are_dotted():
    messages = {"json": {"content": {"items": {0: {"title": ["bad"]}}}}}
    assert list(flatten_messages(messages)) == [{"field": "content.items.0.title", "message": "bad"}]


def test_list_positions_and_several_locations():
    messages = {
        "query": {"limit": ["Too big.", "Not even."]},
        "json": {"tags": {1: ["Not a valid string."]}, "_schema": ["Invalid input type."]},
    }
    assert list(flatten_messages(messages)) == [
        {"field": "limit", "message": "Too big. Not even."},
        {"field": "tags.1", "message": "Not a valid string."},
        {"field": "body", "message": "Invalid input type."},
    ]


def test_a_field_named_like_a_location_keeps_its_name():
    messages = {"json": {"path": ["Not a valid string."], "query": {"q": ["bad"]}}}
    assert [d["field"] for d in flatten_messages(messages)] == ["path", "query.q"]


def test_schema_level_errors_of_nested_objects_stay_on_the_object():
    messages = {"json": {"seo": {"_schema": ["Title or description required."]}}}
    assert list(flatten_messages(messages)) == [{"field": "seo", "message": "Title or description required."}]


# --- routing errors --------------------------------------------------------------------------


def test_unknown_route_is_a_404_envelope(client):
    assert_error(client.get("/api/no-such-thing"), 404, "not_found")
    assert_error(client.get("/nowhere"), 404, "not_found")


def test_non_uuid_id_is_a_404_envelope(super_client):
    assert_error(super_client.get("/api/tenants/not-a-uuid"), 404, "not_found")


def test_wrong_method_is_a_405_envelope_with_allow(client):
    response = client.delete("/api/tenants")
    assert_error(response, 405, "method_not_allowed")
    allowed = {method.strip() for method in response.headers["Allow"].split(",")}
    assert {"GET", "POST"} <= allowed and "DELETE" not in allowed


# --- errors raised by code: 500, IntegrityError, marshmallow --------------------------------


def test_an_unexpected_exception_is_a_500_without_internals(tmp_path, caplog):
    fresh = make_app(tmp_path)

    def explode():
        raise RuntimeError("SELECT password_hash FROM users -- hunter2")

    fresh.add_url_rule("/api/explode", view_func=explode)
    with caplog.at_level(logging.ERROR, logger="siteninja.errors"):
        response = fresh.test_client().get("/api/explode")
    error = assert_error(response, 500, "internal_error")
    text = response.get_data(as_text=True)
    for leak in ("SELECT", "hunter2", "Traceback", "RuntimeError", "explode"):
        assert leak not in text
    assert "details" not in error
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    logged = [r for r in caplog.records if r.exc_info and r.__dict__.get("requestId")]
    assert [r.requestId for r in logged] == [response.get_json()["requestId"]]


def test_integrity_error_is_a_409_conflict_and_leaves_the_session_usable(tmp_path, own_session):
    fresh = make_app(tmp_path)
    with fresh.app_context():
        db.create_all()

    def insert_twice():
        db.session.add_all([Tenant(name="A", subdomain="twin"), Tenant(name="B", subdomain="twin")])
        db.session.commit()

    def hook_that_queries(response):  # like any after-request work that needs the database
        db.session.execute(sa.text("SELECT 1"))
        return response

    fresh.add_url_rule("/api/twins", view_func=insert_twice, methods=["POST"])
    fresh.after_request(hook_that_queries)
    response = fresh.test_client().post("/api/twins")
    error = assert_error(response, 409, "conflict")
    text = response.get_data(as_text=True)
    assert "INSERT" not in text and "UNIQUE" not in text.upper() and "twin" not in text
    assert "details" not in error


def test_a_marshmallow_error_raised_by_a_service_is_a_422(tmp_path):
    fresh = make_app(tmp_path)

    def validate_in_service():
        raise ValidationError({"content": {"items": {0: {"title": ["Too long."]}}}})

    fresh.add_url_rule("/api/validate", view_func=validate_in_service, methods=["POST"])
    error = assert_error(fresh.test_client().post("/api/validate"), 422, "validation_error")
    assert error["details"] == [{"field": "content.items.0.title", "message": "Too long."}]


def test_an_unlisted_http_status_still_gets_a_code(client):
    response = client.get("/api/docs/assets/swagger-ui.css", headers={"Range": "bytes=999999999-"})
    error = assert_error(response, 416, "requested_range_not_satisfiable")
    assert error["message"] == "Requested Range Not Satisfiable"


# --- request ids -----------------------------------------------------------------------------


def test_a_sane_client_request_id_is_echoed_in_header_and_error_body(client):
    response = client.get("/api/nope", headers={"X-Request-ID": "trace-42.a:b_c"})
    assert response.headers["X-Request-ID"] == "trace-42.a:b_c"
    assert response.get_json()["requestId"] == "trace-42.a:b_c"


def test_a_request_id_of_128_characters_is_kept(client):
    sane = "a" * 128
    assert client.get("/api/health", headers={"X-Request-ID": sane}).headers["X-Request-ID"] == sane


@pytest.mark.parametrize(
    "insane",
    ["a" * 129, "two words", "semi;colon", "<script>", "ünïcode", ""],
)
def test_an_insane_request_id_is_replaced(client, insane):
    response = client.get("/api/health", headers={"X-Request-ID": insane})
    assert GENERATED_ID.fullmatch(response.headers["X-Request-ID"])


@pytest.mark.parametrize("raw", ["abc\n", "abc\r\nX-Evil: 1", "abc\ndef"])
def test_a_request_id_with_a_line_break_is_replaced_not_echoed(client, raw):
    response = client.get("/api/nope", environ_overrides={"HTTP_X_REQUEST_ID": raw})
    assert GENERATED_ID.fullmatch(response.headers["X-Request-ID"])
    assert "X-Evil" not in response.headers


def test_every_response_gets_a_generated_request_id(client):
    first, second = (client.get("/api/health").headers["X-Request-ID"] for _ in range(2))
    assert GENERATED_ID.fullmatch(first) and first != second


# --- security headers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/health", 200),
        ("GET", "/api/tenants", 401),
        ("GET", "/api/nope", 404),
        ("DELETE", "/api/tenants", 405),
        ("GET", "/api/openapi.json", 200),
    ],
)
def test_security_headers_on_every_api_response(client, method, path, status):
    response = client.open(path, method=method)
    assert response.status_code == status
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value, name
    assert response.headers["Content-Security-Policy"] == API_CSP
    assert "Strict-Transport-Security" not in response.headers


def test_the_docs_page_gets_a_looser_policy_that_still_forbids_framing_and_remote_code(client):
    response = client.get("/api/docs")
    csp = response.headers["Content-Security-Policy"]
    assert csp != API_CSP
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "http:" not in csp and "https:" not in csp and "*" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"


def test_hsts_only_over_https(app):
    secure = app.test_client().get("/api/health", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Strict-Transport-Security" not in app.test_client().get("/api/health").headers


# --- ETags and conditional GET ---------------------------------------------------------------


def test_get_returns_an_etag_and_private_no_cache(super_client, tenant):
    response = super_client.get(f"/api/tenants/{tenant.id}")
    assert response.headers["ETag"].startswith('"')
    assert response.headers["Cache-Control"] == "private, no-cache"


def test_if_none_match_with_the_current_tag_is_304_without_a_body(super_client, tenant):
    etag = super_client.get(f"/api/tenants/{tenant.id}").headers["ETag"]
    response = super_client.get(f"/api/tenants/{tenant.id}", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.data == b""
    assert response.headers["ETag"] == etag
    assert response.headers["X-Request-ID"]


def test_weak_and_listed_tags_match_too(super_client, tenant):
    etag = super_client.get(f"/api/tenants/{tenant.id}").headers["ETag"]
    for header in (f"W/{etag}", f'"other", {etag}'):
        response = super_client.get(f"/api/tenants/{tenant.id}", headers={"If-None-Match": header})
        assert response.status_code == 304, header


def test_a_stale_tag_gets_the_new_body(super_client, tenant):
    url = f"/api/tenants/{tenant.id}"
    etag = super_client.get(url).headers["ETag"]
    assert super_client.put(url, json={"name": "Renamed"}).status_code == 200
    response = super_client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response.get_json()["data"]["name"] == "Renamed"
    assert response.headers["ETag"] != etag


def test_lists_are_conditional_too(super_client, tenant):
    etag = super_client.get("/api/tenants").headers["ETag"]
    assert super_client.get("/api/tenants", headers={"If-None-Match": etag}).status_code == 304


def test_head_carries_the_same_etag_as_get(super_client, tenant):
    url = f"/api/tenants/{tenant.id}"
    etag = super_client.get(url).headers["ETag"]
    head = super_client.head(url)
    assert head.status_code == 200 and head.headers["ETag"] == etag
    assert super_client.head(url, headers={"If-None-Match": etag}).status_code == 304


def test_errors_and_writes_carry_no_etag(super_client, tenant):
    assert "ETag" not in super_client.get("/api/nope").headers
    assert "ETag" not in super_client.put(f"/api/tenants/{tenant.id}", json={"name": "X"}).headers


# --- rate-limit headers ----------------------------------------------------------------------


def test_limited_responses_carry_rate_limit_headers_but_retry_after_only_on_429(tmp_path):
    fresh = make_app(tmp_path, RATE_LIMIT_ANON="1/day")
    client = fresh.test_client()
    first = client.get("/api/tenants")
    assert first.status_code == 401
    assert first.headers["X-RateLimit-Limit"] == "1"
    assert first.headers["X-RateLimit-Remaining"] == "0"
    assert first.headers["X-RateLimit-Reset"].isdigit()
    assert "Retry-After" not in first.headers
    second = client.get("/api/tenants")
    assert_error(second, 429, "rate_limited")
    assert int(second.headers["Retry-After"]) > 0


# --- CORS ------------------------------------------------------------------------------------


@pytest.fixture
def cors_client(tmp_path):
    return make_app(tmp_path, CORS_ORIGINS=[ALLOWED_ORIGIN], RATE_LIMIT_ANON="1/day").test_client()


def preflight(client, origin: str, path: str = "/api/tenants"):
    headers = {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Authorization, Content-Type",
    }
    return client.options(path, headers=headers)


def test_preflight_from_an_allowed_origin_is_204_with_the_allow_headers(cors_client):
    response = preflight(cors_client, ALLOWED_ORIGIN)
    assert response.status_code == 204
    assert response.data == b""
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "authorization" in response.headers["Access-Control-Allow-Headers"].lower()
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_preflight_from_another_origin_gets_no_allow_origin(cors_client):
    response = preflight(cors_client, "https://evil.example.com")
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_preflights_do_not_spend_the_rate_limit(cors_client):
    for _ in range(3):
        response = preflight(cors_client, ALLOWED_ORIGIN)
        assert response.status_code == 204
        assert "X-RateLimit-Limit" not in response.headers
    assert cors_client.get("/api/tenants").status_code == 401  # the one request of the day


def test_cors_responses_expose_the_api_headers(cors_client):
    response = cors_client.get("/api/health", headers={"Origin": ALLOWED_ORIGIN})
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    exposed = {h.strip().lower() for h in response.headers["Access-Control-Expose-Headers"].split(",")}
    wanted = {"x-request-id", "etag", "location", "x-ratelimit-limit", "x-ratelimit-remaining"}
    assert wanted | {"x-ratelimit-reset"} <= exposed


def test_responses_vary_on_origin_even_without_one(cors_client):
    """A cache must not hand a response made for no Origin (so without CORS headers) to a browser."""
    for headers in ({}, {"Origin": ALLOWED_ORIGIN}):
        vary = cors_client.get("/api/health", headers=headers).headers.getlist("Vary")
        assert [token.strip() for line in vary for token in line.split(",")].count("Origin") == 1


def test_errors_carry_cors_headers_so_browsers_can_read_them(cors_client):
    response = cors_client.get("/api/nope", headers={"Origin": ALLOWED_ORIGIN})
    assert response.status_code == 404
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN


def test_no_origin_is_allowed_by_default(client):
    response = client.get("/api/health", headers={"Origin": ALLOWED_ORIGIN})
    assert "Access-Control-Allow-Origin" not in response.headers
