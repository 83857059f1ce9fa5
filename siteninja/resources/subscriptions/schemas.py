"""Subscription schemas: the subscription as read, its plan-choosing bodies, and the plan list."""

from __future__ import annotations

from marshmallow import fields, validate

from siteninja.core.schemas import BaseSchema, ObjectSchema, Timestamp
from siteninja.resources.subscriptions.models import PLANS


class SubscriptionSchema(ObjectSchema):
    tenant_id = fields.UUID()
    plan = fields.String()
    status = fields.String()
    current_period_start = Timestamp()
    current_period_end = Timestamp()
    cancel_at_period_end = fields.Boolean()
    canceled_at = Timestamp(allow_none=True)


class SubscriptionCreateSchema(BaseSchema):
    plan = fields.String(required=True, validate=validate.OneOf(PLANS))


class SubscriptionUpdateSchema(BaseSchema):
    plan = fields.String(required=True, validate=validate.OneOf(PLANS))


class PlanSchema(BaseSchema):
    name = fields.String()
    pages = fields.Integer(allow_none=True, metadata={"description": "null: unlimited"})
    storage_bytes = fields.Integer(allow_none=True)
    webhooks = fields.Integer(allow_none=True)
    api_rate_per_minute = fields.Integer(allow_none=True)
    premium_templates = fields.Boolean()
    custom_domain = fields.Boolean()
