"""Mail backends: file (one .eml per message), console, and SMTP against a real local server."""

from __future__ import annotations

import email
import socketserver
import threading

import pytest

from siteninja.jobs.email import queue_email
from siteninja.services import mail


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP to accept one message; what it receives lands in ``server.messages``."""

    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        self.reply("220 localhost test SMTP")
        while line := self.rfile.readline().decode().strip():
            verb = line.split(" ", 1)[0].upper()
            if verb == "EHLO":
                self.reply("250 localhost")
            elif verb == "DATA":
                self.reply("354 end with .")
                body = []
                while (data := self.rfile.readline().decode()).rstrip("\r\n") != ".":
                    body.append(data)
                self.server.messages.append("".join(body))
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")


@pytest.fixture
def smtp_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTPHandler)
    server.messages = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def mail_config(app, monkeypatch):
    """Set mail settings for one test; monkeypatch puts the session's back afterwards."""
    return lambda **settings: [monkeypatch.setitem(app.config, k, v) for k, v in settings.items()]


def test_file_backend_writes_one_eml_per_message(mail_config, tmp_path):
    mail_config(MAIL_BACKEND="file", MAIL_FILE_DIR=str(tmp_path))
    mail.deliver(mail.compose(to="ana@example.test", subject="Hello", body="Line one"))
    (written,) = tmp_path.glob("*.eml")
    message = email.message_from_bytes(written.read_bytes())
    assert message["To"] == "ana@example.test" and message["Subject"] == "Hello"
    assert "Line one" in message.get_payload()


def test_console_backend_prints_the_message(mail_config, capsys):
    mail_config(MAIL_BACKEND="console")
    mail.deliver(mail.compose(to="ana@example.test", subject="On screen", body="Visible"))
    assert "Subject: On screen" in capsys.readouterr().out


def test_smtp_backend_talks_to_a_real_server(mail_config, smtp_server):
    host, port = smtp_server.server_address
    mail_config(MAIL_BACKEND="smtp", MAIL_SERVER=host, MAIL_PORT=port)
    mail.deliver(mail.compose(to="ana@example.test", subject="Over SMTP", body="Delivered"))
    (received,) = smtp_server.messages
    assert "Subject: Over SMTP" in received and "Delivered" in received


def test_queued_email_is_sent_only_after_commit(mail_config, db_session, tmp_path):
    mail_config(MAIL_FILE_DIR=str(tmp_path))
    queue_email(to="later@example.test", subject="After commit", body="x")
    assert list(tmp_path.glob("*.eml")) == []
    db_session.rollback()
    assert list(tmp_path.glob("*.eml")) == []
    queue_email(to="later@example.test", subject="After commit", body="x")
    db_session.commit()
    assert len(list(tmp_path.glob("*.eml"))) == 1
