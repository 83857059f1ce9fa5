"""The built-in SEO reviewer: issues per field with severity, and concrete replacements."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from siteninja.services.ai import text

TITLE_RANGE = (30, 60)
DESCRIPTION_RANGE = (70, 160)
MIN_CONTENT_WORDS = 300
MAX_KEYWORDS = 10
PENALTY = {"error": 20, "warning": 10, "info": 4}


@dataclass
class SeoInput:
    """What is reviewed: the page title (or meta title), description, text, keywords and headings."""

    title: str = ""
    meta_description: str = ""
    content: str = ""
    keywords: list[str] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)
    site_name: str = ""


def review(page: SeoInput) -> dict[str, Any]:
    """``{score, issues [{field, severity, message}], suggestions}`` for the page (score 0-100)."""
    issues = _title_issues(page) + _description_issues(page) + _keyword_issues(page) + _content_issues(page)
    score = max(0, 100 - sum(PENALTY[issue["severity"]] for issue in issues))
    return {"score": score, "issues": issues, "suggestions": suggest(page)}


def suggest(page: SeoInput) -> dict[str, Any]:
    """A meta title and description within the lengths search engines show, keywords and headings."""
    keywords = suggested_keywords(page)
    primary = keywords[0] if keywords else ""
    return {
        "meta_title": suggested_title(page, primary),
        "meta_description": suggested_description(page, primary),
        "keywords": keywords,
        "headings": suggested_headings(page, primary),
    }


def suggested_keywords(page: SeoInput) -> list[str]:
    """The page's own keywords first, then the content's most frequent terms, at most eight."""
    given = _unique(page.keywords)[:MAX_KEYWORDS]
    corpus = " ".join([page.title, page.meta_description, *page.headings, page.content])
    extra = text.top_terms(corpus, limit=8, exclude={k.lower() for k in given})
    return given + extra[: max(0, 8 - len(given))]


def suggested_title(page: SeoInput, primary: str) -> str:
    """The title (or first heading) carrying the primary keyword, with the site name if it fits."""
    base = page.title.strip() or (page.headings[0] if page.headings else "") or _first_sentence(page.content)
    if primary and not text.contains(base, primary):
        base = f"{base} — {primary[:1].upper()}{primary[1:]}" if base else primary.capitalize()
    title = text.clip_words(base, TITLE_RANGE[1])
    branded = f"{title} | {page.site_name}"
    return (
        branded
        if page.site_name and page.site_name not in title and len(branded) <= TITLE_RANGE[1]
        else title
    )


def suggested_description(page: SeoInput, primary: str) -> str:
    """The description if it is already good, else the content's first sentences, up to 155 characters."""
    current = page.meta_description.strip()
    low, high = DESCRIPTION_RANGE
    if low <= len(current) <= high and (not primary or text.contains(current, primary)):
        return current
    prose = [s for p in text.paragraphs(page.content) for s in text.sentences(p) if text.is_prose(s)]
    source = " ".join(prose) or current
    summary = text.sentences_within(source, high - 5)
    if primary and not text.contains(summary, primary):
        summary = text.sentences_within(f"{primary[:1].upper()}{primary[1:]}: {source}", high - 5)
    return summary


def suggested_headings(page: SeoInput, primary: str) -> list[str]:
    """A main heading with the primary keyword, then the page's other headings (or a few to add)."""
    main = suggested_title(SeoInput(title=page.title, headings=page.headings, content=page.content), primary)
    rest = [h for h in _unique(page.headings) if h.lower() != main.lower()][:5]
    if len(rest) < 2:
        shown = " ".join([main, *rest])
        terms = [t for t in suggested_keywords(page)[1:] if " " in t and not text.contains(shown, t)]
        rest += [t[:1].upper() + t[1:] for t in terms[: 2 - len(rest)]]
    return [main, *rest]


def _title_issues(page: SeoInput) -> list[dict[str, str]]:
    title, (low, high) = page.title.strip(), TITLE_RANGE
    if not title:
        return [_issue("title", "error", "There is no title: search results will show something else.")]
    if len(title) < low:
        return [_issue("title", "warning", f"The title has {len(title)} characters; aim for {low}-{high}.")]
    if len(title) > high:
        return [
            _issue("title", "warning", f"The title has {len(title)} characters; results cut it at {high}.")
        ]
    return []


def _description_issues(page: SeoInput) -> list[dict[str, str]]:
    description, (low, high) = page.meta_description.strip(), DESCRIPTION_RANGE
    if not description:
        return [_issue("metaDescription", "error", "There is no meta description: write 70-160 characters.")]
    size = len(description)
    if size < low:
        return [
            _issue(
                "metaDescription", "warning", f"The description has {size} characters; aim for {low}-{high}."
            )
        ]
    if size > high:
        return [
            _issue(
                "metaDescription",
                "warning",
                f"The description has {size} characters; results cut it at {high}.",
            )
        ]
    return []


def _keyword_issues(page: SeoInput) -> list[dict[str, str]]:
    keywords = [k for k in page.keywords if k.strip()]
    if not keywords:
        return [_issue("keywords", "warning", "No target keywords: name the searches this page should win.")]
    issues = []
    if len(keywords) > MAX_KEYWORDS:
        issues.append(
            _issue("keywords", "info", f"{len(keywords)} keywords: focus on at most {MAX_KEYWORDS}.")
        )
    primary = keywords[0]
    if not text.contains(page.title, primary):
        issues.append(
            _issue("title", "warning", f"The title does not contain the primary keyword '{primary}'.")
        )
    if page.meta_description and not text.contains(page.meta_description, primary):
        issues.append(_issue("metaDescription", "info", f"The description does not mention '{primary}'."))
    if page.headings and not any(text.contains(h, primary) for h in page.headings):
        issues.append(_issue("headings", "info", f"No heading mentions '{primary}'."))
    missing = [k for k in keywords if not text.contains(page.content, k)]
    if missing:
        names = ", ".join(f"'{k}'" for k in missing[:5])
        issues.append(_issue("keywords", "warning", f"Not in the content: {names}."))
    return issues


def _content_issues(page: SeoInput) -> list[dict[str, str]]:
    issues = []
    count = len(text.words(page.content))
    if count == 0:
        issues.append(_issue("content", "error", "The page has no text for search engines to read."))
    elif count < MIN_CONTENT_WORDS:
        issues.append(
            _issue("content", "warning", f"Only {count} words; pages under {MIN_CONTENT_WORDS} rarely rank.")
        )
    if not page.headings:
        issues.append(
            _issue("headings", "warning", "No headings: give the page a main heading and sections.")
        )
    duplicated = [h for h, n in Counter(h.lower() for h in page.headings).items() if n > 1]
    if duplicated:
        issues.append(_issue("headings", "info", f"Repeated headings: {', '.join(duplicated[:3])}."))
    return issues


def _first_sentence(content: str) -> str:
    sentences = [s for p in text.paragraphs(content) for s in text.sentences(p)]
    return sentences[0].rstrip(".!?") if sentences else ""


def _unique(items: Sequence[str]) -> list[str]:
    seen, unique = set(), []
    for item in items:
        if item.strip() and item.lower() not in seen:
            seen.add(item.lower())
            unique.append(item.strip())
    return unique


def _issue(field_name: str, severity: str, message: str) -> dict[str, str]:
    return {"field": field_name, "severity": severity, "message": message}
