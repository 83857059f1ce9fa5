"""Template and industry schemas: read, write (structure validated like sections), list, preview, apply."""

from __future__ import annotations

from marshmallow import fields, validate

from siteninja.core.pagination import ListArgsSchema, sort_field
from siteninja.core.schemas import BaseSchema, ObjectSchema, StrictBoolean, text
from siteninja.core.validators import validate_slug
from siteninja.resources.pages.schemas import PageDetailSchema
from siteninja.resources.sections.models import SECTION_TYPES
from siteninja.resources.sections.schemas import content_field
from siteninja.resources.seo.schemas import SeoSchema, SeoUpdateSchema, http_url

MAX_TEMPLATE_SECTIONS = 50
APPLY_MODES = ("replace", "append")


class IndustrySchema(ObjectSchema):
    name = fields.String()
    slug = fields.String()
    description = fields.String(allow_none=True)


class IndustryQueryArgsSchema(ListArgsSchema):
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=100))


class TemplateSectionSchema(BaseSchema):
    """One section of a template: a known type and a ``content`` object of at most 64 KB."""

    type = fields.String(required=True, validate=validate.OneOf(SECTION_TYPES))
    content = content_field(load_default=dict)


class StructureSchema(BaseSchema):
    """What a page gets from the template: its sections in order and, optionally, its SEO."""

    sections = fields.List(
        fields.Nested(TemplateSectionSchema),
        required=True,
        validate=validate.Length(max=MAX_TEMPLATE_SECTIONS),
    )
    seo = fields.Nested(SeoUpdateSchema, allow_none=True)


class StructureReadSchema(BaseSchema):
    sections = fields.List(fields.Dict())
    seo = fields.Dict()


class TemplateSchema(ObjectSchema):
    name = fields.String()
    slug = fields.String()
    description = fields.String(allow_none=True)
    category = fields.String()
    industry_id = fields.UUID(allow_none=True)
    is_premium = fields.Boolean()
    thumbnail_url = fields.String(allow_none=True)
    structure = fields.Nested(StructureReadSchema)


class TemplateUpdateSchema(BaseSchema):
    name = text(200, min_length=1)
    slug = fields.String(validate=validate_slug)
    description = fields.String(allow_none=True, validate=validate.Length(max=5000))
    category = text(50, min_length=1, metadata={"description": "e.g. home, landing, menu"})
    industry_id = fields.UUID(allow_none=True)
    is_premium = StrictBoolean()
    thumbnail_url = http_url()
    structure = fields.Nested(StructureSchema)


class TemplateCreateSchema(TemplateUpdateSchema):
    name = text(200, min_length=1, required=True)
    slug = fields.String(validate=validate_slug, metadata={"description": "Derived from the name if omitted"})
    category = text(50, min_length=1, load_default="general")
    is_premium = StrictBoolean(load_default=False)
    structure = fields.Nested(StructureSchema, load_default=lambda: {"sections": []})


class TemplateQueryArgsSchema(ListArgsSchema):
    category = text(50)
    industry = text(100, metadata={"description": "An industry id or slug"})
    is_premium = fields.Boolean()
    q = text(200, metadata={"description": "Search name, slug and description"})
    sort = sort_field("name", "createdAt", "updatedAt", default="name")


class PreviewSectionSchema(BaseSchema):
    type = fields.String()
    content = fields.Dict()
    sort_order = fields.Integer()
    is_visible = fields.Boolean()


class TemplatePreviewSchema(BaseSchema):
    """The sections and SEO a page would get from the template (nothing is saved)."""

    template_id = fields.UUID()
    sections = fields.List(fields.Nested(PreviewSectionSchema))
    seo = fields.Nested(SeoSchema, allow_none=True)


class TemplateApplySchema(BaseSchema):
    tenant_id = fields.UUID(required=True)
    page_id = fields.UUID(required=True)
    mode = fields.String(
        load_default="replace",
        validate=validate.OneOf(APPLY_MODES),
        metadata={
            "description": "replace (default): the template's sections replace the page's and its SEO "
            "is applied; append: they are added after the page's own, SEO only if the page has none"
        },
    )


class AppliedPageSchema(PageDetailSchema):
    """The page after the template was applied: its sections and its template record."""
