"""Public site delivery: /api/sites/<host> — no authentication, served from the cache.

``public_address`` tells ``core.public_fast_path`` where a view's responses are cached, so their hits
are answered before Flask; everything else comes here.
"""

from __future__ import annotations

from flask.views import MethodView

from siteninja.core.envelope import Blueprint, ErrorEnvelopeSchema
from siteninja.resources.sites import service
from siteninja.resources.sites.schemas import (
    PublicSearchArgsSchema,
    RedirectRuleSchema,
    SearchHitSchema,
    SitePageSchema,
    SiteRedirectSchema,
    SiteSchema,
)

blp = Blueprint(
    "sites",
    __name__,
    url_prefix="/api/sites/<string:host>",
    description=(
        "The read path of published sites. No credentials; `host` is `<subdomain>.<SITE_BASE_DOMAIN>` "
        "or a custom domain (case-insensitive, port and trailing dot ignored). Responses carry an "
        "ETag and `Cache-Control: public, max-age=60, stale-while-revalidate=300`; `If-None-Match` "
        "gives 304. Anonymous per-IP rate limit (`RATE_LIMIT_ANON`)."
    ),
)

NOT_MODIFIED = {"description": "Not modified: the `If-None-Match` tag is current (no body)"}


def text_response(description: str, content_type: str) -> dict:
    """The OpenAPI 200 response of an operation that answers with a text document."""
    return {"200": {"description": description, "content": {content_type: {"schema": {"type": "string"}}}}}


def public(func):
    """Document an operation as public, with its 304, 404 and 429 answers."""
    func = blp.doc(security=[], responses={"304": NOT_MODIFIED})(func)
    func = blp.alt_response(404, schema=ErrorEnvelopeSchema, description="Unknown host or page")(func)
    return blp.alt_response(429, schema=ErrorEnvelopeSchema, description="Rate limit exceeded")(func)


LOCATION = {"Location": {"description": "The API URL of the target page", "schema": {"type": "string"}}}


def redirected(status: int, description: str):
    """Document a redirect answer of a public page."""
    return blp.alt_response(status, schema=SiteRedirectSchema, description=description, headers=LOCATION)


@blp.route("")
class SiteDocument(MethodView):
    public_address = staticmethod(service.site_address)

    @public
    @blp.response(200, SiteSchema)
    def get(self, host: str):
        """A published site: tenant, branding, header and footer menus, published pages."""
        return service.serve_site(host=host)


@blp.route("/pages/<string:slug>")
class SitePage(MethodView):
    public_address = staticmethod(service.page_address)

    @public
    @blp.response(200, SitePageSchema)
    @redirected(301, "Moved permanently: the path is redirected (`Location` names the target)")
    @redirected(302, "Found: the path is redirected temporarily (`Location` names the target)")
    def get(self, host: str, slug: str):
        """A published page with its visible sections and SEO; slug `_home` is the homepage; a
        redirected path (no published page at it) answers with the redirect."""
        return service.serve_page(host=host, slug=slug)


@blp.route("/sitemap.xml")
class SiteSitemap(MethodView):
    public_address = staticmethod(service.sitemap_address)

    @public
    @blp.doc(responses=text_response("A sitemaps.org 0.9 urlset", "application/xml"))
    def get(self, host: str):
        """The sitemap of the site's indexable published pages (404 when there is none)."""
        return service.serve_sitemap(host=host)


@blp.route("/robots.txt")
class SiteRobots(MethodView):
    public_address = staticmethod(service.robots_address)

    @public
    @blp.doc(responses=text_response("robots.txt", "text/plain"))
    def get(self, host: str):
        """robots.txt with the sitemap's URL, or `Disallow: /` when no page may be indexed."""
        return service.serve_robots(host=host)


@blp.route("/preview/<string:token>")
class SitePreview(MethodView):
    # No ``public_address``: previews are never cached nor answered by the fast path.

    @blp.doc(security=[])
    @blp.response(200, SitePageSchema)
    @blp.alt_response(
        404, schema=ErrorEnvelopeSchema, description="Tampered, expired or revoked token, or another host"
    )
    @blp.alt_response(429, schema=ErrorEnvelopeSchema, description="Rate limit exceeded")
    def get(self, host: str, token: str):
        """A page through its preview link, as it is now (draft or not); `private, no-store`, `noindex`."""
        return service.serve_preview(host=host, token=token)


@blp.route("/redirects")
class SiteRedirects(MethodView):
    public_address = staticmethod(service.redirects_address)

    @public
    @blp.response(200, RedirectRuleSchema(many=True))
    def get(self, host: str):
        """Every redirect of the site ({fromPath, toPath, statusCode}), for an edge or CDN."""
        return service.serve_redirects(host=host)


@blp.route("/search")
class SiteSearch(MethodView):
    @public
    @blp.arguments(PublicSearchArgsSchema, location="query")
    @blp.response(200, SearchHitSchema(many=True))
    def get(self, args: dict, host: str):
        """Search the site's published pages (visible sections only; q 1-200 characters; paginated)."""
        return service.serve_search(host=host, args=args)
