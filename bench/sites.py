"""Public site delivery benchmark: SiteNinja's public page (cache hit and miss), site document and
sitemap, next to a bare Flask 3 app returning the same page bytes (jsonify, and one Redis GET), all under
the same gunicorn settings (sync workers, 2 x cores + 1) and wrk settings (2 threads, 32 connections)
in the same run. Prints req/s, p50/p95/p99 and each as a % of the bare-Flask jsonify reference, the SQL
statements and Redis round trips of one request, and a profile of a cache hit.

Usage: ``python bench/sites.py [--duration 10] [--tenants 6000] [--redis-url URL] [--database-url URL]``.
Needs wrk (``apt-get install wrk``), PostgreSQL and Redis. Traffic goes to 127.0.0.1 only, on ports
picked at run time; every wrk run is bounded by --duration. Never run by the test suite.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import logging
import os
import pstats
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path

import psycopg2
import pytest
import sqlalchemy as sa
from werkzeug.test import EnvironBuilder

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from siteninja import create_app  # noqa: E402
from siteninja.core import caching, public_cache  # noqa: E402
from siteninja.core.redis import redis_client  # noqa: E402
from siteninja.extensions import db  # noqa: E402
from siteninja.models import Domain, NavigationItem, Page, Section, SeoMetadata, Tenant  # noqa: E402
from siteninja.resources.tenants.service import create_tenant  # noqa: E402
from tests.conftest import count_queries  # noqa: E402
from tests.resources.public_site_helpers import count_redis_round_trips  # noqa: E402

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
BASE_DOMAIN = "siteninja.localhost"
HOST = f"bench.{BASE_DOMAIN}"
SECTIONS = 8
THREADS, CONNECTIONS = 2, 32
WORKERS = 2 * (os.cpu_count() or 1) + 1
NO_REFUSAL = "1000000000/minute"  # counted on every request, never refused
LOG_FILE = ROOT / "instance" / "bench-sites-gunicorn.log"
GUNICORN = Path(sys.executable).parent / "gunicorn"


def section_content(n: int) -> dict:
    return {"title": f"Section {n}", "bodyHtml": "<p>Fresh bread, <b>every</b> morning.</p>" * 12}


def recreate_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    connection = psycopg2.connect(PG_ADMIN)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {name}")
    connection.close()


def seed_main_site() -> None:
    """The measured site: homepage with sections and SEO, five more pages, a two-level menu."""
    tenant = create_tenant(data={"name": "Bench Bakery", "subdomain": "bench"})
    pages = [
        Page(tenant_id=tenant.id, title=f"Page {n}", slug=f"page-{n}", status="published", sort_order=n)
        for n in range(6)
    ]
    pages[0].is_homepage = True
    db.session.add_all(pages)
    db.session.flush()
    for n in range(SECTIONS):
        db.session.add(
            Section(
                tenant_id=tenant.id,
                page_id=pages[0].id,
                type="text",
                sort_order=n,
                content=section_content(n),
            )
        )
    db.session.add(
        SeoMetadata(tenant_id=tenant.id, page_id=pages[0].id, meta_title="Bench Bakery", keywords=[])
    )
    for n, page in enumerate(pages):
        db.session.add(NavigationItem(tenant_id=tenant.id, label=page.title, page_id=page.id, sort_order=n))
    db.session.commit()


def seed_miss_sites(count: int) -> None:
    """``count`` small sites (``miss-<n>``), one per cache miss of the miss scenario (bulk inserts)."""
    tenants = [
        {"name": f"Miss {n}", "subdomain": f"miss-{n}", "status": "active", "settings": {}}
        for n in range(count)
    ]
    ids = db.session.scalars(
        sa.insert(Tenant).returning(Tenant.id, sort_by_parameter_order=True), tenants
    ).all()
    db.session.execute(
        sa.insert(Domain),
        [{"tenant_id": t, "host": f"miss-{n}.{BASE_DOMAIN}", "kind": "subdomain"} for n, t in enumerate(ids)],
    )
    page_rows = [
        {"tenant_id": t, "title": "Home", "slug": "home", "status": "published", "is_homepage": True}
        for t in ids
    ]
    page_ids = db.session.scalars(
        sa.insert(Page).returning(Page.id, sort_by_parameter_order=True), page_rows
    ).all()
    db.session.execute(
        sa.insert(Section),
        [
            {"tenant_id": t, "page_id": p, "type": "text", "sort_order": n, "content": section_content(n)}
            for t, p in zip(ids, page_ids, strict=True)
            for n in range(SECTIONS)
        ],
    )
    db.session.commit()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(target: str, env: dict[str, str], *, chdir: Path = ROOT):
    """A gunicorn of ``target`` on a free port, stopped on exit; yields its base URL."""
    port = free_port()
    command = [str(GUNICORN), "-k", "sync", "-w", str(WORKERS), "-b", f"127.0.0.1:{port}"]
    command += ["--chdir", str(chdir), "--log-level", "warning", target]
    with open(LOG_FILE, "a") as log:
        process = subprocess.Popen(command, env=env, start_new_session=True, stdout=log, stderr=log)
    try:
        wait_until_up(f"http://127.0.0.1:{port}", process)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


def wait_until_up(base: str, process: subprocess.Popen) -> None:
    for _ in range(200):
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited; see {LOG_FILE}")
        try:
            urllib.request.urlopen(f"{base}/", timeout=1)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("gunicorn did not start")


def run_wrk(url: str, duration: int, walk: tuple[str, int, int] | None = None) -> dict:
    """One wrk run; ``walk`` = (path with %d, number of paths, first n) asks a new path each request."""
    env = {**os.environ, "BENCH_THREADS": str(THREADS)}
    if walk:
        env.update(BENCH_WALK=walk[0], BENCH_WALK_SIZE=str(walk[1]), BENCH_WALK_START=str(walk[2]))
    command = ["wrk", "-t", str(THREADS), "-c", str(CONNECTIONS), "-d", f"{duration}s", "--timeout", "5s"]
    command += ["-s", str(ROOT / "bench/report.lua"), url]
    output = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=duration + 30, check=True
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def make_app(args: argparse.Namespace, **overrides):
    """SiteNinja in this process, configured like the servers (for seeding and per-request counts)."""
    url = args.database_url.replace("postgresql://", "postgresql+psycopg2://")
    settings = {"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": args.redis_url, "RATE_LIMIT_ANON": NO_REFUSAL}
    return create_app("development", SITE_BASE_DOMAIN=BASE_DOMAIN, **{**settings, **overrides})


def server_env(args: argparse.Namespace, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "SITENINJA_ENV": "production",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "SECRET_KEY": "bench-secret-key-0123456789abcdef",
        "JWT_SECRET_KEY": "bench-jwt-secret-0123456789abcdef",
        "SITE_BASE_DOMAIN": BASE_DOMAIN,
        "RATE_LIMIT_ANON": NO_REFUSAL,
        **extra,
    }


def per_request_costs(app, paths: dict[str, str]) -> dict[str, tuple[int, int]]:
    """(SQL statements, Redis round trips) of one request of each scenario, measured in this process."""
    client = app.test_client()
    costs = {}
    for name, path in paths.items():
        if "miss" in name:
            path = path % 0
        else:
            client.get(path)  # the first request of a hit scenario fills the cache
        with count_queries() as statements, count_redis_round_trips(pytest.MonkeyPatch()) as trips:
            assert client.get(path).status_code == 200, path
        costs[name] = (len(statements), len(trips))
    return costs


def profile_hit(app, path: str, count: int = 3000) -> str:
    """Milliseconds per cache hit through the WSGI app in this process, and where the time goes."""
    template = EnvironBuilder(path=path, environ_base={"REMOTE_ADDR": "127.0.0.1"}).get_environ()

    def hit() -> None:
        b"".join(app(dict(template), lambda *args: None))

    hit()
    started = time.perf_counter()
    for _ in range(count):
        hit()
    elapsed = (time.perf_counter() - started) / count * 1000
    profiler = cProfile.Profile()
    profiler.runcall(lambda: [hit() for _ in range(count)])
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(14)
    return f"in-process cache hit: {elapsed:.3f} ms per request\n" + out.getvalue()


def prepare(args: argparse.Namespace, app) -> dict[str, str]:
    """Seed, capture the page document for the reference app, and resolve the miss sites' hosts."""
    with app.app_context():
        db.create_all()
        redis_client().flushdb()
        seed_main_site()
        seed_miss_sites(args.tenants)
        body = app.test_client().get(f"/api/sites/{HOST}/pages/_home").get_data()
        redis_client().set("bench:reference", body)
        document = Path(tempfile.mkdtemp(prefix="bench-sites-")) / "page.json"
        document.write_bytes(body)
        store = public_cache.RedisStore(redis_client(), app.config["CACHE_KEY_PREFIX"])
        hosts = db.session.execute(sa.select(Domain.host, Domain.tenant_id).where(Domain.host.like("miss-%")))
        for host, tenant_id in hosts:
            store.remember_host(host, tenant_id, caching.domains_generation())
    return {
        "BENCH_DOCUMENT": str(document),
        "BENCH_REDIS_KEY": "bench:reference",
        "BENCH_REDIS_URL": args.redis_url,
    }


def scenarios(args: argparse.Namespace) -> list[tuple[str, str, str]]:
    """(name, server, path) of every scenario; a path with %d walks the cache-miss sites."""
    return [
        ("bare Flask: jsonify", "reference", "/jsonify"),
        ("bare Flask: one Redis GET", "reference", "/redis"),
        ("page, cache hit", "siteninja", f"/api/sites/{HOST}/pages/_home"),
        ("page, cache miss", "siteninja", f"/api/sites/miss-%d.{BASE_DOMAIN}/pages/_home"),
        ("site document, cache hit", "siteninja", f"/api/sites/{HOST}"),
        ("sitemap.xml, cache hit", "siteninja", f"/api/sites/{HOST}/sitemap.xml"),
        ("page hit, rate limit off", "no-limit", f"/api/sites/{HOST}/pages/_home"),
    ]


def measure(args: argparse.Namespace, reference_env: dict[str, str]) -> dict[str, list[dict]]:
    """Every scenario ``--rounds`` times, interleaved (this machine is shared: its load drifts)."""
    results: dict[str, list[dict]] = {name: [] for name, _, _ in scenarios(args)}
    with ExitStack() as servers:
        bases = {
            "reference": servers.enter_context(
                gunicorn("reference:app", {**os.environ, **reference_env}, chdir=ROOT / "bench")
            ),
            "siteninja": servers.enter_context(gunicorn("wsgi:app", server_env(args))),
            "no-limit": servers.enter_context(
                gunicorn("wsgi:app", server_env(args, RATELIMIT_ENABLED="false"))
            ),
        }
        for round_ in range(args.rounds):
            for name, server, path in scenarios(args):
                if "%d" in path:
                    walk = (path, args.tenants, round_ * args.tenants // args.rounds)
                    results[name].append(run_wrk(bases[server], args.duration, walk))
                else:
                    results[name].append(run_wrk(bases[server] + path, args.duration))
    return results


def median_of(runs: list[dict]) -> dict:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def print_table(results: dict[str, list[dict]], costs: dict[str, tuple[int, int]], args) -> None:
    rows = {name: median_of(runs) for name, runs in results.items()}
    reference = rows["bare Flask: jsonify"]["rps"]
    print(f"\ngunicorn: {WORKERS} sync workers; wrk: {THREADS} threads, {CONNECTIONS} connections")
    print(f"median of {args.rounds} interleaved {args.duration}s runs; 100 % = bare Flask jsonify\n")
    header = ("scenario", "req/s", "p50 ms", "p95 ms", "p99 ms", "% ref", "errors", "SQL", "Redis")
    print(f"{header[0]:<30}" + "".join(f"{cell:>9}" for cell in header[1:]))
    for name, result in rows.items():
        sql, trips = costs.get(name, ("-", "-"))
        cells = (
            f"{result['rps']:.1f}",
            *(f"{result[p]:.2f}" for p in ("p50", "p95", "p99")),
            f"{100 * result['rps'] / reference:.0f} %",
            int(result["errors"]),
            sql,
            trips,
        )
        print(f"{name:<30}" + "".join(f"{cell:>9}" for cell in cells))
    misses = max(run["requests"] for run in results["page, cache miss"])
    if misses > args.tenants // args.rounds:
        print(f"  (a miss run made {misses} requests, more than its {args.tenants // args.rounds} sites)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds of each wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tenants", type=int, default=9000, help="sites for the cache-miss scenario")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument(
        "--database-url", default="postgresql://postgres@127.0.0.1:5432/siteninja_bench_sites"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    LOG_FILE.parent.mkdir(exist_ok=True)
    logging.basicConfig(filename=ROOT / "instance" / "bench-sites-inprocess.log", level=logging.INFO)
    recreate_database(args.database_url)
    app = make_app(args)
    reference_env = prepare(args, app)
    paths = {name: path for name, server, path in scenarios(args) if server == "siteninja"}
    with app.app_context():
        costs = per_request_costs(app, paths)
        profile = profile_hit(app, paths["page, cache hit"])
    costs["page hit, rate limit off"] = costs["page, cache hit"]
    costs["bare Flask: one Redis GET"] = ("-", 1)
    results = measure(args, reference_env)
    print_table(results, costs, args)
    print(f"\n{profile}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
