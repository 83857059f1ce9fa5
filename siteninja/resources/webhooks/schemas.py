"""Webhook schemas: read (with the secret only where shown once), write, rotation, deliveries."""

from __future__ import annotations

from typing import Any

from flask import current_app
from marshmallow import ValidationError, fields, validate

from siteninja.core.pagination import ListArgsSchema, sort_field
from siteninja.core.schemas import BaseSchema, ObjectSchema, StrictBoolean, StrictInteger, Timestamp
from siteninja.resources.webhooks.models import DELIVERY_STATUSES, EVENT_TYPES, TEST_EVENT
from siteninja.services import events, ssrf
from siteninja.services.webhooks import check_url

EVENT_CHOICES = ("*", *EVENT_TYPES)
MAX_GRACE_HOURS = 720


class WebhookSchema(ObjectSchema):
    url = fields.String()
    events = fields.List(fields.String())
    description = fields.String(allow_none=True)
    is_active = fields.Boolean()
    failure_count = fields.Integer()
    disabled_at = Timestamp(allow_none=True)
    disabled_reason = fields.String(allow_none=True)
    last_delivery_at = Timestamp(allow_none=True)


class WebhookWithSecretSchema(WebhookSchema):
    """A webhook with its signing secret: only the answers of create and rotate-secret."""

    secret = fields.String(metadata={"description": "whsec_ + base64; shown this once"})


def validate_webhook_url(value: str) -> None:
    """https:// (http:// only with WEBHOOK_ALLOW_HTTP), no credentials, no internal address."""
    config = current_app.config
    try:
        check_url(
            value, allow_http=config["WEBHOOK_ALLOW_HTTP"], allow_private=config["WEBHOOK_ALLOW_PRIVATE"]
        )
    except ssrf.UnsafeUrl as exc:
        raise ValidationError(str(exc)) from exc


def url_field(**kwargs: Any) -> fields.String:
    """A webhook URL (checked against the SSRF rules)."""
    return fields.String(
        validate=validate_webhook_url,
        metadata={"format": "uri", "description": "https:// URL on a public address (see docs/webhooks.md)"},
        **kwargs,
    )


def events_field(**kwargs: Any) -> fields.List:
    """The event types a webhook receives: ``*`` or names from the contract's list."""
    choice = fields.String(validate=validate.OneOf(EVENT_CHOICES, error="Unknown event type {input!r}"))
    return fields.List(
        choice,
        validate=validate.Length(min=1, max=50, error='List 1-50 event types, or "*"'),
        metadata={"description": 'Event types, or ["*"] for all'},
        **kwargs,
    )


class _WebhookWriteSchema(BaseSchema):
    description = fields.String(allow_none=True, validate=validate.Length(max=500))
    is_active = StrictBoolean()


class WebhookCreateSchema(_WebhookWriteSchema):
    url = url_field(required=True)
    events = events_field(required=True)


class WebhookUpdateSchema(_WebhookWriteSchema):
    url = url_field()
    events = events_field()


class RotateSecretSchema(BaseSchema):
    grace_period_hours = StrictInteger(
        load_default=24,
        validate=validate.Range(min=0, max=MAX_GRACE_HOURS),
        metadata={"description": "Hours the old secret keeps signing too (0: stop at once)"},
    )


class WebhookQueryArgsSchema(ListArgsSchema):
    is_active = fields.Boolean()
    sort = sort_field("createdAt", "url", default="createdAt")


class DeliverySchema(BaseSchema):
    id = fields.UUID()
    event_id = fields.Function(
        lambda delivery: events.wire_id(delivery.event_id),
        metadata={"type": "string", "description": "evt_…: the webhook-id header of the delivery"},
    )
    event_type = fields.String()
    attempt = fields.Integer()
    status = fields.String()
    response_status = fields.Integer(allow_none=True)
    response_body = fields.String(allow_none=True)
    duration_ms = fields.Integer(allow_none=True)
    error = fields.String(allow_none=True)
    next_retry_at = Timestamp(attribute="next_attempt_at", allow_none=True)
    created_at = Timestamp()


class DeliveryQueryArgsSchema(ListArgsSchema):
    status = fields.String(validate=validate.OneOf(DELIVERY_STATUSES))
    event_type = fields.String(validate=validate.OneOf((*EVENT_TYPES, TEST_EVENT)))


# The schema component of each event's ``data`` (by the part of its type before the dot).
EVENT_DATA_COMPONENTS = {
    "page": "Page",
    "section": "Section",
    "branding": "Branding",
    "tenant": "Tenant",
    "user": "User",
    "asset": "Asset",
}
TEST_EVENT_DATA = {
    "type": "object",
    "properties": {"webhookId": {"type": "string", "format": "uuid"}, "message": {"type": "string"}},
}


def event_payload_docs() -> dict[str, str | dict[str, Any]]:
    """Each event type's ``data``, as the OpenAPI document describes it."""
    docs: dict[str, str | dict[str, Any]] = {
        event_type: EVENT_DATA_COMPONENTS[event_type.split(".")[0]] for event_type in EVENT_TYPES
    }
    docs[TEST_EVENT] = TEST_EVENT_DATA
    return docs
