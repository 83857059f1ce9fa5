"""Idempotent POSTs: the first response to an ``Idempotency-Key`` is stored and replayed for 24 h."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Response, request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from siteninja.core.auth import optional_principal
from siteninja.core.context import request_state
from siteninja.core.db import Base, CreatedMixin, utcnow, uuid_pk
from siteninja.core.errors import ValidationFailed
from siteninja.core.limits import client_address
from siteninja.core.redaction import REDACTED, SECRET_KEY_PATTERN
from siteninja.core.uploads import multipart_fingerprint
from siteninja.extensions import db


class IdempotencyRecord(CreatedMixin, Base):
    """The first response to a (principal, key) pair, replayed for 24 hours."""

    __tablename__ = "idempotency_records"
    __table_args__ = (sa.UniqueConstraint("principal", "key"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    principal: Mapped[str] = mapped_column(sa.String(100))
    key: Mapped[str] = mapped_column(sa.String(255))
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    status_code: Mapped[int]
    response_body: Mapped[str] = mapped_column(sa.Text)
    response_headers: Mapped[dict] = mapped_column(default=dict)
    expires_at: Mapped[datetime] = mapped_column(index=True)


IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
RETENTION = timedelta(hours=24)
REPLAYED_HEADERS = ("Location",)


def _request_hash() -> str:
    digest = hashlib.sha256()
    for part in (request.method, request.path, request.query_string.decode()):
        digest.update(part.encode())
        digest.update(b"\0")
    if request.mimetype == "multipart/form-data":
        multipart_fingerprint(digest)  # streamed from the spooled files, never the body whole
    else:
        digest.update(request.get_data())
    return digest.hexdigest()


def _caller() -> str:
    principal = optional_principal()
    return principal.log_name if principal else f"ip:{client_address()}"


def replay_or_reserve() -> Response | None:
    """Before a POST with an Idempotency-Key: replay the stored response, or remember to store this one."""
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if request.method != "POST" or key is None:
        return None
    if not 1 <= len(key) <= MAX_KEY_LENGTH:
        raise ValidationFailed(f"Must be 1-{MAX_KEY_LENGTH} characters", field=IDEMPOTENCY_HEADER)
    if request.mimetype == "multipart/form-data" and optional_principal() is None:
        return None  # an anonymous upload is refused (401) before its body is read
    caller, fingerprint = _caller(), _request_hash()
    record = db.session.scalar(
        sa.select(IdempotencyRecord).where(
            IdempotencyRecord.principal == caller, IdempotencyRecord.key == key
        )
    )
    if record is not None and record.expires_at <= utcnow():
        db.session.delete(record)
        db.session.commit()
        record = None
    if record is None:
        request_state()["idempotency"] = (caller, key, fingerprint)
        return None
    if record.request_hash != fingerprint:
        raise ValidationFailed(
            "This Idempotency-Key was used with a different request", field=IDEMPOTENCY_HEADER
        )
    response = Response(record.response_body, status=record.status_code, mimetype="application/json")
    response.headers.update(record.response_headers)
    response.headers["Idempotent-Replayed"] = "true"
    return response


def remember(response: Response) -> Response:
    """After a keyed POST: keep its response (unless the server failed) for 24 hours."""
    reservation = request_state().pop("idempotency", None)
    if reservation is None or response.status_code >= 500 or response.is_streamed:
        return response
    caller, key, fingerprint = reservation
    db.session.rollback()
    db.session.add(
        IdempotencyRecord(
            principal=caller,
            key=key,
            request_hash=fingerprint,
            status_code=response.status_code,
            response_body=_kept_body(response),
            response_headers={h: response.headers[h] for h in REPLAYED_HEADERS if h in response.headers},
            expires_at=utcnow() + RETENTION,
        )
    )
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
    return response


def _kept_body(response: Response) -> str:
    """The body to replay, with the secrets a response shows once (a new API key, a webhook secret,
    tokens: fields of ``data`` itself) redacted, so they are never kept in plain."""
    body = response.get_json(silent=True) if response.is_json else None
    if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
        return response.get_data(as_text=True)
    data = {key: REDACTED if SECRET_KEY_PATTERN.search(key) else value for key, value in body["data"].items()}
    return json.dumps({**body, "data": data})


def purge_expired() -> int:
    """Delete stored responses past their 24 hours; returns how many went."""
    removed = db.session.execute(
        sa.delete(IdempotencyRecord).where(IdempotencyRecord.expires_at <= utcnow())
    ).rowcount
    db.session.commit()
    return removed
