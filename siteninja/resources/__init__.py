"""One package per resource; BLUEPRINTS lists their blueprints in registration order."""

from siteninja.resources.ops.routes import blp as ops_blp
from siteninja.resources.tenants.routes import blp as tenants_blp

BLUEPRINTS = (ops_blp, tenants_blp)
