"""The searchable text of a page: title, summary (description and SEO), section text as plain text."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from siteninja.services.sanitize import is_html_key, plain_text

# Control characters (the snippet markers among them) and runs of whitespace become one space.
_SPACES = re.compile(r"[\s\x00-\x1f\x7f]+")


@dataclass(frozen=True)
class PageText:
    """The four weighted parts of a page's search document."""

    title: str
    summary: str
    public_body: str
    hidden_body: str


def squeeze(text: str) -> str:
    """``"  a\\n\\tb "`` → ``"a b"``."""
    return _SPACES.sub(" ", text).strip()


def content_strings(value: Any, *, html: bool = False) -> Iterator[str]:
    """Every string in section ``content`` at any depth, rich text (``…html`` keys) without tags."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from content_strings(item, html=is_html_key(key))
    elif isinstance(value, list):
        for item in value:
            yield from content_strings(item, html=html)
    elif isinstance(value, str):
        yield plain_text(value) if html else value


def page_text(
    *,
    title: str,
    description: str | None,
    seo: Any | None,
    sections: Iterable[tuple[dict, bool]],
) -> PageText:
    """The document of a page from its fields, its SEO row (or None) and ``(content, is_visible)``
    of its sections in order."""
    summary = [description or ""]
    if seo is not None:
        summary += [seo.meta_title or "", seo.meta_description or "", *map(str, seo.keywords or [])]
    visible: list[str] = []
    hidden: list[str] = []
    for content, is_visible in sections:
        (visible if is_visible else hidden).extend(content_strings(content))
    return PageText(
        title=squeeze(title),
        summary=squeeze(" ".join(summary)),
        public_body=squeeze(" ".join(visible)),
        hidden_body=squeeze(" ".join(hidden)),
    )
