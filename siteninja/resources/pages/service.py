"""Page rules: slugs, one homepage, publishing, plan limits, templates, duplicate and reset."""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import inspect

from siteninja.core.auth import Principal
from siteninja.core.db import utcnow
from siteninja.core.envelope import Paginated
from siteninja.core.errors import Conflict, NotFound
from siteninja.core.pagination import order_by, paginate
from siteninja.core.tenancy import get_for_tenant_or_404, lock_tenant
from siteninja.extensions import db
from siteninja.resources.pages import changes, preview, scheduling, templating
from siteninja.resources.pages.models import Page
from siteninja.resources.pages.schemas import PageSchema
from siteninja.resources.redirects import service as redirects
from siteninja.resources.sections import service as sections
from siteninja.resources.seo.models import SeoMetadata
from siteninja.resources.templates import customizations
from siteninja.resources.templates.models import Template
from siteninja.services import audit, events, plans

SORTABLE = {
    "title": sa.func.lower(Page.title),
    "createdAt": Page.created_at,
    "updatedAt": Page.updated_at,
    "sortOrder": Page.sort_order,
}
MAX_SLUG = 100
MAX_TITLE = 200
SEO_SERVER_OWNED = {"id", "tenant_id", "page_id", "created_at", "updated_at"}
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


class PageWithRelations:
    """A page plus the related objects ``include`` asked for; other reads fall through to the page."""

    def __init__(self, page: Page, **related: Any) -> None:
        self._page = page
        self._related = related

    def __getattr__(self, name: str) -> Any:
        related = self.__dict__["_related"]
        return related[name] if name in related else getattr(self.__dict__["_page"], name)


def slugify(text: str) -> str:
    """``"Über uns — Team!"`` → ``"uber-uns-team"``; ``"page"`` when nothing usable is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    slug = _NOT_SLUG.sub("-", ascii_text).strip("-")[:MAX_SLUG].rstrip("-")
    return slug or "page"


def list_pages(
    *,
    tenant_id: uuid.UUID,
    page: int,
    limit: int,
    sort: str,
    status: str | None = None,
    q: str | None = None,
) -> Paginated:
    """The tenant's pages, filtered by status and by ``q`` in the title or slug."""
    stmt = sa.select(Page).where(Page.tenant_id == tenant_id)
    if status:
        stmt = stmt.where(Page.status == status)
    if q:
        needle = q.lower()
        stmt = stmt.where(
            sa.or_(
                sa.func.lower(Page.title).contains(needle, autoescape=True),
                Page.slug.contains(needle, autoescape=True),
            )
        )
    stmt = stmt.order_by(*order_by(sort, SORTABLE, Page.id))
    return paginate(stmt, page=page, limit=limit)


def ensure_page(*, tenant_id: uuid.UUID, page_id: uuid.UUID) -> None:
    """404 unless ``page_id`` is one of the tenant's pages."""
    get_for_tenant_or_404(Page, page_id, tenant_id)


def get_page(*, tenant_id: uuid.UUID, page_id: uuid.UUID, include: Sequence[str] = ()) -> PageWithRelations:
    """One page, with its sections and/or SEO embedded when asked (a fixed number of queries)."""
    return _with_relations(get_for_tenant_or_404(Page, page_id, tenant_id), include)


def get_page_by_slug(*, tenant_id: uuid.UUID, slug: str, include: Sequence[str] = ()) -> PageWithRelations:
    """One page by its slug, with its sections and/or SEO embedded when asked."""
    page = db.session.scalar(sa.select(Page).where(Page.tenant_id == tenant_id, Page.slug == slug))
    if page is None:
        raise NotFound("Page not found")
    return _with_relations(page, include)


def create_page(
    *, tenant_id: uuid.UUID, principal: Principal, data: dict[str, Any], structure: dict | None = None
) -> Page:
    """Create a page (within the plan's page limit), optionally built from a template.

    ``structure`` (``{sections, seo}``, SEO in wire form) replaces the template's own content (a
    filled-in copy), or gives a page without a template its sections.
    """
    fields = dict(data)
    scheduling.check_schedule(None, fields)
    next_order = _ensure_room_for_a_page(tenant_id)
    template_id = fields.pop("template_id", None)
    template = templating.template_for(tenant_id, template_id) if template_id else None
    if "slug" in fields:
        _ensure_slug_free(tenant_id, fields["slug"])
    else:
        fields["slug"] = _unique_slug(tenant_id, slugify(fields["title"]))
    if fields.get("is_homepage"):
        _unset_homepage(tenant_id)
    fields.setdefault("sort_order", next_order)
    page = Page(id=uuid.uuid4(), tenant_id=tenant_id, created_by=_user_id(principal), **fields)
    page.template_id = template.id if template else None
    page.published_at = utcnow() if page.status == "published" else None
    db.session.add(page)
    db.session.flush()
    _record("create", page, None)
    if page.status == "published":
        _emit(page, "page.published")
    if template is not None:
        templating.build(page, template, structure=structure)
    elif structure is not None:
        templating.fill(page, structure)
    db.session.commit()
    return page


def update_page(*, tenant_id: uuid.UUID, page_id: uuid.UUID, data: dict[str, Any]) -> Page:
    """Partial update; publishing stamps ``publishedAt``, a new homepage replaces the old one, and
    a published page whose slug changes leaves a 301 from its old path."""
    page = get_for_tenant_or_404(Page, page_id, tenant_id)
    scheduling.check_schedule(page, data)
    publishing = data.get("status") == "published" and page.status != "published"
    old, moved_from = _write_fields(page, data)
    if publishing:
        changes.note(db.session, page, "publish")
        if page.published_at is None:
            page.published_at = utcnow()
        if "publish_at" not in data:  # published by hand: nothing left to schedule
            page.publish_at = None
    db.session.flush()
    _record("publish" if publishing else "update", page, old)
    if publishing:
        _emit(page, "page.published")
    _leave_redirect(page, moved_from)
    db.session.commit()
    return page


def delete_page(*, tenant_id: uuid.UUID, page_id: uuid.UUID) -> None:
    """Delete a page; its sections, SEO, navigation items and template records go with it (FKs)."""
    page = get_for_tenant_or_404(Page, page_id, tenant_id)
    old, wire = audit.snapshot(page), PageSchema().dump(page)
    db.session.delete(page)
    db.session.flush()
    audit.record(action="delete", resource_type="page", resource_id=old["id"], tenant_id=tenant_id, old=old)
    events.emit(tenant_id=tenant_id, type="page.deleted", data=wire)
    db.session.commit()


def duplicate_page(*, tenant_id: uuid.UUID, page_id: uuid.UUID, principal: Principal) -> Page:
    """Copy a page with its sections and SEO as a draft (never the homepage), slug ``<slug>-copy``."""
    source = get_for_tenant_or_404(Page, page_id, tenant_id)
    next_order = _ensure_room_for_a_page(tenant_id)
    copy = Page(
        id=uuid.uuid4(),
        tenant_id=tenant_id,
        title=_clip(f"{source.title} (copy)", MAX_TITLE),
        slug=_unique_slug(tenant_id, f"{source.slug}-copy"),
        description=source.description,
        status="draft",
        is_homepage=False,
        sort_order=next_order,
        template_id=source.template_id,
        created_by=_user_id(principal),
    )
    db.session.add(copy)
    db.session.flush()
    _record("create", copy, None)
    copies = sections.copy_sections(source=source, target=copy)
    _copy_seo(source, copy)
    templating.copy_record(source, copy, copies)
    db.session.commit()
    return copy


def reset_template(*, tenant_id: uuid.UUID, page_id: uuid.UUID) -> PageWithRelations:
    """Replace the page's sections with those of the template last applied to it; 422 if none."""
    page = templating.reset(tenant_id=tenant_id, page_id=page_id)
    changes.note(db.session, page, "template.reset")
    db.session.commit()
    return get_page(tenant_id=tenant_id, page_id=page_id, include=["sections"])


def apply_template(
    *, tenant_id: uuid.UUID, page_id: uuid.UUID, template: Template, mode: str
) -> PageWithRelations:
    """Apply ``template`` to one of the tenant's pages (``replace`` or ``append`` its sections),
    with audit entries and section events in one transaction; the page with its sections."""
    page = sections.locked_page(tenant_id, page_id)
    templating.ensure_allowed(tenant_id, template)
    changes.note(db.session, page, "template.apply")
    previous = page.template_id
    templating.apply(page=page, template=template, mode=mode)
    db.session.flush()
    if previous != template.id:
        _emit(page, "page.updated")
    db.session.commit()
    return get_page(tenant_id=tenant_id, page_id=page_id, include=["sections", "template"])


def restore_fields(*, page: Page, fields: dict[str, Any], revision_number: int) -> None:
    """Write a revision's page fields back: 409 when its slug is now another page's, a restored
    homepage replaces the current one; audited as ``restore``, emits ``page.updated``."""
    if fields.get("template_id") and db.session.get(Template, fields["template_id"]) is None:
        fields = {**fields, "template_id": None}  # that template was deleted since
    old, moved_from = _write_fields(page, fields)
    db.session.flush()
    audit.record(
        action="restore",
        resource_type="page",
        resource_id=page.id,
        tenant_id=page.tenant_id,
        old=old,
        new={**audit.snapshot(page), "restored_revision": revision_number},
    )
    _emit(page, "page.updated")
    _leave_redirect(page, moved_from)


def _write_fields(page: Page, fields: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """Set ``fields`` on ``page`` under the page rules (a free slug or 409, one homepage per tenant);
    returns the audit snapshot from before and the old slug of a published page that moved."""
    moved_from = _published_slug_changing(page, fields)
    if fields.get("slug", page.slug) != page.slug:
        _ensure_slug_free(page.tenant_id, fields["slug"])
    if fields.get("is_homepage") and not page.is_homepage:
        _unset_homepage(page.tenant_id)
    old = audit.snapshot(page)
    for key, value in fields.items():
        setattr(page, key, value)
    return old, moved_from


def _published_slug_changing(page: Page, data: dict[str, Any]) -> str | None:
    """The current slug of a published page that ``data`` gives another slug, else None."""
    if page.status == "published" and data.get("slug", page.slug) != page.slug:
        return page.slug
    return None


def _leave_redirect(page: Page, moved_from: str | None) -> None:
    """A 301 from the old path of a published page that moved (in the caller's transaction)."""
    if moved_from is not None:
        redirects.page_moved(tenant_id=page.tenant_id, old_path=f"/{moved_from}", new_path=f"/{page.slug}")


def issue_preview_link(
    *, tenant_id: uuid.UUID, page_id: uuid.UUID, expires_in_minutes: int
) -> dict[str, Any]:
    """A signed preview token of the page with its expiry and the host it is valid on."""
    return preview.issue_link(tenant_id=tenant_id, page_id=page_id, expires_in_minutes=expires_in_minutes)


def revoke_preview_links(*, tenant_id: uuid.UUID, page_id: uuid.UUID) -> None:
    """Make every preview link of the page issued so far answer 404."""
    preview.revoke_links(tenant_id=tenant_id, page_id=page_id)


def _with_relations(page: Page, include: Sequence[str]) -> PageWithRelations:
    related: dict[str, Any] = {}
    if "sections" in include:
        related["sections"] = sections.ordered_sections(page)
    if "seo" in include:
        related["seo"] = _seo_of(page)
    if "template" in include:
        related["template"] = customizations.latest_record(page)
    return PageWithRelations(page, **related)


def _seo_of(page: Page) -> SeoMetadata | None:
    stmt = sa.select(SeoMetadata).where(
        SeoMetadata.page_id == page.id, SeoMetadata.tenant_id == page.tenant_id
    )
    return db.session.scalar(stmt)


def _ensure_room_for_a_page(tenant_id: uuid.UUID) -> int:
    """403 when the plan's page limit is reached; else the sort order after the last page."""
    lock_tenant(tenant_id)
    used, highest = db.session.execute(
        sa.select(sa.func.count(Page.id), sa.func.max(Page.sort_order)).where(Page.tenant_id == tenant_id)
    ).one()
    plans.ensure_within(tenant_id, "pages", used=used)
    return 0 if highest is None else highest + 1


def _copy_seo(source: Page, copy: Page) -> None:
    seo = _seo_of(source)
    if seo is None:
        return
    columns = [attr.key for attr in inspect(SeoMetadata).column_attrs if attr.key not in SEO_SERVER_OWNED]
    clone = SeoMetadata(tenant_id=copy.tenant_id, page_id=copy.id, **{c: getattr(seo, c) for c in columns})
    db.session.add(clone)
    db.session.flush()
    audit.record(
        action="create",
        resource_type="seo",
        resource_id=clone.id,
        tenant_id=copy.tenant_id,
        new=audit.snapshot(clone),
    )


def _ensure_slug_free(tenant_id: uuid.UUID, slug: str) -> None:
    taken = db.session.scalar(sa.select(Page.id).where(Page.tenant_id == tenant_id, Page.slug == slug))
    if taken is not None:
        raise Conflict(
            "A page with that slug already exists",
            details=[{"field": "slug", "message": "Already taken"}],
        )


def _unique_slug(tenant_id: uuid.UUID, base: str) -> str:
    """``base`` if free, else ``base-2``, ``base-3``… (clipped to 100 characters)."""
    base = _clip(base, MAX_SLUG).rstrip("-")
    prefix = base[: MAX_SLUG - 12]
    stmt = sa.select(Page.slug).where(Page.tenant_id == tenant_id, Page.slug.startswith(prefix))
    taken = set(db.session.scalars(stmt))
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        suffix = f"-{number}"
        candidate = base[: MAX_SLUG - len(suffix)].rstrip("-") + suffix
    return candidate


def _unset_homepage(tenant_id: uuid.UUID) -> None:
    """Unset the current homepage and flush, before another page takes its place (unique index)."""
    stmt = sa.select(Page).where(Page.tenant_id == tenant_id, Page.is_homepage.is_(True))
    current = db.session.scalar(stmt)
    if current is None:
        return
    old = audit.snapshot(current)
    current.is_homepage = False
    db.session.flush()
    _record("update", current, old)


def _record(action: str, page: Page, old: dict[str, Any] | None) -> None:
    """Audit entry plus ``page.created`` / ``page.updated`` event for a flushed change."""
    audit.record(
        action=action,
        resource_type="page",
        resource_id=page.id,
        tenant_id=page.tenant_id,
        old=old,
        new=audit.snapshot(page),
    )
    _emit(page, "page.created" if action == "create" else "page.updated")


def _emit(page: Page, event_type: str) -> None:
    events.emit(tenant_id=page.tenant_id, type=event_type, data=PageSchema().dump(page))


def _user_id(principal: Principal) -> uuid.UUID | None:
    return principal.id if principal.is_user else None


def _clip(text: str, length: int) -> str:
    return text[:length]
