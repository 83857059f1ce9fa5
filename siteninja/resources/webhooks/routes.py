"""Webhook endpoints: /api/tenants/<tenantId>/webhooks."""

from __future__ import annotations

import uuid
from typing import Any

from flask import url_for

from siteninja.core.auth import require
from siteninja.core.envelope import Blueprint, ErrorEnvelopeSchema
from siteninja.core.tenancy import TenantView
from siteninja.resources.webhooks import service
from siteninja.resources.webhooks.schemas import (
    DeliveryQueryArgsSchema,
    DeliverySchema,
    RotateSecretSchema,
    WebhookCreateSchema,
    WebhookQueryArgsSchema,
    WebhookSchema,
    WebhookUpdateSchema,
    WebhookWithSecretSchema,
)

blp = Blueprint(
    "webhooks",
    __name__,
    url_prefix="/api/tenants/<uuid:tenant_id>/webhooks",
    description="Signed deliveries of a tenant's events to its own URLs (Standard Webhooks)",
)


class WebhookView(TenantView):
    """A view of one webhook: 401, then 404 for another tenant, webhook or delivery, before the body."""

    def check_scope(self, **kwargs: Any) -> None:
        service.ensure_in_scope(
            tenant_id=kwargs["tenant_id"],
            webhook_id=kwargs["webhook_id"],
            delivery_id=kwargs.get("delivery_id"),
        )


@blp.route("")
class WebhookList(TenantView):
    @require(role="admin", scope="webhooks:read")
    @blp.arguments(WebhookQueryArgsSchema, location="query")
    @blp.response(200, WebhookSchema(many=True))
    def get(self, args: dict[str, Any], tenant_id: uuid.UUID):
        """List webhooks (filter isActive; sort createdAt|url)."""
        return service.list_webhooks(tenant_id=tenant_id, **args)

    @require(role="admin", scope="webhooks:write")
    @blp.arguments(WebhookCreateSchema)
    @blp.response(201, WebhookWithSecretSchema)
    @blp.alt_response(403, schema=ErrorEnvelopeSchema, description="plan_limit_exceeded: the plan's webhooks")
    def post(self, data: dict[str, Any], tenant_id: uuid.UUID):
        """Create a webhook; the answer carries its signing secret, this once."""
        webhook = service.create_webhook(tenant_id=tenant_id, data=data)
        location = url_for("webhooks.WebhookDetail", tenant_id=tenant_id, webhook_id=webhook.id)
        return webhook, {"Location": location}


@blp.route("/<uuid:webhook_id>")
class WebhookDetail(WebhookView):
    @require(role="admin", scope="webhooks:read")
    @blp.response(200, WebhookSchema)
    def get(self, tenant_id: uuid.UUID, webhook_id: uuid.UUID):
        """Get a webhook (never its secret)."""
        return service.get_webhook(tenant_id=tenant_id, webhook_id=webhook_id)

    @require(role="admin", scope="webhooks:write")
    @blp.arguments(WebhookUpdateSchema)
    @blp.response(200, WebhookSchema)
    def put(self, data: dict[str, Any], tenant_id: uuid.UUID, webhook_id: uuid.UUID):
        """Update a webhook (any subset of url, events, description, isActive)."""
        return service.update_webhook(tenant_id=tenant_id, webhook_id=webhook_id, data=data)

    patch = put

    @require(role="admin", scope="webhooks:write")
    @blp.response(204)
    def delete(self, tenant_id: uuid.UUID, webhook_id: uuid.UUID):
        """Delete a webhook and its delivery log."""
        service.delete_webhook(tenant_id=tenant_id, webhook_id=webhook_id)


@blp.route("/<uuid:webhook_id>/test")
class WebhookTest(WebhookView):
    @require(role="admin", scope="webhooks:write")
    @blp.response(200, DeliverySchema)
    def post(self, tenant_id: uuid.UUID, webhook_id: uuid.UUID):
        """Send a webhook.test event now and return that attempt."""
        return service.send_test(tenant_id=tenant_id, webhook_id=webhook_id)


@blp.route("/<uuid:webhook_id>/rotate-secret")
class WebhookRotateSecret(WebhookView):
    @require(role="admin", scope="webhooks:write")
    @blp.arguments(RotateSecretSchema)
    @blp.response(200, WebhookWithSecretSchema)
    def post(self, data: dict[str, Any], tenant_id: uuid.UUID, webhook_id: uuid.UUID):
        """New signing secret; the old one also signs for gracePeriodHours (default 24)."""
        return service.rotate_secret(tenant_id=tenant_id, webhook_id=webhook_id, **data)


@blp.route("/<uuid:webhook_id>/deliveries")
class WebhookDeliveries(WebhookView):
    @require(role="admin", scope="webhooks:read")
    @blp.arguments(DeliveryQueryArgsSchema, location="query")
    @blp.response(200, DeliverySchema(many=True))
    def get(self, args: dict[str, Any], tenant_id: uuid.UUID, webhook_id: uuid.UUID):
        """The delivery log, newest first, one row per attempt (filters status, eventType)."""
        return service.list_deliveries(tenant_id=tenant_id, webhook_id=webhook_id, **args)


@blp.route("/<uuid:webhook_id>/deliveries/<uuid:delivery_id>/redeliver")
class WebhookRedeliver(WebhookView):
    @require(role="admin", scope="webhooks:write")
    @blp.response(202, DeliverySchema)
    @blp.alt_response(409, schema=ErrorEnvelopeSchema, description="The webhook is disabled")
    def post(self, tenant_id: uuid.UUID, webhook_id: uuid.UUID, delivery_id: uuid.UUID):
        """Queue a new attempt of that delivery's event, with the same webhook-id."""
        return service.redeliver(tenant_id=tenant_id, webhook_id=webhook_id, delivery_id=delivery_id)
