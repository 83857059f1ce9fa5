"""Multipart uploads: a larger body cap on upload views only, files spooled to disk with a per-file cap."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable
from typing import IO, Any

from flask import Request, Response, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

SPOOL_IN_MEMORY = 512 * 1024
HASH_CHUNK = 64 * 1024


class CappedSpool(tempfile.SpooledTemporaryFile):
    """A spooled temporary file (memory up to 512 KiB, then disk) that refuses to grow past ``limit``."""

    def __init__(self, limit: int | None) -> None:
        super().__init__(max_size=SPOOL_IN_MEMORY)
        self.limit = limit
        self.written = 0

    def write(self, data: Any) -> int:
        self.written += len(data)
        if self.limit is not None and self.written > self.limit:
            raise RequestEntityTooLarge(f"A file may be at most {self.limit} bytes")
        return super().write(data)


class UploadRequest(Request):
    """Flask's request whose uploaded files stop streaming once one passes ``max_file_size``."""

    max_file_size: int | None = None

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        return CappedSpool(self.max_file_size)


def accepts_uploads(func: Callable) -> Callable:
    """Mark a view method as an upload endpoint: its multipart body may reach the upload caps."""
    func._accepts_uploads = True
    return func


def _is_upload_view() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    view_class = getattr(view, "view_class", None)
    handler = getattr(view_class, request.method.lower(), None) if view_class else view
    return bool(getattr(handler, "_accepts_uploads", False))


def allow_uploads() -> None:
    """Before a multipart request to an upload view: raise its body cap and cap each file."""
    if request.mimetype != "multipart/form-data" or not _is_upload_view():
        return
    config = current_app.config
    request.max_content_length = config["MAX_UPLOAD_REQUEST_LENGTH"]
    if isinstance(request, UploadRequest):
        request.max_file_size = config["MAX_UPLOAD_LENGTH"]


def drain_unread_body(response: Response) -> Response:
    """After an upload view answered before reading the whole body (401, 404, a file over its cap…),
    read the rest and discard it, so the client receives the answer rather than a reset connection."""
    if request.mimetype != "multipart/form-data" or not _is_upload_view():
        return response
    length = request.content_length
    if length is None or length > (request.max_content_length or 0):
        return response  # refused on its Content-Length: not worth reading
    stream = request.stream
    while stream.read(HASH_CHUNK):
        pass
    return response


def multipart_fingerprint(digest: Any) -> None:
    """Feed a multipart body's fields and files (streamed, not read whole) into ``digest``."""
    for name, value in sorted(request.form.items(multi=True)):
        digest.update(f"form\0{name}\0{value}\0".encode())
    for name, upload in sorted(request.files.items(multi=True), key=lambda item: item[0]):
        digest.update(f"file\0{name}\0{upload.filename}\0".encode())
        digest.update(file_digest(upload.stream).encode())


def file_digest(stream: IO[bytes]) -> str:
    """SHA-256 of a seekable stream, read in chunks; the stream is rewound afterwards."""
    stream.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(HASH_CHUNK), b""):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()
