"""API key schemas: the key as listed, the once-only secret, the create/rotate bodies, usage."""

from __future__ import annotations

from flask import has_request_context, request
from marshmallow import ValidationError, fields, validate, validates, validates_schema

from siteninja.core.db import utcnow
from siteninja.core.pagination import ListArgsSchema
from siteninja.core.schemas import BaseSchema, ObjectSchema, StrictInteger, Timestamp, text
from siteninja.resources.api_keys.models import ALL_SCOPES, ENVIRONMENTS, SCOPES
from siteninja.resources.api_keys.service import plan_rate_problem

MAX_RATE_LIMIT = 100_000
MAX_GRACE_HOURS = 24 * 30


class ApiKeySchema(ObjectSchema):
    tenant_id = fields.UUID()
    name = fields.String()
    environment = fields.String()
    prefix = fields.String(metadata={"description": "The non-secret start of the key, to recognise it"})
    last4 = fields.String()
    scopes = fields.List(fields.String())
    rate_limit = fields.Integer(
        allow_none=True, metadata={"description": "Requests per minute; null: the plan's rate"}
    )
    expires_at = Timestamp(allow_none=True)
    revoked_at = Timestamp(allow_none=True)
    last_used_at = Timestamp(allow_none=True)
    created_by = fields.UUID(allow_none=True)


class ApiKeyCreatedSchema(ApiKeySchema):
    key = fields.String(
        attribute="secret",
        metadata={"description": "The full key (sn_live_… or sn_test_…): shown in this response only"},
    )


class ApiKeyCreateSchema(BaseSchema):
    name = text(100, min_length=1, required=True)
    scopes = fields.List(
        fields.String(validate=validate.OneOf((*SCOPES, ALL_SCOPES))),
        required=True,
        validate=validate.Length(min=1, max=len(SCOPES) + 1),
        metadata={"description": f"Any of {', '.join(SCOPES)}, or * for all of them"},
    )
    environment = fields.String(load_default="live", validate=validate.OneOf(ENVIRONMENTS))
    expires_at = fields.AwareDateTime(allow_none=True, load_default=None)
    rate_limit = StrictInteger(
        allow_none=True, load_default=None, validate=validate.Range(min=1, max=MAX_RATE_LIMIT)
    )

    @validates("expires_at")
    def in_the_future(self, value, **kwargs) -> None:
        if value is not None and value <= utcnow():
            raise ValidationError("Must be in the future")

    @validates_schema(skip_on_field_errors=False)
    def rate_within_plan(self, data: dict, **kwargs) -> None:
        """Reported with the other fields' errors, not after them (the plan is the path's tenant's)."""
        tenant_id = (request.view_args or {}).get("tenant_id") if has_request_context() else None
        problem = tenant_id and plan_rate_problem(tenant_id, data.get("rate_limit"))
        if problem:
            raise ValidationError(problem, "rateLimit")


class ApiKeyRotateSchema(BaseSchema):
    grace_period_hours = StrictInteger(
        load_default=24,
        validate=validate.Range(min=0, max=MAX_GRACE_HOURS),
        metadata={"description": "How long the old key keeps working (0: stops at once)"},
    )


class ApiKeyQueryArgsSchema(ListArgsSchema):
    include_revoked = fields.Boolean(load_default=False)


class UsageArgsSchema(BaseSchema):
    days = fields.Integer(load_default=30, validate=validate.Range(min=1, max=365))


class UsageDaySchema(BaseSchema):
    date = fields.String(metadata={"description": "YYYY-MM-DD (UTC)"})
    count = fields.Integer()


class UsageEndpointSchema(BaseSchema):
    method = fields.String()
    path = fields.String(metadata={"description": "The route template, e.g. /api/tenants/{tenantId}/pages"})
    count = fields.Integer()


class ApiKeyUsageSchema(BaseSchema):
    key_id = fields.UUID()
    last_used_at = Timestamp(allow_none=True)
    total_requests = fields.Integer()
    by_day = fields.List(fields.Nested(UsageDaySchema))
    by_endpoint = fields.List(fields.Nested(UsageEndpointSchema))
