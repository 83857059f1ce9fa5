"""Operations: /api/health (ok, degraded, down), /api/openapi.json and the CDN-free /api/docs.

Outages are simulated with fresh apps whose database or Redis URL points at 127.0.0.1 ports
nothing listens on (or at a SQLite file that cannot be opened); no traffic leaves the machine.
"""

from __future__ import annotations

import os
import re

import pytest
from flask import Flask
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from siteninja import create_app
from siteninja.resources.webhooks.models import EVENT_TYPES
from tests.conformance import openapi_path

REDIS_URL = os.environ.get("REDIS_URL")
CLOSED_REDIS = "redis://127.0.0.1:1/0"
CLOSED_POSTGRES = "postgresql+psycopg2://postgres@127.0.0.1:1/x"


def make_app(tmp_path, **overrides) -> Flask:
    """A fresh app on its own SQLite file; the rate-limit store stays the shared app's."""
    settings = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/fresh.db",
        "REDIS_URL": None,
        "RATELIMIT_STORAGE_URI": REDIS_URL or "memory://",
        **overrides,
    }
    return create_app("testing", **settings)


def health_of(app: Flask):
    return app.test_client().get("/api/health")


# --- health ----------------------------------------------------------------------------------


def test_health_is_ok_and_reports_each_dependency(client):
    response = client.get("/api/health")
    assert response.status_code == 200
    body = response.get_json()
    assert body["success"] is True
    assert body["data"]["status"] == "ok"
    expected = {"database": "ok", "redis": "ok", "queue": "ok"}
    if not REDIS_URL:
        expected.update(redis="disabled", queue="in-process")
    assert body["data"]["checks"] == expected


def test_health_is_never_cached(client):
    assert client.get("/api/health").headers["Cache-Control"] == "no-store"


def test_health_needs_no_credentials_and_is_not_rate_limited(tmp_path):
    fresh = make_app(tmp_path, RATE_LIMIT_ANON="1/day")
    client = fresh.test_client()
    for _ in range(3):
        response = client.get("/api/health")
        assert response.status_code == 200
        assert "X-RateLimit-Limit" not in response.headers


@pytest.mark.parametrize(
    "database_uri",
    [CLOSED_POSTGRES, "sqlite:///{tmp_path}/no-such-dir/x.db"],
    ids=["postgres-refused", "sqlite-unopenable"],
)
def test_health_is_503_unavailable_when_the_database_is_down(tmp_path, own_session, database_uri):
    fresh = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=database_uri.format(tmp_path=tmp_path))
    response = health_of(fresh)
    assert response.status_code == 503
    body = response.get_json()
    assert body["success"] is False
    assert body["requestId"] == response.headers["X-Request-ID"]
    assert body["error"]["code"] == "unavailable"
    assert {"field": "database", "message": "unavailable"} in body["error"]["details"]
    assert "127.0.0.1" not in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"


def test_health_is_degraded_but_200_when_redis_is_down(tmp_path, own_session):
    response = health_of(make_app(tmp_path, REDIS_URL=CLOSED_REDIS))
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert data["status"] == "degraded"
    assert data["checks"] == {"database": "ok", "redis": "unavailable", "queue": "unavailable"}


def test_health_on_a_fresh_app_without_redis_is_ok(tmp_path, own_session):
    data = health_of(make_app(tmp_path)).get_json()["data"]
    assert data == {"status": "ok", "checks": {"database": "ok", "redis": "disabled", "queue": "in-process"}}


# --- OpenAPI ---------------------------------------------------------------------------------


@pytest.fixture
def spec(client) -> dict:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def schema_ref(response_doc: dict) -> str:
    return response_doc["content"]["application/json"]["schema"]["$ref"]


def test_openapi_is_version_3_with_a_title(spec):
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"] == "SiteNinja API"
    assert "/api/tenants" in spec["paths"] and "/api/health" in spec["paths"]


def test_openapi_documents_success_envelopes(spec):
    schemas = spec["components"]["schemas"]
    item = schemas["TenantEnvelope"]["properties"]
    assert item["data"] == {"$ref": "#/components/schemas/Tenant"}
    assert item["success"]["type"] == "boolean"
    listing = schemas["TenantListEnvelope"]["properties"]
    assert listing["data"]["items"] == {"$ref": "#/components/schemas/Tenant"}
    assert listing["pagination"] == {"$ref": "#/components/schemas/Pagination"}
    get_one = spec["paths"]["/api/tenants/{tenantId}"]["get"]["responses"]["200"]
    assert schema_ref(get_one) == "#/components/schemas/TenantEnvelope"


def test_openapi_documents_the_error_envelope(spec):
    schemas = spec["components"]["schemas"]
    assert set(schemas["ErrorEnvelope"]["properties"]) == {"success", "error", "requestId"}
    assert set(schemas["ErrorBody"]["properties"]) == {"code", "message", "details"}
    responses = spec["components"]["responses"]
    assert schema_ref(responses["DEFAULT_ERROR"]) == "#/components/schemas/ErrorEnvelope"
    create = spec["paths"]["/api/tenants"]["post"]["responses"]
    assert create["default"] == {"$ref": "#/components/responses/DEFAULT_ERROR"}


def test_openapi_documents_health_as_public_with_its_503(spec):
    health = spec["paths"]["/api/health"]["get"]
    assert health["security"] == []
    assert schema_ref(health["responses"]["200"]) == "#/components/schemas/HealthEnvelope"
    assert schema_ref(health["responses"]["503"]) == "#/components/schemas/ErrorEnvelope"


def test_openapi_has_only_body_pagination_and_camelcase_schemas(spec):
    schemas = spec["components"]["schemas"]
    assert "PaginationMetadata" not in schemas
    for name in ("Tenant", "Pagination", "ErrorEnvelope"):
        assert not any("_" in field for field in schemas[name]["properties"]), name


def test_openapi_hides_the_docs_assets_route(spec):
    assert not any(path.startswith("/api/docs") for path in spec["paths"])


OPERATION_FIELDS = {
    "tags", "summary", "description", "externalDocs", "operationId", "parameters",
    "requestBody", "responses", "callbacks", "deprecated", "security", "servers",
}  # fmt: skip


def test_operations_use_only_openapi_fields(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            unknown = {key for key in operation if not key.startswith("x-")} - OPERATION_FIELDS
            assert not unknown, f"{method.upper()} {path}: {unknown}"


# --- interactive docs without a CDN ---------------------------------------------------------


def test_docs_page_references_only_local_assets(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "http://" not in html and "https://" not in html and "//cdn" not in html
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(url.startswith("/api/docs/assets/") for url in assets)
    assert '"/api/openapi.json"' in html


def test_docs_do_not_call_the_remote_spec_validator(client):
    html = client.get("/api/docs").get_data(as_text=True)
    assert '"validatorUrl": null' in html


@pytest.mark.parametrize(
    ("asset", "mimetype"),
    [
        ("swagger-ui-bundle.js", "text/javascript"),
        ("swagger-ui-standalone-preset.js", "text/javascript"),
        ("swagger-ui.css", "text/css"),
    ],
)
def test_docs_assets_are_served_locally(client, asset, mimetype):
    response = client.get(f"/api/docs/assets/{asset}")
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert len(response.data) > 1000
    assert "max-age" in response.headers["Cache-Control"]


@pytest.mark.parametrize("path", ["no-such-file.js", "../__init__.py", "..%2F__init__.py"])
def test_unknown_or_escaping_docs_assets_are_404_envelopes(client, path):
    response = client.get(f"/api/docs/assets/{path}")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_openapi_document_is_valid_openapi_3(client):
    spec = client.get("/api/openapi.json").get_json()
    validate(spec)
    assert "/api/tenants/{tenantId}/pages/{pageId}" in spec["paths"]
    assert not [path for path in spec["paths"] if "_id}" in path]
    operations = [op for path in spec["paths"].values() for op in path.values() if isinstance(op, dict)]
    assert all(op.get("summary") for op in operations if "responses" in op)


PUBLIC_OPERATIONS = {
    ("post", "/api/auth/register"),
    ("post", "/api/auth/login"),
    ("post", "/api/auth/verify-email"),
    ("post", "/api/auth/forgot-password"),
    ("post", "/api/auth/reset-password"),
    ("get", "/api/plans"),
    ("get", "/api/health"),
    ("get", "/metrics"),
}


def operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield method, path, operation


def test_public_operations_declare_no_security(spec):
    documented = {(m, p): op for m, p, op in operations(spec)}
    for key in PUBLIC_OPERATIONS:
        assert documented[key]["security"] == [], key


def test_every_other_operation_names_the_schemes_it_accepts(spec):
    schemes = set(spec["components"]["securitySchemes"])
    public_prefixes = ("/api/sites/", "/api/files/")
    for method, path, operation in operations(spec):
        if (method, path) in PUBLIC_OPERATIONS or path.startswith(public_prefixes):
            continue
        security = operation.get("security")
        assert security, f"{method} {path} declares no security"
        assert {name for requirement in security for name in requirement} <= schemes, (method, path)


def test_operations_keys_can_use_accept_the_api_key_schemes(spec):
    by_operation = {(m, p): op["security"] for m, p, op in operations(spec)}
    key_schemes = [{"bearerAuth": []}, {"apiKeyBearer": []}, {"apiKeyHeader": []}]
    assert by_operation[("get", "/api/tenants/{tenantId}/pages")] == key_schemes
    assert by_operation[("get", "/api/auth/me")] == key_schemes
    assert by_operation[("get", "/api/users")] == [{"bearerAuth": []}]
    assert by_operation[("post", "/api/tenants/{tenantId}/api-keys")] == [{"bearerAuth": []}]


def test_api_key_schemes_document_the_key_format(spec):
    schemes = spec["components"]["securitySchemes"]
    assert schemes["apiKeyHeader"] == {**schemes["apiKeyHeader"], "type": "apiKey", "in": "header"}
    for name in ("apiKeyBearer", "apiKeyHeader"):
        description = schemes[name]["description"]
        assert "sn_live_" in description and "CRC32" in description and "base62" in description


def _routed_operations(app) -> set[tuple[str, str]]:
    operations = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.rule.startswith("/api/docs"):
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            operations.add((method.lower(), openapi_path(rule.rule)))
    return operations


def test_every_route_is_documented_and_every_documented_operation_is_routed(app, spec):
    documented = {
        (method, path)
        for path, item in spec["paths"].items()
        for method in item
        if method in ("get", "put", "post", "delete", "patch")
    }
    routed = _routed_operations(app) - {("get", "/api/openapi.json")}
    assert routed - documented == set(), "routes missing from the OpenAPI document"
    assert documented - routed == set(), "documented operations with no route"


def test_every_operation_documents_the_errors_its_conventions_give(spec):
    pages = spec["paths"]["/api/tenants/{tenantId}/pages/{pageId}"]
    assert {"400", "401", "403", "404", "412", "413", "422", "429"} <= set(pages["put"]["responses"])
    assert {"304", "401", "403", "404", "429"} <= set(pages["get"]["responses"])
    assert "412" not in pages["get"]["responses"] and "400" not in pages["get"]["responses"]
    login = spec["paths"]["/api/auth/login"]["post"]["responses"]
    assert "401" in login and "403" not in login  # public: no role to lack, but a wrong password
    health = spec["paths"]["/api/health"]["get"]["responses"]
    assert "429" not in health and "401" not in health
    not_found = spec["components"]["responses"]["NotFound"]["content"]["application/json"]
    assert not_found["schema"] == {"$ref": "#/components/schemas/ErrorEnvelope"}
    assert not_found["example"]["error"]["code"] == "not_found"
    created = spec["paths"]["/api/tenants/{tenantId}/pages"]["post"]["responses"]["201"]
    assert "Location" in created["headers"] and "X-RateLimit-Remaining" in created["headers"]


def test_webhook_events_are_documented_with_their_payloads_and_signature_headers(spec):
    webhooks = spec["x-webhooks"]
    assert set(webhooks) == {*EVENT_TYPES, "webhook.test"}
    published = webhooks["page.published"]["post"]
    body = published["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"]["data"] == {"$ref": "#/components/schemas/Page"}
    assert body["properties"]["type"]["enum"] == ["page.published"]
    headers = {parameter["name"] for parameter in published["parameters"]}
    assert {"webhook-id", "webhook-timestamp", "webhook-signature"} <= headers


@pytest.mark.parametrize("name", ["Tenant", "Page", "Section", "Webhook", "ApiKey"])
def test_main_resources_have_examples_that_match_their_schemas(spec, name):
    resource = Resource.from_contents(spec, default_specification=DRAFT4)
    registry = Registry().with_resource("urn:spec", resource)
    schema = spec["components"]["schemas"][name]
    assert "properties" in schema and schema["example"]
    validator = OAS30Validator({"$ref": f"urn:spec#/components/schemas/{name}"}, registry=registry)
    assert list(validator.iter_errors(schema["example"])) == []
