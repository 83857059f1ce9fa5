"""Reference data loaded by ``flask seed``: industries and starter templates."""

INDUSTRIES = [
    ("Restaurant & Café", "restaurant", "Restaurants, cafés, bakeries and bars"),
    ("Professional Services", "professional-services", "Consultants, lawyers, accountants"),
    ("Health & Wellness", "health-wellness", "Clinics, therapists, gyms and studios"),
    ("Retail & Shop", "retail", "Shops and small e-commerce"),
    ("Creative & Portfolio", "creative", "Photographers, designers, artists"),
    ("Real Estate", "real-estate", "Agents, agencies and property managers"),
    ("Education", "education", "Schools, tutors and online courses"),
    ("Technology & SaaS", "technology", "Software products and startups"),
    ("Non-profit", "non-profit", "Charities and community organisations"),
    ("Events & Weddings", "events", "Planners, venues and wedding services"),
]


def _hero(title: str, subtitle: str, cta: str) -> dict:
    return {
        "type": "hero",
        "content": {"title": title, "subtitle": subtitle, "ctaText": cta, "ctaUrl": "/contact"},
    }


TEMPLATES = [
    {
        "name": "Bistro Home",
        "slug": "bistro-home",
        "category": "home",
        "industry": "restaurant",
        "is_premium": False,
        "description": "A warm homepage for a neighbourhood restaurant with menu highlights.",
        "structure": {
            "sections": [
                _hero("Fresh food, made daily", "Seasonal dishes from local farms", "Book a table"),
                {
                    "type": "features",
                    "content": {
                        "title": "Why guests return",
                        "items": [
                            {"title": "Local produce", "text": "Sourced within 50 km."},
                            {"title": "Open kitchen", "text": "Watch our chefs at work."},
                            {"title": "Private dining", "text": "Rooms for up to 30 guests."},
                        ],
                    },
                },
                {
                    "type": "testimonials",
                    "content": {"items": [{"quote": "The best risotto in town.", "author": "Maria K."}]},
                },
                {
                    "type": "contact",
                    "content": {
                        "title": "Find us",
                        "address": "12 Market Street",
                        "hours": "Tue-Sun 12:00-22:00",
                    },
                },
            ],
            "seo": {
                "metaTitle": "Bistro — fresh seasonal food",
                "metaDescription": "Seasonal dishes from local farms.",
            },
        },
    },
    {
        "name": "Restaurant Menu",
        "slug": "restaurant-menu",
        "category": "menu",
        "industry": "restaurant",
        "is_premium": True,
        "description": "A menu page with sections for starters, mains and desserts.",
        "structure": {
            "sections": [
                {
                    "type": "text",
                    "content": {"title": "Our menu", "bodyHtml": "<p>Changes with the seasons.</p>"},
                },
                {
                    "type": "pricing",
                    "content": {
                        "title": "Mains",
                        "items": [
                            {"name": "Wild mushroom risotto", "price": "18"},
                            {"name": "Grilled sea bass", "price": "24"},
                        ],
                    },
                },
            ]
        },
    },
    {
        "name": "Consultant Landing",
        "slug": "consultant-landing",
        "category": "landing",
        "industry": "professional-services",
        "is_premium": False,
        "description": "A focused landing page for an independent consultant.",
        "structure": {
            "sections": [
                _hero(
                    "Clear advice for growing companies", "Strategy and operations since 2009", "Book a call"
                ),
                {
                    "type": "features",
                    "content": {
                        "title": "Services",
                        "items": [
                            {"title": "Strategy", "text": "Plans you can execute."},
                            {"title": "Operations", "text": "Processes that scale."},
                        ],
                    },
                },
                {
                    "type": "cta",
                    "content": {
                        "title": "Ready to talk?",
                        "buttonText": "Get in touch",
                        "buttonUrl": "/contact",
                    },
                },
            ]
        },
    },
    {
        "name": "Clinic Home",
        "slug": "clinic-home",
        "category": "home",
        "industry": "health-wellness",
        "is_premium": False,
        "description": "A calm homepage for a clinic or practice, with services and team.",
        "structure": {
            "sections": [
                _hero("Care that listens", "Family medicine and physiotherapy", "Book an appointment"),
                {
                    "type": "team",
                    "content": {"members": [{"name": "Dr. Ana Silva", "role": "General practitioner"}]},
                },
                {
                    "type": "faq",
                    "content": {
                        "items": [{"question": "Do you take walk-ins?", "answer": "Mornings, 8-10."}]
                    },
                },
            ]
        },
    },
    {
        "name": "Boutique Shop",
        "slug": "boutique-shop",
        "category": "home",
        "industry": "retail",
        "is_premium": False,
        "description": "A storefront homepage with featured products and opening hours.",
        "structure": {
            "sections": [
                _hero("Hand-picked goods", "Small makers, lasting quality", "Visit the shop"),
                {"type": "gallery", "content": {"images": [{"alt": "Ceramic mugs"}, {"alt": "Linen bags"}]}},
                {"type": "contact", "content": {"title": "Opening hours", "hours": "Mon-Sat 10:00-18:00"}},
            ]
        },
    },
    {
        "name": "Photographer Portfolio",
        "slug": "photographer-portfolio",
        "category": "portfolio",
        "industry": "creative",
        "is_premium": True,
        "description": "A full-bleed gallery portfolio with a short bio.",
        "structure": {
            "sections": [
                {"type": "gallery", "content": {"layout": "masonry", "images": []}},
                {
                    "type": "text",
                    "content": {"title": "About", "bodyHtml": "<p>Documentary and portrait work.</p>"},
                },
            ]
        },
    },
    {
        "name": "Property Listings",
        "slug": "property-listings",
        "category": "listings",
        "industry": "real-estate",
        "is_premium": False,
        "description": "Featured properties and a valuation call to action.",
        "structure": {
            "sections": [
                _hero("Find your next home", "Local agents who know every street", "Book a valuation"),
                {"type": "features", "content": {"title": "Featured homes", "items": []}},
                {"type": "cta", "content": {"title": "Thinking of selling?", "buttonText": "Free valuation"}},
            ]
        },
    },
    {
        "name": "Course Landing",
        "slug": "course-landing",
        "category": "landing",
        "industry": "education",
        "is_premium": False,
        "description": "Sell an online course: outcomes, curriculum, pricing and FAQ.",
        "structure": {
            "sections": [
                _hero("Learn Python in 8 weeks", "Live cohorts, real projects", "Enrol now"),
                {"type": "pricing", "content": {"plans": [{"name": "Cohort", "price": "490"}]}},
                {
                    "type": "faq",
                    "content": {"items": [{"question": "Is there a refund?", "answer": "Within 14 days."}]},
                },
            ]
        },
    },
    {
        "name": "SaaS Product",
        "slug": "saas-product",
        "category": "landing",
        "industry": "technology",
        "is_premium": True,
        "description": "A product page with features, pricing tiers and testimonials.",
        "structure": {
            "sections": [
                _hero(
                    "Ship faster with fewer meetings", "Async standups for remote teams", "Start free trial"
                ),
                {
                    "type": "features",
                    "content": {"items": [{"title": "Integrations", "text": "Slack, GitHub, Jira."}]},
                },
                {
                    "type": "pricing",
                    "content": {
                        "plans": [{"name": "Team", "price": "8"}, {"name": "Business", "price": "15"}]
                    },
                },
                {
                    "type": "testimonials",
                    "content": {"items": [{"quote": "We cut meetings by half.", "author": "CTO, Acme"}]},
                },
            ]
        },
    },
    {
        "name": "Charity Appeal",
        "slug": "charity-appeal",
        "category": "landing",
        "industry": "non-profit",
        "is_premium": False,
        "description": "A donation appeal with impact numbers and a clear call to give.",
        "structure": {
            "sections": [
                _hero("Clean water for 10,000 families", "Every 25 € funds one filter", "Donate"),
                {
                    "type": "features",
                    "content": {
                        "title": "Our impact",
                        "items": [{"title": "4,200 filters", "text": "Installed in 2025."}],
                    },
                },
            ]
        },
    },
]
