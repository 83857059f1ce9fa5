"""Builders for the sections of the seeded templates, so their content has one shape per type."""

from __future__ import annotations

from typing import Any

Section = dict[str, Any]


def hero(title: str, subtitle: str, cta: str, url: str = "/contact") -> Section:
    """A hero banner with one call to action."""
    return {"type": "hero", "content": {"title": title, "subtitle": subtitle, "ctaText": cta, "ctaUrl": url}}


def text(title: str, *paragraphs: str) -> Section:
    """A block of rich text: one ``<p>`` per paragraph."""
    body = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    return {"type": "text", "content": {"title": title, "bodyHtml": body}}


def features(title: str, *items: tuple[str, str]) -> Section:
    """A grid of (title, text) items."""
    return {
        "type": "features",
        "content": {"title": title, "items": [{"title": head, "text": body} for head, body in items]},
    }


def testimonials(title: str, *items: tuple[str, str, str]) -> Section:
    """(quote, author, role) quotes."""
    return {
        "type": "testimonials",
        "content": {
            "title": title,
            "items": [{"quote": quote, "author": author, "role": role} for quote, author, role in items],
        },
    }


def gallery(title: str, folder: str, *images: tuple[str, str]) -> Section:
    """(alt text, caption) images; the files are placeholders under ``/static/templates/<folder>/``."""
    return {
        "type": "gallery",
        "content": {
            "title": title,
            "layout": "grid",
            "images": [
                {"url": f"/static/templates/{folder}/{index}.jpg", "alt": alt, "caption": caption}
                for index, (alt, caption) in enumerate(images, start=1)
            ],
        },
    }


def pricing(title: str, *plans: tuple[str, str, str, list[str]]) -> Section:
    """(name, price, period, included) plans."""
    return {
        "type": "pricing",
        "content": {
            "title": title,
            "currency": "EUR",
            "plans": [
                {"name": name, "price": price, "period": period, "features": included}
                for name, price, period, included in plans
            ],
        },
    }


def faq(title: str, *items: tuple[str, str]) -> Section:
    """(question, answer) pairs."""
    return {
        "type": "faq",
        "content": {"title": title, "items": [{"question": q, "answer": a} for q, a in items]},
    }


def team(title: str, *members: tuple[str, str, str]) -> Section:
    """(name, role, bio) people."""
    return {
        "type": "team",
        "content": {
            "title": title,
            "members": [{"name": name, "role": role, "bio": bio} for name, role, bio in members],
        },
    }


def cta(title: str, body: str, button: str, url: str = "/contact") -> Section:
    """A closing call to action."""
    return {"type": "cta", "content": {"title": title, "text": body, "buttonText": button, "buttonUrl": url}}


def contact(title: str, **details: str) -> Section:
    """Address, phone, email, hours: whatever the business shows."""
    return {"type": "contact", "content": {"title": title, **details}}


def seo(title: str, description: str, *keywords: str) -> dict[str, Any]:
    """A template's SEO in wire form."""
    return {"metaTitle": title, "metaDescription": description, "keywords": list(keywords)}
