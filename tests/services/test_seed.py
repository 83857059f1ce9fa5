"""Seeded industries and templates: real-looking, valid as the API validates them, idempotent."""

from __future__ import annotations

import sqlalchemy as sa

from siteninja.extensions import db
from siteninja.models import Industry, Template
from siteninja.resources.templates.schemas import StructureSchema
from siteninja.resources.templates.service import normalized_structure
from siteninja.services.seed import seed_reference_data
from siteninja.services.seed_data import INDUSTRIES, TEMPLATES

EXPECTED_KINDS = {
    "bistro-home",
    "clinic-home",
    "law-firm",
    "photographer-portfolio",
    "fitness-studio",
    "saas-product",
    "charity-appeal",
    "property-listings",
}


def counts() -> tuple[int, int]:
    industries = db.session.scalar(sa.select(sa.func.count()).select_from(Industry))
    templates = db.session.scalar(sa.select(sa.func.count()).select_from(Template))
    return industries, templates


def test_seed_twice_adds_once_and_never_duplicates(app):
    assert seed_reference_data() == (len(INDUSTRIES), len(TEMPLATES))
    first = counts()
    stamps = dict(db.session.execute(sa.select(Template.slug, Template.updated_at)).all())
    assert seed_reference_data() == (0, 0)
    assert counts() == first == (len(INDUSTRIES), len(TEMPLATES))
    db.session.expire_all()
    assert dict(db.session.execute(sa.select(Template.slug, Template.updated_at)).all()) == stamps


def test_reseeding_updates_changed_rows_in_place(app):
    seed_reference_data()
    bistro = db.session.scalar(sa.select(Template).where(Template.slug == "bistro-home"))
    original_id, original_structure = bistro.id, bistro.structure
    bistro.name, bistro.structure, bistro.is_premium = "Edited", {"sections": []}, True
    db.session.scalar(sa.select(Industry).where(Industry.slug == "restaurant")).name = "Food"
    db.session.commit()
    assert seed_reference_data() == (0, 0)
    db.session.expire_all()
    again = db.session.scalar(sa.select(Template).where(Template.slug == "bistro-home"))
    assert again.id == original_id and again.name == "Bistro Home" and again.is_premium is False
    assert again.structure == original_structure
    restaurant = db.session.scalar(sa.select(Industry.name).where(Industry.slug == "restaurant"))
    assert restaurant == "Restaurant & Café"
    assert counts() == (len(INDUSTRIES), len(TEMPLATES))


def test_seeded_templates_are_real_looking_and_valid_as_the_api_checks_them():
    assert len(TEMPLATES) >= 8
    assert {t["slug"] for t in TEMPLATES} >= EXPECTED_KINDS
    assert len({t["slug"] for t in TEMPLATES}) == len(TEMPLATES)
    assert {t["is_premium"] for t in TEMPLATES} == {True, False}
    assert len({t["industry"] for t in TEMPLATES}) >= 8
    industry_slugs = {slug for _, slug, _ in INDUSTRIES}
    for spec in TEMPLATES:
        structure = spec["structure"]
        assert spec["industry"] in industry_slugs
        assert 5 <= len(structure["sections"]) <= 8, spec["slug"]
        loaded = StructureSchema().load(structure)
        assert normalized_structure(loaded) == structure, f"{spec['slug']}: stored as the API stores it"
        seo = structure["seo"]
        assert 20 <= len(seo["metaTitle"]) <= 70 and 80 <= len(seo["metaDescription"]) <= 320
        assert seo["keywords"], spec["slug"]
        words = sum(len(value.split()) for value in _strings(structure["sections"]))
        assert words >= 60, f"{spec['slug']} has believable copy, not placeholders"


def _strings(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield value
