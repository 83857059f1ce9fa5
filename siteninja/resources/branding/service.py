"""Branding rules: one row per tenant, updated partially or reset to the defaults."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from siteninja.extensions import db
from siteninja.resources.branding.models import DEFAULT_BRANDING, Branding
from siteninja.resources.branding.schemas import BrandingSchema
from siteninja.services import audit, events

RESOURCE = "branding"


def get_branding(*, tenant_id: uuid.UUID) -> Branding:
    """The tenant's branding; the (unsaved) defaults if it has never had a row."""
    return _find(tenant_id) or Branding(tenant_id=tenant_id, **DEFAULT_BRANDING)


def update_branding(*, tenant_id: uuid.UUID, data: dict[str, Any]) -> Branding:
    """Apply a partial update and emit ``branding.updated``."""
    return _save(tenant_id, data, action="update")


def reset_branding(*, tenant_id: uuid.UUID) -> Branding:
    """Put every field back to its default and emit ``branding.updated``."""
    return _save(tenant_id, DEFAULT_BRANDING, action="reset")


def _save(tenant_id: uuid.UUID, changes: dict[str, Any], *, action: str) -> Branding:
    branding = _find(tenant_id)
    old = audit.snapshot(branding) if branding is not None else None
    if branding is None:
        branding = Branding(tenant_id=tenant_id, **DEFAULT_BRANDING)
        db.session.add(branding)
    for key, value in changes.items():
        setattr(branding, key, value)
    db.session.flush()
    audit.record(
        action=action,
        resource_type=RESOURCE,
        resource_id=branding.id,
        tenant_id=tenant_id,
        old=old,
        new=audit.snapshot(branding),
    )
    events.emit(tenant_id=tenant_id, type="branding.updated", data=BrandingSchema().dump(branding))
    db.session.commit()
    return branding


def _find(tenant_id: uuid.UUID) -> Branding | None:
    return db.session.scalar(sa.select(Branding).where(Branding.tenant_id == tenant_id))
