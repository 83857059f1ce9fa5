"""The rich-text sanitizer: allowlist, XSS corpus, benign formatting, key matching, idempotence."""

from __future__ import annotations

import copy

import pytest

from siteninja.services.sanitize import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    clean_html,
    is_html_key,
    sanitize_content,
)
from tests.xss_corpus import BENIGN, XSS_PAYLOADS, dangerous_parts

MESSY = [
    "a & b < c > d",
    "<p>unclosed <b>bold",
    "<div><p>nested <span>deep</span></p></div>",
    "<P>UPPER</P>",
    "<p>a</p><!-- comment --><p>b</p>",
    "<a href='/x' target=_blank rel=nofollow>x</a>",
    "<br/><br />",
    "",
    "plain text",
]


def test_the_corpus_is_big_enough():
    assert len(XSS_PAYLOADS) >= 40
    assert len(BENIGN) >= 20


def test_the_checker_itself_sees_danger():
    for bad in ['<img src=x onerror="a">', "<a href='javascript:x'>", "<SCRIPT>", '<p STYLE="x">']:
        assert dangerous_parts(bad), bad
    assert dangerous_parts('<p>Hello <a href="https://x.example">there</a></p>') == []


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_no_xss_payload_survives(payload):
    cleaned = clean_html(payload)
    assert dangerous_parts(cleaned) == [], (payload, cleaned)


@pytest.mark.parametrize(("html", "expected"), BENIGN)
def test_benign_formatting_is_kept(html, expected):
    assert clean_html(html) == expected


@pytest.mark.parametrize("html", XSS_PAYLOADS + [html for html, _ in BENIGN] + MESSY)
def test_cleaning_is_idempotent(html):
    once = clean_html(html)
    assert clean_html(once) == once
    content = {"bodyHtml": html, "items": [{"descriptionHtml": html}]}
    assert sanitize_content(sanitize_content(content)) == sanitize_content(content)


def test_disallowed_tags_are_stripped_but_their_text_kept():
    assert clean_html("<div><p>nested <span>deep</span></p></div>") == "<p>nested <span>deep</span></p>"
    assert clean_html("<center>x</center><font color=red>y</font>") == "xy"


def test_disallowed_attributes_are_dropped_from_allowed_tags():
    assert clean_html('<p class="c" id="i" data-x="1">t</p>') == "<p>t</p>"
    assert clean_html('<td width="5" colspan="2">t</td>') == "t"  # a lone cell is not a table
    assert clean_html('<img src="/a.png" class="x" loading="lazy">') == '<img src="/a.png">'
    assert clean_html('<a href="/x" rel="nofollow" download>x</a>') == (
        '<a href="/x" rel="noopener noreferrer">x</a>'
    )


def test_comments_are_stripped():
    assert clean_html("<p>a</p><!-- secret --><p>b</p>") == "<p>a</p><p>b</p>"


def test_the_allowlist_is_the_documented_one():
    assert {"p", "a", "img", "table", "figcaption", "h1", "h6"} <= ALLOWED_TAGS
    assert not ALLOWED_TAGS & {"script", "style", "iframe", "div", "svg", "form", "object", "embed"}
    assert set(ALLOWED_ATTRIBUTES) == {"a", "img", "th", "td"}
    assert not any("style" in names for names in ALLOWED_ATTRIBUTES.values())


@pytest.mark.parametrize(
    ("key", "is_html"),
    [
        ("html", True),
        ("bodyHtml", True),
        ("BODYHTML", True),
        ("descriptionHTML", True),
        ("intro_html", True),
        ("htmlTitle", False),
        ("title", False),
        ("htm", False),
        (3, False),
    ],
)
def test_html_keys_are_those_ending_in_html_in_any_case(key, is_html):
    assert is_html_key(key) is is_html


def test_sanitize_content_walks_every_depth_and_leaves_plain_text_alone():
    evil = "<b>ok</b><script>x</script>"
    content = {
        "title": "<b>x</b>",
        "bodyHtml": evil,
        "HTML": evil,
        "htmlTitle": evil,
        "count": 3,
        "items": [
            {"title": "<i>t</i>", "descriptionHtml": evil, "more": [{"noteHtml": evil}]},
            "<script>plain list string</script>",
        ],
        "nested": {"deeper": {"captionHtml": evil, "caption": evil}},
        "paragraphsHtml": [evil, {"textHtml": evil, "text": evil}, 7, None],
        "emptyHtml": None,
        "flagHtml": True,
    }
    original = copy.deepcopy(content)
    result = sanitize_content(content)
    assert content == original, "the input must not be modified"
    assert result == {
        "title": "<b>x</b>",
        "bodyHtml": "<b>ok</b>",
        "HTML": "<b>ok</b>",
        "htmlTitle": evil,
        "count": 3,
        "items": [
            {"title": "<i>t</i>", "descriptionHtml": "<b>ok</b>", "more": [{"noteHtml": "<b>ok</b>"}]},
            "<script>plain list string</script>",
        ],
        "nested": {"deeper": {"captionHtml": "<b>ok</b>", "caption": evil}},
        "paragraphsHtml": ["<b>ok</b>", {"textHtml": "<b>ok</b>", "text": evil}, 7, None],
        "emptyHtml": None,
        "flagHtml": True,
    }


def test_sanitize_content_of_non_containers_is_identity():
    assert sanitize_content("<script>x</script>") == "<script>x</script>"
    assert sanitize_content(None) is None
    assert sanitize_content([1, "a"]) == [1, "a"]
