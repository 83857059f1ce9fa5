"""Subscription endpoints: /api/tenants/<tenantId>/subscription, and the public /api/plans."""

from __future__ import annotations

import uuid

from flask import url_for
from flask.views import MethodView

from siteninja.core.auth import PUBLIC_SECURITY, require
from siteninja.core.envelope import Blueprint
from siteninja.core.tenancy import TenantView
from siteninja.resources.subscriptions import service
from siteninja.resources.subscriptions.schemas import (
    PlanSchema,
    SubscriptionCreateSchema,
    SubscriptionSchema,
    SubscriptionUpdateSchema,
)

blp = Blueprint("subscriptions", __name__, url_prefix="/api", description="Plans and subscriptions")


@blp.route("/plans")
class PlanList(MethodView):
    @blp.doc(security=PUBLIC_SECURITY)
    @blp.response(200, PlanSchema(many=True))
    def get(self):
        """List the plans and their limits (public; null means unlimited)."""
        return service.list_plans()


@blp.route("/tenants/<uuid:tenant_id>/subscription")
class TenantSubscription(TenantView):
    @require(role="owner")
    @blp.response(200, SubscriptionSchema)
    def get(self, tenant_id: uuid.UUID):
        """Get the tenant's subscription (owner only; API keys never manage subscriptions)."""
        return service.get_subscription(tenant_id=tenant_id)

    @require(role="owner")
    @blp.arguments(SubscriptionCreateSchema)
    @blp.response(201, SubscriptionSchema)
    @blp.alt_response(409, response="Conflict", description="Already subscribed (canceled or not)")
    def post(self, data, tenant_id: uuid.UUID):
        """Subscribe to a plan (409 if the tenant has a subscription, even a canceled one)."""
        subscription = service.create_subscription(tenant_id=tenant_id, plan=data["plan"])
        return subscription, {"Location": url_for("subscriptions.TenantSubscription", tenant_id=tenant_id)}

    @require(role="owner")
    @blp.arguments(SubscriptionUpdateSchema)
    @blp.response(200, SubscriptionSchema)
    def put(self, data, tenant_id: uuid.UUID):
        """Change the plan (reactivates a canceled one); a downgrade below the page count is allowed."""
        return service.change_plan(tenant_id=tenant_id, plan=data["plan"])

    patch = put

    @require(role="owner")
    @blp.response(200, SubscriptionSchema)
    def delete(self, tenant_id: uuid.UUID):
        """Cancel the subscription; free limits apply from currentPeriodEnd. Returns it canceled."""
        return service.cancel(tenant_id=tenant_id)
