"""One package per resource; BLUEPRINTS lists their blueprints in registration order."""

from siteninja.resources.ai.routes import blp as ai_blp
from siteninja.resources.api_keys.routes import blp as api_keys_blp
from siteninja.resources.assets.routes import blp as assets_blp
from siteninja.resources.assets.routes import files_blp
from siteninja.resources.audit.routes import blp as audit_blp
from siteninja.resources.auth.routes import blp as auth_blp
from siteninja.resources.branding.routes import blp as branding_blp
from siteninja.resources.navigation.routes import blp as navigation_blp
from siteninja.resources.ops.routes import blp as ops_blp
from siteninja.resources.ops.routes import metrics_blp
from siteninja.resources.pages.routes import blp as pages_blp
from siteninja.resources.redirects.routes import blp as redirects_blp
from siteninja.resources.revisions.routes import blp as revisions_blp
from siteninja.resources.search.routes import blp as search_blp
from siteninja.resources.sections.routes import blp as sections_blp
from siteninja.resources.seo.routes import blp as seo_blp
from siteninja.resources.sites.routes import blp as sites_blp
from siteninja.resources.subscriptions.routes import blp as subscriptions_blp
from siteninja.resources.templates.routes import blp as templates_blp
from siteninja.resources.tenants.routes import blp as tenants_blp
from siteninja.resources.users.routes import blp as users_blp
from siteninja.resources.webhooks.routes import blp as webhooks_blp

BLUEPRINTS = (
    ops_blp,
    metrics_blp,
    auth_blp,
    tenants_blp,
    users_blp,
    pages_blp,
    sections_blp,
    revisions_blp,
    audit_blp,
    navigation_blp,
    seo_blp,
    redirects_blp,
    search_blp,
    branding_blp,
    subscriptions_blp,
    api_keys_blp,
    assets_blp,
    files_blp,
    templates_blp,
    ai_blp,
    sites_blp,
    webhooks_blp,
)
