"""Tenant search benchmark: 2,000 pages x 6 sections on PostgreSQL, through the Flask test client.

Seeds with bulk inserts, builds the index with ``reindex`` (what ``flask search reindex`` runs), then
times a few representative queries (single word, phrase, no hit, a broad word) and prints p50/p95/p99
latency and the SQL statements of one request. The response cache is off, so every request searches.

Usage: ``python bench/search.py [--requests 200] [--pages 2000] [--database siteninja_bench_rs]``.
Needs PostgreSQL on 127.0.0.1; creates (and recreates) the named database. Never run by the test suite.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

import psycopg2
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from siteninja import create_app  # noqa: E402
from siteninja.extensions import db  # noqa: E402
from siteninja.models import Page, Section, User  # noqa: E402
from siteninja.resources.auth.tokens import issue_tokens  # noqa: E402
from siteninja.resources.search.service import reindex  # noqa: E402
from siteninja.resources.tenants.service import create_tenant  # noqa: E402
from siteninja.services.passwords import hash_password  # noqa: E402
from tests.conftest import count_queries  # noqa: E402

SECTIONS = 6
WORDS = [
    "bread",
    "sourdough",
    "rye",
    "spelt",
    "oven",
    "flour",
    "crust",
    "crumb",
    "butter",
    "croissant",
    "pastry",
    "cake",
    "lemon",
    "almond",
    "honey",
    "coffee",
    "morning",
    "bakery",
    "fresh",
    "daily",
    "local",
    "organic",
    "seed",
    "grain",
    "wheat",
    "yeast",
    "starter",
    "proof",
    "knead",
    "loaf",
]
QUERIES = {
    "single word": "croissant",
    "phrase": '"fresh sourdough"',
    "no hit": "zeppelin",
    "broad word": "bread",
}


def recreate(name: str) -> str:
    """An empty database ``name`` on the local server; its URL."""
    admin = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    return f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}"


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def seed(pages: int) -> tuple[uuid.UUID, str]:
    """A tenant with ``pages`` pages of SECTIONS sections each (bulk inserts), indexed; (tenant, token)."""
    rng = random.Random(13)
    tenant = create_tenant(data={"name": "Bench Bakery", "subdomain": "bench-search"})
    page_rows, section_rows = [], []
    for number in range(pages):
        page_id = uuid.uuid4()
        page_rows.append(
            {
                "id": page_id,
                "tenant_id": tenant.id,
                "title": f"{sentence(rng, 3)} {number}".title(),
                "slug": f"page-{number}",
                "description": sentence(rng, 12),
                "status": rng.choice(["draft", "published"]),
            }
        )
        for position in range(SECTIONS):
            content = {
                "title": sentence(rng, 4),
                "bodyHtml": f"<p>{sentence(rng, 40)}</p>",
                "items": [{"text": sentence(rng, 8)}],
            }
            section_rows.append(
                {
                    "id": uuid.uuid4(),
                    "tenant_id": tenant.id,
                    "page_id": page_id,
                    "type": "text",
                    "content": content,
                    "sort_order": position,
                    "is_visible": position != 5,
                }
            )
    db.session.execute(sa.insert(Page), page_rows)
    db.session.execute(sa.insert(Section), section_rows)
    user = User(
        tenant_id=tenant.id,
        role="viewer",
        email="bench@example.test",
        name="Bench",
        password_hash=hash_password("Bench-pass-1!"),
        email_verified=True,
    )
    db.session.add(user)
    db.session.commit()
    started = time.perf_counter()
    indexed = reindex(tenant_id=tenant.id)
    print(f"indexed {indexed} pages in {time.perf_counter() - started:.1f} s")
    token = issue_tokens(user)["access_token"]
    db.session.commit()
    return tenant.id, token


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--database", default="siteninja_bench_rs")
    options = parser.parse_args()
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=recreate(options.database),
        RESPONSE_CACHE_ENABLED=False,
        RATELIMIT_ENABLED=False,
    )
    with app.app_context():
        db.create_all()
        tenant_id, token = seed(options.pages)
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        print(f"{'query':<12} {'hits':>5} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'SQL/request':>11}")
        for name, q in QUERIES.items():
            url = f"/api/tenants/{tenant_id}/search"
            with count_queries() as statements:
                first = client.get(url, query_string={"q": q}, headers=headers)
            assert first.status_code == 200, first.get_json()
            timings = []
            for _ in range(options.requests):
                started = time.perf_counter()
                client.get(url, query_string={"q": q}, headers=headers)
                timings.append((time.perf_counter() - started) * 1000)
            total = first.get_json()["pagination"]["total"]
            print(
                f"{name:<12} {total:>5} {statistics.median(timings):>7.2f} {percentile(timings, 0.95):>7.2f} "
                f"{percentile(timings, 0.99):>7.2f} {len(statements):>11}"
            )


if __name__ == "__main__":
    main()
