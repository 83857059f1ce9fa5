"""Outgoing email: compose messages and deliver them through the configured backend."""

from __future__ import annotations

import logging
import smtplib
import sys
import uuid
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from flask import current_app

log = logging.getLogger("siteninja.mail")


def compose(*, to: str, subject: str, body: str) -> dict[str, Any]:
    """A message as plain data (what the email queue carries)."""
    return {"to": to, "subject": subject, "body": body, "from": current_app.config["MAIL_FROM"]}


def _as_email(message: dict[str, Any]) -> EmailMessage:
    email = EmailMessage()
    email["From"] = message["from"]
    email["To"] = message["to"]
    email["Subject"] = message["subject"]
    email.set_content(message["body"])
    return email


def deliver(message: dict[str, Any]) -> None:
    """Send one message with the backend named by MAIL_BACKEND (console, file or smtp)."""
    backend = current_app.config["MAIL_BACKEND"]
    email = _as_email(message)
    if backend == "file":
        directory = Path(current_app.config["MAIL_FILE_DIR"])
        directory.mkdir(parents=True, exist_ok=True)
        (directory / f"{uuid.uuid4().hex}.eml").write_bytes(email.as_bytes())
    elif backend == "smtp":
        _send_smtp(email)
    else:
        sys.stdout.write(email.as_string() + "\n")
    log.info("mail sent to a recipient via %s: %s", backend, message["subject"])


def _send_smtp(email: EmailMessage) -> None:
    config = current_app.config
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(email)
