"""Revision schemas: the list entry, the entry with its snapshot, and the list arguments."""

from __future__ import annotations

from marshmallow import fields

from siteninja.core.pagination import ListArgsSchema
from siteninja.core.schemas import BaseSchema, Timestamp
from siteninja.resources.pages.schemas import PageDetailSchema


class RevisionSchema(BaseSchema):
    """One recorded change of a page: who made it and what it was."""

    id = fields.UUID()
    number = fields.Integer(metadata={"description": "1, 2, … per page, in the order of the changes"})
    action = fields.String(
        metadata={
            "description": "create, update, publish, unpublish, section, seo, reorder, bulk, "
            "template.apply, template.reset or restore"
        }
    )
    actor_type = fields.String(metadata={"description": "user, api_key or system"})
    actor_id = fields.UUID(allow_none=True)
    created_at = Timestamp()


class SnapshotSchema(BaseSchema):
    """The page as it was: its fields, its sections in order and its SEO (null when none was set)."""

    page = fields.Dict()
    sections = fields.List(fields.Dict())
    seo = fields.Dict(allow_none=True)


class RevisionDetailSchema(RevisionSchema):
    snapshot = fields.Nested(SnapshotSchema)


class RevisionQueryArgsSchema(ListArgsSchema):
    """``?page=&limit=``; revisions are always newest first."""


class RestoredPageSchema(PageDetailSchema):
    """The page as restored: its fields with its sections and SEO, as ``?include=sections,seo`` shows."""
