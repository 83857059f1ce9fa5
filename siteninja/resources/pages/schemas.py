"""Page schemas: read (optionally with sections and SEO), create, update and list arguments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from marshmallow import ValidationError, fields, validate
from webargs.fields import DelimitedList

from siteninja.core.db import utcnow
from siteninja.core.pagination import ListArgsSchema, sort_field
from siteninja.core.schemas import BaseSchema, ObjectSchema, StrictBoolean, StrictInteger, Timestamp, text
from siteninja.core.validators import validate_slug
from siteninja.resources.pages.models import PAGE_STATUSES
from siteninja.resources.sections.schemas import SectionSchema, position
from siteninja.resources.seo.schemas import SeoSchema

INCLUDES = ("sections", "seo", "template")
DEFAULT_PREVIEW_MINUTES = 60
MAX_PREVIEW_MINUTES = 10_080


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
    publish_at = Timestamp(allow_none=True, metadata={"description": "When the worker publishes the page"})
    unpublish_at = Timestamp(allow_none=True, metadata={"description": "When the worker archives the page"})
    created_by = fields.UUID(allow_none=True)


class ModifiedSectionSchema(BaseSchema):
    section_id = fields.String()
    template_index = fields.Integer(metadata={"description": "Position of the section in the template"})
    type = fields.String()
    fields_ = fields.List(
        fields.String(),
        data_key="fields",
        attribute="fields",
        metadata={"description": "Dotted paths that differ: content.title, content.items.0.text, isVisible"},
    )


class AddedSectionSchema(BaseSchema):
    section_id = fields.String()
    type = fields.String()


class RemovedSectionSchema(AddedSectionSchema):
    template_index = fields.Integer()


class CustomizationsSchema(BaseSchema):
    """How the page's sections differ from the template as applied (all empty when they do not)."""

    modified = fields.List(fields.Nested(ModifiedSectionSchema), dump_default=list)
    added = fields.List(fields.Nested(AddedSectionSchema), dump_default=list)
    removed = fields.List(fields.Nested(RemovedSectionSchema), dump_default=list)
    reordered = fields.Boolean(dump_default=False)


class PageTemplateInfoSchema(BaseSchema):
    """The template last applied to the page, when, and what was changed since."""

    template_id = fields.UUID()
    applied_at = Timestamp()
    customizations = fields.Nested(CustomizationsSchema)


class PageDetailSchema(PageSchema):
    """A page; ``sections``, ``seo`` and ``template`` are present only when asked for with ``include``."""

    sections = fields.List(fields.Nested(SectionSchema))
    seo = fields.Nested(SeoSchema, allow_none=True)
    template = fields.Nested(PageTemplateInfoSchema, allow_none=True)


def schedule_field(description: str) -> fields.AwareDateTime:
    """A scheduled moment: an ISO timestamp with its offset, in the future; ``null`` clears it."""
    return fields.AwareDateTime(
        allow_none=True, validate=in_the_future, metadata={"description": description}
    )


def in_the_future(value: datetime | None) -> None:
    """Reject moments that have already passed (``null`` passes: it clears the schedule)."""
    if value is not None and value <= utcnow():
        raise ValidationError("Must be in the future")


class _PageWriteSchema(BaseSchema):
    description = fields.String(allow_none=True, validate=validate.Length(max=5000))
    status = fields.String(validate=validate.OneOf(PAGE_STATUSES))
    is_homepage = StrictBoolean()
    sort_order = position()
    publish_at = schedule_field("Publish the page at this moment (future; null clears)")
    unpublish_at = schedule_field("Archive the page at this moment (future, after publishAt; null clears)")


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
        metadata={
            "description": "Comma-separated: sections, seo, template "
            "({templateId, appliedAt, customizations} of the template last applied, or null)"
        },
    )


class PreviewLinkCreateSchema(BaseSchema):
    expires_in_minutes = StrictInteger(
        load_default=DEFAULT_PREVIEW_MINUTES,
        validate=validate.Range(min=1, max=MAX_PREVIEW_MINUTES),
        metadata={"description": f"1-{MAX_PREVIEW_MINUTES} (a week); default {DEFAULT_PREVIEW_MINUTES}"},
    )


class PreviewLinkSchema(BaseSchema):
    """A preview link: anyone holding ``url`` sees the page as it is now, until ``expiresAt``."""

    url = fields.String(metadata={"description": "GET /api/sites/{host}/preview/{token} on this API"})
    token = fields.String()
    expires_at = Timestamp()
