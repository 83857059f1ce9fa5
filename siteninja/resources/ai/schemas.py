"""AI schemas: content-optimize, seo-optimize and generate-page bodies and answers."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from siteninja.core.schemas import BaseSchema, StrictBoolean, text
from siteninja.resources.pages.schemas import PageDetailSchema
from siteninja.services.ai.content import TONES
from siteninja.services.ai.text import html_to_text, words

MAX_CONTENT = 100_000
SEO_FIELDS = ("title", "meta_description", "content", "keywords", "headings")
PROVIDER_DOC = {"description": "Who wrote the answer: builtin, or openai (an OpenAI-compatible model)"}


def keyword_list(maximum: int = 20, **kwargs: Any) -> fields.List:
    """Target keywords: at most ``maximum`` phrases of 1-100 characters."""
    return fields.List(text(100, min_length=1), validate=validate.Length(max=maximum), **kwargs)


def has_words(value: str) -> None:
    """Reject text with nothing to read (only spaces, punctuation or markup)."""
    if not words(html_to_text(value)):
        raise ValidationError("Must contain some words")


class ContentOptimizeSchema(BaseSchema):
    content = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=MAX_CONTENT), has_words],
        metadata={"description": "Plain text or rich text"},
    )
    tone = fields.String(load_default="neutral", validate=validate.OneOf(TONES))
    target_keywords = keyword_list(load_default=list)


class SeoOptimizeSchema(BaseSchema):
    """Either ``pageId`` (and, for a super_admin, ``tenantId``) or the page's fields."""

    page_id = fields.UUID()
    tenant_id = fields.UUID(metadata={"description": "With pageId: the page's tenant (default: your own)"})
    title = text(300)
    meta_description = text(1000)
    content = text(MAX_CONTENT, metadata={"description": "Plain text or rich text"})
    keywords = keyword_list()
    headings = fields.List(text(300), validate=validate.Length(max=50))

    @validates_schema
    def check_source(self, data: dict, **kwargs: Any) -> None:
        """``pageId`` or fields, never both and never neither."""
        given = [name for name in SEO_FIELDS if name in data]
        if "page_id" in data and given:
            raise ValidationError("Give pageId or the page's fields, not both", "pageId")
        if "page_id" not in data and not given:
            raise ValidationError("Give pageId, or at least one of title, metaDescription, content", "body")
        if "tenant_id" in data and "page_id" not in data:
            raise ValidationError("tenantId goes with pageId", "tenantId")


class GeneratePageSchema(BaseSchema):
    prompt = fields.String(
        required=True,
        validate=[validate.Length(min=3, max=2000), has_words],
        metadata={"description": "What the page is for: business, name (called …), place (in …)"},
    )
    tenant_id = fields.UUID(metadata={"description": "The tenant the page is for (default: your own)"})
    industry = text(100, min_length=1, metadata={"description": "An industry id or slug"})
    create = StrictBoolean(load_default=False, metadata={"description": "Save the page as a draft (201)"})


class ReadabilitySchema(BaseSchema):
    flesch_reading_ease = fields.Float(metadata={"description": "0 (hard) to 100 (easy)"})
    grade_level = fields.Float(metadata={"description": "Flesch-Kincaid US school grade"})
    avg_sentence_length = fields.Float(metadata={"description": "Words per sentence"})


class SuggestionSchema(BaseSchema):
    type = fields.String()
    message = fields.String()
    severity = fields.String(metadata={"description": "info, warning or error"})


class ContentOptimizeResultSchema(BaseSchema):
    score = fields.Integer(metadata={"description": "0-100"})
    readability = fields.Nested(ReadabilitySchema)
    keyword_density = fields.Dict(
        keys=fields.String(), values=fields.Float(), metadata={"description": "Keyword → percent of words"}
    )
    suggestions = fields.List(fields.Nested(SuggestionSchema))
    optimized_content = fields.String()
    provider = fields.String(metadata=PROVIDER_DOC)
    model = fields.String(allow_none=True)


class SeoIssueSchema(BaseSchema):
    field_ = fields.String(data_key="field", attribute="field")
    severity = fields.String(metadata={"description": "info, warning or error"})
    message = fields.String()


class SeoSuggestionsSchema(BaseSchema):
    meta_title = fields.String()
    meta_description = fields.String()
    keywords = fields.List(fields.String())
    headings = fields.List(fields.String())


class SeoOptimizeResultSchema(BaseSchema):
    score = fields.Integer(metadata={"description": "0-100"})
    issues = fields.List(fields.Nested(SeoIssueSchema))
    suggestions = fields.Nested(SeoSuggestionsSchema)
    provider = fields.String(metadata=PROVIDER_DOC)
    model = fields.String(allow_none=True)


class GeneratedSectionSchema(BaseSchema):
    type = fields.String()
    content = fields.Dict()


class GeneratedSeoSchema(BaseSchema):
    meta_title = fields.String()
    meta_description = fields.String()
    keywords = fields.List(fields.String())


class GeneratedPageSchema(BaseSchema):
    title = fields.String()
    slug = fields.String()
    template_id = fields.UUID(allow_none=True, metadata={"description": "The template it was built from"})
    sections = fields.List(fields.Nested(GeneratedSectionSchema))
    seo = fields.Nested(GeneratedSeoSchema)
    provider = fields.String(metadata=PROVIDER_DOC)
    model = fields.String(allow_none=True)
    page = fields.Nested(PageDetailSchema, metadata={"description": "With create: the saved draft page"})
