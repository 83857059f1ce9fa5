"""Tenant schemas: read, create, update and list arguments."""

from __future__ import annotations

from marshmallow import fields, post_load, validate

from siteninja.core.pagination import ListArgsSchema, sort_field
from siteninja.core.schemas import BaseSchema, ObjectSchema, text
from siteninja.core.validators import max_json_size, validate_hostname, validate_subdomain
from siteninja.resources.tenants.models import TENANT_STATUSES


class TenantSchema(ObjectSchema):
    name = fields.String()
    subdomain = fields.String()
    custom_domain = fields.String(allow_none=True)
    status = fields.String()
    industry_id = fields.UUID(allow_none=True)
    settings = fields.Dict()


class _TenantWriteSchema(BaseSchema):
    custom_domain = fields.String(allow_none=True, validate=validate_hostname)
    industry_id = fields.UUID(allow_none=True)
    settings = fields.Dict(validate=max_json_size(16 * 1024))

    @post_load
    def normalize(self, data: dict, **kwargs) -> dict:
        if data.get("custom_domain"):
            data["custom_domain"] = data["custom_domain"].lower().rstrip(".")
        return data


class TenantCreateSchema(_TenantWriteSchema):
    name = text(200, min_length=1, required=True)
    subdomain = fields.String(required=True, validate=validate_subdomain)


class TenantUpdateSchema(_TenantWriteSchema):
    name = text(200, min_length=1)
    subdomain = fields.String(validate=validate_subdomain)
    status = fields.String(validate=validate.OneOf(("active", "suspended")))


class TenantQueryArgsSchema(ListArgsSchema):
    status = fields.String(validate=validate.OneOf(TENANT_STATUSES))
    q = text(200)
    sort = sort_field("name", "createdAt", default="createdAt")
