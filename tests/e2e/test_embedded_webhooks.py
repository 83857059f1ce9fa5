"""The embedded default (SQLite, no Redis): deliveries go out on the in-process job thread, and the
in-process scheduler thread, started by the first request, sends the retries when they fall due."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from standardwebhooks import Webhook as StandardWebhook

from siteninja import create_app
from siteninja.extensions import db
from siteninja.jobs import scheduler
from siteninja.models import Page, WebhookDelivery
from tests import factories
from tests.webhook_support import receiver, reply


def eventually(check, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.1)
    return check()


def delivery_statuses(app) -> list[str]:
    with app.app_context():
        statuses = sorted(db.session.scalars(sa.select(WebhookDelivery.status)))
        db.session.remove()
    return statuses


@pytest.mark.slow
def test_the_embedded_default_delivers_and_retries_through_its_threads(tmp_path, own_session):
    embedded = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/embedded.db",
        REDIS_URL=None,
        JOBS_MODE="thread",
        SCHEDULER_IN_PROCESS=True,
        WEBHOOK_SWEEP_SECONDS=1,
        WEBHOOK_RETRY_SCHEDULE=[1],
        WEBHOOK_ALLOW_HTTP=True,
        WEBHOOK_ALLOW_PRIVATE=True,
        WEBHOOK_TIMEOUT=2,
    )
    answers = [503, 200]

    def flaky(handler, received):
        reply(handler, answers.pop(0) if answers else 200)

    with embedded.app_context():
        db.create_all()
        tenant = factories.tenant()
        owner = factories.user(tenant=tenant, role="owner")
        page = factories.page(tenant=tenant)
        headers = factories.auth_headers(owner)
        tenant_id, page_id = tenant.id, page.id
    client = embedded.test_client()
    try:
        with receiver(flaky) as hook:
            created = client.post(
                f"/api/tenants/{tenant_id}/webhooks",
                json={"url": hook.url(), "events": ["page.published"]},
                headers=headers,
            )
            assert created.status_code == 201, created.get_json()
            secret = created.get_json()["data"]["secret"]
            client.put(
                f"/api/tenants/{tenant_id}/pages/{page_id}", json={"status": "published"}, headers=headers
            )
            assert hook.wait_for(2, timeout=15), "the retry never came"
            first, retry = hook.requests[:2]
        assert first.headers["webhook-id"] == retry.headers["webhook-id"]
        assert StandardWebhook(secret).verify(retry.body, retry.headers)["type"] == "page.published"
        assert eventually(lambda: delivery_statuses(embedded) == ["retrying", "success"])
        with embedded.app_context():
            assert db.session.get(Page, page_id).status == "published"
    finally:
        scheduler.stop_thread(embedded)
        with embedded.app_context():
            db.session.remove()
            db.engine.dispose()
