"""Public site schemas: only what a published site shows (no drafts, hidden sections, users or audit)."""

from __future__ import annotations

from marshmallow import fields

from siteninja.core.schemas import BaseSchema
from siteninja.resources.branding.schemas import BrandingSchema
from siteninja.resources.pages.schemas import PageSchema
from siteninja.resources.redirects.schemas import RedirectRuleSchema
from siteninja.resources.search.schemas import PublicSearchArgsSchema, SearchHitSchema
from siteninja.resources.sections.schemas import SectionSchema
from siteninja.resources.seo.schemas import SeoSchema


class SiteTenantSchema(BaseSchema):
    name = fields.String()
    subdomain = fields.String()
    custom_domain = fields.String(allow_none=True)


class SiteBrandingSchema(BrandingSchema):
    class Meta(BrandingSchema.Meta):
        exclude = ("id", "tenant_id", "created_at", "updated_at")


class SiteNavItemSchema(BaseSchema):
    """A visible menu item; ``url`` is the site path of the page for items that link a page."""

    id = fields.UUID()
    label = fields.String()
    url = fields.String()
    page_id = fields.UUID(allow_none=True)
    open_in_new_tab = fields.Boolean()
    children = fields.List(fields.Nested(lambda: SiteNavItemSchema()))


class SiteNavigationSchema(BaseSchema):
    header = fields.List(fields.Nested(SiteNavItemSchema))
    footer = fields.List(fields.Nested(SiteNavItemSchema))


class SitePageLinkSchema(BaseSchema):
    title = fields.String()
    slug = fields.String()
    is_homepage = fields.Boolean()


class SiteSchema(BaseSchema):
    """A published site: its tenant, branding, menus and published pages."""

    tenant = fields.Nested(SiteTenantSchema)
    branding = fields.Nested(SiteBrandingSchema)
    navigation = fields.Nested(SiteNavigationSchema)
    pages = fields.List(fields.Nested(SitePageLinkSchema))


class SiteSectionSchema(SectionSchema):
    class Meta(SectionSchema.Meta):
        exclude = ("page_id", "is_visible", "created_at", "updated_at")


class SiteSeoSchema(SeoSchema):
    class Meta(SeoSchema.Meta):
        exclude = ("id", "tenant_id", "page_id", "created_at", "updated_at")


class SitePageSchema(PageSchema):
    """A published page with its visible sections in order and its SEO (null when none is set)."""

    class Meta(PageSchema.Meta):
        exclude = (
            "tenant_id",
            "sort_order",
            "template_id",
            "created_by",
            "created_at",
            "publish_at",
            "unpublish_at",
        )

    sections = fields.List(fields.Nested(SiteSectionSchema))
    seo = fields.Nested(SiteSeoSchema, allow_none=True)


class SiteRedirectSchema(BaseSchema):
    """The answer for a redirected path: the redirect (its ``Location`` header names the target)."""

    redirect = fields.Nested(RedirectRuleSchema)


__all__ = [
    "PublicSearchArgsSchema",
    "RedirectRuleSchema",
    "SearchHitSchema",
    "SitePageSchema",
    "SiteRedirectSchema",
    "SiteSchema",
]
