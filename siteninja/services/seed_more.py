"""More seeded templates: products, causes, property, courses, shops, consultants and weddings."""

from siteninja.services.seed_sections import (
    contact,
    cta,
    faq,
    features,
    gallery,
    hero,
    pricing,
    seo,
    team,
    testimonials,
    text,
)

MORE_TEMPLATES = [
    {
        "name": "SaaS Product",
        "slug": "saas-product",
        "category": "landing",
        "industry": "technology",
        "is_premium": True,
        "description": "A product landing page: benefits, how it works, pricing tiers, social proof and FAQ.",
        "structure": {
            "sections": [
                hero(
                    "Standups in five minutes, not fifty",
                    "Async check-ins for remote teams, right where you already work.",
                    "Start a free trial",
                    "/signup",
                ),
                features(
                    "Why teams switch",
                    ("Async by default", "Everyone answers three questions when it suits their time zone."),
                    ("Works in Slack and Teams", "No new app to open; summaries land in your channel."),
                    ("Blockers surface early", "Flagged blockers go straight to the person who can help."),
                    ("Private by design", "EU hosting, SSO and audit logs on every plan."),
                ),
                text(
                    "How it works",
                    "Connect your chat workspace, pick a schedule and invite the team. Each morning "
                    "everyone gets a short prompt; by 10 am the summary is in the channel.",
                ),
                pricing(
                    "Simple pricing",
                    (
                        "Team",
                        "8",
                        "user / month",
                        ["Unlimited check-ins", "Slack and Teams", "30-day history"],
                    ),
                    ("Business", "15", "user / month", ["Everything in Team", "SSO", "Unlimited history"]),
                ),
                testimonials(
                    "Teams like yours",
                    ("We cut our weekly meetings in half in the first month.", "Priya N.", "CTO, Northwind"),
                    ("Finally a standup that works across six time zones.", "Jonas W.", "Engineering lead"),
                ),
                faq(
                    "Questions",
                    ("Is there a free trial?", "Yes, 14 days with every feature and no card required."),
                    ("Where is our data stored?", "In the EU (Frankfurt), encrypted at rest and in transit."),
                    ("Can we cancel any time?", "Yes. Monthly plans end at the close of the billing period."),
                ),
                cta(
                    "Try it with your team",
                    "Set up takes four minutes. Your first standup runs tomorrow.",
                    "Start free",
                    "/signup",
                ),
            ],
            "seo": seo(
                "Async standups for remote teams | Daybreak",
                "Replace daily standup meetings with async check-ins in Slack or Teams. Summaries, blocker "
                "alerts and EU hosting. Free 14-day trial.",
                "async standup",
                "remote teams",
                "slack standup bot",
            ),
        },
    },
    {
        "name": "Charity Appeal",
        "slug": "charity-appeal",
        "category": "landing",
        "industry": "non-profit",
        "is_premium": False,
        "description": (
            "A donation appeal: the problem, the impact of each gift, stories and a clear way to give."
        ),
        "structure": {
            "sections": [
                hero(
                    "Clean water for 10,000 families by 2027",
                    "Every 25 € installs a household filter that lasts ten years.",
                    "Donate now",
                    "/donate",
                ),
                text(
                    "Why it matters",
                    "In the villages we work with, children walk an average of 6 km a day for water that "
                    "still makes them ill. A simple ceramic filter changes that overnight.",
                ),
                features(
                    "Your gift at work",
                    ("25 €", "One household filter, installed and explained."),
                    ("120 €", "Training for a local technician who maintains 200 filters."),
                    ("600 €", "A school rainwater tank serving 300 pupils."),
                ),
                testimonials(
                    "Voices from the villages",
                    (
                        "My daughters go to school now instead of walking for water.",
                        "Amina",
                        "Mother of three",
                    ),
                ),
                faq(
                    "About your donation",
                    (
                        "How much reaches the projects?",
                        "89 cents of every euro; our accounts are audited yearly.",
                    ),
                    (
                        "Is my donation tax-deductible?",
                        "Yes, we send a receipt for your tax return each January.",
                    ),
                ),
                cta(
                    "Give clean water today",
                    "Monthly gifts let us plan installations a year ahead.",
                    "Give monthly",
                    "/donate",
                ),
            ],
            "seo": seo(
                "Donate clean water filters to families | Water for All",
                "25 € installs a household water filter that lasts ten years. See the impact of your gift "
                "and donate once or monthly.",
                "charity",
                "clean water",
                "donate",
            ),
        },
    },
    {
        "name": "Property Listings",
        "slug": "property-listings",
        "category": "listings",
        "industry": "real-estate",
        "is_premium": False,
        "description": (
            "An estate agency page: featured homes, why list with us, agents and a free valuation."
        ),
        "structure": {
            "sections": [
                hero(
                    "Find your next home in Lisbon",
                    "Local agents who know every street, school and tram stop.",
                    "Browse homes",
                    "/listings",
                ),
                features(
                    "Featured homes",
                    ("Two-bedroom flat, Campo de Ourique", "82 m², balcony, renovated 2023 — 465,000 €"),
                    ("Family house, Restelo", "4 bedrooms, garden, garage — 1,250,000 €"),
                    ("Studio, Alfama", "River view, ideal first home — 239,000 €"),
                ),
                text(
                    "Why sell with us",
                    "We photograph, film and list your home within a week, and we only charge when it sells. "
                    "Last year our homes sold in 41 days on average, at 98% of the asking price.",
                ),
                team(
                    "Your agents",
                    ("Carolina Dias", "Senior agent", "Campo de Ourique and Estrela; 300 homes sold."),
                    ("Miguel Santos", "Agent", "Belém and Restelo; speaks English and French."),
                ),
                testimonials(
                    "Sellers and buyers",
                    (
                        "Sold in three weeks, above asking, without a single wasted viewing.",
                        "Teresa G.",
                        "Seller",
                    ),
                ),
                cta(
                    "What is your home worth?",
                    "Get a free, no-obligation valuation within 48 hours.",
                    "Book a valuation",
                    "/valuation",
                ),
                contact(
                    "Visit the agency",
                    address="Rua Ferreira Borges 21",
                    phone="+351 21 000 2100",
                    hours="Mon-Sat 09:30-19:00",
                ),
            ],
            "seo": seo(
                "Homes for sale in Lisbon | Casa Lisboa estate agents",
                "Flats and houses for sale in Campo de Ourique, Restelo, Alfama and across Lisbon. Free "
                "valuation and local agents.",
                "homes for sale",
                "estate agent",
                "property valuation",
            ),
        },
    },
    {
        "name": "Course Landing",
        "slug": "course-landing",
        "category": "landing",
        "industry": "education",
        "is_premium": False,
        "description": "Sell an online course: outcomes, curriculum, instructor, pricing and FAQ.",
        "structure": {
            "sections": [
                hero(
                    "Learn Python in 8 weeks",
                    "Live evening cohorts, real projects and a mentor who reviews your code.",
                    "Enrol now",
                    "/enrol",
                ),
                features(
                    "What you will build",
                    ("A web scraper", "Collect prices from real sites and chart them."),
                    ("A REST API", "Design, test and deploy a small API with Flask."),
                    ("A data report", "Clean a messy spreadsheet and publish the findings."),
                ),
                text(
                    "The curriculum",
                    "Weeks 1-2 cover the language itself; weeks 3-5 files, APIs and testing; weeks 6-8 a "
                    "capstone project of your choice, presented on demo night.",
                ),
                team(
                    "Your instructor",
                    ("Joana Pires", "Lead instructor", "Backend engineer for 12 years; taught 900 students."),
                ),
                pricing(
                    "Join the next cohort",
                    ("Self-paced", "190", "course", ["All recordings", "Exercises", "Community forum"]),
                    (
                        "Live cohort",
                        "490",
                        "course",
                        ["Two live sessions a week", "Code reviews", "Certificate"],
                    ),
                ),
                faq(
                    "Questions",
                    ("Do I need to know how to code?", "No. You need a laptop and five hours a week."),
                    ("Is there a refund?", "Yes, a full refund within the first 14 days."),
                ),
            ],
            "seo": seo(
                "8-week Python course for beginners, live online | CodeCohort",
                "Learn Python from scratch in 8 weeks with live classes, real projects and code reviews. "
                "Beginners welcome; refund within 14 days.",
                "python course",
                "learn python",
                "online coding course",
            ),
        },
    },
    {
        "name": "Boutique Shop",
        "slug": "boutique-shop",
        "category": "home",
        "industry": "retail",
        "is_premium": False,
        "description": "A storefront homepage: new arrivals, what makes the shop special, reviews, hours.",
        "structure": {
            "sections": [
                hero(
                    "Hand-picked goods from small makers",
                    "Ceramics, linen and paper goods made to last.",
                    "Visit the shop",
                    "/shop",
                ),
                gallery(
                    "New this week",
                    "boutique",
                    ("Speckled stoneware mugs", "Stoneware mug, 24 €"),
                    ("Stonewashed linen tote", "Linen tote, 32 €"),
                    ("Hand-bound notebook", "A5 notebook, 18 €"),
                ),
                features(
                    "Why shop with us",
                    ("Made by people, not factories", "We know every maker and visit their studios."),
                    ("Free local delivery", "Same-day delivery in the city on orders over 40 €."),
                    ("Gift wrapping", "Wrapped in recycled paper with a handwritten note."),
                ),
                testimonials(
                    "From our customers",
                    (
                        "The kind of shop you walk into for a card and leave with five gifts.",
                        "Leonor F.",
                        "Customer",
                    ),
                ),
                contact(
                    "Opening hours",
                    address="Rua da Rosa 7",
                    hours="Mon-Sat 10:00-19:00; Sun 11:00-17:00",
                    phone="+351 21 000 0700",
                ),
            ],
            "seo": seo(
                "Independent shop for ceramics, linen and gifts | Atelier Rosa",
                "Hand-picked ceramics, linen and paper goods from small makers. Free same-day local "
                "delivery and gift wrapping.",
                "gift shop",
                "handmade ceramics",
                "independent shop",
            ),
        },
    },
    {
        "name": "Consultant Landing",
        "slug": "consultant-landing",
        "category": "landing",
        "industry": "professional-services",
        "is_premium": False,
        "description": (
            "A focused landing page for an independent consultant: services, approach, results, call."
        ),
        "structure": {
            "sections": [
                hero(
                    "Clear advice for growing companies",
                    "Strategy and operations for teams of 20 to 200 people, since 2009.",
                    "Book a call",
                ),
                features(
                    "Services",
                    ("Strategy sprints", "A two-week review ending in a plan your team can execute."),
                    ("Operations", "Processes, tools and metrics that keep working as you hire."),
                    ("Interim leadership", "A part-time COO while you find the right full-time one."),
                ),
                text(
                    "How I work",
                    "I start by listening to your customers and your team, not by selling a framework. "
                    "You get a written plan, a weekly check-in and a fixed fee agreed up front.",
                ),
                testimonials(
                    "Results",
                    ("Our delivery times fell by a third within a quarter.", "Rui T.", "CEO, Tiles & Co."),
                    ("Straight talk, good questions and a plan we actually followed.", "Anna K.", "Founder"),
                ),
                cta("Ready to talk?", "A free 30-minute call to see whether I can help.", "Get in touch"),
            ],
            "seo": seo(
                "Strategy and operations consultant for growing companies",
                "Independent consultant helping companies of 20 to 200 people with strategy sprints, "
                "operations and interim leadership. Book a free call.",
                "business consultant",
                "operations consulting",
                "strategy",
            ),
        },
    },
    {
        "name": "Wedding Planner",
        "slug": "wedding-planner",
        "category": "home",
        "industry": "events",
        "is_premium": True,
        "description": (
            "An elegant page for a wedding planner or venue: services, past weddings, packages, enquiry."
        ),
        "structure": {
            "sections": [
                hero(
                    "Weddings planned down to the last candle",
                    "Full planning and on-the-day coordination across Portugal.",
                    "Check availability",
                ),
                features(
                    "What we do",
                    (
                        "Full planning",
                        "Venue, suppliers, budget and timeline, from engagement to last dance.",
                    ),
                    ("Partial planning", "You have the ideas; we make them happen and keep them on budget."),
                    ("On-the-day coordination", "We run the day so you and your families can enjoy it."),
                ),
                gallery(
                    "Recent weddings",
                    "weddings",
                    ("Long table dinner in a vineyard", "Douro Valley, September"),
                    ("Ceremony on a cliff above the sea", "Cascais, May"),
                    ("Bride and groom under string lights", "Comporta, July"),
                ),
                testimonials(
                    "Couples",
                    (
                        "We didn't make a single phone call on the day. Everything just happened.",
                        "Clara and Ben",
                        "Douro 2024",
                    ),
                ),
                pricing(
                    "Packages",
                    (
                        "Coordination",
                        "1800",
                        "wedding",
                        ["From 8 weeks before", "Supplier liaison", "10 hours on the day"],
                    ),
                    (
                        "Full planning",
                        "6500",
                        "wedding",
                        ["From engagement", "Venue search", "Design and styling"],
                    ),
                ),
                contact(
                    "Tell us about your plans", email="hello@candlelight.example", phone="+351 91 000 1234"
                ),
            ],
            "seo": seo(
                "Wedding planner in Portugal | Candlelight Weddings",
                "Full planning, partial planning and on-the-day coordination for weddings in the Douro, "
                "Cascais and Comporta. Check our availability.",
                "wedding planner",
                "destination wedding",
                "portugal wedding",
            ),
        },
    },
]
