"""Template and industry endpoints: /api/industries and /api/templates (global, not tenant-scoped)."""

from __future__ import annotations

import uuid
from typing import Any

from flask import url_for
from flask.views import MethodView

from siteninja.core.auth import USER_OR_KEY_SECURITY, authenticated, require
from siteninja.core.envelope import Blueprint
from siteninja.resources.templates import service
from siteninja.resources.templates.schemas import (
    AppliedPageSchema,
    IndustryQueryArgsSchema,
    IndustrySchema,
    TemplateApplySchema,
    TemplateCreateSchema,
    TemplatePreviewSchema,
    TemplateQueryArgsSchema,
    TemplateSchema,
    TemplateUpdateSchema,
)

blp = Blueprint("templates", __name__, url_prefix="/api", description="Templates and industries")

APPLY_DESCRIPTION = (
    "Needs the rights of a section write in that tenant (editor or higher; API keys: pages:write). "
    "Another tenant's tenantId or pageId answers 404; a premium template on a plan without premium "
    "templates answers 403 plan_limit_exceeded. Sections, audit entries and section events are "
    "written in one transaction, and the application is recorded (GET /pages/{pageId}?include=template)."
)


class TemplateView(MethodView):
    """A view of one template: 401 without credentials, then 404 for an unknown id, before any input."""

    def dispatch_request(self, **kwargs: Any) -> Any:
        authenticated()
        service.get_template(template_id=kwargs["template_id"])
        return super().dispatch_request(**kwargs)


@blp.route("/industries")
class IndustryList(MethodView):
    @require(role="viewer", scope="templates:read")
    @blp.arguments(IndustryQueryArgsSchema, location="query")
    @blp.response(200, IndustrySchema(many=True))
    def get(self, args: dict[str, Any]):
        """List industries (any signed-in user; API keys need templates:read)."""
        return service.list_industries(**args)


@blp.route("/templates")
class TemplateList(MethodView):
    @require(role="viewer", scope="templates:read")
    @blp.arguments(TemplateQueryArgsSchema, location="query")
    @blp.response(200, TemplateSchema(many=True))
    def get(self, args: dict[str, Any]):
        """List templates (filters category, industry (id or slug), isPremium, q; sort name|createdAt)."""
        return service.list_templates(**args)

    @require(role="super_admin")
    @blp.arguments(TemplateCreateSchema)
    @blp.response(201, TemplateSchema)
    @blp.alt_response(409, response="Conflict", description="The slug is taken")
    def post(self, data: dict[str, Any]):
        """Create a template (super_admin); structure is validated and sanitized like sections."""
        template = service.create_template(data=data)
        return template, {"Location": url_for("templates.TemplateDetail", template_id=template.id)}


@blp.route("/templates/<uuid:template_id>")
class TemplateDetail(TemplateView):
    @require(role="viewer", scope="templates:read")
    @blp.response(200, TemplateSchema)
    def get(self, template_id: uuid.UUID):
        """Get a template."""
        return service.get_template(template_id=template_id)

    @require(role="super_admin")
    @blp.arguments(TemplateUpdateSchema)
    @blp.response(200, TemplateSchema)
    @blp.alt_response(409, response="Conflict", description="The slug is taken")
    def put(self, data: dict[str, Any], template_id: uuid.UUID):
        """Update a template (super_admin; any subset of its writable fields)."""
        return service.update_template(template_id=template_id, data=data)

    patch = put

    @require(role="super_admin")
    @blp.response(204)
    def delete(self, template_id: uuid.UUID):
        """Delete a template (super_admin); pages made from it keep their sections."""
        service.delete_template(template_id=template_id)


@blp.route("/templates/<uuid:template_id>/preview")
class TemplatePreview(TemplateView):
    @require(role="viewer", scope="templates:read")
    @blp.response(200, TemplatePreviewSchema)
    def get(self, template_id: uuid.UUID):
        """Preview the sections and SEO a page would get from the template (nothing is saved)."""
        return service.preview_template(template_id=template_id)


@blp.route("/templates/<uuid:template_id>/apply")
class TemplateApply(TemplateView):
    @blp.arguments(TemplateApplySchema)
    @blp.response(200, AppliedPageSchema)
    @blp.doc(description=APPLY_DESCRIPTION, security=USER_OR_KEY_SECURITY)
    def post(self, data: dict[str, Any], template_id: uuid.UUID):
        """Apply a template to a page (mode replace|append); 200 with the page and its sections."""
        return service.apply_template(template_id=template_id, principal=authenticated(), data=data)
