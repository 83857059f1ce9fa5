"""Every model of the application, imported in one place for Alembic, the worker and the shell."""

from siteninja.core.idempotency import IdempotencyRecord
from siteninja.resources.api_keys.models import ApiKey, ApiKeyUsage
from siteninja.resources.assets.models import Asset
from siteninja.resources.audit.models import AuditLog
from siteninja.resources.auth.models import EmailToken, RefreshToken, RevokedToken
from siteninja.resources.branding.models import Branding
from siteninja.resources.navigation.models import NavigationItem
from siteninja.resources.pages.models import Page
from siteninja.resources.redirects.models import Redirect
from siteninja.resources.revisions.models import PageRevision
from siteninja.resources.search.models import PageSearch
from siteninja.resources.sections.models import Section
from siteninja.resources.seo.models import SeoMetadata
from siteninja.resources.subscriptions.models import Subscription
from siteninja.resources.templates.models import Industry, PageTemplate, Template
from siteninja.resources.tenants.models import Domain, Tenant
from siteninja.resources.users.models import User
from siteninja.resources.webhooks.models import Event, Webhook, WebhookDelivery

__all__ = [
    "ApiKey",
    "ApiKeyUsage",
    "Asset",
    "AuditLog",
    "Branding",
    "Domain",
    "EmailToken",
    "Event",
    "IdempotencyRecord",
    "Industry",
    "NavigationItem",
    "Page",
    "PageRevision",
    "PageSearch",
    "PageTemplate",
    "Redirect",
    "RefreshToken",
    "RevokedToken",
    "Section",
    "SeoMetadata",
    "Subscription",
    "Template",
    "Tenant",
    "User",
    "Webhook",
    "WebhookDelivery",
]
