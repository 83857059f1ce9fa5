"""Idempotent loading of reference data and of the demo tenant."""

from __future__ import annotations

import sqlalchemy as sa

from siteninja.core.db import utcnow
from siteninja.extensions import db
from siteninja.resources.navigation.models import NavigationItem
from siteninja.resources.pages.models import Page
from siteninja.resources.sections.models import Section
from siteninja.resources.seo.models import SeoMetadata
from siteninja.resources.templates.models import Industry, Template
from siteninja.resources.tenants.models import Tenant
from siteninja.resources.tenants.service import create_tenant
from siteninja.resources.users.models import User
from siteninja.services.passwords import hash_password
from siteninja.services.seed_data import INDUSTRIES, TEMPLATES


def seed_reference_data() -> tuple[int, int]:
    """Insert missing industries and templates and update changed ones in place (matched by slug);
    returns how many of each were added."""
    industries, added_industries = _seed_industries()
    existing = {t.slug: t for t in db.session.scalars(sa.select(Template))}
    added_templates = 0
    for spec in TEMPLATES:
        fields = {k: v for k, v in spec.items() if k != "industry"}
        fields["industry_id"] = industries[spec["industry"]].id
        template = existing.get(spec["slug"])
        if template is None:
            db.session.add(Template(**fields))
            added_templates += 1
        else:
            _update_in_place(template, fields)
    db.session.commit()
    return added_industries, added_templates


def _seed_industries() -> tuple[dict[str, Industry], int]:
    industries = {i.slug: i for i in db.session.scalars(sa.select(Industry))}
    added = 0
    for name, slug, description in INDUSTRIES:
        fields = {"name": name, "slug": slug, "description": description}
        if slug in industries:
            _update_in_place(industries[slug], fields)
            continue
        industries[slug] = Industry(**fields)
        db.session.add(industries[slug])
        added += 1
    db.session.flush()
    return industries, added


def _update_in_place(obj: Industry | Template, fields: dict) -> None:
    """Set only what differs, so an unchanged row is not rewritten (nor its ``updatedAt`` moved)."""
    for key, value in fields.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)


DEMO_SUBDOMAIN = "demo"
DEMO_OWNER_EMAIL = "owner@demo.siteninja.test"
DEMO_OWNER_PASSWORD = "Demo-Passw0rd!"


def seed_demo() -> bool:
    """Create the demo tenant with an owner, pages, sections and navigation; False if it exists."""
    if db.session.scalar(sa.select(Tenant.id).where(Tenant.subdomain == DEMO_SUBDOMAIN)):
        return False
    tenant = create_tenant(data={"name": "Demo Bistro", "subdomain": DEMO_SUBDOMAIN}, commit=False)
    owner = User(
        tenant_id=tenant.id,
        email=DEMO_OWNER_EMAIL,
        password_hash=hash_password(DEMO_OWNER_PASSWORD),
        name="Demo Owner",
        role="owner",
        email_verified=True,
    )
    db.session.add(owner)
    now = utcnow()
    pages = [
        Page(
            tenant_id=tenant.id,
            title="Home",
            slug="home",
            status="published",
            is_homepage=True,
            sort_order=0,
            published_at=now,
            created_by=owner.id,
        ),
        Page(
            tenant_id=tenant.id,
            title="Menu",
            slug="menu",
            status="published",
            sort_order=1,
            published_at=now,
            created_by=owner.id,
        ),
        Page(
            tenant_id=tenant.id,
            title="Contact",
            slug="contact",
            status="draft",
            sort_order=2,
            created_by=owner.id,
        ),
    ]
    db.session.add_all(pages)
    db.session.flush()
    home_sections = TEMPLATES[0]["structure"]["sections"]
    for position, section in enumerate(home_sections):
        db.session.add(Section(tenant_id=tenant.id, page_id=pages[0].id, sort_order=position, **section))
    db.session.add(
        SeoMetadata(
            tenant_id=tenant.id,
            page_id=pages[0].id,
            meta_title="Demo Bistro",
            meta_description="Fresh seasonal food in the heart of town.",
            keywords=["bistro"],
        )
    )
    for position, page in enumerate(pages[:2]):
        db.session.add(
            NavigationItem(
                tenant_id=tenant.id, label=page.title, page_id=page.id, location="header", sort_order=position
            )
        )
    db.session.add(
        NavigationItem(
            tenant_id=tenant.id,
            label="Instagram",
            url="https://instagram.com/",
            location="footer",
            open_in_new_tab=True,
        )
    )
    db.session.commit()
    return True
