"""The built-in page generator: pick the template that fits a prompt best and fill it from the prompt."""

from __future__ import annotations

import copy
import html
import re
from dataclasses import dataclass
from typing import Any

from siteninja.services.ai import text
from siteninja.services.sanitize import sanitize_content

# Words that point to an industry when the prompt does not name one (seeded industry slugs).
INDUSTRY_HINTS = {
    "restaurant": "restaurant cafe café bistro bar bakery pizzeria trattoria food menu dinner brunch chef",
    "professional-services": "law lawyer lawyers legal attorney firm consultant consulting accountant",
    "health-wellness": "dentist dental clinic doctor health physio therapy gym fitness yoga studio pilates",
    "retail": "shop store boutique retail products gifts fashion ceramics",
    "creative": "photographer photography portfolio designer artist studio illustration",
    "real-estate": "real estate property properties homes houses apartments agent agency rent",
    "education": "course courses school tutor tutoring lessons learn teaching academy",
    "technology": "saas software app platform startup product api tool developers",
    "non-profit": "charity nonprofit non-profit donate donation volunteers foundation cause",
    "events": "wedding weddings events planner venue party celebrations",
}
GENERIC_STRUCTURE = {
    "sections": [
        {
            "type": "hero",
            "content": {"title": "", "subtitle": "", "ctaText": "Get in touch", "ctaUrl": "/contact"},
        },
        {"type": "text", "content": {"title": "About us", "bodyHtml": ""}},
        {
            "type": "cta",
            "content": {"title": "Ready to start?", "buttonText": "Contact us", "buttonUrl": "/contact"},
        },
        {"type": "contact", "content": {"title": "Contact"}},
    ]
}
_NAMED = re.compile(
    r"\b(?:called|named)\s+[\"\u201c']?((?:[A-Z0-9][\w'\u2019&.-]*)(?:\s+(?:&|[A-Z0-9][\w'\u2019&.-]*)){0,4})[\"\u201d']?"
)
_QUOTED = re.compile(r"[\"\u201c]([^\"\u201d]{2,60})[\"\u201d]")
_INSTRUCTION = re.compile(
    r"^\s*(?:please\s+)?(?:(?:create|make|build|generate|write|design)\s+)?(?:me\s+)?(?:an?\s+|the\s+)?"
    r"(?:new\s+)?(?:website|site|home\s?page|landing\s+page|page)\s+(?:for|about)\s+",
    re.I,
)
_PLACE = re.compile(r"\b(?:in|near)\s+([A-Z][^\W\d_]+(?:[ -][A-Z][^\W\d_]+)?)")


@dataclass(frozen=True)
class Facts:
    """What the prompt says about the business."""

    name: str | None
    place: str | None
    summary: str
    keywords: tuple[str, ...]


def infer_industry(prompt: str, industries: dict[str, str]) -> str | None:
    """The slug of the industry the prompt's words point to most (ties alphabetical), if any."""
    tokens = set(w.lower() for w in text.words(prompt))
    scores = {}
    for slug, name in industries.items():
        hints = set(INDUSTRY_HINTS.get(slug, "").split()) | {w.lower() for w in text.words(f"{slug} {name}")}
        scores[slug] = len(tokens & (hints - text.STOPWORDS))
    best = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    return best[0][0] if best and best[0][1] > 0 else None


def choose_template(
    prompt: str, industry: str | None, candidates: list[dict[str, Any]]
) -> dict[str, Any] | None:
    """The candidate scoring best: its industry (10), prompt words in its name, slug or category (3
    each) and in its description (1 each); ties go to the slug first in alphabetical order."""
    tokens = {w.lower() for w in text.words(prompt)} - text.STOPWORDS

    def score(candidate: dict[str, Any]) -> int:
        naming = {
            w.lower() for w in text.words(f"{candidate['name']} {candidate['slug']} {candidate['category']}")
        }
        described = {w.lower() for w in text.words(candidate.get("description") or "")}
        matches_industry = industry is not None and candidate.get("industry_slug") == industry
        return 10 * matches_industry + 3 * len(tokens & naming) + len(tokens & described)

    ranked = sorted(candidates, key=lambda c: (-score(c), c["slug"]))
    return ranked[0] if ranked else None


def facts(prompt: str, industry: str | None = None) -> Facts:
    """The business name (``called X``, ``named X`` or a quoted name), place, a summary without the
    naming, and keywords (phrases with a word of the industry first)."""
    named = _NAMED.search(prompt) or _QUOTED.search(prompt)
    name = named.group(1).strip(" .,'\u2019") if named else None
    described = " ".join((prompt[: named.start()] + prompt[named.end() :]).split()) if named else prompt
    described = _INSTRUCTION.sub("", described, count=1) or described
    place = next((m.group(1) for m in _PLACE.finditer(described)), None)
    first = (text.sentences(text.normalize(described)) or [described.strip()])[0].strip(" ,;")
    summary = text.clip_words(first[:1].upper() + first[1:], 160).rstrip(".!?,;") + "."
    hints = set(INDUSTRY_HINTS.get(industry or "", "").split())
    excluded = [w.lower() for w in text.words(f"{place or ''} {name or ''}")]
    terms = [t for t in text.top_terms(described, limit=8, exclude=excluded, min_pair=1) if len(t) <= 100]
    ranked = sorted(terms, key=lambda term: not hints & set(term.split()))
    keywords = [*ranked[:6], *([place.lower()] if place else [])]
    return Facts(name=name, place=place, summary=summary, keywords=tuple(keywords))


def generate(prompt: str, template: dict[str, Any] | None, industry: str | None = None) -> dict[str, Any]:
    """``{title, sections, seo}`` for the prompt: the template's sections with the hero, the first
    text and the contact section filled from the prompt, and SEO written for the business."""
    found = facts(prompt, industry)
    structure = template["structure"] if template else GENERIC_STRUCTURE
    specs = structure.get("sections") or []
    first_text = next((i for i, s in enumerate(specs) if s.get("type") == "text"), None)
    sections = [fill(spec, found, first_text=index == first_text) for index, spec in enumerate(specs)]
    title = found.name or text.clip_words(found.summary.rstrip("."), 60)
    return {"title": title[:200], "sections": sections, "seo": seo_for(found, title)}


def fill(section: dict[str, Any], found: Facts, *, first_text: bool = False) -> dict[str, Any]:
    """One section with what the prompt tells filled in (sanitized like any section): the hero
    names the business, the first text describes it, the contact section drops the template's
    sample address, phone and email."""
    kind = section.get("type", "custom")
    content = copy.deepcopy(section.get("content") or {})
    if kind == "hero":
        content["title"] = found.name or content.get("title") or found.summary.rstrip(".")
        content["subtitle"] = found.summary
    elif kind == "text" and first_text:
        content["bodyHtml"] = f"<p>{html.escape(found.summary, quote=False)}</p>"
    elif kind == "contact":
        for sample in ("address", "phone", "email"):
            content.pop(sample, None)
        if found.name:
            content["title"] = f"Visit {found.name}" if found.place else f"Contact {found.name}"
        if found.place:
            content["city"] = found.place
    return {"type": kind, "content": sanitize_content(content)}


def seo_for(found: Facts, title: str) -> dict[str, Any]:
    """A meta title (60), description (155) and keywords for the business, as SEO fields."""
    lead = found.keywords[0] if found.keywords else ""
    subject = f"{lead[:1].upper()}{lead[1:]}" if lead and lead != (found.place or "").lower() else ""
    if found.place and found.place.lower() not in subject.lower():
        subject = f"{subject} in {found.place}".strip()
    meta_title = f"{title} — {subject}" if subject and subject.lower() not in title.lower() else title
    described = found.summary
    if len(described) < 70 and found.name:
        described += f" Visit {found.name}" + (f" in {found.place}." if found.place else ".")
    return {
        "meta_title": text.clip_words(meta_title, 60),
        "meta_description": text.sentences_within(described, 155),
        "keywords": list(found.keywords)[:10],
    }
