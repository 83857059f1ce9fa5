"""The built-in AI provider: readability, keyword density, rewriting, SEO review, page generation."""

from __future__ import annotations

import pytest

from siteninja.services.ai import content, pages, seo, text
from siteninja.services.ai.seo import SeoInput
from siteninja.services.sanitize import clean_html
from tests.xss_corpus import XSS_PAYLOADS

SIMPLE = (
    "We bake bread every day. The shop opens at seven. You can buy rolls, cakes and coffee. "
    "Our staff are kind. Come and say hello."
)
CONVOLUTED = (
    "Notwithstanding the aforementioned considerations regarding organizational restructuring, the "
    "implementation of comprehensive interdepartmental communication methodologies necessitates "
    "extraordinarily meticulous deliberation, particularly considering the multifaceted "
    "ramifications of technological transformation initiatives."
)
LONG = (
    "Our family bakery was founded in 1990 by two friends who loved bread and wanted the whole "
    "neighbourhood to share it, and we have been baking sourdough loaves every single morning since "
    "then for the people of our town."
)


def test_readability_ranks_a_simple_text_above_a_convoluted_one():
    simple, hard = content.optimize(SIMPLE), content.optimize(CONVOLUTED)
    assert simple["readability"]["flesch_reading_ease"] > hard["readability"]["flesch_reading_ease"] + 40
    assert simple["readability"]["grade_level"] < hard["readability"]["grade_level"]
    assert simple["readability"]["avg_sentence_length"] == 5.0  # 25 words in 5 sentences
    assert hard["readability"]["avg_sentence_length"] == 27.0  # one sentence of 27 words
    assert simple["score"] > hard["score"]
    assert {s["type"] for s in hard["suggestions"]} >= {"readability", "sentence_length"}
    assert 0 <= hard["readability"]["flesch_reading_ease"] <= 100 and 0 <= hard["score"] <= 100


def test_keyword_density_is_exact_on_a_known_text():
    known = "Fresh bread daily. Fresh bread is good. We bake bread."  # 10 words
    assert text.keyword_density(known, ["fresh bread", "Bread", "cake"]) == {
        "fresh bread": 40.0,  # 2 occurrences x 2 words / 10
        "Bread": 30.0,
        "cake": 0.0,
    }
    assert text.keyword_density("", ["bread"]) == {"bread": 0.0}
    result = content.optimize(known, keywords=["fresh bread", "FRESH  bread", "cake"])
    assert result["keyword_density"] == {"fresh bread": 40.0, "cake": 0.0}, "duplicates folded"
    kinds = [(s["type"], s["severity"]) for s in result["suggestions"]]
    assert ("keyword_missing", "error") in kinds and ("keyword_density", "warning") in kinds


def test_long_sentences_are_split_and_passive_voice_is_flagged():
    result = content.optimize(LONG)
    optimized = result["optimized_content"]
    assert optimized.startswith("Our family bakery was founded in 1990")
    assert all(len(text.words(s)) <= 25 for s in text.sentences(optimized))
    assert text.readability(optimized)["avg_sentence_length"] < result["readability"]["avg_sentence_length"]
    assert " We have been baking sourdough" in optimized, "the split drops the 'and' and capitalizes"
    passive = [s for s in result["suggestions"] if s["type"] == "passive_voice"]
    assert passive and "'was founded'" in passive[0]["message"]


def test_missing_keywords_are_worked_into_the_first_paragraph():
    body = "We bake every day.\n\nOrder cakes for birthdays and weddings."
    result = content.optimize(body, tone="friendly", keywords=["sourdough bread", "cakes"])
    first, second = result["optimized_content"].split("\n\n")
    assert text.contains(first, "sourdough bread") and text.contains(first, "cakes")
    assert second == "Order cakes for birthdays and weddings."
    placement = [s for s in result["suggestions"] if s["type"] == "keyword_placement"]
    assert [s["message"] for s in placement] == ["Mention 'cakes' in the first paragraph."]


def test_formal_tone_expands_contractions_and_calms_exclamations():
    result = content.optimize("We're open daily!!! Don't miss it. It's worth it.", tone="formal")
    assert result["optimized_content"] == "We are open daily! Do not miss it. It is worth it."
    assert any(s["type"] == "tone" for s in result["suggestions"])


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_rich_text_in_rich_text_out_that_the_sanitizer_keeps(payload):
    result = content.optimize(f"<h2>Our bread</h2><p>We bake it daily.</p>{payload}", keywords=["sourdough"])
    optimized = result["optimized_content"]
    assert optimized.startswith("<p>Our bread</p><p>We bake it daily.")
    assert clean_html(optimized) == optimized, "nothing the sanitizer would remove"
    for dangerous in ("<script", "onerror", "javascript:", "<iframe", "style="):
        assert dangerous not in optimized.lower()


def test_plain_text_stays_plain_and_the_result_is_deterministic():
    first = content.optimize(LONG, tone="casual", keywords=["sourdough"])
    assert first == content.optimize(LONG, tone="casual", keywords=["sourdough"])
    assert not text.looks_like_html(first["optimized_content"])
    assert content.optimize("5 < 6 and a<b are fine")["optimized_content"] == "5 < 6 and a<b are fine"


def test_seo_review_names_each_field_with_severity():
    page = SeoInput(title="Bakery", content="We bake bread daily in Lisbon.", keywords=["sourdough"])
    result = seo.review(page)
    issues = {(i["field"], i["severity"]) for i in result["issues"]}
    assert ("title", "warning") in issues  # too short and no keyword
    assert ("metaDescription", "error") in issues
    assert ("keywords", "warning") in issues  # not in the content
    assert ("content", "warning") in issues and ("headings", "warning") in issues
    assert 0 <= result["score"] < 60
    good = SeoInput(
        title="Sourdough bakery in Lisbon with fresh bread daily",
        meta_description="Sourdough bread, pastries and coffee baked every morning in Lisbon. "
        "Order online or visit our shop in Alfama.",
        content=" ".join(["Our sourdough is baked every morning with flour from local mills."] * 40),
        keywords=["sourdough"],
        headings=["Sourdough every morning", "Visit us"],
    )
    assert seo.review(good)["issues"] == [] and seo.review(good)["score"] == 100


def test_seo_suggestions_fit_the_limits_and_carry_the_keyword():
    page = SeoInput(
        title="Home",
        content="Fresh bread\n\nWe bake sourdough bread daily in Lisbon. Visit our shop near the river. "
        "Everything is made by hand with organic flour from small mills.",
        keywords=["sourdough bread"],
        site_name="Padaria Lumen",
    )
    suggestions = seo.review(page)["suggestions"]
    assert suggestions["meta_title"] == "Home — Sourdough bread | Padaria Lumen"
    assert len(suggestions["meta_title"]) <= 60
    assert 70 <= len(suggestions["meta_description"]) <= 155
    assert suggestions["meta_description"].startswith("We bake sourdough bread daily in Lisbon.")
    assert suggestions["keywords"][0] == "sourdough bread" and len(suggestions["keywords"]) <= 8
    assert suggestions["headings"][0] == "Home — Sourdough bread"


CANDIDATES = [
    {"id": 1, "slug": "bistro-home", "name": "Bistro Home", "description": "Warm restaurant homepage",
     "category": "home", "industry_slug": "restaurant", "structure": {"sections": []}},
    {"id": 2, "slug": "restaurant-menu", "name": "Restaurant Menu", "description": "Menu with prices",
     "category": "menu", "industry_slug": "restaurant", "structure": {"sections": []}},
    {"id": 3, "slug": "law-firm", "name": "Law Firm", "description": "Practice areas and partners",
     "category": "home", "industry_slug": "professional-services", "structure": {"sections": []}},
]  # fmt: skip
INDUSTRIES = {"restaurant": "Restaurant & Café", "professional-services": "Professional Services"}


def test_template_choice_by_industry_then_prompt_words_then_slug():
    assert pages.infer_industry("A cosy cafe with brunch", INDUSTRIES) == "restaurant"
    assert pages.infer_industry("Hello there", INDUSTRIES) is None
    assert pages.choose_template("a page", "restaurant", CANDIDATES)["slug"] == "bistro-home"
    assert pages.choose_template("our menu and prices", "restaurant", CANDIDATES)["slug"] == "restaurant-menu"
    assert pages.choose_template("partners of a law firm", None, CANDIDATES)["slug"] == "law-firm"
    assert pages.choose_template("anything", None, []) is None


def test_generation_fills_the_template_from_the_prompt_deterministically():
    template = {
        "structure": {
            "sections": [
                {"type": "hero", "content": {"title": "Sample", "subtitle": "x", "ctaText": "Book"}},
                {"type": "text", "content": {"title": "Our story", "bodyHtml": "<p>Sample story</p>"}},
                {
                    "type": "contact",
                    "content": {"title": "Find us", "address": "1 Sample St", "hours": "9-5"},
                },
            ]
        }
    }
    prompt = "A family-run Italian restaurant in Lisbon called Nonna's Table serving handmade pasta."
    result = pages.generate(prompt, template, "restaurant")
    assert result == pages.generate(prompt, template, "restaurant")
    assert result["title"] == "Nonna's Table"
    hero, story, place = (s["content"] for s in result["sections"])
    assert hero["title"] == "Nonna's Table" and hero["ctaText"] == "Book"
    assert hero["subtitle"] == "A family-run Italian restaurant in Lisbon serving handmade pasta."
    assert story["bodyHtml"] == "<p>A family-run Italian restaurant in Lisbon serving handmade pasta.</p>"
    assert place == {"title": "Visit Nonna's Table", "hours": "9-5", "city": "Lisbon"}
    assert result["seo"]["meta_title"] == "Nonna's Table — Italian restaurant in Lisbon"
    assert result["seo"]["keywords"][0] == "italian restaurant" and "lisbon" in result["seo"]["keywords"]
    generic = pages.generate("Website for a yoga studio", None)
    assert [s["type"] for s in generic["sections"]] == ["hero", "text", "cta", "contact"]
    assert generic["title"] == "A yoga studio"
