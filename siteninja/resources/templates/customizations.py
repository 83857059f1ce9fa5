"""Customization tracking: how a page's sections have drifted from the template last applied to it."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa

from siteninja.extensions import db
from siteninja.resources.pages.models import Page
from siteninja.resources.sections.models import Section
from siteninja.resources.templates.models import PageTemplate

MAX_FIELDS_PER_SECTION = 100


def latest_record(page: Page) -> PageTemplate | None:
    """The record of the template applied to ``page`` most recently, if any (one query)."""
    stmt = (
        sa.select(PageTemplate)
        .where(PageTemplate.page_id == page.id, PageTemplate.tenant_id == page.tenant_id)
        .order_by(PageTemplate.applied_at.desc(), PageTemplate.created_at.desc(), PageTemplate.id)
        .limit(1)
    )
    return db.session.scalar(stmt)


def baseline(sections: Iterable[Section]) -> list[dict[str, Any]]:
    """The sections just created from a template, as the record keeps them (in template order)."""
    return [
        {
            "section_id": str(s.id),
            "type": s.type,
            "content": copy.deepcopy(s.content),
            "is_visible": s.is_visible,
        }
        for s in sections
    ]


def refresh(record: PageTemplate, sections: Sequence[Section]) -> None:
    """Bring ``record.customizations`` up to date with the page's ``sections`` (in display order)."""
    if record.applied_sections is None:
        return
    current = compute(record.applied_sections, sections)
    if current != record.customizations:
        record.customizations = current


def compute(applied: Sequence[dict[str, Any]], sections: Sequence[Section]) -> dict[str, Any]:
    """What differs between the sections as applied and as they are now; ``{}`` when nothing does.

    ``modified``: template sections with the fields that changed (dotted paths into ``content``,
    ``type``, ``isVisible``); ``removed``: template sections no longer on the page; ``added``:
    sections that did not come from the template; ``reordered``: the template's sections are
    no longer in the template's order.
    """
    by_id = {str(section.id): section for section in sections}
    modified, removed = [], []
    for index, entry in enumerate(applied):
        section = by_id.get(entry["section_id"])
        if section is None:
            removed.append(
                {"section_id": entry["section_id"], "template_index": index, "type": entry["type"]}
            )
            continue
        changed = _changed_fields(entry, section)
        if changed:
            modified.append(
                {
                    "section_id": entry["section_id"],
                    "template_index": index,
                    "type": section.type,
                    "fields": changed[:MAX_FIELDS_PER_SECTION],
                }
            )
    applied_ids = [entry["section_id"] for entry in applied]
    from_template = set(applied_ids)
    added = [{"section_id": key, "type": s.type} for key, s in by_id.items() if key not in from_template]
    present = [key for key in by_id if key in from_template]
    reordered = present != [key for key in applied_ids if key in by_id]
    if not (modified or removed or added or reordered):
        return {}
    return {"modified": modified, "added": added, "removed": removed, "reordered": reordered}


def _changed_fields(entry: dict[str, Any], section: Section) -> list[str]:
    fields = ["type"] if entry["type"] != section.type else []
    if entry.get("is_visible", True) != section.is_visible:
        fields.append("isVisible")
    return fields + changed_paths(entry.get("content") or {}, section.content or {}, "content")


def changed_paths(old: Any, new: Any, prefix: str) -> list[str]:
    """Dotted paths where two JSON values differ (``content.items.0.title``), objects key by key."""
    if isinstance(old, dict) and isinstance(new, dict):
        paths: list[str] = []
        for key in sorted(old.keys() | new.keys(), key=str):
            path = f"{prefix}.{key}"
            paths += changed_paths(old[key], new[key], path) if key in old and key in new else [path]
        return paths
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [
            p
            for i, (a, b) in enumerate(zip(old, new, strict=True))
            for p in changed_paths(a, b, f"{prefix}.{i}")
        ]
    same = old == new and type(old) is type(new)
    return [] if same else [prefix]
