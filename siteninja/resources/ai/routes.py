"""AI endpoints: /api/ai (signed-in users and API keys; RATE_LIMIT_AI per tenant)."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

from siteninja.core.auth import USER_OR_KEY_SECURITY, authenticated
from siteninja.core.envelope import Blueprint
from siteninja.core.throttle import ai_limit
from siteninja.resources.ai import service
from siteninja.resources.ai.schemas import (
    ContentOptimizeResultSchema,
    ContentOptimizeSchema,
    GeneratedPageSchema,
    GeneratePageSchema,
    SeoOptimizeResultSchema,
    SeoOptimizeSchema,
)

blp = Blueprint(
    "ai",
    __name__,
    url_prefix="/api/ai",
    description=(
        "Content assistant. Every answer names its provider: builtin (deterministic, no network) or "
        "openai (the OpenAI-compatible model at AI_API_URL; on failure the builtin answer is given). "
        "All AI endpoints share one limit per tenant (RATE_LIMIT_AI, default 20/minute)."
    ),
)


class AiView(MethodView):
    """401 before any input is read; the per-tenant AI limit on top of the caller's own."""

    decorators = [ai_limit()]

    def dispatch_request(self, **kwargs: Any) -> Any:
        authenticated()
        return super().dispatch_request(**kwargs)


@blp.route("/content-optimize")
class ContentOptimize(AiView):
    @blp.arguments(ContentOptimizeSchema)
    @blp.response(200, ContentOptimizeResultSchema)
    @blp.doc(description="Any signed-in user or API key. Nothing is saved.", security=USER_OR_KEY_SECURITY)
    def post(self, data: dict[str, Any]):
        """Score content: readability, keyword density, suggestions and an optimized copy."""
        return service.content_optimize(data=data)


@blp.route("/seo-optimize")
class SeoOptimize(AiView):
    @blp.arguments(SeoOptimizeSchema)
    @blp.response(200, SeoOptimizeResultSchema)
    @blp.doc(
        security=USER_OR_KEY_SECURITY,
        description="By pageId: a page of your tenant (a super_admin names tenantId); viewer or higher, "
        "API keys need pages:read; another tenant's page or tenant is 404. By fields: any signed-in caller.",
    )
    def post(self, data: dict[str, Any]):
        """Review a page's SEO (by pageId or by fields): issues per field and suggestions."""
        return service.seo_optimize(principal=authenticated(), data=data)


@blp.route("/generate-page")
class GeneratePage(AiView):
    @blp.arguments(GeneratePageSchema)
    @blp.response(200, GeneratedPageSchema)
    @blp.alt_response(201, schema=GeneratedPageSchema, description="create: true, the draft was saved")
    @blp.doc(
        security=USER_OR_KEY_SECURITY,
        description="tenantId defaults to your own (a super_admin must give it; another tenant is 404). "
        "The template is chosen among those the tenant's plan allows. With create: true the page is "
        "saved as a draft like POST /pages (editor or higher, API keys need pages:write; the plan's "
        "page limit applies) and the answer is 201 with it under page.",
    )
    def post(self, data: dict[str, Any]):
        """Generate a page from a prompt; create: true saves it as a draft (201)."""
        result = service.generate_page(principal=authenticated(), data=data)
        if "page" not in result:
            return result
        page = result["page"]
        location = url_for("pages.PageDetail", tenant_id=page.tenant_id, page_id=page.id)
        return result, 201, {"Location": location}
