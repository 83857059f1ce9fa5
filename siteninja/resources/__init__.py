"""One package per resource; BLUEPRINTS lists their blueprints in registration order."""

from siteninja.resources.audit.routes import blp as audit_blp
from siteninja.resources.auth.routes import blp as auth_blp
from siteninja.resources.ops.routes import blp as ops_blp
from siteninja.resources.tenants.routes import blp as tenants_blp
from siteninja.resources.users.routes import blp as users_blp

BLUEPRINTS = (ops_blp, auth_blp, tenants_blp, users_blp, audit_blp)
