"""Templates on pages: build a page's sections and SEO from a template, apply, reset, copy the record."""

from __future__ import annotations

import uuid
from typing import Any

from marshmallow import EXCLUDE

from siteninja.core.db import utcnow
from siteninja.core.errors import NotFound, ValidationFailed
from siteninja.extensions import db
from siteninja.resources.pages.models import Page
from siteninja.resources.sections import service as sections
from siteninja.resources.seo import service as seo_service
from siteninja.resources.seo.schemas import SeoUpdateSchema
from siteninja.resources.templates import customizations
from siteninja.resources.templates.models import PageTemplate, Template
from siteninja.services import audit, plans


def template_for(tenant_id: uuid.UUID, template_id: uuid.UUID) -> Template:
    """The template of a new page, if the tenant's plan allows it (404 naming ``templateId`` / 403)."""
    template = db.session.get(Template, template_id)
    if template is None:
        raise NotFound("Template not found", details=[{"field": "templateId", "message": "No such template"}])
    ensure_allowed(tenant_id, template)
    return template


def ensure_allowed(tenant_id: uuid.UUID, template: Template) -> None:
    """403 ``plan_limit_exceeded`` for a premium template on a plan without premium templates."""
    if template.is_premium:
        plans.ensure_feature(tenant_id, "premium_templates", "premium templates")


def build(page: Page, template: Template, *, mode: str = "replace", structure: dict | None = None) -> None:
    """Give ``page`` the template's sections and SEO (or ``structure``'s, a filled-in copy) and
    record the application; audit entries and events join the caller's transaction.

    ``replace`` swaps the page's sections for the template's and applies its SEO; ``append``
    adds them after the existing ones and applies the SEO only to a page that has none.
    """
    created = fill(page, template.structure if structure is None else structure, mode=mode)
    applied = customizations.baseline(created)
    db.session.add(
        PageTemplate(
            tenant_id=page.tenant_id,
            page_id=page.id,
            template_id=template.id,
            applied_at=utcnow(),
            applied_sections=applied,
            customizations=customizations.compute(applied, sections.ordered_sections(page)),
        )
    )
    page.template_id = template.id


def fill(page: Page, structure: dict | None, *, mode: str = "replace") -> list:
    """Give ``page`` the sections (and SEO) of ``structure``, as ``build`` does, without recording a
    template; returns the sections created."""
    structure = structure or {}
    created = sections.apply_structure(
        page=page, sections=list(structure.get("sections") or []), replace=mode == "replace"
    )
    _apply_seo(page, structure.get("seo"), overwrite=mode == "replace")
    return created


def apply(*, page: Page, template: Template, mode: str) -> None:
    """Apply a template to an existing (locked) page in ``mode``, with an audit entry; caller commits."""
    previous = page.template_id
    build(page, template, mode=mode)
    db.session.flush()
    audit.record(
        action="apply_template",
        resource_type="page",
        resource_id=page.id,
        tenant_id=page.tenant_id,
        old={"template_id": str(previous) if previous else None},
        new={"template_id": str(template.id), "mode": mode},
    )


def reset(*, tenant_id: uuid.UUID, page_id: uuid.UUID) -> Page:
    """Replace the page's sections with those of the template last applied to it; 422 if none."""
    page = sections.locked_page(tenant_id, page_id)
    record = customizations.latest_record(page)
    template = db.session.get(Template, record.template_id) if record is not None else None
    if template is None:
        raise ValidationFailed("No template has been applied to this page")
    ensure_allowed(tenant_id, template)
    created = sections.apply_structure(
        page=page, sections=list((template.structure or {}).get("sections") or []), replace=True
    )
    old = {"template_id": str(template.id), "customizations": record.customizations}
    record.applied_sections = customizations.baseline(created)
    record.customizations = {}
    page.template_id = template.id
    audit.record(
        action="reset_template",
        resource_type="page",
        resource_id=page.id,
        tenant_id=tenant_id,
        old=old,
        new={"template_id": str(template.id), "customizations": {}},
    )
    return page


def copy_record(source: Page, copy: Page, copies: dict[uuid.UUID, Any]) -> None:
    """Give a duplicated page the template record of its source, pointing at the copied sections."""
    record = customizations.latest_record(source)
    if record is None:
        return
    applied = None
    if record.applied_sections is not None:
        applied = [_remapped(entry, copies) for entry in record.applied_sections]
    db.session.add(
        PageTemplate(
            tenant_id=copy.tenant_id,
            page_id=copy.id,
            template_id=record.template_id,
            applied_at=record.applied_at,
            applied_sections=applied,
            customizations=_remapped_customizations(record.customizations or {}, copies),
        )
    )


def _remapped(entry: dict[str, Any], copies: dict[uuid.UUID, Any]) -> dict[str, Any]:
    copy = copies.get(uuid.UUID(entry["section_id"]))
    return {**entry, "section_id": str(copy.id) if copy is not None else entry["section_id"]}


def _remapped_customizations(value: dict[str, Any], copies: dict[uuid.UUID, Any]) -> dict[str, Any]:
    return {
        key: [_remapped(item, copies) for item in items] if isinstance(items, list) else items
        for key, items in value.items()
    }


def _apply_seo(page: Page, template_seo: dict | None, *, overwrite: bool) -> None:
    if not template_seo:
        return
    if not overwrite and seo_service.find_seo(tenant_id=page.tenant_id, page_id=page.id) is not None:
        return
    data = SeoUpdateSchema(unknown=EXCLUDE).load(template_seo)
    seo_service.upsert_seo(tenant_id=page.tenant_id, page_id=page.id, data=data, commit=False)
