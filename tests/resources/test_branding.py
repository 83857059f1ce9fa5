"""Branding: defaults, partial updates, colors, URLs, custom CSS safety, reset, events and access."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from siteninja.extensions import db
from siteninja.models import Branding, Event
from siteninja.resources.branding.models import DEFAULT_BRANDING
from siteninja.resources.branding.schemas import css_as_read
from siteninja.services.audit import snapshot
from tests import factories
from tests.conftest import count_queries
from tests.resources.site_helpers import audit_entries, error_fields, key_client, role_client

DEFAULTS = {
    "logoUrl": None,
    "faviconUrl": None,
    "primaryColor": "#2563EB",
    "secondaryColor": "#1E293B",
    "accentColor": "#F59E0B",
    "backgroundColor": "#FFFFFF",
    "textColor": "#111827",
    "fontHeading": "Inter",
    "fontBody": "Inter",
    "customCss": None,
}
COLORS = ["primaryColor", "secondaryColor", "accentColor", "backgroundColor", "textColor"]


def url(tenant) -> str:
    return f"/api/tenants/{tenant.id}/branding"


def stored(tenant) -> Branding:
    db.session.expire_all()
    return db.session.scalar(sa.select(Branding).where(Branding.tenant_id == tenant.id))


def events(tenant) -> list[Event]:
    stmt = sa.select(Event).where(Event.tenant_id == tenant.id, Event.type == "branding.updated")
    return list(db.session.scalars(stmt.order_by(Event.created_at)))


def test_defaults_match_the_model():
    assert {key: DEFAULT_BRANDING[snake] for key, snake in zip(DEFAULTS, DEFAULT_BRANDING, strict=True)} == (
        DEFAULTS
    )


def test_new_tenant_has_the_default_branding(owner_client, tenant):
    response = owner_client.get(url(tenant))
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert {key: data[key] for key in DEFAULTS} == DEFAULTS
    assert data["tenantId"] == str(tenant.id)
    assert response.headers["ETag"]


def test_put_updates_only_the_given_fields_audits_and_emits(owner_client, tenant):
    body = {
        "primaryColor": "#ff0000",
        "fontHeading": "Playfair Display",
        "logoUrl": "https://cdn.example/l.png",
    }
    response = owner_client.put(url(tenant), json=body)
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert {key: data[key] for key in body} == body
    assert data["secondaryColor"] == DEFAULTS["secondaryColor"]
    assert owner_client.get(url(tenant)).get_json()["data"] == data
    (entry,) = audit_entries(data["id"], "update")
    assert entry.resource_type == "branding" and entry.tenant_id == tenant.id
    assert entry.changes == {
        "primary_color": ["#2563EB", "#ff0000"],
        "font_heading": ["Inter", "Playfair Display"],
        "logo_url": [None, "https://cdn.example/l.png"],
    }
    (event,) = events(tenant)
    assert event.payload["type"] == "branding.updated"
    assert event.payload["tenantId"] == str(tenant.id)
    assert event.payload["data"]["primaryColor"] == "#ff0000"
    assert event.payload["data"]["id"] == data["id"]


def test_patch_is_an_alias(owner_client, tenant):
    response = owner_client.patch(url(tenant), json={"textColor": "#000000"})
    assert response.status_code == 200
    assert stored(tenant).text_color == "#000000"


def test_delete_resets_to_the_defaults_audits_and_emits(owner_client, tenant):
    owner_client.put(url(tenant), json={"accentColor": "#00ff00", "customCss": ".a{color:red}"})
    response = owner_client.delete(url(tenant))
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert {key: data[key] for key in DEFAULTS} == DEFAULTS
    assert stored(tenant).accent_color == DEFAULTS["accentColor"]
    (entry,) = audit_entries(data["id"], "reset")
    assert entry.changes == {"accent_color": ["#00ff00", "#F59E0B"], "custom_css": [".a{color:red}", None]}
    assert [event.payload["data"]["accentColor"] for event in events(tenant)] == ["#00ff00", "#F59E0B"]


def test_reads_are_cached_and_writes_invalidate_them(owner_client, tenant):
    assert owner_client.get(url(tenant)).get_json()["data"]["primaryColor"] == DEFAULTS["primaryColor"]
    with count_queries() as statements:
        assert owner_client.get(url(tenant)).status_code == 200
    assert not any("branding" in statement for statement in statements)
    owner_client.put(url(tenant), json={"primaryColor": "#123456"})
    assert owner_client.get(url(tenant)).get_json()["data"]["primaryColor"] == "#123456"
    owner_client.delete(url(tenant))
    assert owner_client.get(url(tenant)).get_json()["data"]["primaryColor"] == DEFAULTS["primaryColor"]


def test_nullable_fields_can_be_cleared(owner_client, tenant):
    body = {"logoUrl": "https://x.example/l.png", "faviconUrl": "https://x.example/f.ico", "customCss": "a{}"}
    owner_client.put(url(tenant), json=body)
    response = owner_client.put(url(tenant), json=dict.fromkeys(body))
    assert response.status_code == 200
    assert all(response.get_json()["data"][key] is None for key in body)


@pytest.mark.parametrize("field", COLORS)
@pytest.mark.parametrize(
    "value", ["#12345", "123456", "#GGGGGG", "#1234567", "#FFFFFF\n", "red", "#fff", "", None, 123456]
)
def test_rejected_colors(owner_client, tenant, field, value):
    response = owner_client.put(url(tenant), json={field: value})
    assert response.status_code == 422, value
    assert error_fields(response) == {field}


def test_accepted_colors(owner_client, tenant):
    body = dict(zip(COLORS, ["#abcdef", "#ABCDEF", "#000000", "#a1B2c3", "#FFFFFF"], strict=True))
    response = owner_client.put(url(tenant), json=body)
    assert response.status_code == 200
    assert {key: response.get_json()["data"][key] for key in body} == body


@pytest.mark.parametrize("field", ["fontHeading", "fontBody"])
def test_font_rules(owner_client, tenant, field):
    assert owner_client.put(url(tenant), json={field: "F" * 100}).status_code == 200
    for bad in ["F" * 101, "", "   ", "Inter\x00", None]:
        response = owner_client.put(url(tenant), json={field: bad})
        assert response.status_code == 422, bad
        assert error_fields(response) == {field}


@pytest.mark.parametrize("field", ["logoUrl", "faviconUrl"])
@pytest.mark.parametrize(
    "value",
    [
        "javascript:alert(1)",
        "data:image/svg+xml;base64,PHN2Zz4=",
        "//cdn.example/l.png",
        "/logo.png",
        "ftp://cdn.example/l.png",
        "https://cdn.example/l .png",
        "https://cdn.example/\x00",
        "https://cdn.example/" + "a" * 2048,
    ],
)
def test_rejected_image_urls(owner_client, tenant, field, value):
    response = owner_client.put(url(tenant), json={field: value})
    assert response.status_code == 422
    assert error_fields(response) == {field}


@pytest.mark.parametrize(
    "css",
    [
        "</style><script>alert(1)</script>",
        "a{}</STYLE >",
        "a{}</Style",
        "a{background:url(javascript:alert(1))}",
        "a{background:url(JaVaScRiPt:alert(1))}",
        "a{width:expression(alert(1))}",
        "a{width:EXPRESSION(alert(1))}",
        "@import url(https://evil.example/x.css);",
        "@IMPORT 'x.css';",
        # the same words hidden from a naive substring check, as a browser would still read them
        "a{width:expr/**/ession(alert(1))}",
        "a{width:expression (alert(1))}",
        "a{width:expression\n(alert(1))}",
        "a{background:url(java\\script:alert(1))}",
        "a{background:url(\\6a avascript:alert(1))}",
        "a{background:url(\\00006A avascript:alert(1))}",
        "a{background:url(java\nscript:alert(1))}",
        "a{background:url(java\tscript:alert(1))}",
        "@\\69mport 'x.css';",
        "@\\49 MPORT 'x.css';",
        "a{}\x00",
    ],
)
def test_dangerous_custom_css_is_rejected(owner_client, tenant, css):
    response = owner_client.put(url(tenant), json={"customCss": css})
    assert response.status_code == 422, css
    assert error_fields(response) == {"customCss"}
    assert stored(tenant).custom_css is None


@pytest.mark.parametrize(
    "css",
    [
        ".hero { color: #fff; background: url(https://cdn.example/bg.png); }",
        "/* brand */\n.btn:hover { transform: scale(1.05); }\n@media (max-width: 600px) { .a { margin: 0 } }",
        ".quote::before { content: '\\201C'; }",
        "@font-face { font-family: Brand; src: url(/fonts/brand.woff2); }",
        ".important { impression: none; }",
    ],
)
def test_ordinary_custom_css_is_accepted(owner_client, tenant, css):
    response = owner_client.put(url(tenant), json={"customCss": css})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["data"]["customCss"] == css


def test_custom_css_is_limited_to_20_kb(owner_client, tenant):
    rule = ".a{color:red}\n"
    fits = (rule * (20 * 1024 // len(rule) + 1))[: 20 * 1024]
    assert owner_client.put(url(tenant), json={"customCss": fits}).status_code == 200
    response = owner_client.put(url(tenant), json={"customCss": fits + "x"})
    assert response.status_code == 422
    multibyte = "é" * (10 * 1024 + 1)
    assert owner_client.put(url(tenant), json={"customCss": multibyte}).status_code == 422


def test_css_as_read_decodes_escapes_and_drops_comments():
    assert css_as_read("A/* x */B\\41 \\000042C") == "ababc"
    assert css_as_read("\\D800x") == "\ufffdx"


@pytest.mark.parametrize("field", ["id", "tenantId", "createdAt", "updatedAt", "bogus", "primary_color"])
def test_server_owned_and_unknown_fields_are_rejected(owner_client, tenant, field):
    before = snapshot(stored(tenant))
    response = owner_client.put(url(tenant), json={field: "x"})
    assert response.status_code == 422
    assert error_fields(response) == {field}
    assert snapshot(stored(tenant)) == before
    assert events(tenant) == []


def test_tenant_without_a_branding_row(owner_client, tenant):
    db.session.execute(sa.delete(Branding).where(Branding.tenant_id == tenant.id))
    db.session.commit()
    response = owner_client.get(url(tenant))
    assert response.status_code == 200
    assert {key: response.get_json()["data"][key] for key in DEFAULTS} == DEFAULTS
    response = owner_client.put(url(tenant), json={"primaryColor": "#010203"})
    assert response.status_code == 200
    assert stored(tenant).primary_color == "#010203"
    (entry,) = audit_entries(response.get_json()["data"]["id"], "update")
    assert entry.old_value is None and entry.new_value["primary_color"] == "#010203"


def test_requests_without_credentials_are_401(client, tenant):
    assert client.get(url(tenant)).status_code == 401
    assert client.put(url(tenant), json={"primaryColor": "#000000"}).status_code == 401
    assert client.delete(url(tenant)).status_code == 401


def test_role_matrix(app, tenant):
    for role in ("viewer", "editor"):
        client = role_client(app, tenant, role)
        assert client.get(url(tenant)).status_code == 200, role
        response = client.put(url(tenant), json={"primaryColor": "#000000"})
        assert response.status_code == 403, role
        assert response.get_json()["error"]["code"] == "forbidden"
        assert client.delete(url(tenant)).status_code == 403, role
    assert stored(tenant).primary_color == DEFAULTS["primaryColor"]
    assert events(tenant) == []
    for role in ("admin", "owner"):
        client = role_client(app, tenant, role)
        assert client.put(url(tenant), json={"primaryColor": "#000000"}).status_code == 200, role
        assert client.delete(url(tenant)).status_code == 200, role


def test_other_tenants_are_404(owner_client, super_client):
    other = factories.tenant(name="Other")
    for method in ("get", "put", "patch", "delete"):
        response = getattr(owner_client, method)(url(other), json={"primaryColor": "#000000"})
        assert response.status_code == 404, method
    assert stored(other).primary_color == DEFAULTS["primaryColor"]
    assert super_client.put(url(other), json={"primaryColor": "#000000"}).status_code == 200


def test_api_keys_need_branding_scopes(app, monkeypatch, tenant):
    reader = key_client(app, monkeypatch, tenant=tenant, scopes={"branding:read"})
    writer = key_client(app, monkeypatch, tenant=tenant, scopes={"branding:write"})
    pages = key_client(app, monkeypatch, tenant=tenant, scopes={"pages:read", "pages:write"})
    assert reader.get(url(tenant)).status_code == 200
    assert reader.put(url(tenant), json={"primaryColor": "#000000"}).status_code == 403
    assert writer.put(url(tenant), json={"primaryColor": "#000000"}).status_code == 200
    assert writer.delete(url(tenant)).status_code == 200
    assert pages.get(url(tenant)).status_code == 403
    assert reader.get(url(factories.tenant(name="Other"))).status_code == 404
    (entry, _reset) = audit_entries(stored(tenant).id)
    assert entry.actor_type == "api_key"
