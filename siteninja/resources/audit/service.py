"""Reading the audit log: filtered listings and CSV export."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from siteninja.core.db import utcnow
from siteninja.core.envelope import Paginated
from siteninja.core.pagination import order_by, paginate
from siteninja.extensions import db
from siteninja.resources.audit.models import AuditLog
from siteninja.resources.audit.schemas import AuditEntrySchema

SORTABLE = {"createdAt": AuditLog.created_at}
CSV_COLUMNS = [
    "id", "createdAt", "tenantId", "actorType", "actorId", "action", "resourceType", "resourceId",
    "changes", "oldValue", "newValue", "ipAddress", "userAgent", "requestId", "method", "path",
]  # fmt: skip
CSV_BATCH = 500


def _filtered(filters: dict[str, Any]) -> sa.Select:
    stmt = sa.select(AuditLog)
    equalities = {
        "tenant_id": AuditLog.tenant_id,
        "action": AuditLog.action,
        "resource_type": AuditLog.resource_type,
        "resource_id": AuditLog.resource_id,
        "actor_id": AuditLog.actor_id,
    }
    for name, column in equalities.items():
        if filters.get(name) is not None:
            stmt = stmt.where(column == filters[name])
    if filters.get("from_") is not None:
        stmt = stmt.where(AuditLog.created_at >= filters["from_"])
    if filters.get("to") is not None:
        stmt = stmt.where(AuditLog.created_at <= filters["to"])
    return stmt.order_by(*order_by(filters.get("sort", "-createdAt"), SORTABLE, AuditLog.id))


def list_entries(*, page: int, limit: int, **filters: Any) -> Paginated:
    """One page of entries matching ``filters`` (tenant scoping is a filter the route always sets)."""
    return paginate(_filtered(filters), page=page, limit=limit)


def csv_rows(**filters: Any) -> Iterator[str]:
    """Every matching entry as CSV text, produced in batches so memory stays flat."""
    schema = AuditEntrySchema()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    yield _drain(buffer)
    for entry in db.session.scalars(_filtered(filters).execution_options(yield_per=CSV_BATCH)):
        row = schema.dump(entry)
        writer.writerow([_cell(row.get(column)) for column in CSV_COLUMNS])
        yield _drain(buffer)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def purge_older_than(days: int) -> int:
    """Delete audit entries older than ``days`` days; returns how many went."""
    cutoff = utcnow() - timedelta(days=days)
    removed = db.session.execute(sa.delete(AuditLog).where(AuditLog.created_at < cutoff)).rowcount
    db.session.commit()
    return removed
