"""Public site delivery: host resolution and the published site, page, sitemap and robots.txt.

Every response is served through ``core.public_cache``: finished bytes per host and path, retired by
any committed change to the tenant or to the domains. The builders below run only on a miss, each in
a constant number of queries whatever the number of pages, sections or menu items.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from xml.etree import ElementTree

import sqlalchemy as sa
from flask import Response, current_app, url_for

from siteninja.core import public_cache
from siteninja.core.errors import NotFound, RateLimited
from siteninja.core.limits import client_address
from siteninja.core.public_cache import Entry
from siteninja.core.public_limit import AnonLimit
from siteninja.core.validators import HOSTNAME_LABEL, SLUG
from siteninja.extensions import db
from siteninja.resources.branding.models import DEFAULT_BRANDING, Branding
from siteninja.resources.navigation import service as navigation_service
from siteninja.resources.navigation.models import NAV_LOCATIONS, NavigationItem
from siteninja.resources.pages import preview
from siteninja.resources.pages.models import Page
from siteninja.resources.pages.service import PageWithRelations
from siteninja.resources.redirects import service as redirects_service
from siteninja.resources.redirects.models import Redirect
from siteninja.resources.redirects.schemas import RedirectRuleSchema
from siteninja.resources.search import service as search_service
from siteninja.resources.search.schemas import SearchHitSchema
from siteninja.resources.sections.models import Section
from siteninja.resources.seo.models import SeoMetadata
from siteninja.resources.sites.schemas import SitePageSchema, SiteRedirectSchema, SiteSchema
from siteninja.resources.tenants.models import Domain, Tenant

HOME = "_home"
MAX_HOST = 253
MAX_SLUG = 100
PORT = re.compile(r"[0-9]{1,5}")
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
JSON_TYPE = "application/json"
XML_TYPE = "application/xml; charset=utf-8"
TEXT_TYPE = "text/plain; charset=utf-8"
PREVIEW_CACHE_CONTROL = "private, no-store"
SECTION_ORDER = (Section.sort_order, Section.created_at, Section.id)
PAGE_ORDER = (Page.sort_order, Page.title, Page.id)


@dataclass
class MenuLink:
    """A menu item as a published site shows it: pages linked by their site path."""

    id: uuid.UUID
    label: str
    url: str
    page_id: uuid.UUID | None
    open_in_new_tab: bool
    children: list[MenuLink] = field(default_factory=list)


def normalize_host(raw: str) -> str | None:
    """``Shop.Example.COM.:8443`` → ``shop.example.com``; None for anything that is not a host name."""
    if not raw.isascii():
        return None
    host, colon, port = raw.lower().rpartition(":")
    if not colon:
        host = port
    elif not PORT.fullmatch(port):
        return None
    host = host.removesuffix(".")
    if len(host) > MAX_HOST or not all(HOSTNAME_LABEL.fullmatch(label) for label in host.split(".")):
        return None
    return host


def resolve_host(host: str) -> uuid.UUID | None:
    """The tenant whose site answers on ``host`` (deleted tenants have no domain rows left)."""
    return db.session.scalar(sa.select(Domain.tenant_id).where(Domain.host == host))


def site_address(*, host: str) -> tuple[str, str] | None:
    """Where the site document of ``host`` is cached: (normalized host, path); None: no such site."""
    return _address(host, "")


def page_address(*, host: str, slug: str) -> tuple[str, str] | None:
    """Where a page is cached; None for hosts and slugs that cannot exist (``_home``: the homepage)."""
    if slug != HOME and not (len(slug) <= MAX_SLUG and SLUG.fullmatch(slug)):
        return None
    return _address(host, f"/pages/{slug}")


def sitemap_address(*, host: str) -> tuple[str, str] | None:
    """Where the sitemap of ``host`` is cached."""
    return _address(host, "/sitemap.xml")


def robots_address(*, host: str) -> tuple[str, str] | None:
    """Where robots.txt of ``host`` is cached."""
    return _address(host, "/robots.txt")


def redirects_address(*, host: str) -> tuple[str, str] | None:
    """Where the redirect list of ``host`` is cached."""
    return _address(host, "/redirects")


def _address(raw_host: str, path: str) -> tuple[str, str] | None:
    host = normalize_host(raw_host)
    return (host, path) if host is not None else None


def serve_site(*, host: str) -> Response:
    """The site document of ``host``: tenant, branding, menus and published pages."""
    return _serve(site_address(host=host), lambda tenant_id, _: _site_entry(tenant_id))


def serve_page(*, host: str, slug: str) -> Response:
    """A published page of ``host`` by slug (``_home``: the homepage)."""
    if normalize_host(host) is not None and page_address(host=host, slug=slug) is None:
        raise NotFound("Page not found")
    return _serve(
        page_address(host=host, slug=slug), lambda tenant_id, host: _page_entry(tenant_id, slug, host)
    )


def serve_sitemap(*, host: str) -> Response:
    """The sitemaps.org sitemap of ``host``'s indexable published pages."""
    return _serve(sitemap_address(host=host), _sitemap_entry)


def serve_robots(*, host: str) -> Response:
    """robots.txt of ``host``: its sitemap, or ``Disallow: /`` when no published page may be indexed."""
    return _serve(robots_address(host=host), _robots_entry)


def serve_redirects(*, host: str) -> Response:
    """Every redirect of ``host``'s site, for an edge or CDN."""
    return _serve(redirects_address(host=host), lambda tenant_id, _: _redirects_entry(tenant_id))


def serve_search(*, host: str, args: dict[str, Any]) -> Response:
    """Ranked published pages of ``host`` matching ``args["q"]`` (visible sections only), cached per
    query like every public response."""
    address = _address(host, "/search?" + urlencode(sorted(args.items())))
    return _serve(address, lambda tenant_id, _: _search_entry(tenant_id, args))


def _serve(address: tuple[str, str] | None, build: Callable[[uuid.UUID, str], Entry]) -> Response:
    if address is None:
        raise NotFound("Site not found")
    host, path = address
    return public_cache.serve(
        host=host, path=path, resolve=resolve_host, build=lambda tenant_id: build(tenant_id, host)
    )


def _active_tenant(tenant_id: uuid.UUID) -> Tenant | None:
    return db.session.scalar(sa.select(Tenant).where(Tenant.id == tenant_id, Tenant.status == "active"))


SITE_SCHEMA = SiteSchema()
PAGE_SCHEMA = SitePageSchema()
REDIRECT_SCHEMA = SiteRedirectSchema()
RULES_SCHEMA = RedirectRuleSchema(many=True)
HITS_SCHEMA = SearchHitSchema(many=True)
SITE_NOT_FOUND = "Site not found"


def _json(schema: Any, data: Any) -> Entry:
    body = current_app.json.dumps({"success": True, "data": schema.dump(data)}, separators=(",", ":"))
    return Entry.ok(body.encode(), JSON_TYPE)


def _site_entry(tenant_id: uuid.UUID) -> Entry:
    """Tenant with its branding, published pages, menus: three queries."""
    row = db.session.execute(
        sa.select(Tenant, Branding)
        .outerjoin(Branding, Branding.tenant_id == Tenant.id)
        .where(Tenant.id == tenant_id, Tenant.status == "active")
    ).first()
    if row is None:
        return Entry.missing("Site not found")
    tenant, branding = row
    pages = list(
        db.session.scalars(
            sa.select(Page)
            .where(Page.tenant_id == tenant_id, Page.status == "published")
            .order_by(*PAGE_ORDER)
        )
    )
    document = {
        "tenant": tenant,
        "branding": branding or Branding(tenant_id=tenant_id, **DEFAULT_BRANDING),
        "navigation": menus(navigation_service.list_items(tenant_id=tenant_id), pages),
        "pages": pages,
    }
    return _json(SITE_SCHEMA, document)


def page_path(page: Page) -> str:
    """The path of a page on its site: ``/`` for the homepage, else ``/<slug>``."""
    return "/" if page.is_homepage else f"/{page.slug}"


def menus(items: Iterable[NavigationItem], published: Iterable[Page]) -> dict[str, list[MenuLink]]:
    """The header and footer trees of ``items`` (ordered roots first, then siblings in order).

    An item is shown when it and all its ancestors are visible and link no unpublished page.
    """
    pages = {page.id: page for page in published}
    items = list(items)
    by_id = {item.id: item for item in items}
    links = {item.id: _link(item, pages) for item in items if _shown(item, by_id, pages)}
    trees: dict[str, list[MenuLink]] = {location: [] for location in NAV_LOCATIONS}
    for item in items:
        link = links.get(item.id)
        if link is None:
            continue
        siblings = links[item.parent_id].children if item.parent_id else trees.get(item.location)
        if siblings is not None:
            siblings.append(link)
    return trees


def _link(item: NavigationItem, pages: dict[uuid.UUID, Page]) -> MenuLink:
    url = page_path(pages[item.page_id]) if item.page_id else item.url or ""
    return MenuLink(item.id, item.label, url, item.page_id, item.open_in_new_tab)


def _shown(
    item: NavigationItem, by_id: dict[uuid.UUID, NavigationItem], pages: dict[uuid.UUID, Page]
) -> bool:
    node: NavigationItem | None = item
    while node is not None:
        if not node.is_visible or (node.page_id is not None and node.page_id not in pages):
            return False
        if node.parent_id is not None and node.parent_id not in by_id:
            return False
        node = by_id.get(node.parent_id) if node.parent_id else None
    return True


def _page_statement(match: sa.ColumnElement, *, published: bool = True) -> sa.Select:
    """A page of an active tenant with its SEO and visible sections in order (built once)."""
    visible = sa.and_(
        Section.page_id == Page.id, Section.tenant_id == Page.tenant_id, Section.is_visible.is_(True)
    )
    stmt = (
        sa.select(Page, SeoMetadata, Section)
        .join(Tenant, Tenant.id == Page.tenant_id)
        .outerjoin(SeoMetadata, SeoMetadata.page_id == Page.id)
        .outerjoin(Section, visible)
        .where(Page.tenant_id == sa.bindparam("tenant_id"), Tenant.status == "active", match)
        .order_by(*SECTION_ORDER)
    )
    return stmt.where(Page.status == "published") if published else stmt


HOMEPAGE = _page_statement(Page.is_homepage.is_(True))
PAGE_BY_SLUG = _page_statement(Page.slug == sa.bindparam("slug"))
# A preview shows the page whatever its status, as the published page would look.
PAGE_BY_ID = _page_statement(Page.id == sa.bindparam("page_id"), published=False)


def _page_entry(tenant_id: uuid.UUID, slug: str, host: str) -> Entry:
    """The published page with its SEO and its visible sections in order: one query; without
    one, the redirect from its path (one more)."""
    if slug == HOME:
        rows = db.session.execute(HOMEPAGE, {"tenant_id": tenant_id}).all()
    else:
        rows = db.session.execute(PAGE_BY_SLUG, {"tenant_id": tenant_id, "slug": slug}).all()
    if not rows:
        return _redirect_entry(tenant_id, slug, host)
    return _json(PAGE_SCHEMA, _page_of(rows))


def _page_of(rows: list[sa.Row]) -> PageWithRelations:
    page, seo = rows[0][0], rows[0][1]
    return PageWithRelations(
        page, sections=[section for _, _, section in rows if section is not None], seo=seo
    )


def serve_preview(*, host: str, token: str) -> Response:
    """The page a preview token names, as it is now (draft or not), in the public page's shape;
    never cached. 404 for a bad, expired or revoked token, or a host of another tenant."""
    allowed, headers = _count_anonymous()
    if not allowed:
        raise RateLimited(f"Rate limit exceeded: {current_app.config['RATE_LIMIT_ANON']}", headers=headers)
    claim = preview.read_token(token)
    address = normalize_host(host)
    if claim is None or address is None or resolve_host(address) != claim.tenant_id:
        raise NotFound("Preview not found", headers=headers)
    params = {"tenant_id": claim.tenant_id, "page_id": claim.page_id}
    rows = db.session.execute(PAGE_BY_ID, params).all()
    if not rows or rows[0][0].preview_version != claim.version:
        raise NotFound("Preview not found", headers=headers)
    entry = _json(PAGE_SCHEMA, _page_of(rows))
    headers = {**headers, "Cache-Control": PREVIEW_CACHE_CONTROL, "X-Robots-Tag": "noindex"}
    return Response(entry.body, status=200, headers=headers, content_type=JSON_TYPE)


def _count_anonymous() -> tuple[bool, dict[str, str]]:
    """The anonymous per-IP limit, counted as for the other public routes (the same counter)."""
    limit = AnonLimit.of(current_app.config, client_address(), "")
    return limit.hit() if limit is not None else (True, {})


def _redirect_entry(tenant_id: uuid.UUID, slug: str, host: str) -> Entry:
    redirect = None
    if slug != HOME:
        redirect = db.session.scalar(
            sa.select(Redirect)
            .join(Tenant, Tenant.id == Redirect.tenant_id)
            .where(
                Redirect.tenant_id == tenant_id, Redirect.from_path == f"/{slug}", Tenant.status == "active"
            )
        )
    if redirect is None:
        return Entry.missing("Page not found")
    body = current_app.json.dumps(
        {"success": True, "data": REDIRECT_SCHEMA.dump({"redirect": redirect})}, separators=(",", ":")
    )
    return Entry.redirect(
        redirect.status_code, target_location(host, redirect.to_path), body.encode(), JSON_TYPE
    )


def target_location(host: str, to_path: str) -> str:
    """Where a redirect sends a client: the API URL of the target page for a page path (``/`` or
    ``/<slug>``), else the target's address on the site itself."""
    slug = to_path.removeprefix("/")
    if to_path == "/":
        slug = HOME
    if slug == HOME or (len(slug) <= MAX_SLUG and SLUG.fullmatch(slug)):
        return url_for("sites.SitePage", host=host, slug=slug)
    return f"https://{host}{to_path}"


def _redirects_entry(tenant_id: uuid.UUID) -> Entry:
    if _active_tenant(tenant_id) is None:
        return Entry.missing(SITE_NOT_FOUND)
    rules = redirects_service.site_redirects(tenant_id)
    body = current_app.json.dumps({"success": True, "data": RULES_SCHEMA.dump(rules)}, separators=(",", ":"))
    return Entry.ok(body.encode(), JSON_TYPE)


def _search_entry(tenant_id: uuid.UUID, args: dict[str, Any]) -> Entry:
    if _active_tenant(tenant_id) is None:
        return Entry.missing(SITE_NOT_FOUND)
    found = search_service.search_pages(tenant_id=tenant_id, public=True, **args)
    document = {"success": True, "data": HITS_SCHEMA.dump(found.items), "pagination": found.pagination}
    return Entry.ok(current_app.json.dumps(document, separators=(",", ":")).encode(), JSON_TYPE)


@dataclass(frozen=True)
class IndexablePage:
    """A published page search engines may index, with when its content last changed."""

    path: str
    lastmod: datetime


def indexable_pages(tenant_id: uuid.UUID) -> list[IndexablePage]:
    """The tenant's published pages without ``noIndex``, homepage first (one query)."""
    sections_changed = (
        sa.select(sa.func.max(Section.updated_at))
        .where(Section.page_id == Page.id, Section.is_visible.is_(True))
        .scalar_subquery()
    )
    stmt = (
        sa.select(Page, SeoMetadata.updated_at, sections_changed)
        .outerjoin(SeoMetadata, SeoMetadata.page_id == Page.id)
        .where(Page.tenant_id == tenant_id, Page.status == "published")
        .where(sa.or_(SeoMetadata.no_index.is_(None), SeoMetadata.no_index.is_(False)))
        .order_by(Page.is_homepage.desc(), *PAGE_ORDER)
    )
    found = []
    for page, seo_changed, sections_changed in db.session.execute(stmt):
        moments = [moment for moment in (page.updated_at, seo_changed, sections_changed) if moment]
        found.append(IndexablePage(page_path(page), max(moments)))
    return found


def _sitemap_entry(tenant_id: uuid.UUID, host: str) -> Entry:
    if _active_tenant(tenant_id) is None:
        return Entry.missing("Site not found")
    pages = indexable_pages(tenant_id)
    if not pages:
        # The sitemaps.org schema requires at least one <url>: no indexable page, no sitemap.
        return Entry.missing("This site has no page to index")
    return Entry.ok(sitemap_xml(host, pages), XML_TYPE)


def sitemap_xml(host: str, pages: Iterable[IndexablePage]) -> bytes:
    """A sitemaps.org 0.9 ``urlset`` with the absolute URL and ``lastmod`` of each page."""
    urlset = ElementTree.Element("urlset", xmlns=SITEMAP_NS)
    for page in pages:
        url = ElementTree.SubElement(urlset, "url")
        ElementTree.SubElement(url, "loc").text = f"https://{host}{page.path}"
        ElementTree.SubElement(url, "lastmod").text = page.lastmod.strftime("%Y-%m-%dT%H:%M:%SZ")
    return ElementTree.tostring(urlset, encoding="utf-8", xml_declaration=True)


def _robots_entry(tenant_id: uuid.UUID, host: str) -> Entry:
    if _active_tenant(tenant_id) is None:
        return Entry.missing("Site not found")
    if indexable_pages(tenant_id):
        lines = ["User-agent: *", "Allow: /", "", f"Sitemap: https://{host}/sitemap.xml"]
    else:
        lines = ["User-agent: *", "Disallow: /"]
    return Entry.ok(("\n".join(lines) + "\n").encode(), TEXT_TYPE)
