"""Section schemas: read, create, update, list arguments, reorder and bulk operations."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from siteninja.core.pagination import ListArgsSchema, sort_field
from siteninja.core.schemas import BaseSchema, ObjectSchema, StrictBoolean, StrictInteger
from siteninja.core.validators import max_json_size
from siteninja.resources.sections.models import SECTION_TYPES

MAX_CONTENT_BYTES = 64 * 1024
MAX_BULK_OPERATIONS = 100
BULK_OPS = ("create", "update", "delete")


def content_field(**kwargs: Any) -> fields.Dict:
    """A section's ``content``: a JSON object of at most 64 KB."""
    return fields.Dict(keys=fields.String(), validate=max_json_size(MAX_CONTENT_BYTES), **kwargs)


def position(**kwargs: Any) -> StrictInteger:
    """A ``sortOrder`` input: a position from 0."""
    return StrictInteger(validate=validate.Range(min=0, max=1_000_000), **kwargs)


class SectionSchema(ObjectSchema):
    page_id = fields.UUID()
    type = fields.String()
    content = fields.Dict()
    sort_order = fields.Integer()
    is_visible = fields.Boolean()


class SectionUpdateSchema(BaseSchema):
    type = fields.String(validate=validate.OneOf(SECTION_TYPES))
    content = content_field()
    sort_order = position()
    is_visible = StrictBoolean()


class SectionCreateSchema(SectionUpdateSchema):
    type = fields.String(required=True, validate=validate.OneOf(SECTION_TYPES))
    content = content_field(load_default=dict)


class SectionQueryArgsSchema(ListArgsSchema):
    type = fields.String(validate=validate.OneOf(SECTION_TYPES))
    is_visible = fields.Boolean()
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=100))
    sort = sort_field("sortOrder", "createdAt", "updatedAt", default="sortOrder")


class SectionReorderSchema(BaseSchema):
    order = fields.List(fields.UUID(), required=True, validate=validate.Length(max=1000))


class BulkOperationSchema(BaseSchema):
    """One operation of a bulk request; ``data`` is checked by the create or update schema."""

    op = fields.String(required=True, validate=validate.OneOf(BULK_OPS))
    id = fields.UUID()
    data = fields.Dict()

    @validates_schema
    def check_shape(self, data: dict, **kwargs: Any) -> None:
        """``id`` for update and delete only, ``data`` for create and update only."""
        op = data.get("op")
        errors: dict[str, list[str]] = {}
        if op in ("update", "delete") and "id" not in data:
            errors["id"] = ["Required for update and delete."]
        if op == "create" and "id" in data:
            errors["id"] = ["Not allowed for create: the server assigns ids."]
        if op in ("create", "update") and "data" not in data:
            errors["data"] = ["Required for create and update."]
        if op == "delete" and "data" in data:
            errors["data"] = ["Not allowed for delete."]
        if errors:
            raise ValidationError(errors)

    @post_load
    def load_data(self, data: dict, **kwargs: Any) -> dict:
        """Load ``data`` with the create or update schema; its errors nest under ``data``."""
        if "data" in data:
            schema = SectionCreateSchema() if data["op"] == "create" else SectionUpdateSchema()
            try:
                data["data"] = schema.load(data["data"])
            except ValidationError as error:
                raise ValidationError({"data": error.messages}) from error
        return data


class SectionBulkSchema(BaseSchema):
    operations = fields.List(
        fields.Nested(BulkOperationSchema),
        required=True,
        validate=validate.Length(min=1, max=MAX_BULK_OPERATIONS),
    )


class BulkResultSchema(BaseSchema):
    op = fields.String()
    id = fields.UUID()
    data = fields.Nested(SectionSchema, allow_none=True)


class SectionBulkResultSchema(BaseSchema):
    results = fields.List(fields.Nested(BulkResultSchema))
