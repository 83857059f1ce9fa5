"""Factories for test data; each tenant-owned factory takes ``tenant=``."""

from __future__ import annotations

import itertools
from typing import Any

import sqlalchemy as sa

from siteninja.extensions import db
from siteninja.resources.api_keys.models import ApiKey
from siteninja.resources.api_keys.service import create_key
from siteninja.resources.auth.tokens import issue_tokens
from siteninja.resources.navigation.models import NavigationItem
from siteninja.resources.pages.models import Page
from siteninja.resources.sections.models import Section
from siteninja.resources.sections.service import ordered_sections
from siteninja.resources.subscriptions.models import Subscription
from siteninja.resources.tenants.models import Tenant
from siteninja.resources.tenants.service import create_tenant
from siteninja.resources.users.models import User
from siteninja.resources.webhooks.models import Event, Webhook, WebhookDelivery
from siteninja.services.passwords import hash_password
from siteninja.services.webhooks import new_secret

_counter = itertools.count(1)
PASSWORD = "Sup3r-Secret!pw"


def unique(prefix: str) -> str:
    return f"{prefix}{next(_counter)}"


def tenant(**data: Any) -> Tenant:
    data.setdefault("name", "Acme Bakery")
    data.setdefault("subdomain", unique("acme-"))
    return create_tenant(data=data)


def user(*, tenant: Tenant | None, role: str = "owner", password: str = PASSWORD, **fields: Any) -> User:
    fields.setdefault("email", f"{unique('user')}@example.test")
    fields.setdefault("name", "Test User")
    obj = User(
        tenant_id=tenant.id if tenant else None,
        role=role,
        password_hash=hash_password(password),
        email_verified=True,
        **fields,
    )
    db.session.add(obj)
    db.session.commit()
    return obj


def auth_headers(user: User) -> dict[str, str]:
    """A real access token for ``user``, as request headers."""
    tokens = issue_tokens(user)
    db.session.commit()
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def client_for(app, user: User):
    """A test client that authenticates every request as ``user``."""
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = auth_headers(user)["Authorization"]
    return client


def nav_item(*, tenant: Tenant, **fields: Any) -> NavigationItem:
    """A navigation item (a root link to "/" unless told otherwise); no API rules are applied."""
    fields.setdefault("label", unique("Item "))
    if "page_id" not in fields:
        fields.setdefault("url", "/")
    obj = NavigationItem(tenant_id=tenant.id, **fields)
    db.session.add(obj)
    db.session.commit()
    return obj


def page(*, tenant: Tenant, **fields: Any) -> Page:
    """A draft page with a unique title and slug; no API rules (plan limit, homepage) are applied."""
    fields.setdefault("title", unique("Page "))
    fields.setdefault("slug", unique("page-"))
    fields.setdefault("status", "draft")
    obj = Page(tenant_id=tenant.id, **fields)
    db.session.add(obj)
    db.session.commit()
    return obj


def section(*, page: Page, **fields: Any) -> Section:
    """A visible text section appended after the page's last one."""
    fields.setdefault("type", "text")
    fields.setdefault("content", {"title": unique("Section ")})
    fields.setdefault("sort_order", len(ordered_sections(page)))
    obj = Section(tenant_id=page.tenant_id, page_id=page.id, **fields)
    db.session.add(obj)
    db.session.commit()
    return obj


def api_key(*, tenant: Tenant, scopes: list[str] | tuple[str, ...] = ("*",), **fields: Any) -> ApiKey:
    """A real key of ``tenant`` made by the service; its full secret is in ``.secret``."""
    data = {"name": unique("Key "), "scopes": list(scopes), "environment": "live", **fields}
    return create_key(tenant_id=tenant.id, principal=None, data=data)


def key_client(app, key: ApiKey | str, *, header: str = "bearer"):
    """A test client that authenticates every request with an API key (``bearer`` or ``x-api-key``)."""
    secret = key if isinstance(key, str) else key.secret
    client = app.test_client()
    if header == "bearer":
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    else:
        client.environ_base["HTTP_X_API_KEY"] = secret
    return client


def webhook(*, tenant: Tenant, **fields: Any) -> Webhook:
    """An active webhook on every event; its default URL is a TEST-NET address, refused at delivery,
    so a test that triggers a delivery by accident sends nothing anywhere. No API rules applied."""
    fields.setdefault("url", "https://203.0.113.10/hooks/siteninja")
    fields.setdefault("events", ["*"])
    fields.setdefault("secret", new_secret())
    obj = Webhook(tenant_id=tenant.id, **fields)
    db.session.add(obj)
    db.session.commit()
    return obj


def delivery(*, webhook: Webhook, event_type: str = "page.updated", **fields: Any) -> WebhookDelivery:
    """A finished delivery of a new event to ``webhook`` (nothing is enqueued or sent)."""
    event = Event(tenant_id=webhook.tenant_id, type=event_type, payload={"id": "evt_factory"}, body="{}")
    db.session.add(event)
    db.session.flush()
    event.payload = {"id": f"evt_{event.id.hex}", "type": event_type, "data": {}}
    fields.setdefault("status", "success")
    obj = WebhookDelivery(
        tenant_id=webhook.tenant_id, webhook_id=webhook.id, event_id=event.id, event_type=event_type, **fields
    )
    db.session.add(obj)
    db.session.commit()
    return obj


def plan(tenant: Tenant, name: str) -> None:
    """Put the tenant on plan ``name`` (its subscription row, as created with the tenant)."""
    db.session.execute(sa.update(Subscription).where(Subscription.tenant_id == tenant.id).values(plan=name))
    db.session.commit()
