"""The data a contract fuzz run aims at: a tenant with one of everything, made through the API,
so that generated requests can name real ids instead of ids that are always a 404."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass, field
from typing import Any

from flask import Flask

from siteninja.extensions import db
from siteninja.resources.auth.tokens import issue_tokens
from siteninja.services.seed import seed_reference_data
from tests import asset_files, factories

# Never resolved (the fuzz run answers every DNS lookup with "unresolvable"), never delivered to.
WEBHOOK_URL = "https://hooks.fuzz.invalid/siteninja"


class SetupFailed(AssertionError):
    """A request that builds the world did not succeed."""


@dataclass
class World:
    """One tenant's worth of real objects and the credentials of its owner."""

    owner_headers: dict[str, str]
    refresh_token: str
    ids: dict[str, str] = field(default_factory=dict)
    file_token: str = ""
    preview_token: str = ""

    def path_parameters(self, path: str, names: list[str]) -> dict[str, str]:
        """Real values for the path parameters ``names`` of the operation at ``path``."""
        values: dict[str, str] = {}
        for name in names:
            if name == "token":
                values[name] = self.preview_token if "/preview/" in path else self.file_token
            elif name == "userId" and path.endswith("/password"):
                values[name] = self.ids["ownerId"]
            elif name in self.ids:
                values[name] = self.ids[name]
        return values


def _data(response: Any, status: int) -> Any:
    if response.status_code != status:
        request = response.request
        raise SetupFailed(f"{request.method} {request.path}: {response.status_code} {response.data!r}")
    return response.get_json()["data"]


def seed() -> None:
    """The reference data (industries, templates) every world's template ids come from."""
    seed_reference_data()


def build_principals(shared: World | None = None) -> World:
    """A new tenant with its owner and an editor; the other ids are ``shared``'s (for the
    operations that only need a principal and the tenant it may lose)."""
    tenant = factories.tenant()
    factories.plan(tenant, "enterprise")
    owner = factories.user(tenant=tenant, role="owner")
    editor = factories.user(tenant=tenant, role="editor")
    headers = factories.auth_headers(owner)
    refresh = issue_tokens(owner)["refresh_token"]
    db.session.commit()
    ids = dict(shared.ids) if shared else {}
    ids.update({"tenantId": str(tenant.id), "userId": str(editor.id), "ownerId": str(owner.id)})
    world = World(owner_headers=headers, refresh_token=refresh, ids=ids)
    if shared:
        world.file_token, world.preview_token = shared.file_token, shared.preview_token
    world.ids["subdomain"] = tenant.subdomain
    return world


def build_world(app: Flask) -> World:
    """A tenant on the enterprise plan, its owner and an editor, and one of each object."""
    world = build_principals()
    headers = world.owner_headers
    tenant_id = world.ids["tenantId"]
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = headers["Authorization"]
    base = f"/api/tenants/{tenant_id}"
    page = _data(
        client.post(f"{base}/pages", json={"title": "Home", "slug": "home", "isHomepage": True}), 201
    )
    _data(client.put(f"{base}/pages/{page['id']}", json={"status": "published"}), 200)
    pages = f"{base}/pages/{page['id']}"
    section = _data(client.post(f"{pages}/sections", json={"type": "text", "content": {"title": "Hi"}}), 201)
    _data(client.put(f"{pages}/seo", json={"metaTitle": "Home", "keywords": ["bakery"]}), 200)
    nav = _data(client.post(f"{base}/navigation", json={"label": "Home", "pageId": page["id"]}), 201)
    webhook = _data(client.post(f"{base}/webhooks", json={"url": WEBHOOK_URL, "events": ["*"]}), 201)
    attempt = _data(client.post(f"{base}/webhooks/{webhook['id']}/test"), 200)
    if attempt["responseStatus"] is not None:
        raise SetupFailed(f"a webhook test reached a receiver: {attempt!r}")
    key = _data(client.post(f"{base}/api-keys", json={"name": "Fuzz", "scopes": ["*"]}), 201)
    upload = {"file": (io.BytesIO(asset_files.png()), "logo.png")}
    asset = _data(client.post(f"{base}/assets/upload", data=upload, content_type="multipart/form-data"), 201)
    redirect = _data(
        client.post(
            f"{base}/redirects", json={"fromPath": "/old-home", "toPath": "/home", "statusCode": 301}
        ),
        201,
    )
    preview = _data(client.post(f"{pages}/preview-links", json={}), 201)
    revisions = _data(client.get(f"{pages}/revisions"), 200)
    templates = _data(client.get("/api/templates"), 200)
    world.ids.update(
        {
            "pageId": page["id"],
            "slug": page["slug"],
            "sectionId": section["id"],
            "navId": nav["id"],
            "webhookId": webhook["id"],
            "deliveryId": attempt["id"],
            "keyId": key["id"],
            "assetId": asset["id"],
            "redirectId": redirect["id"],
            "revisionId": revisions[0]["id"],
            "templateId": templates[0]["id"],
            "host": f"{world.ids['subdomain']}.{app.config['SITE_BASE_DOMAIN']}",
        }
    )
    world.file_token = asset["url"].rstrip("/").rsplit("/", 1)[-1].split("?")[0]
    world.preview_token = preview["token"]
    return world


def random_id() -> str:
    """An id that names nothing."""
    return str(uuid.uuid4())
