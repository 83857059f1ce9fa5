"""Faults: Redis stopped while changes are committed (and when the worker starts), and the worker
SIGKILLed mid-delivery.
The database decides what is due, so each costs a delay and never an event. Real gunicorn,
``python worker.py``, a redis-server of the test's own (never the shared one) and a receiver."""

from __future__ import annotations

import os
import signal
import threading
import time
import uuid
from collections import Counter

import pytest
import sqlalchemy as sa
from standardwebhooks import Webhook as StandardWebhook

from siteninja.core.redis import redis_client
from siteninja.extensions import db
from siteninja.jobs.queue import enqueue
from siteninja.models import WebhookDelivery
from tests.e2e.jobs_for_test import record_marker
from tests.e2e.stack import (
    Gunicorn,
    RedisServer,
    WorkerProcess,
    drop_tenant,
    free_port,
    live_app,
    login,
    seed_tenant,
    service_env,
    wait_until,
)
from tests.webhook_support import receiver, reply

pytestmark = [pytest.mark.slow, pytest.mark.needs_services]


def delivery_statuses(app, webhook_id: str) -> Counter:
    with app.app_context():
        stmt = sa.select(WebhookDelivery.status).where(WebhookDelivery.webhook_id == uuid.UUID(webhook_id))
        statuses = Counter(db.session.scalars(stmt))
        db.session.remove()
    return statuses


@pytest.fixture
def services(app, tmp_path, own_session):
    """A tenant, a redis-server, gunicorn and a worker for one test; all stopped afterwards."""
    live = live_app(None)
    started: dict = {"workers": [], "live": live, "tmp": tmp_path, **seed_tenant(live, pages=1)}
    try:
        started["redis"] = RedisServer(tmp_path)
        started["env"] = service_env(started["redis"].url)
        started["web"] = Gunicorn(started["env"], tmp_path)
        started["token"] = login(started["web"], started["email"])
        yield started
    finally:
        for process in [*started["workers"], started.get("web"), started.get("redis")]:
            if process is not None:
                process.stop()
        drop_tenant(live, started["tenant_id"])


def start_worker(services: dict) -> WorkerProcess:
    worker = WorkerProcess(services["env"], services["tmp"], name=f"worker-{len(services['workers'])}")
    services["workers"].append(worker)
    return worker


def api(services: dict, method: str, path: str, body=None):
    return services["web"].request(
        method, f"/api/tenants/{services['tenant_id']}{path}", body, services["token"]
    )


def test_changes_committed_while_redis_is_stopped_are_all_delivered_after_it_returns(services):
    """Two workers run; Redis is stopped, 200 page changes are committed through gunicorn, Redis
    comes back empty (its queues lost): the sweep finds all 200 in the database."""
    with receiver() as hook:
        status, created = api(services, "POST", "/webhooks", {"url": hook.url(), "events": ["page.updated"]})
        assert status == 201
        webhook_id = created["data"]["id"]
        workers = [start_worker(services), start_worker(services)]  # two, as a deployment may run
        for worker in workers:
            worker.wait_ready()
        services["redis"].kill()  # Redis goes away: no cache, no queue, limits fall back to memory
        page = services["page_ids"][0]
        started = time.monotonic()
        statuses = [api(services, "PUT", f"/pages/{page}", {"description": f"v{n}"})[0] for n in range(200)]
        assert statuses == [200] * 200
        print(f"\nfault (a): 200 changes committed in {time.monotonic() - started:.1f} s with Redis stopped")
        assert hook.requests == []
        assert delivery_statuses(services["live"], webhook_id) == Counter({"pending": 200})

        services["redis"] = RedisServer(services["tmp"], port=services["redis"].port)  # back, and empty
        back = time.monotonic()
        delivered = wait_until(lambda: len({r.headers["webhook-id"] for r in hook.requests}) >= 200, 120, 0.5)
        assert delivered, [worker.output() for worker in workers]
        ids = {r.headers["webhook-id"] for r in hook.requests}
        took = time.monotonic() - back
    sent = len(hook.requests)
    print(f"fault (a): {len(ids)}/200 delivered {took:.1f} s after Redis came back, {sent} requests")
    assert len(ids) == 200
    secret = created["data"]["secret"]
    assert all(StandardWebhook(secret).verify(r.body, r.headers) for r in hook.requests)
    assert wait_until(
        lambda: delivery_statuses(services["live"], webhook_id) == Counter({"success": 200}), 20
    )


def test_a_worker_killed_mid_delivery_20_times_loses_no_event(services):
    """20 SIGKILLs while a request is in flight: 16 of the work horse (the process sending), and
    every fifth one of the whole worker (its RQ supervisor, work horse and scheduler), restarted."""
    holding = threading.Event()
    holding.set()

    def hold_while_killing(handler, received):
        deadline = time.monotonic() + 5
        while holding.is_set() and time.monotonic() < deadline:
            time.sleep(0.05)
        reply(handler, 200)

    with receiver(hold_while_killing) as hook:
        _, created = api(services, "POST", "/webhooks", {"url": hook.url(), "events": ["page.updated"]})
        webhook_id = created["data"]["id"]
        page = services["page_ids"][0]
        assert [api(services, "PUT", f"/pages/{page}", {"description": f"k{n}"})[0] for n in range(20)] == [
            200
        ] * 20
        worker = start_worker(services)
        kills = []
        for number in range(1, 21):
            assert hook.wait_for(number, timeout=30), worker.output()
            if number % 5 == 0:
                worker.kill()
                kills.append("worker")
                worker = start_worker(services)
                continue
            horse = wait_until(worker.work_horse, 10)
            assert horse, worker.output()
            os.kill(horse, signal.SIGKILL)
            kills.append("horse")
        holding.clear()
        done = wait_until(
            lambda: delivery_statuses(services["live"], webhook_id) == Counter({"success": 20}), 90, 0.5
        )
        assert done, (delivery_statuses(services["live"], webhook_id), worker.output())
        received = Counter(r.headers["webhook-id"] for r in hook.requests)
        bodies = {r.headers["webhook-id"]: r.body for r in hook.requests}
        duplicates_consistent = all(r.body == bodies[r.headers["webhook-id"]] for r in hook.requests)
    requests = sum(received.values())
    print(f"\nfault (b): {len(kills)} SIGKILLs, {len(received)}/20 events delivered, {requests} requests")
    assert kills.count("horse") == 16 and kills.count("worker") == 4
    assert len(received) == 20  # every event arrived: 0 lost
    assert sum(received.values()) >= 20 + 20  # each killed attempt was sent again, under the same id
    assert duplicates_consistent


def test_a_worker_started_while_redis_is_down_waits_for_it(app, tmp_path):
    port = free_port()
    worker = WorkerProcess(service_env(f"redis://127.0.0.1:{port}/0"), tmp_path)
    redis = None
    try:
        assert wait_until(lambda: "Redis unavailable" in worker.output(), 30), worker.output()
        assert worker.alive()
        redis = RedisServer(tmp_path, port=port)
        rq_app = live_app(redis.url, JOBS_MODE="rq")
        with rq_app.app_context():
            enqueue("default", record_marker, "sn:test:after-outage")
            assert wait_until(lambda: redis_client().get("sn:test:after-outage"), 30), worker.output()
    finally:
        worker.stop()
        if redis is not None:
            redis.stop()
