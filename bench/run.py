"""Load benchmark: gunicorn (2 workers) on PostgreSQL + Redis, driven by wrk; prints a table.

Usage: ``make bench`` or ``.venv/bin/python bench/run.py [--duration 10] [--connections 16]``.
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
from pathlib import Path

import psycopg2
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from siteninja import create_app  # noqa: E402
from siteninja.extensions import db  # noqa: E402
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
        return {"tenant": str(tenant.id), "page": str(pages[0].id), "token": token, "key": key.secret}


def scenarios(ids: dict[str, str]) -> list[tuple[str, str, str, str | None, str]]:
    """(name, method, path, body, credential): the credential is a JWT or an API key."""
    base = f"/api/tenants/{ids['tenant']}"
    detail = f"{base}/pages/{ids['page']}?include=sections,seo"
    section = json.dumps({"type": "text", "content": {"bodyHtml": "<p>Benchmark <b>section</b></p>"}})
    return [
        ("page list", "GET", f"{base}/pages?limit=20", None, ids["token"]),
        ("page detail (JWT)", "GET", detail, None, ids["token"]),
        ("page detail (API key)", "GET", detail, None, ids["key"]),
        ("section create", "POST", f"{base}/pages/{ids['page']}/sections", section, ids["token"]),
    ]


def queries_per_request(app, ids: dict[str, str]) -> dict[str, int]:
    """SQL statements one request runs, measured in-process with the same app."""
    client = app.test_client()
    counts = {}
    with app.app_context():
        for name, method, path, body, credential in scenarios(ids):
            headers = {"Authorization": f"Bearer {credential}"}
            with count_queries() as statements:
                client.open(path, method=method, data=body, headers=headers, content_type="application/json")
            counts[name] = len(statements)
    return counts


def start_gunicorn(env: dict[str, str]) -> subprocess.Popen:
    command = [
        str(ROOT / ".venv/bin/gunicorn"),
        "-w",
        "2",
        "-b",
        f"127.0.0.1:{PORT}",
        "--log-level",
        "warning",
        "wsgi:app",
    ]
    log = open(LOG_FILE, "w")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True, stdout=log, stderr=log)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/api/health", timeout=1)
            return process
        except OSError:
            time.sleep(0.1)
    os.killpg(process.pid, signal.SIGTERM)
    raise SystemExit("gunicorn did not start")


def run_wrk(path: str, method: str, body: str | None, token: str, args: argparse.Namespace) -> dict:
    env = {**os.environ, "BENCH_METHOD": method, "BENCH_BODY": body or "", "BENCH_AUTH": f"Bearer {token}"}
    if body is None:
        env.pop("BENCH_BODY")
    output = subprocess.run(
        [
            "wrk",
            "-t",
            "1",
            "-c",
            str(args.connections),
            "-d",
            f"{args.duration}s",
            "--timeout",
            "5s",
            "-s",
            str(ROOT / "bench/report.lua"),
            f"http://127.0.0.1:{PORT}{path}",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=args.duration + 30,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    recreate_database()
    env = {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "RATELIMIT_ENABLED": "false",
        "JWT_ACCESS_MINUTES": "120",
        "SECRET_KEY": "bench-secret",
        "JWT_SECRET_KEY": "bench-jwt-secret-0123456789abcdef",
        "API_KEY_PEPPER": "bench-pepper",
    }
    os.environ.update(env)
    app = create_app(
        "development",
        SQLALCHEMY_DATABASE_URI=DATABASE_URL.replace("postgresql://", "postgresql+psycopg2://"),
        REDIS_URL=REDIS_URL,
        RATELIMIT_ENABLED=False,
        SECRET_KEY=env["SECRET_KEY"],
        JWT_SECRET_KEY=env["JWT_SECRET_KEY"],
        API_KEY_PEPPER=env["API_KEY_PEPPER"],
    )
    ids = seed(app)
    queries = queries_per_request(app, ids)
    server = start_gunicorn(env)
    try:
        rows = [
            (name, run_wrk(path, method, body, credential, args))
            for name, method, path, body, credential in scenarios(ids)
        ]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
    setup = f"2 gunicorn workers, {args.connections} connections, {args.duration}s a scenario"
    print(f"\n{setup}, PostgreSQL + Redis\n")
    header = ("scenario", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors", "queries")
    print(f"{header[0]:<24}" + "".join(f"{h:>9}" for h in header[1:]))
    for name, result in rows:
        cells = (
            f"{result['rps']:.1f}",
            *(f"{result[p]:.2f}" for p in ("p50", "p95", "p99")),
            result["errors"],
        )
        print(f"{name:<24}" + "".join(f"{c:>9}" for c in (*cells, queries[name])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
