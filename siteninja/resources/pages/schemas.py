"""Page schemas: read (optionally with sections and SEO), create, update and list arguments."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate
from webargs.fields import DelimitedList

from siteninja.core.pagination import ListArgsSchema, sort_field
from siteninja.core.schemas import BaseSchema, ObjectSchema, StrictBoolean, Timestamp, text
from siteninja.core.validators import validate_slug
from siteninja.resources.pages.models import PAGE_STATUSES
from siteninja.resources.sections.schemas import SectionSchema, position
from siteninja.resources.seo.schemas import SeoSchema

INCLUDES = ("sections", "seo")


class PageSchema(ObjectSchema):
    tenant_id = fields.UUID()
    title = fields.String()
    slug = fields.String()
    description = fields.String(allow_none=True)
    status = fields.String()
    is_homepage = fields.Boolean()
    sort_order = fields.Integer()
    template_id = fields.UUID(allow_none=True)
    published_at = Timestamp(allow_none=True)
    created_by = fields.UUID(allow_none=True)


class PageDetailSchema(PageSchema):
    """A page; ``sections`` and ``seo`` are present only when asked for with ``include``."""

    sections = fields.List(fields.Nested(SectionSchema))
    seo = fields.Nested(SeoSchema, allow_none=True)


class _PageWriteSchema(BaseSchema):
    description = fields.String(allow_none=True, validate=validate.Length(max=5000))
    status = fields.String(validate=validate.OneOf(PAGE_STATUSES))
    is_homepage = StrictBoolean()
    sort_order = position()


def title_field(**kwargs: Any) -> fields.String:
    """A page title: 1-200 characters."""
    return fields.String(validate=validate.Length(min=1, max=200), **kwargs)


class PageCreateSchema(_PageWriteSchema):
    title = title_field(required=True)
    slug = fields.String(validate=validate_slug)
    template_id = fields.UUID()


class PageUpdateSchema(_PageWriteSchema):
    title = title_field()
    slug = fields.String(validate=validate_slug)


class PageQueryArgsSchema(ListArgsSchema):
    status = fields.String(validate=validate.OneOf(PAGE_STATUSES))
    q = text(200)
    sort = sort_field("title", "createdAt", "updatedAt", "sortOrder", default="sortOrder")


class PageIncludeArgsSchema(BaseSchema):
    include = DelimitedList(
        fields.String(validate=validate.OneOf(INCLUDES)),
        load_default=list,
        metadata={"description": "Comma-separated: sections, seo"},
    )
