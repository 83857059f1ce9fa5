"""The email queue: messages are composed in the request and sent by a worker."""

from __future__ import annotations

from typing import Any

from siteninja.jobs.queue import enqueue_after_commit
from siteninja.services import mail


def send_email(message: dict[str, Any]) -> None:
    """Job: deliver one composed message."""
    mail.deliver(message)


def queue_email(*, to: str, subject: str, body: str) -> None:
    """Send an email once the current transaction commits."""
    enqueue_after_commit("email", send_email, mail.compose(to=to, subject=subject, body=body))
