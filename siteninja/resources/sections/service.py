"""Section rules: ordered positions on a page, sanitized rich text, reorder and all-or-nothing bulk."""

from __future__ import annotations

import uuid
from collections import Counter
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa

from siteninja.core.envelope import Paginated
from siteninja.core.errors import NotFound, ValidationFailed
from siteninja.core.pagination import order_by, paginate
from siteninja.core.tenancy import get_for_tenant_or_404
from siteninja.extensions import db
from siteninja.resources.pages import changes as page_changes
from siteninja.resources.pages.models import Page
from siteninja.resources.sections.models import SECTION_TYPES, Section
from siteninja.resources.sections.schemas import SectionSchema
from siteninja.resources.templates import customizations
from siteninja.services import audit, events
from siteninja.services.sanitize import sanitize_content

SORTABLE = {
    "sortOrder": Section.sort_order,
    "createdAt": Section.created_at,
    "updatedAt": Section.updated_at,
}
EVENT_TYPES = {"create": "section.created", "update": "section.updated", "delete": "section.deleted"}

_COLUMNS = sa.inspect(Section).column_attrs
# (op, section, snapshot before the change or None for a create)
Change = tuple[str, Section, dict[str, Any] | None]


def list_sections(
    *,
    tenant_id: uuid.UUID,
    page_id: uuid.UUID,
    page: int,
    limit: int,
    sort: str,
    type: str | None = None,
    is_visible: bool | None = None,
) -> Paginated:
    """A page's sections, by position unless another sort is asked for."""
    owner = get_for_tenant_or_404(Page, page_id, tenant_id)
    stmt = sa.select(Section).where(Section.page_id == owner.id, Section.tenant_id == tenant_id)
    if type is not None:
        stmt = stmt.where(Section.type == type)
    if is_visible is not None:
        stmt = stmt.where(Section.is_visible.is_(is_visible))
    stmt = stmt.order_by(*order_by(sort, SORTABLE, Section.id))
    return paginate(stmt, page=page, limit=limit)


def ordered_sections(page: Page) -> list[Section]:
    """Every section of ``page`` in display order (one query)."""
    return _ordered(page.tenant_id, page.id)


def _ordered(tenant_id: uuid.UUID, page_id: uuid.UUID) -> list[Section]:
    # Also refreshes the expired instances of a committed session in one query.
    stmt = (
        sa.select(Section)
        .where(Section.page_id == page_id, Section.tenant_id == tenant_id)
        .order_by(Section.sort_order, Section.created_at, Section.id)
    )
    return list(db.session.scalars(stmt))


def ensure_in_scope(*, tenant_id: uuid.UUID, page_id: uuid.UUID, section_id: uuid.UUID | None) -> None:
    """404 unless the page (and the section, if given) belong to the tenant and to each other."""
    get_for_tenant_or_404(Page, page_id, tenant_id)
    if section_id is not None:
        get_section(tenant_id=tenant_id, page_id=page_id, section_id=section_id)


def get_section(*, tenant_id: uuid.UUID, page_id: uuid.UUID, section_id: uuid.UUID) -> Section:
    """One section of one of the tenant's pages, else 404."""
    return get_for_tenant_or_404(Section, section_id, tenant_id, page_id=page_id)


def create_section(*, tenant_id: uuid.UUID, page_id: uuid.UUID, data: dict[str, Any]) -> Section:
    """Add a section at the end, or at ``sortOrder`` (later sections move down one).

    Works on counts and one UPDATE rather than the page's section list, so adding stays
    constant-time however many sections the page has.
    """
    page, count = locked_page_with_count(tenant_id, page_id)
    fields = dict(data)
    position = min(fields.pop("sort_order", count), count)
    if position < count:
        db.session.execute(
            sa.update(Section)
            .where(Section.page_id == page.id, Section.sort_order >= position)
            .values(sort_order=Section.sort_order + 1)
        )
    fields["content"] = sanitize_content(fields.get("content") or {})
    section = Section(tenant_id=page.tenant_id, page_id=page.id, sort_order=position, **fields)
    db.session.add(section)
    _record([("create", section, None)])
    _track_customizations(page)
    db.session.commit()
    return section


def update_section(
    *, tenant_id: uuid.UUID, page_id: uuid.UUID, section_id: uuid.UUID, data: dict[str, Any]
) -> Section:
    """Apply a partial update; a new ``sortOrder`` moves the section and renumbers the others."""
    page = locked_page(tenant_id, page_id)
    section = get_section(tenant_id=tenant_id, page_id=page.id, section_id=section_id)
    siblings = ordered_sections(page) if "sort_order" in data else None
    old = _change(section, siblings, data)
    _record([("update", section, old)])
    _track_customizations(page)
    db.session.commit()
    return section


def delete_section(*, tenant_id: uuid.UUID, page_id: uuid.UUID, section_id: uuid.UUID) -> None:
    """Delete a section and close the gap it leaves."""
    page = locked_page(tenant_id, page_id)
    section = get_section(tenant_id=tenant_id, page_id=page.id, section_id=section_id)
    old = _remove(section, ordered_sections(page))
    _record([("delete", section, old)])
    _track_customizations(page)
    db.session.commit()


def reorder_sections(*, tenant_id: uuid.UUID, page_id: uuid.UUID, order: list[uuid.UUID]) -> list[Section]:
    """Put the page's sections in ``order``, which must list each of them exactly once."""
    page = locked_page(tenant_id, page_id)
    page_changes.note(db.session, page, "reorder")
    siblings = ordered_sections(page)
    by_id = {section.id: section for section in siblings}
    _check_order(order, set(by_id))
    before = {section.id: audit.snapshot(section) for section in siblings}
    reordered = [by_id[section_id] for section_id in order]
    _renumber(reordered)
    db.session.flush()
    moved = [("update", s, before[s.id]) for s in reordered if before[s.id]["sort_order"] != s.sort_order]
    _record(moved, audited=False)
    audit.record(
        action="reorder",
        resource_type="page",
        resource_id=page.id,
        tenant_id=tenant_id,
        old={"section_order": [str(s.id) for s in siblings]},
        new={"section_order": [str(s.id) for s in reordered]},
    )
    _track_customizations(page)
    db.session.commit()
    return _ordered(tenant_id, page_id)


def bulk_sections(
    *, tenant_id: uuid.UUID, page_id: uuid.UUID, operations: list[dict[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    """Apply create/update/delete operations in order, all in one transaction or none at all."""
    page = locked_page(tenant_id, page_id)
    page_changes.note(db.session, page, "bulk")
    siblings = ordered_sections(page)
    applied = [_apply(page, siblings, index, operation) for index, operation in enumerate(operations)]
    db.session.flush()
    results = [
        {"op": op, "id": section.id, "data": None if op == "delete" else _values(section)}
        for op, section, _ in applied
    ]
    _record(applied)
    _track_customizations(page)
    db.session.commit()
    return {"results": results}


def prepare_structure(sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sections given as ``{type, content}`` (a template's) as they would be stored: a known type
    (else ``custom``), sanitized content, visible, in order."""
    return [
        {
            "type": spec.get("type") if spec.get("type") in SECTION_TYPES else "custom",
            "content": sanitize_content(dict(spec.get("content") or {})),
            "sort_order": position,
            "is_visible": True,
        }
        for position, spec in enumerate(sections)
    ]


def apply_structure(*, page: Page, sections: list[dict[str, Any]], replace: bool) -> list[Section]:
    """Add sections given as ``{type, content}`` (a template's), replacing the existing ones or not;
    returns the sections created, in order.

    Audit entries and events are added to the caller's transaction; the caller commits.
    """
    siblings = ordered_sections(page)
    changes: list[Change] = []
    if replace:
        changes += [("delete", section, _remove(section, siblings)) for section in list(siblings)]
    created = []
    for spec in prepare_structure(sections):
        spec.pop("sort_order")
        created.append(_add(page, siblings, spec))
    changes += [("create", section, None) for section in created]
    _record(changes)
    return created


def replace_sections(*, page: Page, specs: list[dict[str, Any]]) -> list[Section]:
    """Make the sections of ``page`` exactly ``specs`` (``id, type, content, sort_order, is_visible``),
    as a revision recorded them: sections still there are updated in place, missing ones come back
    under their old ids, others are deleted; the caller commits. Returns the sections in order."""
    existing = {section.id: section for section in ordered_sections(page)}
    wanted = {spec["id"] for spec in specs}
    changes: list[Change] = []
    for section_id, section in existing.items():
        if section_id not in wanted:
            changes.append(("delete", section, audit.snapshot(section)))
            db.session.delete(section)
    restored = []
    for spec in specs:
        fields = {k: v for k, v in spec.items() if k != "id"}
        fields["content"] = sanitize_content(dict(fields.get("content") or {}))
        section = existing.get(spec["id"])
        if section is None:
            section = Section(id=_free_id(spec["id"]), tenant_id=page.tenant_id, page_id=page.id, **fields)
            db.session.add(section)
            changes.append(("create", section, None))
        else:
            old = audit.snapshot(section)
            for key, value in fields.items():
                setattr(section, key, value)
            if audit.diff(old, audit.snapshot(section)):  # unchanged sections stay quiet
                changes.append(("update", section, old))
        restored.append(section)
    _record(changes)
    _track_customizations(page)
    return restored


def _free_id(wanted: uuid.UUID) -> uuid.UUID:
    """``wanted`` when no section holds it (a deleted section's id comes back), else a new one."""
    return wanted if db.session.get(Section, wanted) is None else uuid.uuid4()


def copy_sections(*, source: Page, target: Page) -> dict[uuid.UUID, Section]:
    """Copy every section of ``source`` onto ``target`` (which has none); the caller commits.

    Returns each copy by the id of the section it was copied from.
    """
    originals = ordered_sections(source)
    copies: list[Section] = []
    for original in originals:
        spec = {"type": original.type, "content": original.content, "is_visible": original.is_visible}
        _add(target, copies, spec)
    _record([("create", section, None) for section in copies])
    return {original.id: copy for original, copy in zip(originals, copies, strict=True)}


def locked_page(tenant_id: uuid.UUID, page_id: uuid.UUID) -> Page:
    """The tenant's page, row-locked (PostgreSQL) so concurrent writes to its sections queue up."""
    page = get_for_tenant_or_404(Page, page_id, tenant_id)
    db.session.execute(sa.select(Page.id).where(Page.id == page.id).with_for_update())
    return page


def locked_page_with_count(tenant_id: uuid.UUID, page_id: uuid.UUID) -> tuple[Page, int]:
    """``locked_page`` and the number of its sections, in one statement."""
    page = get_for_tenant_or_404(Page, page_id, tenant_id)
    sections = sa.select(sa.func.count()).where(Section.page_id == Page.id).scalar_subquery()
    count = db.session.scalar(sa.select(sections).where(Page.id == page.id).with_for_update(of=Page))
    return page, count or 0


def _track_customizations(page: Page) -> None:
    """Keep the page's template customizations current, in this transaction (after a flush)."""
    if page.template_id is None:  # no template applied: nothing to compare with
        return
    record = customizations.latest_record(page)
    if record is not None:
        customizations.refresh(record, ordered_sections(page))


def _values(section: Section) -> SimpleNamespace:
    """The section's values now, still readable once the transaction ends (even if it was deleted)."""
    return SimpleNamespace(**{attr.key: getattr(section, attr.key) for attr in _COLUMNS})


def _apply(page: Page, siblings: list[Section], index: int, operation: dict[str, Any]) -> Change:
    op = operation["op"]
    if op == "create":
        return op, _add(page, siblings, operation["data"]), None
    section = _find(siblings, operation["id"], field=f"operations.{index}.id")
    if op == "update":
        return op, section, _change(section, siblings, operation["data"])
    return op, section, _remove(section, siblings)


def _find(siblings: list[Section], section_id: uuid.UUID, *, field: str) -> Section:
    for section in siblings:
        if section.id == section_id:
            return section
    raise NotFound("Section not found", details=[{"field": field, "message": "No such section on this page"}])


def _add(page: Page, siblings: list[Section], data: dict[str, Any]) -> Section:
    """A new section inserted at its position among ``siblings`` (renumbered in place)."""
    fields = dict(data)
    position = fields.pop("sort_order", len(siblings))
    fields["content"] = sanitize_content(fields.get("content") or {})
    fields.setdefault("is_visible", True)
    section = Section(id=uuid.uuid4(), tenant_id=page.tenant_id, page_id=page.id, sort_order=0, **fields)
    db.session.add(section)
    siblings.insert(min(position, len(siblings)), section)
    _renumber(siblings)
    return section


def _change(section: Section, siblings: list[Section] | None, data: dict[str, Any]) -> dict[str, Any]:
    """Apply ``data`` to ``section``; returns its snapshot from before."""
    old = audit.snapshot(section)
    fields = dict(data)
    if "sort_order" in fields and siblings is not None:
        position = fields.pop("sort_order")
        siblings.remove(section)
        siblings.insert(min(position, len(siblings)), section)
        _renumber(siblings)
    if "content" in fields:
        fields["content"] = sanitize_content(fields["content"])
    for key, value in fields.items():
        setattr(section, key, value)
    return old


def _remove(section: Section, siblings: list[Section]) -> dict[str, Any]:
    """Delete ``section`` and close its gap; returns its snapshot from before."""
    old = audit.snapshot(section)
    siblings.remove(section)
    db.session.delete(section)
    _renumber(siblings)
    return old


def _renumber(siblings: list[Section]) -> None:
    for index, section in enumerate(siblings):
        if section.sort_order != index:
            section.sort_order = index


def _check_order(order: list[uuid.UUID], existing: set[uuid.UUID]) -> None:
    counts = Counter(order)
    problems = {
        "duplicated": [str(i) for i, n in counts.items() if n > 1],
        "not on this page": [str(i) for i in counts if i not in existing],
        "missing": sorted(str(i) for i in existing - counts.keys()),
    }
    message = "; ".join(f"{label}: {', '.join(ids)}" for label, ids in problems.items() if ids)
    if message:
        raise ValidationFailed(
            "The order must list each section of the page exactly once",
            details=[{"field": "order", "message": message}],
        )


def _record(changes: list[Change], *, audited: bool = True) -> None:
    """Audit entries (optionally) and events for section changes; flushes first."""
    db.session.flush()
    schema = SectionSchema()
    for op, section, old in changes:
        if audited:
            audit.record(
                action=op,
                resource_type="section",
                resource_id=section.id,
                tenant_id=section.tenant_id,
                old=old,
                new=None if op == "delete" else audit.snapshot(section),
            )
        events.emit(tenant_id=section.tenant_id, type=EVENT_TYPES[op], data=schema.dump(section))
