"""Search schemas: the query arguments and a hit."""

from __future__ import annotations

from marshmallow import fields, validate

from siteninja.core.pagination import ListArgsSchema
from siteninja.core.schemas import BaseSchema
from siteninja.resources.pages.models import PAGE_STATUSES

Q_DESCRIPTION = (
    '1-200 characters, web-search syntax on PostgreSQL (words, "quoted phrases", or, -word); '
    "words and quoted phrases on the embedded SQLite default"
)


class PublicSearchArgsSchema(ListArgsSchema):
    q = fields.String(
        required=True, validate=validate.Length(min=1, max=200), metadata={"description": Q_DESCRIPTION}
    )


class SearchArgsSchema(PublicSearchArgsSchema):
    status = fields.String(validate=validate.OneOf(PAGE_STATUSES))


class SearchHitSchema(BaseSchema):
    """A matching page, best first; ``snippet`` is HTML-escaped text with the matches in ``<mark>``."""

    page_id = fields.UUID()
    title = fields.String()
    slug = fields.String()
    status = fields.String()
    score = fields.Float()
    snippet = fields.String()
