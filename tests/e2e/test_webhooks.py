"""Webhooks end to end: gunicorn + ``python worker.py`` + a receiver thread, on PostgreSQL and a
redis-server of the module's own. Signatures are checked with the ``standardwebhooks`` library."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from rq import Queue
from standardwebhooks import Webhook as StandardWebhook

from siteninja.core.redis import redis_client
from siteninja.extensions import db
from siteninja.models import Page, WebhookDelivery
from siteninja.services import events
from tests.e2e.stack import (
    Gunicorn,
    RedisServer,
    WorkerProcess,
    drop_tenant,
    live_app,
    login,
    seed_tenant,
    service_env,
    wait_until,
)
from tests.webhook_support import receiver, reply

pytestmark = [pytest.mark.slow, pytest.mark.needs_services]


class Stack:
    """The running services and the tenant they serve."""

    def __init__(self, log_dir: Path) -> None:
        self.live = live_app(None)
        self.seeded = seed_tenant(self.live, pages=3)
        self.processes: list = []
        try:
            self.redis = self._started(RedisServer(log_dir))
            env = service_env(self.redis.url)
            self.web = self._started(Gunicorn(env, log_dir))
            self.worker = self._started(WorkerProcess(env, log_dir))
            self.token = login(self.web, self.seeded["email"])
        except BaseException:
            self.close()
            raise

    def _started(self, process):
        self.processes.append(process)
        return process

    @property
    def tenant_id(self) -> uuid.UUID:
        return self.seeded["tenant_id"]

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        return self.web.request(method, f"/api/tenants/{self.tenant_id}{path}", body, token=self.token)

    def webhook(self, url: str, events: list[str]) -> dict:
        status, body = self.call("POST", "/webhooks", {"url": url, "events": events})
        assert status == 201, body
        return body["data"]

    def touch_page(self, index: int = 0, **fields: Any) -> None:
        fields.setdefault("description", f"edited {time.monotonic()}")
        status, body = self.call("PUT", f"/pages/{self.seeded['page_ids'][index]}", fields)
        assert status == 200, body

    def deliveries(self, webhook_id: str) -> list[dict]:
        status, body = self.call("GET", f"/webhooks/{webhook_id}/deliveries?limit=100")
        assert status == 200, body
        return sorted(body["data"], key=lambda d: d["attempt"])

    def close(self) -> None:
        for process in reversed(self.processes):
            process.stop()
        drop_tenant(self.live, self.tenant_id)


@pytest.fixture(scope="module")
def stack(app, tmp_path_factory):
    running = Stack(tmp_path_factory.mktemp("e2e-webhooks"))
    try:
        yield running
    finally:
        running.close()


def test_a_published_page_arrives_signed_and_verifies(stack):
    with receiver() as hook:
        created = stack.webhook(hook.url("/published"), ["page.published"])
        stack.touch_page(0, status="published")
        assert hook.wait_for(1, timeout=20), stack.worker.output()
        [request] = hook.requests
    payload = StandardWebhook(created["secret"]).verify(request.body, request.headers)
    assert payload["type"] == "page.published"
    assert payload["data"]["id"] == str(stack.seeded["page_ids"][0])
    assert payload["data"]["status"] == "published"
    assert request.headers["user-agent"] == "SiteNinja-Webhooks/1"
    assert request.headers["content-type"] == "application/json"
    [logged] = wait_until(
        lambda: [d for d in stack.deliveries(created["id"]) if d["status"] == "success"], 10
    )
    assert (
        logged["responseStatus"] == 200
        and logged["eventId"] == payload["id"] == request.headers["webhook-id"]
    )
    stack.call("DELETE", f"/webhooks/{created['id']}")


def test_retries_keep_the_same_webhook_id_and_body(stack):
    answers = [500, 503]

    def flaky(handler, received):
        reply(handler, answers.pop(0) if answers else 204, b"")

    with receiver(flaky) as hook:
        created = stack.webhook(hook.url("/flaky"), ["page.updated"])
        stack.touch_page(1)
        assert hook.wait_for(3, timeout=30), stack.worker.output()
        requests = hook.requests[:3]
    assert len({r.headers["webhook-id"] for r in requests}) == 1
    assert len({r.body for r in requests}) == 1
    for request in requests:
        StandardWebhook(created["secret"]).verify(request.body, request.headers)
    log = wait_until(lambda: [d for d in stack.deliveries(created["id"]) if d["status"] != "pending"][2:], 10)
    assert log, stack.deliveries(created["id"])
    statuses = [(d["attempt"], d["status"], d["responseStatus"]) for d in stack.deliveries(created["id"])]
    assert statuses == [(1, "retrying", 500), (2, "retrying", 503), (3, "success", 204)]
    stack.call("DELETE", f"/webhooks/{created['id']}")


def test_during_a_rotation_both_signatures_verify(stack):
    with receiver() as hook:
        created = stack.webhook(hook.url("/rotating"), ["page.updated"])
        status, rotated = stack.call(
            "POST", f"/webhooks/{created['id']}/rotate-secret", {"gracePeriodHours": 1}
        )
        assert status == 200
        new_secret = rotated["data"]["secret"]
        stack.touch_page(2)
        assert hook.wait_for(1, timeout=20)
        during = hook.requests[0]
        for secret in (created["secret"], new_secret):
            StandardWebhook(secret).verify(during.body, during.headers)
        assert len(during.headers["webhook-signature"].split(" ")) == 2

        status, ended = stack.call(
            "POST", f"/webhooks/{created['id']}/rotate-secret", {"gracePeriodHours": 0}
        )
        stack.touch_page(2)
        assert hook.wait_for(2, timeout=20)
        after = hook.requests[1]
    StandardWebhook(ended["data"]["secret"]).verify(after.body, after.headers)
    with pytest.raises(Exception, match="No matching signature"):
        StandardWebhook(new_secret).verify(after.body, after.headers)
    stack.call("DELETE", f"/webhooks/{created['id']}")


def test_200_rolled_back_transactions_deliver_nothing(stack, own_session):
    rq_app = live_app(stack.redis.url, JOBS_MODE="rq")
    with receiver() as hook:
        created = stack.webhook(hook.url("/rollbacks"), ["*"])
        page_id = stack.seeded["page_ids"][0]
        with rq_app.app_context():
            webhooks_queue = Queue("webhooks", connection=redis_client())
            for number in range(200):
                db.session.get(Page, page_id).title = f"Never saved {number}"
                events.emit(tenant_id=stack.tenant_id, type="page.updated", data={"n": number})
                db.session.flush()  # the event and its delivery row are written, then rolled back
                db.session.rollback()
            assert webhooks_queue.count == 0
            sentinel = events.emit(tenant_id=stack.tenant_id, type="page.updated", data={"n": "committed"})
            db.session.commit()
            sentinel_id = events.wire_id(sentinel.id)
            db.session.remove()
        assert hook.wait_for(1, timeout=20)
        time.sleep(1.5)  # a sweep or two more: nothing else may come
        received = [r.headers["webhook-id"] for r in hook.requests]
    print(f"\nfault (c): 200 transactions rolled back, {len(received) - 1} of them delivered (+1 committed)")
    assert received == [sentinel_id]
    with rq_app.app_context():
        rows = db.session.scalars(
            sa.select(WebhookDelivery).where(WebhookDelivery.webhook_id == uuid.UUID(created["id"]))
        )
        assert [row.event_id.hex for row in rows] == [sentinel_id.removeprefix("evt_")]
        db.session.remove()
    stack.call("DELETE", f"/webhooks/{created['id']}")


def test_slow_streaming_and_redirecting_receivers_each_fail_within_the_timeout(stack):
    streamed = {"completed": False}

    def slow(handler, received):
        time.sleep(4)
        reply(handler, 200)

    def stream(handler, received):
        handler.send_response(200)
        handler.send_header("Content-Length", str(10 * 2**20))
        handler.end_headers()
        for _ in range(160):
            handler.wfile.write(b"s" * 65536)
        streamed["completed"] = True

    with receiver() as target, receiver(slow) as sleeper, receiver(stream) as streamer:

        def redirect(handler, received):
            reply(handler, 302, b"", {"Location": target.url("/stolen")})

        with receiver(redirect) as redirector:
            hooks = {
                "slow": stack.webhook(sleeper.url(), ["page.deleted"]),
                "stream": stack.webhook(streamer.url(), ["page.deleted"]),
                "redirect": stack.webhook(redirector.url(), ["page.deleted"]),
            }
            status, _ = stack.call("DELETE", f"/pages/{stack.seeded['page_ids'][2]}")
            assert status == 204

            def first_attempts() -> dict | None:
                found = {name: stack.deliveries(hook["id"])[0] for name, hook in hooks.items()}
                return found if all(d["status"] != "pending" for d in found.values()) else None

            attempts = wait_until(first_attempts, 30, interval=0.5)
            for hook in hooks.values():
                stack.call("DELETE", f"/webhooks/{hook['id']}")
    assert attempts, stack.worker.output()
    print(
        "\nfault (d):",
        {name: (a["durationMs"], a["responseStatus"], a["error"]) for name, a in attempts.items()},
    )
    for name, attempt in attempts.items():
        assert attempt["status"] == "retrying", name
        assert attempt["durationMs"] <= (2 + 1) * 1000, (name, attempt["durationMs"])
    assert attempts["slow"]["responseStatus"] is None and attempts["slow"]["error"] == "Timed out after 2 s"
    assert attempts["stream"]["error"] == "Response body over 64 KiB (not read further)"
    assert len(attempts["stream"]["responseBody"]) == 1024 and not streamed["completed"]
    assert attempts["redirect"]["responseStatus"] == 302
    assert attempts["redirect"]["error"] == "Redirect (302) not followed"
    assert target.requests == []
