"""The media queue: thumbnails of uploaded images, and removing the files of deleted assets."""

from __future__ import annotations

import io
import json
import logging
import uuid

import sqlalchemy as sa
from PIL import Image

from siteninja.core.errors import ApiError
from siteninja.extensions import db
from siteninja.resources.assets.models import Asset
from siteninja.resources.tenants.models import Tenant
from siteninja.services import media
from siteninja.services.storage import check_key, storage

log = logging.getLogger("siteninja.jobs.media")
THUMBNAIL_FAILURES = (*media.DECODE_ERRORS, Image.DecompressionBombError, ApiError)


def thumbnail_key(asset: Asset) -> str:
    """Where an asset's thumbnail lives: fixed by the asset, so deleting never misses one."""
    return check_key(f"{asset.tenant_id}/{asset.id}-thumb{media.THUMBNAIL_EXTENSION}")


def _asset(tenant_id: str, asset_id: str, *, lock: bool = False) -> Asset | None:
    """The asset, re-checked against its tenant (which must still exist and not be deleted)."""
    stmt = (
        sa.select(Asset)
        .join(Tenant, Tenant.id == Asset.tenant_id)
        .where(Asset.id == uuid.UUID(asset_id), Asset.tenant_id == uuid.UUID(tenant_id))
        .where(Tenant.status != "deleted")
    )
    return db.session.scalar(stmt.with_for_update(of=Asset) if lock else stmt)


def make_thumbnail(tenant_id: str, asset_id: str) -> str | None:
    """Job: render the thumbnail of a pending image (a no-op when done, deleted or not the tenant's)."""
    asset = _asset(tenant_id, asset_id)
    if asset is None or asset.deleted_at is not None or asset.thumbnail_status != "pending":
        return None
    key, source = thumbnail_key(asset), asset.storage_key
    db.session.rollback()  # no transaction stays open while the image is decoded
    try:
        with storage().open(source) as original:
            thumbnail = media.render_thumbnail(original)
        storage().save(key, io.BytesIO(thumbnail), content_type=media.THUMBNAIL_MIME)
        status = "ready"
    except THUMBNAIL_FAILURES as error:
        log.warning(json.dumps({"job": "make_thumbnail", "assetId": asset_id, "error": repr(error)}))
        status = "failed"
    return _finish_thumbnail(tenant_id, asset_id, key, status)


def _finish_thumbnail(tenant_id: str, asset_id: str, key: str, status: str) -> str | None:
    """Record the outcome under the row lock; an asset deleted meanwhile takes its thumbnail with it."""
    asset = _asset(tenant_id, asset_id, lock=True)
    if asset is None or asset.deleted_at is not None:
        db.session.rollback()
        storage().delete(key)
        return None
    asset.thumbnail_status = status
    asset.thumbnail_key = key if status == "ready" else None
    db.session.commit()
    return status


def remove_files(tenant_id: str, asset_id: str) -> int:
    """Job: delete the stored files of a soft-deleted asset (idempotent); returns how many keys it cleared."""
    asset = db.session.scalar(
        sa.select(Asset).where(Asset.id == uuid.UUID(asset_id), Asset.tenant_id == uuid.UUID(tenant_id))
    )
    if asset is None or asset.deleted_at is None:
        return 0
    keys = [asset.storage_key, thumbnail_key(asset)]
    for key in keys:
        storage().delete(key)
    return len(keys)
