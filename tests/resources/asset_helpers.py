"""Helpers shared by the asset tests: multipart uploads, URLs, what is on disk."""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app


def assets_url(tenant, suffix: str = "") -> str:
    return f"/api/tenants/{tenant.id}/assets{suffix}"


def upload(client, tenant, *files: tuple[bytes, str], headers: dict | None = None, **form):
    """POST /assets/upload with one ``file`` part per (content, filename), plus form fields."""
    data: dict = {"file": [(io.BytesIO(content), name) for content, name in files], **form}
    return client.post(
        assets_url(tenant, "/upload"), data=data, content_type="multipart/form-data", headers=headers or {}
    )


def path_of(url: str) -> str:
    """The path of an absolute signed URL, for the test client."""
    return urlsplit(url).path


def upload_root() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def stored_files() -> set[Path]:
    """Every file under the upload root (empty when it does not exist yet)."""
    root = upload_root()
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()
