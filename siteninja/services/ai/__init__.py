"""The content assistant: deterministic built-in results, written by an OpenAI-compatible model when
``AI_API_URL`` is set; if the model fails, times out or answers garbage, the built-in result is
returned with ``provider: "builtin"``. Measurements (scores, readability, density, issues) are
always computed here; a model only writes text (suggestions, optimized copy, page content)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from siteninja.services.ai import content as builtin_content
from siteninja.services.ai import pages as builtin_pages
from siteninja.services.ai import remote, text
from siteninja.services.ai import seo as builtin_seo
from siteninja.services.ai.seo import SeoInput
from siteninja.services.sanitize import clean_html, sanitize_content

log = logging.getLogger("siteninja.ai")

BUILTIN = "builtin"
REMOTE = "openai"
MAX_PROMPT_CONTENT = 20_000

CONTENT_TASK = (
    "You are a web copy editor. Improve the user's content for readability and the target keywords, "
    "in the requested tone, keeping its meaning and language. Return "
    '{"optimizedContent": string, "suggestions": [{"type": string, "message": string, '
    '"severity": "info"|"warning"|"error"}]}. Use <p> paragraphs only if the content was HTML.'
)
SEO_TASK = (
    "You are an SEO editor. Given a page and the issues found, return "
    '{"suggestions": {"metaTitle": string (max 60 chars), "metaDescription": string (max 155 chars), '
    '"keywords": [string], "headings": [string]}} in the page\'s language.'
)
PAGE_TASK = (
    "You write website pages. Fill the given template for the business the prompt describes: keep "
    "every section, in order, with the same type and content keys, rewriting the text. Return "
    '{"title": string, "sections": [{"type": string, "content": object}], '
    '"seo": {"metaTitle": string, "metaDescription": string, "keywords": [string]}}.'
)


def optimize_content(*, content: str, tone: str, keywords: Sequence[str]) -> dict[str, Any]:
    """Score, readability, keyword density, suggestions and an optimized copy of ``content``."""
    result = builtin_content.optimize(content, tone=tone, keywords=keywords)
    as_html = text.looks_like_html(content)

    def ask() -> dict[str, Any]:
        payload = {"content": content[:MAX_PROMPT_CONTENT], "tone": tone, "targetKeywords": list(keywords)}
        answer = remote.ask(CONTENT_TASK, payload, remote.ContentAnswer)
        optimized = answer["optimizedContent"]
        return {
            "optimized_content": clean_html(optimized) if as_html else text.html_to_text(optimized),
            "suggestions": [{**s, "message": text.html_to_text(s["message"])} for s in answer["suggestions"]]
            or result["suggestions"],
        }

    return _with_remote(result, ask)


def optimize_seo(page: SeoInput) -> dict[str, Any]:
    """Score, issues per field and concrete replacements for a page's SEO."""
    result = builtin_seo.review(page)

    def ask() -> dict[str, Any]:
        payload = {
            "title": page.title,
            "metaDescription": page.meta_description,
            "keywords": page.keywords,
            "headings": page.headings,
            "content": page.content[:MAX_PROMPT_CONTENT],
            "issues": result["issues"],
        }
        answer = remote.ask(SEO_TASK, payload, remote.SeoAnswer)["suggestions"]
        return {
            "suggestions": {
                "meta_title": text.html_to_text(answer["metaTitle"]),
                "meta_description": text.html_to_text(answer["metaDescription"]),
                "keywords": [text.html_to_text(k) for k in answer.get("keywords") or []]
                or result["suggestions"]["keywords"],
                "headings": [text.html_to_text(h) for h in answer.get("headings") or []]
                or result["suggestions"]["headings"],
            }
        }

    return _with_remote(result, ask)


def generate_page(
    *, prompt: str, industry: str | None, industries: dict[str, str], candidates: list[dict[str, Any]]
) -> dict[str, Any]:
    """``{title, sections, seo, template}`` for the prompt, from the best fitting candidate template."""
    industry = industry or builtin_pages.infer_industry(prompt, industries)
    template = builtin_pages.choose_template(prompt, industry, candidates)
    result = {**builtin_pages.generate(prompt, template, industry), "template": template}

    def ask() -> dict[str, Any]:
        sections = result["sections"]
        payload = {"prompt": prompt, "template": {"sections": sections, "seo": result["seo"]}}
        answer = remote.ask(PAGE_TASK, payload, remote.PageAnswer)
        if [s["type"] for s in answer["sections"]] != [s["type"] for s in sections]:
            raise remote.ProviderError("the sections do not follow the template")
        return {
            "title": text.html_to_text(answer["title"])[:200] or result["title"],
            "sections": [
                {"type": s["type"], "content": sanitize_content(s["content"])} for s in answer["sections"]
            ],
            "seo": {key: _plain(value) for key, value in answer["seo"].items()},
        }

    return _with_remote(result, ask)


def _with_remote(result: dict[str, Any], ask: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """``result`` as written by the configured model, or as it is when none is configured or it fails."""
    if not remote.configured():
        return {**result, "provider": BUILTIN, "model": None}
    try:
        written = ask()
    except remote.ProviderError as error:
        log.warning("AI provider failed (%s); answering with the built-in provider", error)
        return {**result, "provider": BUILTIN, "model": None}
    return {**result, **written, "provider": REMOTE, "model": remote.model_name()}


def _plain(value: Any) -> Any:
    """Model-written SEO text without markup (lists item by item); other values as they are."""
    if isinstance(value, str):
        return text.html_to_text(value)
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value
