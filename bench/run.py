"""Load benchmark: gunicorn (2 workers) on PostgreSQL + Redis, driven by wrk; prints a table.

Usage: ``make bench`` or ``.venv/bin/python bench/run.py [--duration 10] [--connections 32]``.
Every run starts the bare-Flask reference (``bench/reference_app.py``) under the same gunicorn
settings first, so each SiteNinja figure is also shown as a share of it: compare ratios within
one run, never absolute numbers across days (the machine is shared).
Needs wrk (``apt-get install wrk``), PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379.
Traffic goes to 127.0.0.1 only; every run is bounded by --duration.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from siteninja import create_app  # noqa: E402
from siteninja.extensions import cache, db  # noqa: E402
from siteninja.models import Page, Section, Subscription, User  # noqa: E402
from siteninja.resources.api_keys.service import create_key  # noqa: E402
from siteninja.resources.auth.tokens import issue_tokens  # noqa: E402
from siteninja.resources.tenants.service import create_tenant  # noqa: E402
from siteninja.services.passwords import hash_password  # noqa: E402
from tests.conftest import count_queries  # noqa: E402

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASE = "siteninja_bench"
DATABASE_URL = f"postgresql://postgres@127.0.0.1:5432/{DATABASE}"
REDIS_URL = "redis://127.0.0.1:6379/9"
PORT = 5055
MISS_PORT = 5056
REFERENCE_PORT = 5057
LOG_FILE = ROOT / "instance" / "bench-gunicorn.log"
PAGES = 20
SECTIONS_PER_PAGE = 8


def recreate_database() -> None:
    connection = psycopg2.connect(PG_ADMIN)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {DATABASE}")
    connection.close()


def seed(app) -> dict[str, str]:
    """A tenant on the pro plan with pages and sections, and an editor's long-lived token."""
    with app.app_context():
        db.create_all()
        tenant = create_tenant(data={"name": "Bench Bistro", "subdomain": "bench"})
        editor = User(
            tenant_id=tenant.id,
            email="bench@example.test",
            name="Bench",
            role="editor",
            password_hash=hash_password("Bench-Passw0rd!"),
            email_verified=True,
        )
        db.session.add(editor)
        db.session.flush()
        pages = [
            Page(tenant_id=tenant.id, title=f"Page {n}", slug=f"page-{n}", status="published", sort_order=n)
            for n in range(PAGES)
        ]
        db.session.add_all(pages)
        db.session.flush()
        for page in pages:
            for position in range(SECTIONS_PER_PAGE):
                db.session.add(
                    Section(
                        tenant_id=tenant.id,
                        page_id=page.id,
                        type="text",
                        sort_order=position,
                        content={"title": f"Section {position}", "bodyHtml": "<p>Hello</p>" * 20},
                    )
                )
        token = issue_tokens(editor)["access_token"]
        db.session.execute(sa.update(Subscription).values(plan="enterprise"))
        key = create_key(
            tenant_id=tenant.id,
            principal=None,
            data={"name": "Bench", "scopes": ["*"], "environment": "live"},
        )
        db.session.commit()
        return {
            "tenant": str(tenant.id),
            "page": str(pages[0].id),
            "write_page": str(pages[1].id),  # section creates grow this one, not the page read
            "token": token,
            "key": key.secret,
        }


@dataclass(frozen=True)
class Scenario:
    name: str
    method: str
    path: str
    body: str | None = None
    credential: str | None = None  # a JWT or an API key, sent as a Bearer token


def reference_scenarios() -> list[Scenario]:
    return [
        Scenario("bare Flask jsonify 4 KB", "GET", "/json"),
        Scenario("bare Flask + Redis GET", "GET", "/redis"),
    ]


def scenarios(ids: dict[str, str]) -> list[Scenario]:
    """SiteNinja's hot paths, the cached reads warmed by their first request."""
    base = f"/api/tenants/{ids['tenant']}"
    detail = f"{base}/pages/{ids['page']}?include=sections,seo"
    section = json.dumps({"type": "text", "content": {"bodyHtml": "<p>Benchmark <b>section</b></p>"}})
    return [
        Scenario("health", "GET", "/api/health"),
        Scenario("page detail hit (JWT)", "GET", detail, credential=ids["token"]),
        Scenario("page detail hit (API key)", "GET", detail, credential=ids["key"]),
        Scenario("page list hit", "GET", f"{base}/pages?limit=20", credential=ids["token"]),
        Scenario(
            "section create", "POST", f"{base}/pages/{ids['write_page']}/sections", section, ids["token"]
        ),
    ]


def miss_scenarios(ids: dict[str, str]) -> list[Scenario]:
    """The same read with the response cache switched off: every request is a miss."""
    detail = f"/api/tenants/{ids['tenant']}/pages/{ids['page']}?include=sections,seo"
    return [Scenario("page detail miss (JWT)", "GET", detail, credential=ids["token"])]


def queries_per_request(app, ids: dict[str, str]) -> dict[str, int]:
    """SQL statements one warm request runs (principal and response cached), measured in-process."""
    client = app.test_client()
    counts = {}
    with app.app_context():
        for scenario in [*scenarios(ids), *miss_scenarios(ids)]:
            headers = {"Authorization": f"Bearer {scenario.credential}"} if scenario.credential else {}

            def send(scenario: Scenario = scenario, headers: dict = headers) -> None:
                client.open(
                    scenario.path,
                    method=scenario.method,
                    data=scenario.body,
                    headers=headers,
                    content_type="application/json",
                )

            send()
            if scenario in miss_scenarios(ids):
                cache.clear()
            with count_queries() as statements:
                send()
            counts[scenario.name] = len(statements)
    return counts


def start_gunicorn(target: str, port: int, env: dict[str, str], args: argparse.Namespace) -> subprocess.Popen:
    """``target`` under the benchmark's gunicorn settings (sync workers, 2 x cores + 1 by default)."""
    command = [
        str(ROOT / ".venv/bin/gunicorn"),
        "-k",
        "sync",
        "--threads",
        "1",  # more threads would turn sync workers into gthread ones
        "-w",
        str(args.workers),
        "-b",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        target,
    ]
    log = open(LOG_FILE, "a")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True, stdout=log, stderr=log)
    probe = "/json" if target.startswith("reference_app") else "/api/health"
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{probe}", timeout=1)
            return process
        except OSError:
            time.sleep(0.1)
    os.killpg(process.pid, signal.SIGTERM)
    raise SystemExit(f"gunicorn did not start {target}")


def run_wrk(port: int, scenario: Scenario, args: argparse.Namespace) -> dict:
    env = {**os.environ, "BENCH_METHOD": scenario.method}
    if scenario.body is not None:
        env["BENCH_BODY"] = scenario.body
    if scenario.credential is not None:
        env["BENCH_AUTH"] = f"Bearer {scenario.credential}"
    output = subprocess.run(
        [
            "wrk",
            "-t",
            str(args.threads),
            "-c",
            str(args.connections),
            "-d",
            f"{args.duration}s",
            "--timeout",
            "5s",
            "-s",
            str(ROOT / "bench/report.lua"),
            f"http://127.0.0.1:{port}{scenario.path}",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=args.duration + 30,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def print_table(
    title: str, rows: list[tuple[Scenario, dict]], queries: dict[str, int], reference: float
) -> None:
    print(f"\n{title}\n")
    header = ("scenario", "req/s", "% ref", "p50 ms", "p95 ms", "p99 ms", "errors", "queries")
    print(f"{header[0]:<30}" + "".join(f"{h:>9}" for h in header[1:]))
    for scenario, result in rows:
        cells = (
            f"{result['rps']:.0f}",
            f"{100 * result['rps'] / reference:.1f}",
            *(f"{result[p]:.2f}" for p in ("p50", "p95", "p99")),
            result["errors"],
            queries.get(scenario.name, "-"),
        )
        print(f"{scenario.name:<30}" + "".join(f"{c:>9}" for c in cells))


def bench_env() -> dict[str, str]:
    """The environment of every server: PostgreSQL + Redis, limits on but high enough never to refuse."""
    return {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "RATE_LIMIT_USER": "10000000/minute",
        "RATE_LIMIT_ANON": "10000000/minute",
        "JWT_ACCESS_MINUTES": "120",
        "SECRET_KEY": "bench-secret",
        "JWT_SECRET_KEY": "bench-jwt-secret-0123456789abcdef",
        "API_KEY_PEPPER": "bench-pepper",
        "PYTHONPATH": str(ROOT / "bench"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    recreate_database()
    env = bench_env()
    os.environ.update(env)
    app = create_app(
        "development",
        SQLALCHEMY_DATABASE_URI=DATABASE_URL.replace("postgresql://", "postgresql+psycopg2://"),
        REDIS_URL=REDIS_URL,
        SECRET_KEY=env["SECRET_KEY"],
        JWT_SECRET_KEY=env["JWT_SECRET_KEY"],
        API_KEY_PEPPER=env["API_KEY_PEPPER"],
        RATE_LIMIT_USER=env["RATE_LIMIT_USER"],
        RATE_LIMIT_ANON=env["RATE_LIMIT_ANON"],
    )
    ids = seed(app)
    queries = queries_per_request(app, ids)
    LOG_FILE.write_text("")
    plan = [
        ("reference_app:app", REFERENCE_PORT, env, reference_scenarios()),
        ("wsgi:app", PORT, env, scenarios(ids)),
        ("wsgi:app", MISS_PORT, {**env, "RESPONSE_CACHE_ENABLED": "false"}, miss_scenarios(ids)),
    ]
    rows: list[tuple[Scenario, dict]] = []
    for target, port, server_env, server_scenarios in plan:
        server = start_gunicorn(target, port, server_env, args)
        try:
            rows += [(scenario, run_wrk(port, scenario, args)) for scenario in server_scenarios]
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)
    reference = rows[0][1]["rps"]
    setup = (
        f"gunicorn {args.workers} sync workers, wrk {args.threads} threads x {args.connections} connections, "
        f"{args.duration}s a scenario, PostgreSQL + Redis, rate limits on; % ref: share of bare Flask jsonify"
    )
    print_table(setup, rows, queries, reference)
    return 0


if __name__ == "__main__":
    sys.exit(main())
