"""Where asset files live (a local directory or an S3 bucket, one interface) and their signed URLs."""

from __future__ import annotations

import math
import os
import re
import shutil
import tempfile
import time
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol
from urllib.parse import quote

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from flask import current_app, has_request_context, url_for
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.http import dump_options_header

KEY_PATTERN = re.compile(r"[0-9a-f-]{36}/[0-9a-f-]{36}(?:-thumb)?\.(?:jpg|png|gif|webp|pdf)")
TOKEN_SALT = "siteninja.assets.file"
VARIANTS = ("original", "thumbnail")
EXTENSION_KEY = "siteninja_storage"
SPOOL_IN_MEMORY = 1024 * 1024


@dataclass(frozen=True)
class Delivery:
    """How to hand a stored file to a client: stream a local path, or redirect to a presigned URL."""

    path: str | None = None
    redirect_url: str | None = None


class Storage(Protocol):
    """A place for files under generated keys; every backend behaves the same."""

    def save(self, key: str, stream: IO[bytes], *, content_type: str) -> None: ...

    def open(self, key: str) -> IO[bytes]: ...

    def delete(self, key: str) -> None: ...

    def exists(self, key: str) -> bool: ...

    def delivery(self, key: str, *, content_type: str, disposition: str, expires_in: int) -> Delivery: ...


def check_key(key: str) -> str:
    """A storage key as we generate them (``{tenantId}/{uuid}{ext}``), else ValueError."""
    if not KEY_PATTERN.fullmatch(key):
        raise ValueError(f"not a storage key: {key!r}")
    return key


class LocalStorage:
    """Files under one directory; a key can never name a path outside it."""

    def __init__(self, root: str) -> None:
        self.root = Path(root).resolve()

    def path(self, key: str) -> Path:
        """The file of ``key``, guaranteed to be inside the root."""
        path = (self.root / check_key(key)).resolve()
        if not path.is_relative_to(self.root):
            raise ValueError(f"storage key escapes the upload root: {key!r}")
        return path

    def save(self, key: str, stream: IO[bytes], *, content_type: str) -> None:
        """Write atomically: a reader never sees half a file."""
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(descriptor, "wb") as out:
                shutil.copyfileobj(stream, out)
            os.replace(temporary, path)
        finally:
            Path(temporary).unlink(missing_ok=True)

    def open(self, key: str) -> IO[bytes]:
        return self.path(key).open("rb")

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delivery(self, key: str, *, content_type: str, disposition: str, expires_in: int) -> Delivery:
        path = self.path(key)
        if not path.is_file():
            raise FileNotFoundError(key)
        return Delivery(path=str(path))


class S3Storage:
    """Objects in an S3-compatible bucket; credentials come from the usual AWS variables."""

    def __init__(self, *, bucket: str, endpoint_url: str | None, region: str | None) -> None:
        self.bucket = bucket
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            config=Config(
                signature_version="s3v4",
                connect_timeout=5,
                read_timeout=30,
                retries={"max_attempts": 3, "mode": "standard"},
            ),
        )

    def save(self, key: str, stream: IO[bytes], *, content_type: str) -> None:
        self.client.upload_fileobj(
            stream, self.bucket, check_key(key), ExtraArgs={"ContentType": content_type}
        )

    def open(self, key: str) -> IO[bytes]:
        """A seekable local copy of the object (spooled to disk past 1 MiB)."""
        body = self.client.get_object(Bucket=self.bucket, Key=check_key(key))["Body"]
        copy = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 - the caller closes it
        shutil.copyfileobj(body, copy)
        copy.seek(0)
        return copy

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=check_key(key))

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=check_key(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def delivery(self, key: str, *, content_type: str, disposition: str, expires_in: int) -> Delivery:
        url = self.client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": check_key(key),
                "ResponseContentType": content_type,
                "ResponseContentDisposition": disposition,
            },
            ExpiresIn=expires_in,
        )
        return Delivery(redirect_url=url)


def content_disposition(filename: str, *, attachment: bool) -> str:
    """``inline``/``attachment`` with the name in ASCII and, when needed, RFC 6266 UTF-8 (as send_file)."""
    try:
        filename.encode("ascii")
        names = {"filename": filename}
    except UnicodeEncodeError:
        simple = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
        names = {"filename": simple, "filename*": f"UTF-8''{quote(filename, safe='!#$&+^`|~')}"}
    return dump_options_header("attachment" if attachment else "inline", names)


def storage() -> Storage:
    """The backend the configuration names, built once per application and configuration."""
    config = current_app.config
    settings = (
        config["STORAGE_BACKEND"],
        config["UPLOAD_DIR"],
        config.get("S3_BUCKET"),
        config.get("S3_ENDPOINT_URL"),
        config.get("S3_REGION"),
    )
    backends = current_app.extensions.setdefault(EXTENSION_KEY, {})
    if settings not in backends:
        backends[settings] = _build(*settings)
    return backends[settings]


def _build(backend: str, upload_dir: str, bucket: str | None, endpoint: str | None, region: str | None):
    if backend == "local":
        return LocalStorage(upload_dir)
    if backend == "s3":
        if not bucket:
            raise RuntimeError("STORAGE_BACKEND=s3 needs S3_BUCKET")
        return S3Storage(bucket=bucket, endpoint_url=endpoint, region=region)
    raise RuntimeError(f"unknown STORAGE_BACKEND {backend!r} (local or s3)")


# --- signed file URLs ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FileClaims:
    """What a file token names: whose asset, which one, which variant."""

    tenant_id: uuid.UUID
    asset_id: uuid.UUID
    variant: str


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


def _expiry(ttl: int) -> int:
    """Now + TTL rounded up to a window (1/60 of the TTL): the same URL for a while, so ETags hold."""
    window = max(1, ttl // 60)
    return math.ceil((time.time() + ttl) / window) * window


def sign_file(tenant_id: uuid.UUID, asset_id: uuid.UUID, variant: str) -> str:
    """A token for one file of one asset, valid for ``ASSET_URL_TTL`` seconds (at least)."""
    expires = _expiry(current_app.config["ASSET_URL_TTL"])
    return _serializer().dumps([tenant_id.hex, asset_id.hex, VARIANTS.index(variant), expires])


def read_file_token(token: str) -> FileClaims | None:
    """The claims of a genuine, unexpired token; None for anything else."""
    try:
        tenant_hex, asset_hex, variant, expires = _serializer().loads(token)
        claims = FileClaims(uuid.UUID(hex=tenant_hex), uuid.UUID(hex=asset_hex), VARIANTS[variant])
    except (BadSignature, ValueError, TypeError, IndexError):
        return None
    if variant not in (0, 1) or not isinstance(expires, int) or expires < time.time():
        return None
    return claims


def file_url(tenant_id: uuid.UUID, asset_id: uuid.UUID, variant: str) -> str:
    """The signed URL of a file: absolute inside a request, a path outside one."""
    token = sign_file(tenant_id, asset_id, variant)
    if has_request_context():
        return url_for("files.AssetFile", token=token, _external=True)
    return f"/api/files/{token}"
