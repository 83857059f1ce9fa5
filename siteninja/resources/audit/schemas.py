"""Audit log schemas: entries and the filters of a listing."""

from __future__ import annotations

from marshmallow import fields, validate

from siteninja.core.pagination import ListArgsSchema, sort_field
from siteninja.core.schemas import BaseSchema, Timestamp, text


class AuditEntrySchema(BaseSchema):
    id = fields.UUID()
    tenant_id = fields.UUID(allow_none=True)
    actor_type = fields.String()
    actor_id = fields.UUID(allow_none=True)
    action = fields.String()
    resource_type = fields.String()
    resource_id = fields.String(allow_none=True)
    old_value = fields.Dict(allow_none=True)
    new_value = fields.Dict(allow_none=True)
    changes = fields.Dict(allow_none=True)
    ip_address = fields.String(allow_none=True)
    user_agent = fields.String(allow_none=True)
    request_id = fields.String(allow_none=True)
    method = fields.String(allow_none=True)
    path = fields.String(allow_none=True)
    created_at = Timestamp()


class AuditQueryArgsSchema(ListArgsSchema):
    action = text(32)
    resource_type = text(32)
    resource_id = text(64)
    actor_id = fields.UUID()
    from_ = fields.DateTime(data_key="from")
    to = fields.DateTime()
    format = fields.String(validate=validate.OneOf(("json", "csv")), load_default="json")
    sort = sort_field("createdAt", default="-createdAt")


class GlobalAuditQueryArgsSchema(AuditQueryArgsSchema):
    tenant_id = fields.UUID()
