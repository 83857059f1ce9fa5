"""Preview links: signed tokens naming a tenant, a page and the page's preview version, so that
anyone holding one sees the page as it is now; bumping the version revokes every earlier link."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from siteninja.core.db import utcnow
from siteninja.core.tenancy import get_for_tenant_or_404
from siteninja.extensions import db
from siteninja.resources.pages.models import Page
from siteninja.resources.pages.schemas import MAX_PREVIEW_MINUTES
from siteninja.resources.tenants.models import Tenant
from siteninja.services import audit

SALT = "siteninja.page-preview"


@dataclass(frozen=True)
class PreviewClaim:
    """What a valid, unexpired token names."""

    tenant_id: uuid.UUID
    page_id: uuid.UUID
    version: int


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def issue_link(*, tenant_id: uuid.UUID, page_id: uuid.UUID, expires_in_minutes: int) -> dict[str, Any]:
    """A token for the page valid ``expires_in_minutes``, its expiry and the tenant's primary public
    host (``<subdomain>.<SITE_BASE_DOMAIN>``); audited (without the token)."""
    page = get_for_tenant_or_404(Page, page_id, tenant_id)
    expires_at = (utcnow() + timedelta(minutes=expires_in_minutes)).replace(microsecond=0)
    claims = {
        "t": page.tenant_id.hex,
        "p": page.id.hex,
        "v": page.preview_version,
        "x": expires_at.timestamp(),
    }
    token = _serializer().dumps(claims)
    host = f"{db.session.get(Tenant, tenant_id).subdomain}.{current_app.config['SITE_BASE_DOMAIN']}"
    audit.record(
        action="create_preview_link",
        resource_type="page",
        resource_id=page.id,
        tenant_id=tenant_id,
        new={"expires_at": expires_at, "preview_version": page.preview_version},
    )
    db.session.commit()
    return {"token": token, "expires_at": expires_at, "host": host}


def revoke_links(*, tenant_id: uuid.UUID, page_id: uuid.UUID) -> None:
    """Invalidate every preview link of the page issued so far (its version moves on)."""
    page = get_for_tenant_or_404(Page, page_id, tenant_id)
    # A statement rather than the ORM: revoking links is not an edit of the page (no revision).
    db.session.execute(
        sa.update(Page)
        .where(Page.id == page.id, Page.tenant_id == tenant_id)
        .values(preview_version=Page.preview_version + 1)
        .execution_options(synchronize_session=False)
    )
    audit.record(
        action="revoke_preview_links", resource_type="page", resource_id=page.id, tenant_id=tenant_id
    )
    db.session.commit()


def read_token(token: str, *, now: datetime | None = None) -> PreviewClaim | None:
    """The claim of a genuine token that has not expired at ``now``; None for anything else."""
    try:
        claims = _serializer().loads(token, max_age=(MAX_PREVIEW_MINUTES + 1) * 60)
        expires_at = float(claims["x"])
        claim = PreviewClaim(uuid.UUID(hex=claims["t"]), uuid.UUID(hex=claims["p"]), int(claims["v"]))
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    return claim if (now or utcnow()).timestamp() < expires_at else None
