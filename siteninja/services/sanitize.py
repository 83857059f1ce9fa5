"""Rich-text sanitizing: every string under a key ending in ``html`` is cleaned with an allowlist."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import nh3

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "strong",
        "b",
        "em",
        "i",
        "u",
        "s",
        "a",
        "ul",
        "ol",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "code",
        "pre",
        "span",
        "img",
        "hr",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "figure",
        "figcaption",
    }
)
ALLOWED_ATTRIBUTES = {
    "a": frozenset({"href", "title", "target"}),
    "img": frozenset({"src", "alt", "title", "width", "height"}),
    "th": frozenset({"colspan", "rowspan"}),
    "td": frozenset({"colspan", "rowspan"}),
}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
LINK_REL = "noopener noreferrer"
# Elements dropped together with everything inside them: their content is code, not text.
DROPPED_WITH_CONTENT = frozenset(
    {
        "script",
        "style",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "svg",
        "math",
        "noscript",
        "noembed",
        "noframes",
        "template",
        "title",
        "textarea",
        "select",
        "xmp",
        "plaintext",
    }
)

_cleaner = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(DROPPED_WITH_CONTENT),
    attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
    url_schemes=set(URL_SCHEMES),
    link_rel=LINK_REL,
    strip_comments=True,
)


def is_html_key(key: Any) -> bool:
    """True when a content key names rich text: it ends in ``html``, in any case."""
    return isinstance(key, str) and key.lower().endswith("html")


def clean_html(html: str) -> str:
    """One rich-text fragment reduced to the allowlist (idempotent)."""
    return _cleaner.clean(html)


def sanitize_content(value: Any, *, html: bool = False) -> Any:
    """A copy of ``value`` in which every string under an ``…html`` key is cleaned, at any depth.

    Strings in a list inherit the key of the list; objects inside decide by their own keys.
    Every other string is returned as given (plain text, escaped by clients).
    """
    if isinstance(value, dict):
        return {key: sanitize_content(item, html=is_html_key(key)) for key, item in value.items()}
    if isinstance(value, list):
        return [sanitize_content(item, html=html) for item in value]
    if html and isinstance(value, str):
        return clean_html(value)
    return value


_TAG = re.compile(r"<[^>]*>")
_text_cleaner = nh3.Cleaner(tags=set(), clean_content_tags=set(DROPPED_WITH_CONTENT), strip_comments=True)


def plain_text(html: str) -> str:
    """The text of a rich-text fragment: tags become spaces (so ``<p>a</p><p>b</p>`` is two words),
    code-bearing elements go with their content, entities are decoded."""
    spaced = _TAG.sub(" ", _cleaner.clean(html))
    return unescape(_text_cleaner.clean(spaced))
