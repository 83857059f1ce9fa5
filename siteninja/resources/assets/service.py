"""Asset rules: uploads checked by content, the storage quota, soft delete, signed file delivery."""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app
from werkzeug.datastructures import FileStorage

from siteninja.core.auth import Principal
from siteninja.core.db import utcnow
from siteninja.core.envelope import Paginated
from siteninja.core.errors import ApiError, NotFound, ValidationFailed
from siteninja.core.pagination import order_by, paginate
from siteninja.core.tenancy import get_for_tenant_or_404, lock_tenant
from siteninja.extensions import db
from siteninja.jobs import media as media_jobs
from siteninja.jobs.queue import enqueue_after_commit
from siteninja.resources.assets.models import Asset
from siteninja.resources.assets.schemas import MAX_FILENAME, AssetSchema
from siteninja.resources.tenants.models import Tenant
from siteninja.services import audit, events, media, plans
from siteninja.services.storage import check_key, content_disposition, read_file_token, storage

SORTABLE = {
    "createdAt": Asset.created_at,
    "size": Asset.size,
    "filename": sa.func.lower(Asset.filename),
}
# Controls, bidi overrides/isolates, zero-width characters and the BOM never belong in a name.
INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,10}")
FALLBACK_NAME = "upload"


@dataclass(frozen=True)
class FileDelivery:
    """A file to serve: a local path or a redirect, with how a browser should treat it."""

    path: str | None
    redirect_url: str | None
    mime_type: str
    filename: str
    attachment: bool


def clean_filename(raw: str | None, kind: media.Kind) -> str:
    """The client's name as harmless metadata: last path segment, no invisible characters, our extension."""
    name = INVISIBLE.sub("", unicodedata.normalize("NFC", raw or ""))
    name = re.split(r"[/\\]", name)[-1]
    name = re.sub(r"\s+", " ", name).strip().lstrip(".").strip()
    stem, extension = name, ""
    dot = name.rfind(".")
    if dot > 0 and EXTENSION.fullmatch(name[dot:]):
        stem, extension = name[:dot].rstrip(" ."), name[dot:]
    if extension.lower() not in kind.extensions:
        extension = kind.extension
    stem = stem or FALLBACK_NAME
    return stem[: MAX_FILENAME - len(extension)] + extension


def storage_key(tenant_id: uuid.UUID, asset_id: uuid.UUID, kind: media.Kind) -> str:
    """``{tenantId}/{uuid}{ext}``: generated, never derived from what the client sent."""
    return check_key(f"{tenant_id}/{asset_id}{kind.extension}")


def list_assets(
    *,
    tenant_id: uuid.UUID,
    page: int,
    limit: int,
    sort: str,
    type: str | None = None,
    q: str | None = None,
) -> Paginated:
    """The tenant's live assets, filtered by family (image/document) and ``q`` in name or alt text."""
    stmt = _live().where(Asset.tenant_id == tenant_id)
    if type == "image":
        stmt = stmt.where(Asset.mime_type.startswith("image/"))
    elif type == "document":
        stmt = stmt.where(sa.not_(Asset.mime_type.startswith("image/")))
    if q:
        needle = q.lower()
        stmt = stmt.where(
            sa.or_(
                sa.func.lower(Asset.filename).contains(needle, autoescape=True),
                sa.func.lower(Asset.alt_text).contains(needle, autoescape=True),
            )
        )
    return paginate(stmt.order_by(*order_by(sort, SORTABLE, Asset.id)), page=page, limit=limit)


def ensure_asset(*, tenant_id: uuid.UUID, asset_id: uuid.UUID) -> None:
    """404 unless ``asset_id`` is one of the tenant's live assets."""
    get_asset(tenant_id=tenant_id, asset_id=asset_id)


def get_asset(*, tenant_id: uuid.UUID, asset_id: uuid.UUID) -> Asset:
    """One live asset of the tenant (a deleted one is gone: 404)."""
    return get_for_tenant_or_404(Asset, asset_id, tenant_id, deleted_at=None)


def usage(*, tenant_id: uuid.UUID) -> dict[str, Any]:
    """Bytes stored, the plan's quota (None: unlimited) and the number of live assets."""
    used, count = _used(tenant_id)
    return {"bytes_used": used, "bytes_quota": plans.limits_for(tenant_id)["storage_bytes"], "count": count}


def upload_assets(
    *, tenant_id: uuid.UUID, principal: Principal, files: list[FileStorage], alt_text: str | None = None
) -> list[Asset]:
    """Accept every file or none: check each by content, then the quota under the tenant lock, then store."""
    maximum = current_app.config["MAX_UPLOAD_FILES"]
    if len(files) > maximum:
        raise ValidationFailed(f"At most {maximum} files per upload", field="file")
    cleaned = [_inspect(upload, index, len(files)) for index, upload in enumerate(files)]
    lock_tenant(tenant_id)  # two uploads at the edge of the quota cannot both pass the check
    plans.ensure_within(
        tenant_id, "storage_bytes", used=_used(tenant_id)[0], adding=sum(c.size for c in cleaned)
    )
    assets = [
        _new_asset(tenant_id, principal, upload, clean, alt_text)
        for upload, clean in zip(files, cleaned, strict=True)
    ]
    stored: list[str] = []
    committed = False
    try:
        for asset, clean in zip(assets, cleaned, strict=True):
            storage().save(asset.storage_key, clean.data, content_type=asset.mime_type)
            stored.append(asset.storage_key)
        _record_creation(assets)
        db.session.commit()
        committed = True
    finally:
        if not committed:
            _discard(stored)
    return assets


def update_asset(*, tenant_id: uuid.UUID, asset_id: uuid.UUID, data: dict[str, Any]) -> Asset:
    """Change the alt text or the file name (sanitized like an upload's; the extension stays the type's)."""
    asset = get_asset(tenant_id=tenant_id, asset_id=asset_id)
    old = audit.snapshot(asset)
    if "filename" in data:
        name = clean_filename(data["filename"], media.kind_for_mime(asset.mime_type) or media.PDF)
        data = {**data, "filename": name}
    for key, value in data.items():
        setattr(asset, key, value)
    db.session.flush()
    audit.record(
        action="update",
        resource_type="asset",
        resource_id=asset.id,
        tenant_id=tenant_id,
        old=old,
        new=audit.snapshot(asset),
    )
    db.session.commit()
    return asset


def delete_asset(*, tenant_id: uuid.UUID, asset_id: uuid.UUID) -> None:
    """Soft delete: the row stays (deletedAt), its files go in a job once this commits."""
    asset = db.session.scalar(
        _live().where(Asset.id == asset_id, Asset.tenant_id == tenant_id).with_for_update()
    )
    if asset is None:
        raise NotFound("Asset not found")
    old, wire = audit.snapshot(asset), AssetSchema().dump(asset)
    asset.deleted_at = utcnow()
    db.session.flush()
    audit.record(action="delete", resource_type="asset", resource_id=asset.id, tenant_id=tenant_id, old=old)
    events.emit(tenant_id=tenant_id, type="asset.deleted", data=wire)
    enqueue_after_commit("media", media_jobs.remove_files, str(tenant_id), str(asset.id))
    db.session.commit()


# The read path of every <img src>: one prepared query for the columns it needs, no ORM objects.
_FILE_QUERY = (
    sa.select(
        Asset.tenant_id, Asset.id, Asset.storage_key, Asset.mime_type, Asset.filename, Asset.thumbnail_status
    )
    .join(Tenant, Tenant.id == Asset.tenant_id)
    .where(
        Asset.id == sa.bindparam("asset_id", type_=sa.Uuid),
        Asset.tenant_id == sa.bindparam("tenant_id", type_=sa.Uuid),
        Asset.deleted_at.is_(None),
        Tenant.status != "deleted",
    )
)


def file_delivery(*, token: str) -> FileDelivery:
    """The file a signed token names, if the token is genuine and unexpired and the asset is live."""
    claims = read_file_token(token)
    row = None
    if claims is not None:
        params = {"asset_id": claims.asset_id, "tenant_id": claims.tenant_id}
        row = db.session.execute(_FILE_QUERY, params).first()
    if row is None or (claims.variant == "thumbnail" and row.thumbnail_status != "ready"):
        raise NotFound("File not found")
    if claims.variant == "thumbnail":
        key, mime_type = media_jobs.thumbnail_key(row), media.THUMBNAIL_MIME
        filename = row.filename.rsplit(".", 1)[0] + "-thumb" + media.THUMBNAIL_EXTENSION
    else:
        key, mime_type, filename = row.storage_key, row.mime_type, row.filename
    attachment = not mime_type.startswith("image/")
    try:
        target = storage().delivery(
            key,
            content_type=mime_type,
            disposition=content_disposition(filename, attachment=attachment),
            expires_in=current_app.config["S3_PRESIGN_TTL"],
        )
    except FileNotFoundError as error:
        raise NotFound("File not found") from error
    return FileDelivery(target.path, target.redirect_url, mime_type, filename, attachment)


def _live() -> sa.Select:
    return sa.select(Asset).where(Asset.deleted_at.is_(None))


def _used(tenant_id: uuid.UUID) -> tuple[int, int]:
    used, count = db.session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(Asset.size), 0), sa.func.count(Asset.id)).where(
            Asset.tenant_id == tenant_id, Asset.deleted_at.is_(None)
        )
    ).one()
    return int(used), int(count)


def _inspect(upload: FileStorage, index: int, total: int) -> media.CleanFile:
    """The upload checked by its content; a refusal names the file part that caused it."""
    limits = media.SizeLimits(
        image=current_app.config["MAX_IMAGE_UPLOAD_LENGTH"], document=current_app.config["MAX_UPLOAD_LENGTH"]
    )
    try:
        return media.inspect_upload(upload.stream, limits=limits)
    except ApiError as error:
        field = f"file.{index}" if total > 1 else "file"
        error.details = [{"field": field, "message": error.message}]
        raise


def _new_asset(
    tenant_id: uuid.UUID, principal: Principal, upload: FileStorage, clean: media.CleanFile, alt: str | None
) -> Asset:
    asset_id = uuid.uuid4()
    is_image = clean.kind.category == "image"
    return Asset(
        id=asset_id,
        tenant_id=tenant_id,
        filename=clean_filename(upload.filename, clean.kind),
        mime_type=clean.kind.mime_type,
        size=clean.size,
        width=clean.width,
        height=clean.height,
        alt_text=alt or None,
        storage_key=storage_key(tenant_id, asset_id, clean.kind),
        thumbnail_status="pending" if is_image else None,
        uploaded_by=principal.id if principal.is_user else None,
    )


def _record_creation(assets: list[Asset]) -> None:
    """Rows, audit entries and ``asset.created`` events in this transaction; thumbnails after commit."""
    db.session.add_all(assets)
    db.session.flush()
    for asset in assets:
        audit.record(
            action="create",
            resource_type="asset",
            resource_id=asset.id,
            tenant_id=asset.tenant_id,
            new=audit.snapshot(asset),
        )
        events.emit(tenant_id=asset.tenant_id, type="asset.created", data=AssetSchema().dump(asset))
        if asset.thumbnail_status == "pending":
            enqueue_after_commit("media", media_jobs.make_thumbnail, str(asset.tenant_id), str(asset.id))


def _discard(keys: list[str]) -> None:
    """Files written for an upload that did not commit."""
    for key in keys:
        storage().delete(key)
