"""Tenant isolation and the role matrix, generated from the app's URL map.

Every route under /api/tenants/<tenant_id> and every object route is called:
without credentials (401), by a member or an API key of another tenant (404, never 403, never data),
with another tenant's object ids under the caller's own tenant (404), and by each role
one rank below and at the rank its ``require`` declares (403 / not 403). The declared
requirements are checked against the contract's role matrix, so a new route can't
escape: it needs a ``require`` and a row in ``expected_role`` below. API keys get the same
treatment with scopes: each route's declared scope is checked against ``expected_scope``, and a
key with exactly that scope passes while a key with every other scope gets 403.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from werkzeug.routing import Rule

from siteninja.core.auth import ROLE_RANK
from siteninja.extensions import db
from siteninja.models import (
    Asset,
    NavigationItem,
    Page,
    PageRevision,
    Redirect,
    Section,
    SeoMetadata,
    Subscription,
    Template,
    Tenant,
)
from siteninja.resources.api_keys.models import SCOPES
from tests import factories

TENANT_PREFIX = "/api/tenants/<uuid:tenant_id>"
OBJECT_ROUTE = re.compile(r"^/api/(users|templates)/<uuid:")
# Templates are global: every signed-in user reads them; apply names its tenant in the body
# and is checked in tests/resources/test_templates.py.
GLOBAL_ROUTE = re.compile(r"^/api/templates/")
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
ROLES = ["viewer", "editor", "admin", "owner"]


def expected_role(path: str, method: str) -> str:
    """The contract's role matrix (API.md §2) for a tenant route."""
    tail = path.removeprefix(TENANT_PREFIX)
    if tail == "":
        return "viewer" if method == "GET" else "owner"
    if tail.startswith("/subscription"):
        return "owner"
    if tail.startswith(("/audit", "/webhooks", "/api-keys")):
        return "admin"
    if method == "GET":
        return "viewer"
    if tail.startswith("/branding"):
        return "admin"
    return "editor"


# Path prefixes (after /api/tenants/<id>) and the scope pair that governs them; None: never a key.
SCOPE_AREAS = (
    ("/subscription", None),
    ("/api-keys", None),
    ("/audit", "audit"),
    ("/webhooks", "webhooks"),
    ("/assets", "assets"),
    ("/navigation", "navigation"),
    ("/branding", "branding"),
    ("/pages", "pages"),
    ("/search", "pages"),
    ("/redirects", "pages"),
)


def expected_scope(path: str, method: str) -> str | None:
    """The contract's scope (API.md §2) for a tenant route; None where keys are never allowed."""
    tail = path.removeprefix(TENANT_PREFIX)
    if tail == "":
        return None
    for prefix, area in SCOPE_AREAS:
        if tail.startswith(prefix):
            return area and f"{area}:{'read' if method == 'GET' else 'write'}"
    pytest.fail(f"{method} {path}: add its scope to SCOPE_AREAS")


def _page(tenant: Tenant) -> Page:
    page = Page(tenant_id=tenant.id, title="Isolated", slug=factories.unique("iso-"), status="draft")
    db.session.add(page)
    db.session.flush()
    return page


def _section(tenant: Tenant) -> Section:
    section = Section(tenant_id=tenant.id, page_id=_page(tenant).id, type="text", content={}, sort_order=0)
    db.session.add(section)
    db.session.flush()
    return section


def _nav(tenant: Tenant) -> NavigationItem:
    item = NavigationItem(tenant_id=tenant.id, label="Iso", url="/iso", location="header", sort_order=0)
    db.session.add(item)
    db.session.flush()
    return item


def _seo_page(tenant: Tenant) -> Page:
    page = _page(tenant)
    db.session.add(SeoMetadata(tenant_id=tenant.id, page_id=page.id, keywords=[]))
    db.session.flush()
    return page


def _asset(tenant: Tenant) -> Asset:
    asset_id = uuid.uuid4()
    asset = Asset(
        id=asset_id,
        tenant_id=tenant.id,
        filename="iso.pdf",
        mime_type="application/pdf",
        size=10,
        storage_key=f"{tenant.id}/{asset_id}.pdf",
    )
    db.session.add(asset)
    db.session.flush()
    return asset


def _template(tenant: Tenant) -> Template:
    template = Template(
        name="Iso", slug=factories.unique("iso-"), category="home", structure={"sections": []}
    )
    db.session.add(template)
    db.session.flush()
    return template


def _section_ids(tenant: Tenant) -> dict[str, uuid.UUID]:
    section = _section(tenant)
    return {"section_id": section.id, "page_id": section.page_id}


def _revision_ids(tenant: Tenant) -> dict[str, uuid.UUID]:
    """A page with SEO whose commit records its first revision (the page-change hook)."""
    page = _seo_page(tenant)
    db.session.commit()
    revision = db.session.scalar(sa.select(PageRevision).where(PageRevision.page_id == page.id))
    return {"revision_id": revision.id, "page_id": page.id}


def _delivery_ids(tenant: Tenant) -> dict[str, uuid.UUID]:
    delivery = factories.delivery(webhook=factories.webhook(tenant=tenant))
    return {"delivery_id": delivery.id, "webhook_id": delivery.webhook_id}


def _redirect(tenant: Tenant) -> Redirect:
    redirect = Redirect(
        tenant_id=tenant.id, from_path=factories.unique("/iso-"), to_path="/", status_code=301
    )
    db.session.add(redirect)
    db.session.flush()
    return redirect


OBJECT_FACTORIES: dict[str, Callable[[Tenant], dict[str, uuid.UUID]]] = {
    "section_id": _section_ids,
    "revision_id": _revision_ids,
    "page_id": lambda tenant: {"page_id": _seo_page(tenant).id},
    "nav_id": lambda tenant: {"nav_id": _nav(tenant).id},
    "user_id": lambda tenant: {"user_id": factories.user(tenant=tenant, role="viewer").id},
    "key_id": lambda tenant: {"key_id": factories.api_key(tenant=tenant, scopes=["pages:read"]).id},
    "asset_id": lambda tenant: {"asset_id": _asset(tenant).id},
    "template_id": lambda tenant: {"template_id": _template(tenant).id},
    "delivery_id": lambda tenant: _delivery_ids(tenant),
    "webhook_id": lambda tenant: {"webhook_id": factories.webhook(tenant=tenant).id},
    "redirect_id": lambda tenant: {"redirect_id": _redirect(tenant).id},
}


def on_top_plan(tenant: Tenant) -> None:
    """Plan limits answer 403 too; lift them so every 403 here is the role's."""
    db.session.execute(
        sa.update(Subscription).where(Subscription.tenant_id == tenant.id).values(plan="enterprise")
    )
    db.session.commit()


def api_rules(app) -> Iterator[tuple[Rule, str]]:
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.rule.startswith(TENANT_PREFIX) or OBJECT_ROUTE.match(rule.rule):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method


def tenant_rules(app) -> list[tuple[Rule, str]]:
    """Tenant routes, with deleting the tenant itself last (it ends every member's session)."""
    rules = [(r, m) for r, m in api_rules(app) if r.rule.startswith(TENANT_PREFIX)]
    return sorted(rules, key=lambda item: item[0].rule == TENANT_PREFIX and item[1] == "DELETE")


def declared_requirement(app, rule: Rule, method: str) -> dict:
    view = app.view_functions[rule.endpoint]
    handler = getattr(view.view_class, method.lower())
    requires = getattr(handler, "_requires", None)
    assert requires is not None, f"{method} {rule.rule} has no @require: every tenant route needs one"
    return requires


def _factory_order(name: str) -> int:
    """Objects that bring their parents (a section brings its page) are built first."""
    order = list(OBJECT_FACTORIES)
    return order.index(name) if name in order else len(order)


def build_url(rule: Rule, tenant: Tenant, ids_from: Tenant | None = None) -> str:
    """The rule's URL for ``tenant``; object ids come from real objects of ``ids_from``."""
    values: dict[str, object] = {"tenant_id": tenant.id}
    for name in sorted(rule.arguments, key=_factory_order):
        if name in values:
            continue
        if name in OBJECT_FACTORIES:
            values.update(OBJECT_FACTORIES[name](ids_from or tenant))
        elif name == "slug":
            values[name] = _page(ids_from or tenant).slug
        else:
            pytest.fail(f"{rule.rule}: add an OBJECT_FACTORIES entry for <{name}>")
    path = rule.rule
    for name, value in values.items():
        path = re.sub(rf"<(?:[a-z]+:)?{name}>", str(value), path)
    return path


def call(client, method: str, url: str):
    return client.open(url, method=method, json={})


def test_every_tenant_route_declares_the_contract_role(app):
    rules = tenant_rules(app)
    assert len(rules) >= 3
    for rule, method in rules:
        requires = declared_requirement(app, rule, method)
        assert requires["role"] == expected_role(rule.rule, method), f"{method} {rule.rule}"


def test_no_credentials_is_401_everywhere(app, client, tenant):
    for rule, method in api_rules(app):
        response = call(client, method, build_url(rule, tenant))
        assert response.status_code == 401, f"{method} {rule.rule}"
        assert response.get_json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("intruder_kind", ["user", "api_key"])
def test_other_tenant_is_404_everywhere(app, tenant, intruder_kind):
    other = factories.tenant()
    if intruder_kind == "user":
        intruder = factories.client_for(app, factories.user(tenant=other, role="owner"))
    else:
        on_top_plan(other)  # its key's per-minute rate must outlast a call to every route
        intruder = factories.key_client(app, factories.api_key(tenant=other, scopes=["*"]))
    for rule, method in api_rules(app):
        if GLOBAL_ROUTE.match(rule.rule):
            continue
        response = call(intruder, method, build_url(rule, tenant))
        assert response.status_code == 404, f"{method} {rule.rule}: {response.status_code}"
        assert "data" not in response.get_json()


def test_other_tenants_object_ids_are_404_under_own_tenant(app, tenant):
    owner = factories.client_for(app, factories.user(tenant=tenant, role="owner"))
    victim = factories.tenant()
    for rule, method in tenant_rules(app):
        if not set(rule.arguments) & (set(OBJECT_FACTORIES) | {"slug"}):
            continue
        response = call(owner, method, build_url(rule, tenant, ids_from=victim))
        assert response.status_code == 404, f"{method} {rule.rule}: {response.status_code}"


def test_role_matrix_cell_by_cell(app, tenant):
    on_top_plan(tenant)
    clients = {role: factories.client_for(app, factories.user(tenant=tenant, role=role)) for role in ROLES}
    writes_with_forbidden_cell = 0
    for rule, method in tenant_rules(app):
        required = declared_requirement(app, rule, method)["role"]
        for role in ROLES:
            response = call(clients[role], method, build_url(rule, tenant))
            allowed = ROLE_RANK[role] >= ROLE_RANK[required]
            if allowed:
                assert response.status_code not in (401, 403), f"{role} {method} {rule.rule}"
            else:
                assert response.status_code == 403, f"{role} {method} {rule.rule}: {response.status_code}"
                writes_with_forbidden_cell += method in WRITE_METHODS
    assert writes_with_forbidden_cell > 0


def test_every_tenant_route_declares_the_contract_scope(app):
    for rule, method in tenant_rules(app):
        requires = declared_requirement(app, rule, method)
        assert requires["scope"] == expected_scope(rule.rule, method), f"{method} {rule.rule}"


def test_scope_matrix_cell_by_cell(app, tenant):
    """A key with exactly the route's scope passes; one with every other scope (or any, for
    routes keys never reach) gets 403; ``*`` passes wherever a scope is enough."""
    on_top_plan(tenant)
    clients: dict[str, object] = {}

    def client_with(*scopes: str):
        if scopes not in clients:
            clients[scopes] = factories.key_client(app, factories.api_key(tenant=tenant, scopes=list(scopes)))
        return clients[scopes]

    for rule, method in tenant_rules(app):
        scope = declared_requirement(app, rule, method)["scope"]
        url = build_url(rule, tenant)
        if scope is None:
            response = call(client_with("*"), method, url)
            assert response.status_code == 403, f"* {method} {rule.rule}: {response.status_code}"
            continue
        others = tuple(s for s in SCOPES if s != scope)
        denied = call(client_with(*others), method, url)
        assert denied.status_code == 403, f"without {scope}: {method} {rule.rule}: {denied.status_code}"
        for granted in (client_with(scope), client_with("*")):
            response = call(granted, method, build_url(rule, tenant))
            assert response.status_code not in (401, 403), (
                f"{scope} {method} {rule.rule}: {response.status_code}"
            )


def test_keys_never_reach_users_keys_or_the_subscription(app, tenant):
    """Whatever its scopes: 403 in its own tenant, 404 for another tenant's objects first."""
    key = factories.key_client(app, factories.api_key(tenant=tenant, scopes=["*"]))
    own_user = factories.user(tenant=tenant, role="viewer")
    foreign_user = factories.user(tenant=factories.tenant(), role="viewer")
    own_key = factories.api_key(tenant=tenant)
    assert key.get("/api/users").status_code == 403
    assert key.post("/api/users", json={}).status_code == 403
    assert key.get(f"/api/users/{own_user.id}").status_code == 403
    assert key.get(f"/api/users/{foreign_user.id}").status_code == 404
    assert key.get(f"/api/tenants/{tenant.id}/api-keys").status_code == 403
    assert key.delete(f"/api/tenants/{tenant.id}/api-keys/{own_key.id}").status_code == 403
    assert key.get(f"/api/tenants/{tenant.id}/subscription").status_code == 403
    assert key.put(f"/api/tenants/{tenant.id}/subscription", json={"plan": "pro"}).status_code == 403
