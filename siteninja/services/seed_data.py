"""Reference data loaded by ``flask seed``: industries and the starter templates of local businesses."""

from siteninja.services.seed_more import MORE_TEMPLATES
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

INDUSTRIES = [
    ("Restaurant & Café", "restaurant", "Restaurants, cafés, bakeries and bars"),
    ("Professional Services", "professional-services", "Consultants, lawyers, accountants"),
    ("Health & Wellness", "health-wellness", "Clinics, dentists, therapists, gyms and studios"),
    ("Retail & Shop", "retail", "Shops and small e-commerce"),
    ("Creative & Portfolio", "creative", "Photographers, designers, artists"),
    ("Real Estate", "real-estate", "Agents, agencies and property managers"),
    ("Education", "education", "Schools, tutors and online courses"),
    ("Technology & SaaS", "technology", "Software products and startups"),
    ("Non-profit", "non-profit", "Charities and community organisations"),
    ("Events & Weddings", "events", "Planners, venues and wedding services"),
]

LOCAL_TEMPLATES = [
    {
        "name": "Bistro Home",
        "slug": "bistro-home",
        "category": "home",
        "industry": "restaurant",
        "is_premium": False,
        "description": (
            "A warm homepage for a neighbourhood restaurant: story, menu highlights, reviews, hours."
        ),
        "structure": {
            "sections": [
                hero(
                    "Seasonal cooking in the heart of the old town",
                    "Small plates, wood-fired mains and natural wines, from farms within 50 km.",
                    "Book a table",
                    "/reservations",
                ),
                text(
                    "Our story",
                    "Marta and Joel opened Bistro Lumen in 2016 in a former bakery on Market Street.",
                    "The menu changes every week with what our growers bring in. Bread is baked each "
                    "morning in the same oven that has stood here since 1932.",
                ),
                features(
                    "Why guests come back",
                    ("Local produce", "Vegetables, meat and cheese from twelve farms we know by name."),
                    ("Wood-fired kitchen", "Mains cooked over oak and vine cuttings in an open kitchen."),
                    ("Private dining", "A vaulted cellar room for up to 30 guests, with its own menu."),
                ),
                gallery(
                    "From our kitchen",
                    "bistro",
                    ("Roasted beetroot with goat's curd", "Beetroot, goat's curd, hazelnuts"),
                    ("The dining room at dusk", "Forty seats under the old bakery beams"),
                    ("Chef plating a dessert", "Burnt honey tart with crème fraîche"),
                ),
                testimonials(
                    "What guests say",
                    (
                        "The best risotto I have had outside Italy, and the staff remembered us.",
                        "Maria K.",
                        "Guest",
                    ),
                    (
                        "A proper neighbourhood place: relaxed, generous and never the same twice.",
                        "Tom B.",
                        "Local",
                    ),
                ),
                contact(
                    "Find us",
                    address="12 Market Street, Old Town",
                    phone="+351 21 000 1200",
                    email="hello@bistrolumen.example",
                    hours="Tue-Sat 12:00-15:00 and 18:30-23:00; Sun 12:00-16:00",
                ),
            ],
            "seo": seo(
                "Bistro Lumen — seasonal restaurant in the Old Town",
                "Seasonal small plates and wood-fired mains from local farms. Book a table for lunch or "
                "dinner, or the cellar room for private dining.",
                "restaurant",
                "seasonal food",
                "private dining",
            ),
        },
    },
    {
        "name": "Restaurant Menu",
        "slug": "restaurant-menu",
        "category": "menu",
        "industry": "restaurant",
        "is_premium": True,
        "description": (
            "A full menu page: starters, mains and desserts with prices, dietary notes and booking."
        ),
        "structure": {
            "sections": [
                hero(
                    "Our menu", "Written each Tuesday around the week's harvest.", "Reserve", "/reservations"
                ),
                text(
                    "Allergies and dietary needs",
                    "Every dish can be made without gluten or dairy on request. Please tell your server "
                    "about allergies when you order; our kitchen handles nuts and shellfish.",
                ),
                pricing(
                    "Starters",
                    ("Grilled sourdough, cultured butter", "6", "", ["vegetarian"]),
                    ("Beetroot, goat's curd, hazelnuts", "11", "", ["vegetarian", "gluten free"]),
                    ("Cured mackerel, cucumber, dill", "13", "", ["dairy free"]),
                ),
                pricing(
                    "Mains",
                    ("Wild mushroom risotto, aged parmesan", "19", "", ["vegetarian"]),
                    ("Wood-fired sea bass, fennel, lemon", "26", "", ["gluten free"]),
                    ("Slow-cooked pork shoulder, white beans", "24", "", []),
                ),
                pricing(
                    "Desserts",
                    ("Burnt honey tart, crème fraîche", "8", "", ["vegetarian"]),
                    ("Dark chocolate mousse, olive oil, salt", "8", "", ["gluten free"]),
                ),
                cta(
                    "Cooking for a group?",
                    "Our set menu for 8 to 30 guests comes with wine pairings from small producers.",
                    "Ask about group dining",
                ),
            ],
            "seo": seo(
                "Menu — starters, mains and desserts | Bistro Lumen",
                "This week's menu: sourdough and cultured butter, wild mushroom risotto, wood-fired sea "
                "bass and burnt honey tart. Gluten- and dairy-free on request.",
                "menu",
                "restaurant menu",
                "gluten free",
            ),
        },
    },
    {
        "name": "Dental Clinic",
        "slug": "clinic-home",
        "category": "home",
        "industry": "health-wellness",
        "is_premium": False,
        "description": (
            "A calm homepage for a dental practice: treatments, the team, first-visit FAQ, booking."
        ),
        "structure": {
            "sections": [
                hero(
                    "Gentle dentistry for the whole family",
                    "Check-ups, hygiene, whitening and implants in one practice, with evening appointments.",
                    "Book an appointment",
                    "/book",
                ),
                features(
                    "Treatments",
                    ("Check-ups and hygiene", "A full exam, scale and polish in one 45-minute visit."),
                    ("Children's dentistry", "Friendly first visits from age two, free for under-twelves."),
                    ("Whitening", "In-chair or take-home whitening, planned around your enamel."),
                    ("Implants and crowns", "Digital scans and same-week crowns milled on site."),
                ),
                team(
                    "Meet the team",
                    (
                        "Dr. Ana Silva",
                        "Principal dentist",
                        "Twenty years of family and restorative dentistry.",
                    ),
                    (
                        "Dr. Rui Costa",
                        "Implant surgeon",
                        "Trained in Lisbon and London; 2,000+ implants placed.",
                    ),
                    ("Inês Duarte", "Dental hygienist", "Makes cleanings painless and gives honest advice."),
                ),
                testimonials(
                    "Patients on their visits",
                    (
                        "I used to dread the dentist. Dr. Silva explained everything and it never hurt.",
                        "Paula M.",
                        "Patient",
                    ),
                    ("My son actually asks when his next check-up is.", "André L.", "Parent"),
                ),
                faq(
                    "Your first visit",
                    ("Do you take new patients?", "Yes. Most new patients are seen within a week."),
                    (
                        "What does a check-up cost?",
                        "A check-up with hygiene is 65 €; children under 12 are free.",
                    ),
                    ("Do you see emergencies?", "We keep same-day slots for pain and broken teeth; call us."),
                ),
                contact(
                    "Visit the practice",
                    address="Rua das Flores 48, 2nd floor (lift access)",
                    phone="+351 21 000 4800",
                    email="reception@smileclinic.example",
                    hours="Mon-Fri 08:30-20:00; Sat 09:00-13:00",
                ),
            ],
            "seo": seo(
                "Family dentist with evening appointments | Smile Clinic",
                "Check-ups, hygiene, whitening, implants and children's dentistry with evening and Saturday "
                "appointments. New patients seen within a week.",
                "dentist",
                "dental clinic",
                "teeth whitening",
                "dental implants",
            ),
        },
    },
    {
        "name": "Law Firm",
        "slug": "law-firm",
        "category": "home",
        "industry": "professional-services",
        "is_premium": True,
        "description": (
            "A trustworthy homepage for a law firm: practice areas, partners, results, consultation."
        ),
        "structure": {
            "sections": [
                hero(
                    "Clear legal advice when it matters most",
                    "Business, employment and property law for companies and families since 1998.",
                    "Request a consultation",
                ),
                features(
                    "Practice areas",
                    ("Business law", "Company formation, shareholder agreements and commercial contracts."),
                    ("Employment law", "Contracts, disputes and restructuring, for employers and staff."),
                    ("Real estate", "Purchases, leases and planning, from first offer to registration."),
                    ("Family and estates", "Wills, inheritance and separation, handled with discretion."),
                ),
                text(
                    "How we work",
                    "You get a fixed quote before we start and a named partner who answers your calls.",
                    "We explain your options in plain language, including when going to "
                    "court is not worth it.",
                ),
                team(
                    "Partners",
                    ("Helena Marques", "Managing partner", "Commercial litigation; 25 years at the bar."),
                    ("Duarte Ferreira", "Partner", "Employment law and workplace investigations."),
                    ("Sofia Almeida", "Partner", "Property and planning law for developers and buyers."),
                ),
                testimonials(
                    "Clients",
                    (
                        "They settled a two-year dispute in three months and kept us out of court.",
                        "CFO",
                        "Logistics company",
                    ),
                    (
                        "Calm, precise and always reachable during our house purchase.",
                        "J. and M. Rocha",
                        "Private clients",
                    ),
                ),
                cta(
                    "Talk to a lawyer this week",
                    "The first 30-minute consultation is free and confidential.",
                    "Book a consultation",
                ),
                contact(
                    "Our office",
                    address="Avenida da Liberdade 110, 4th floor",
                    phone="+351 21 000 1100",
                    email="office@marquesferreira.example",
                    hours="Mon-Fri 09:00-19:00",
                ),
            ],
            "seo": seo(
                "Business, employment and property lawyers | Marques Ferreira",
                "Law firm for companies and families: business, employment, real estate and estates. Fixed "
                "quotes and a free first consultation.",
                "law firm",
                "business lawyer",
                "employment law",
            ),
        },
    },
    {
        "name": "Fitness Studio",
        "slug": "fitness-studio",
        "category": "home",
        "industry": "health-wellness",
        "is_premium": False,
        "description": (
            "An energetic homepage for a gym or studio: classes, memberships, coaches, free trial."
        ),
        "structure": {
            "sections": [
                hero(
                    "Stronger every week, in classes of twelve",
                    "Strength, conditioning and mobility coached by people who know your name.",
                    "Claim a free class",
                    "/trial",
                ),
                features(
                    "Classes",
                    ("Strength foundations", "Learn the big lifts safely with a coach beside you."),
                    ("Conditioning", "Forty minutes of intervals that scale to any fitness level."),
                    ("Mobility and yoga", "Move better, sleep better, recover faster."),
                    ("Open gym", "Racks, rowers and bikes, open from 6 am."),
                ),
                pricing(
                    "Memberships",
                    ("Drop-in", "15", "class", ["Any class", "Towel and shower"]),
                    ("Eight classes", "89", "month", ["Eight classes", "Open gym", "App tracking"]),
                    ("Unlimited", "129", "month", ["Unlimited classes", "Open gym", "Quarterly assessment"]),
                ),
                team(
                    "Coaches",
                    ("Marco Ruiz", "Head coach", "Former rower; certified strength and conditioning coach."),
                    ("Lena Vogt", "Mobility coach", "Yoga teacher and physiotherapy student."),
                ),
                testimonials(
                    "Members",
                    (
                        "I deadlifted my bodyweight at 52. I never thought I'd say that.",
                        "Carla P.",
                        "Member since 2022",
                    ),
                    ("Small classes mean real coaching, not a crowd.", "Hugo S.", "Member"),
                ),
                faq(
                    "Before your first class",
                    ("I'm a complete beginner. Is that OK?", "Yes. Every class has a beginner version."),
                    ("Is there a contract?", "No. Memberships are monthly and you can pause them."),
                ),
                cta(
                    "Your first class is on us",
                    "Pick a time that suits you and just bring trainers.",
                    "Book a free class",
                    "/trial",
                ),
            ],
            "seo": seo(
                "Small-group strength and conditioning classes | Forge Studio",
                "Coached strength, conditioning and mobility classes of twelve people. Beginners welcome, "
                "monthly memberships, first class free.",
                "gym",
                "fitness classes",
                "personal training",
            ),
        },
    },
    {
        "name": "Photographer Portfolio",
        "slug": "photographer-portfolio",
        "category": "portfolio",
        "industry": "creative",
        "is_premium": True,
        "description": "A gallery-first portfolio with packages, kind words and an enquiry form.",
        "structure": {
            "sections": [
                hero(
                    "Honest pictures of real days",
                    "Weddings, families and portraits in natural light.",
                    "Check my dates",
                ),
                gallery(
                    "Selected work",
                    "photographer",
                    ("Couple laughing under a fig tree", "Sintra, June"),
                    ("Newborn asleep in her father's arms", "At home, Porto"),
                    ("Portrait of a potter in her studio", "Caldas da Rainha"),
                    ("Guests dancing in the rain", "Alentejo, October"),
                ),
                text(
                    "About me",
                    "I'm Inês, a documentary photographer. I stay in the background and photograph what "
                    "actually happens, so you remember how the day felt, not just how it looked.",
                ),
                pricing(
                    "Packages",
                    ("Portrait session", "290", "session", ["1 hour", "30 edited photos", "Online gallery"]),
                    (
                        "Family at home",
                        "450",
                        "session",
                        ["2 hours", "60 edited photos", "Printed album option"],
                    ),
                    ("Wedding day", "2400", "day", ["Up to 10 hours", "600+ photos", "Second photographer"]),
                ),
                testimonials(
                    "Kind words",
                    ("We cried looking at the gallery. Every photo is us.", "Rita and Sam", "Married 2024"),
                ),
                contact(
                    "Let's talk about your day", email="hello@inesphoto.example", phone="+351 91 000 0000"
                ),
            ],
            "seo": seo(
                "Documentary wedding and family photographer | Inês Photo",
                "Natural, documentary photography of weddings, families and portraits in Portugal. See "
                "packages and check availability.",
                "wedding photographer",
                "family photographer",
                "portrait photography",
            ),
        },
    },
]

TEMPLATES = LOCAL_TEMPLATES + MORE_TEMPLATES
