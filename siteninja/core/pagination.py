"""List arguments (page, limit, sort) and the one way to paginate a select."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from marshmallow import fields, validate

from siteninja.core.envelope import Paginated
from siteninja.core.schemas import BaseSchema
from siteninja.extensions import db

MAX_LIMIT = 100


class ListArgsSchema(BaseSchema):
    """``?page=&limit=`` shared by every list; subclasses add filters and ``sort``."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_LIMIT))


def sort_field(*names: str, default: str) -> fields.String:
    """A ``sort`` argument accepting ``name`` or ``-name`` for each sortable field."""
    choices = [*names, *(f"-{n}" for n in names)]
    return fields.String(load_default=default, validate=validate.OneOf(choices))


def order_by(sort: str, columns: Mapping[str, Any], tiebreak: Any) -> list[Any]:
    """ORDER BY clauses for a ``sort`` value, with a stable tie-break."""
    descending = sort.startswith("-")
    column = columns[sort.lstrip("-")]
    return [column.desc() if descending else column.asc(), tiebreak]


def paginate(stmt: sa.Select, *, page: int, limit: int) -> Paginated:
    """Run ``stmt`` for one page and count the whole result: two queries, whatever the size."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    items = list(db.session.scalars(stmt.limit(limit).offset((page - 1) * limit)))
    return Paginated(items=items, page=page, limit=limit, total=total or 0)
