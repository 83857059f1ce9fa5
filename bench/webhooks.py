"""Webhook benchmark: deliveries per second by one ``worker.py`` to a local receiver, and the cost
a fan-out to 5 webhooks adds to a write (p50/p95 of ``PUT /pages/{id}`` with and without).

Usage: ``.venv/bin/python bench/webhooks.py [--writes 200] [--json FILE]``. Needs PostgreSQL on
127.0.0.1:5432 (it creates and drops its own database) and redis-server on the PATH (it starts
its own on a free port). Traffic stays on 127.0.0.1; never run by the test suite.

The writes are timed with the worker stopped, so the numbers are the write itself (event and
delivery rows in its transaction, the enqueue after commit); then the worker drains the queue
and the receiver counts what arrives.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE = "siteninja_bench_webhooks"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
os.environ["DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{DATABASE}"

from siteninja.extensions import db  # noqa: E402
from tests.e2e.stack import (  # noqa: E402
    Gunicorn,
    RedisServer,
    WorkerProcess,
    live_app,
    login,
    seed_tenant,
    service_env,
    wait_until,
)
from tests.webhook_support import Receiver  # noqa: E402


def recreate_database(drop_only: bool = False) -> None:
    connection = psycopg2.connect(PG_ADMIN)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        if not drop_only:
            cursor.execute(f"CREATE DATABASE {DATABASE}")
    connection.close()


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def timed_writes(web: Gunicorn, token: str, tenant_id, page_id, count: int, label: str) -> dict:
    """``count`` sequential page updates (each emits page.updated); latency in milliseconds."""
    samples = []
    for number in range(count):
        started = time.perf_counter()
        status, body = web.request(
            "PUT", f"/api/tenants/{tenant_id}/pages/{page_id}", {"description": f"{label} {number}"}, token
        )
        samples.append((time.perf_counter() - started) * 1000)
        assert status == 200, body
    return {
        "p50_ms": round(statistics.median(samples), 1),
        "p95_ms": round(percentile(samples, 0.95), 1),
        "mean_ms": round(statistics.fmean(samples), 1),
    }


def drain(env: dict, log_dir: Path, receiver: Receiver, expected: int) -> dict:
    """Start one worker and time until ``expected`` deliveries have arrived."""
    already = len(receiver.requests)
    worker = WorkerProcess(env, log_dir, name=f"worker-{already}")
    try:
        worker.wait_ready()
        started = time.perf_counter()
        arrived = wait_until(lambda: len(receiver.requests) - already >= expected, 600, interval=0.05)
        elapsed = time.perf_counter() - started
    finally:
        worker.stop()
    if not arrived:
        raise SystemExit(f"only {len(receiver.requests) - already}/{expected} arrived:\n{worker.output()}")
    return {"deliveries": expected, "seconds": round(elapsed, 2), "per_second": round(expected / elapsed, 1)}


def webhook(web: Gunicorn, token: str, tenant_id, url: str) -> None:
    status, body = web.request(
        "POST", f"/api/tenants/{tenant_id}/webhooks", {"url": url, "events": ["page.updated"]}, token
    )
    assert status == 201, body


def run(writes: int, log_dir: Path) -> dict:
    redis = RedisServer(log_dir)
    app = live_app(None)
    with app.app_context():
        db.create_all()
    seeded = seed_tenant(app, pages=1)
    tenant_id, page_id = seeded["tenant_id"], seeded["page_ids"][0]
    env = service_env(redis.url, RATELIMIT_ENABLED="false", WEBHOOK_TIMEOUT="10")
    web = Gunicorn(env, log_dir)
    results: dict = {"writes": writes}
    try:
        with Receiver() as receiver:
            token = login(web, seeded["email"])
            timed_writes(web, token, tenant_id, page_id, 20, "warm-up")
            results["write_no_webhooks"] = timed_writes(web, token, tenant_id, page_id, writes, "plain")
            webhook(web, token, tenant_id, receiver.url("/one"))
            results["write_1_webhook"] = timed_writes(web, token, tenant_id, page_id, writes, "one")
            results["drain_1_webhook"] = drain(env, log_dir, receiver, writes)
            for number in range(4):
                webhook(web, token, tenant_id, receiver.url(f"/fan-{number}"))
            results["write_5_webhooks"] = timed_writes(web, token, tenant_id, page_id, writes, "five")
            results["drain_5_webhooks"] = drain(env, log_dir, receiver, writes * 5)
    finally:
        web.stop()
        redis.stop()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    return results


def report(results: dict) -> str:
    lines = [f"writes per scenario: {results['writes']} (sequential PUT /pages/{{id}}, worker stopped)", ""]
    lines.append(f"{'write':<28}{'p50 ms':>10}{'p95 ms':>10}{'mean ms':>10}")
    for key, label in (
        ("write_no_webhooks", "no webhooks"),
        ("write_1_webhook", "fan-out to 1 webhook"),
        ("write_5_webhooks", "fan-out to 5 webhooks"),
    ):
        row = results[key]
        lines.append(f"{label:<28}{row['p50_ms']:>10}{row['p95_ms']:>10}{row['mean_ms']:>10}")
    lines.append("")
    lines.append(f"{'one worker.py draining':<28}{'deliveries':>12}{'seconds':>10}{'per s':>10}")
    for key, label in (("drain_1_webhook", "1 webhook"), ("drain_5_webhooks", "5 webhooks")):
        row = results[key]
        lines.append(f"{label:<28}{row['deliveries']:>12}{row['seconds']:>10}{row['per_second']:>10}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=200)
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()
    recreate_database()
    try:
        with tempfile.TemporaryDirectory(prefix="siteninja-bench-webhooks-") as log_dir:
            results = run(args.writes, Path(log_dir))
    finally:
        recreate_database(drop_only=True)
    print(report(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
