"""The sender (jobs/webhooks.py): fan-out in the transaction, leases, the retry schedule, Retry-After,
410, auto-disable with the owners' email, failureCount, the sweep. A controllable clock replaces
``utcnow`` where the sender imports it, so nothing sleeps; receivers are real, on 127.0.0.1."""

from __future__ import annotations

import email
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from siteninja.core.db import utcnow
from siteninja.extensions import db
from siteninja.jobs import webhooks as sender
from siteninja.models import AuditLog, Event, Webhook, WebhookDelivery
from siteninja.services import events, webhooks
from tests import factories
from tests.webhook_support import allow_local_receivers, receiver, reply


class Clock:
    """A settable ``utcnow`` for the sender."""

    def __init__(self) -> None:
        self.now = utcnow() + timedelta(seconds=1)

    def __call__(self):
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(sender, "utcnow", fake)
    return fake


@pytest.fixture(autouse=True)
def local(app, monkeypatch, tmp_path):
    allow_local_receivers(app, monkeypatch)
    monkeypatch.setitem(app.config, "WEBHOOK_RETRY_SCHEDULE", [5, 300, 1800])
    monkeypatch.setitem(app.config, "MAIL_FILE_DIR", str(tmp_path / "mail"))


def status_receiver(*statuses: int, headers: dict | None = None):
    """Answer with ``statuses`` in turn (the last one repeats)."""
    queue = list(statuses)

    def respond(handler, received):
        status = queue.pop(0) if len(queue) > 1 else queue[0]
        reply(handler, status, b"answer", headers if status >= 400 else None)

    return receiver(respond)


def attempts(webhook: Webhook) -> list[WebhookDelivery]:
    stmt = sa.select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook.id)
    return list(
        db.session.scalars(
            stmt.order_by(WebhookDelivery.attempt, WebhookDelivery.created_at),
            execution_options={"populate_existing": True},
        )
    )


def emit(tenant, type_: str = "page.updated") -> None:
    events.emit(tenant_id=tenant.id, type=type_, data={"id": "p1", "title": "Home"})
    db.session.commit()


def reload(webhook: Webhook) -> Webhook:
    return db.session.get(Webhook, webhook.id, populate_existing=True)


def mails_to(directory: Path, address: str) -> list[email.message.EmailMessage]:
    messages = [email.message_from_bytes(path.read_bytes()) for path in directory.glob("*.eml")]
    return [message for message in messages if message["To"] == address]


def test_a_rolled_back_change_leaves_no_delivery_and_sends_nothing(tenant):
    with receiver() as hook:
        webhook = factories.webhook(tenant=tenant, url=hook.url())
        for _ in range(3):
            events.emit(tenant_id=tenant.id, type="page.updated", data={})
            db.session.flush()
            assert len(attempts(webhook)) == 1
            db.session.rollback()
        savepoint = db.session.begin_nested()
        events.emit(tenant_id=tenant.id, type="page.updated", data={})
        savepoint.rollback()
        db.session.commit()
        assert attempts(webhook) == [] and hook.requests == []


def test_a_committed_change_is_delivered_once_with_the_exact_body(tenant):
    with receiver() as hook:
        webhook = factories.webhook(tenant=tenant, url=hook.url())
        emit(tenant)
        [request] = hook.requests
    [delivery] = attempts(webhook)
    assert delivery.status == "success" and delivery.response_status == 200 and delivery.locked_until is None
    assert delivery.duration_ms is not None and delivery.error is None
    assert reload(webhook).last_delivery_at is not None
    assert request.body == db.session.get(Event, delivery.event_id).body.encode()


def test_retries_follow_the_schedule_with_the_same_id_and_body_then_fail(clock, tenant):
    with status_receiver(500) as hook:
        webhook = factories.webhook(tenant=tenant, url=hook.url())
        emit(tenant)
        schedule = [5, 300, 1800]
        for number, delay in enumerate(schedule, start=1):
            current = attempts(webhook)[number - 1]
            assert current.status == "retrying" and current.error == "HTTP 500"
            waited = (current.next_attempt_at - clock.now).total_seconds()
            assert delay * 0.9 <= waited <= delay * 1.1
            assert sender.sweep() == {"enqueued": 0}  # not due yet
            clock.advance(waited - 0.5)
            assert sender.sweep() == {"enqueued": 0}
            clock.advance(1)
            assert sender.sweep() == {"enqueued": 1}
        final = attempts(webhook)
    assert [d.attempt for d in final] == [1, 2, 3, 4]
    assert [d.status for d in final] == ["retrying", "retrying", "retrying", "failed"]
    assert final[-1].next_attempt_at is None
    assert len({r.headers["webhook-id"] for r in hook.requests}) == 1 and len(hook.requests) == 4
    assert len({r.body for r in hook.requests}) == 1
    assert reload(webhook).failure_count == 4
    stamps = [int(r.headers["webhook-timestamp"]) for r in hook.requests]
    assert stamps == sorted(stamps) and stamps[-1] - stamps[0] >= 5 + 300 + 1800 - 300
    secret = reload(webhook).secret
    for request in hook.requests:
        expected = webhooks.sign(
            secret, request.headers["webhook-id"], int(request.headers["webhook-timestamp"]), request.body
        )
        assert request.headers["webhook-signature"] == expected


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_is_honoured_never_earlier(clock, tenant, status):
    with status_receiver(status, 200, headers={"Retry-After": "120"}) as hook:
        webhook = factories.webhook(tenant=tenant, url=hook.url())
        emit(tenant)
        first = attempts(webhook)[0]
        assert first.status == "retrying" and first.response_status == status
        assert first.next_attempt_at >= clock.now + timedelta(seconds=120)
        clock.advance(119)
        assert sender.sweep() == {"enqueued": 0}
        clock.advance(2)
        sender.sweep()
    assert [d.status for d in attempts(webhook)] == ["retrying", "success"]
    assert reload(webhook).failure_count == 0


def test_retry_after_as_an_http_date(clock, tenant):
    when = (clock.now + timedelta(minutes=10)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    with status_receiver(503, headers={"Retry-After": when}) as hook:
        webhook = factories.webhook(tenant=tenant, url=hook.url())
        emit(tenant)
    first = attempts(webhook)[0]
    assert first.next_attempt_at >= clock.now + timedelta(minutes=10) - timedelta(seconds=1)


def test_410_disables_at_once_and_emails_the_owners(app, clock, tenant):
    owners = [factories.user(tenant=tenant, role="owner") for _ in range(2)]
    admin = factories.user(tenant=tenant, role="admin")
    with status_receiver(410) as hook:
        webhook = factories.webhook(tenant=tenant, url=hook.url("/gone?token=s3cret"))
        emit(tenant)
    [delivery] = attempts(webhook)
    assert delivery.status == "failed" and delivery.response_status == 410
    webhook = reload(webhook)
    assert webhook.is_active is False and webhook.disabled_at == clock.now
    assert webhook.disabled_reason == "The receiver answered 410 Gone"
    mail_dir = Path(app.config["MAIL_FILE_DIR"])
    for owner in owners:
        [message] = mails_to(mail_dir, owner.email)
        assert message["Subject"] == "A SiteNinja webhook was disabled"
        text = message.get_payload(decode=True).decode()
        assert "410 Gone" in text and str(webhook.id) in text and "s3cret" not in text
    assert mails_to(mail_dir, admin.email) == []
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "disable"))
    assert entry.actor_type == "system" and entry.resource_id == str(webhook.id)
    assert entry.changes["is_active"] == [True, False]


def test_auto_disable_after_max_consecutive_failures(app, clock, tenant, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_MAX_FAILURES", 3)
    owner = factories.user(tenant=tenant, role="owner")
    with status_receiver(500) as hook:
        webhook = factories.webhook(tenant=tenant, url=hook.url())
        emit(tenant)
        emit(tenant)
        assert reload(webhook).is_active and reload(webhook).failure_count == 2
        emit(tenant)
        webhook = reload(webhook)
        assert webhook.is_active is False and webhook.failure_count == 3
        assert webhook.disabled_reason == "3 consecutive failed deliveries"
        assert [d.status for d in attempts(webhook) if d.attempt == 1] == ["retrying", "retrying", "failed"]
        # The retries still pending go nowhere now: each fails at its time, with nothing sent.
        clock.advance(10)
        assert sender.sweep() == {"enqueued": 2}
        assert len(hook.requests) == 3
    retries = [d for d in attempts(webhook) if d.attempt == 2]
    assert [d.error for d in retries] == ["Webhook is disabled; nothing sent"] * 2
    assert reload(webhook).failure_count == 3
    assert len(mails_to(Path(app.config["MAIL_FILE_DIR"]), owner.email)) == 1
    emit(tenant)
    assert len(attempts(webhook)) == 5  # a disabled webhook gets no new deliveries


def test_failure_count_counts_consecutive_failures_and_resets_on_success(clock, tenant):
    with status_receiver(500, 500, 200, 500) as hook:
        webhook = factories.webhook(tenant=tenant, url=hook.url(), events=["page.deleted"])
        counts = []
        for _ in range(4):
            emit(tenant, "page.deleted")
            counts.append(reload(webhook).failure_count)
    assert counts == [1, 2, 0, 1]


def test_no_response_is_a_null_status(clock, tenant):
    webhook = factories.webhook(tenant=tenant, url="http://127.0.0.1:9/closed")
    emit(tenant)
    [first, retry] = attempts(webhook)
    assert first.response_status is None and first.response_body is None
    assert first.error == "Connection refused" and retry.status == "pending"


def pending_attempt(webhook: Webhook) -> WebhookDelivery:
    """A new pending attempt of a fresh event, not enqueued (the test drives it)."""
    event_id = factories.delivery(webhook=webhook).event_id
    delivery = sender.schedule_attempt(
        webhook_id=webhook.id,
        tenant_id=webhook.tenant_id,
        event_id=event_id,
        event_type="page.updated",
        enqueue_now=False,
    )
    db.session.commit()
    return delivery


def test_a_leased_delivery_is_not_sent_twice(app, clock, tenant):
    with receiver() as hook:
        delivery = pending_attempt(factories.webhook(tenant=tenant, url=hook.url()))
        assert sender._claim(delivery.id) is not None  # another worker holds it
        assert sender.deliver(str(delivery.id)) == "skipped"
        assert sender.sweep() == {"enqueued": 0} and hook.requests == []
        clock.advance(app.config["WEBHOOK_TIMEOUT"] + sender.LEASE_MARGIN_SECONDS + 1)  # that worker died
        assert sender.sweep() == {"enqueued": 1}
        assert len(hook.requests) == 1
        assert sender.deliver(str(delivery.id)) == "skipped"  # done: another run is a no-op
    assert db.session.get(WebhookDelivery, delivery.id, populate_existing=True).status == "success"


def test_a_result_is_not_recorded_over_someone_elses_lease(clock, tenant):
    delivery = pending_attempt(factories.webhook(tenant=tenant))
    lease = sender._claim(delivery.id)
    plan = sender._plan(delivery.id)
    taken_over = sa.update(WebhookDelivery).where(WebhookDelivery.id == delivery.id)
    db.session.execute(taken_over.values(locked_until=lease + timedelta(seconds=1)))
    db.session.commit()
    assert sender._record(plan, lease, webhooks.Outcome(status=200)) == "lease lost"
    assert db.session.get(WebhookDelivery, delivery.id, populate_existing=True).status == "pending"


def test_a_test_event_goes_to_its_webhook_only(tenant):
    with receiver() as hook:
        factories.webhook(tenant=tenant, url=hook.url())
        events.emit(tenant_id=tenant.id, type="webhook.test", data={})
        db.session.commit()
    assert hook.requests == []


def test_the_sweep_cli_enqueues_what_is_due(app, clock, tenant):
    with status_receiver(500, 200) as hook:
        webhook = factories.webhook(tenant=tenant, url=hook.url())
        emit(tenant)
        clock.advance(6)
        result = app.test_cli_runner().invoke(args=["webhooks", "sweep"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Enqueued 1 due webhook deliveries."
    assert [d.status for d in attempts(webhook)] == ["retrying", "success"]


def test_job_keys_are_valid_rq_ids():
    key = sender.job_key(uuid.UUID("12345678-1234-5678-1234-567812345678"))
    assert key == "webhook-delivery-12345678123456781234567812345678"


def test_a_delivery_whose_event_belongs_to_another_tenant_is_never_sent(tenant):
    with receiver() as hook:
        webhook = factories.webhook(tenant=tenant, url=hook.url())
        foreign_event = factories.delivery(webhook=factories.webhook(tenant=factories.tenant())).event_id
        delivery = sender.schedule_attempt(
            webhook_id=webhook.id,
            tenant_id=tenant.id,
            event_id=foreign_event,
            event_type="page.updated",
            enqueue_now=False,
        )
        db.session.commit()
        assert sender.deliver(str(delivery.id)) == "failed"
    assert hook.requests == []
    stored = db.session.get(WebhookDelivery, delivery.id, populate_existing=True)
    assert stored.status == "failed" and stored.locked_until is None
