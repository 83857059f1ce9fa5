"""Operations endpoints: health and the local assets of the interactive docs."""

from __future__ import annotations

from flask import send_from_directory
from flask.views import MethodView
from marshmallow import Schema, fields
from swagger_ui_bundle import swagger_ui_path

from siteninja.core.envelope import Blueprint
from siteninja.core.errors import Unavailable
from siteninja.resources.ops import service

blp = Blueprint("ops", __name__, url_prefix="/api", description="Operations")


class HealthSchema(Schema):
    status = fields.String()
    checks = fields.Dict(keys=fields.String(), values=fields.String())


@blp.route("/health")
class Health(MethodView):
    @blp.response(200, HealthSchema)
    def get(self):
        """Check the database, Redis and the job queue (503 when the database is down)."""
        report = service.health()
        if report["checks"]["database"] != "ok":
            raise Unavailable(
                "Database unavailable",
                details=[{"field": name, "message": state} for name, state in report["checks"].items()],
            )
        return report


@blp.route("/docs/assets/<path:filename>")
@blp.doc(hide=True)
def docs_asset(filename: str):
    """Swagger UI's static files, served locally (no CDN)."""
    return send_from_directory(swagger_ui_path, filename, max_age=86400)
