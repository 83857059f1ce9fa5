"""Operations endpoints: health and the local assets of the interactive docs."""

from __future__ import annotations

from flask import Blueprint as FlaskBlueprint
from flask import send_from_directory
from flask.views import MethodView
from marshmallow import Schema, fields
from swagger_ui_bundle import swagger_ui_path

from siteninja.core import metrics
from siteninja.core.auth import PUBLIC_SECURITY
from siteninja.core.envelope import Blueprint, ErrorEnvelopeSchema
from siteninja.core.errors import Unavailable
from siteninja.resources.ops import service

blp = Blueprint("ops", __name__, url_prefix="/api", description="Operations")

# A cached "ok" would hide an outage from the monitor asking.
NO_STORE = {"Cache-Control": "no-store"}


class HealthSchema(Schema):
    status = fields.String()
    checks = fields.Dict(keys=fields.String(), values=fields.String())


@blp.route("/health")
class Health(MethodView):
    @blp.doc(security=PUBLIC_SECURITY)
    @blp.response(200, HealthSchema)
    @blp.alt_response(503, schema=ErrorEnvelopeSchema, description="The database is down")
    def get(self):
        """Check the database, Redis and the job queue (503 when the database is down)."""
        report = service.health()
        if report["checks"]["database"] != "ok":
            raise Unavailable(
                "Database unavailable",
                details=[{"field": name, "message": state} for name, state in report["checks"].items()],
                headers=NO_STORE,
            )
        return report, NO_STORE


metrics_blp = Blueprint(
    "metrics", __name__, url_prefix="", description="Prometheus metrics (METRICS_ENABLED, METRICS_ALLOW)"
)


@metrics_blp.route("/metrics")
class Metrics(MethodView):
    @metrics_blp.doc(
        security=PUBLIC_SECURITY,
        responses={
            "200": {
                "description": "Prometheus text exposition format",
                "content": {"text/plain": {"schema": {"type": "string"}}},
            },
            "403": {"description": "The client address is not in METRICS_ALLOW"},
            "404": {"description": "Metrics are switched off (METRICS_ENABLED=false)"},
        },
    )
    def get(self):
        """Request counts and latency by route and status, cache, limits, deliveries, queue depth."""
        return metrics.exposition(service.queue_depths)


def docs_asset(filename: str):
    """Swagger UI's static files, served locally (no CDN)."""
    return send_from_directory(swagger_ui_path, filename, max_age=86400)


# Flask's own add_url_rule, not smorest's: static files are no API operation, so they stay
# out of the OpenAPI document (smorest has no "hide"; it would write the key into the spec).
FlaskBlueprint.add_url_rule(blp, "/docs/assets/<path:filename>", view_func=docs_asset)
