"""Uploads and file delivery over real HTTP: gunicorn on 127.0.0.1, its own SQLite file, embedded jobs."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from siteninja import create_app
from siteninja.config import TestingConfig
from siteninja.extensions import db
from tests import asset_files as files
from tests.e2e.test_assets_worker import seed_editor

ROOT_DIR = Path(__file__).resolve().parents[2]
MiB = 1024 * 1024


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed(database_url: str) -> tuple[str, str]:
    """A tenant and an editor in a database of their own, and the editor's token (testing JWT secret)."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        db.create_all()
    tenant_id, token = seed_editor(app)
    with app.app_context():
        db.engine.dispose()
    return str(tenant_id), token


@pytest.fixture
def server(tmp_path, own_session):
    database_url = f"sqlite:///{tmp_path}/http.db"
    tenant_id, token = seed(database_url)
    port = free_port()
    env = {
        **os.environ,
        "SITENINJA_ENV": "development",
        "DATABASE_URL": database_url,
        "REDIS_URL": "",
        "SECRET_KEY": "http-test-secret",
        "JWT_SECRET_KEY": TestingConfig.JWT_SECRET_KEY,
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "RATELIMIT_ENABLED": "false",
    }
    command = [sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}", "wsgi:app"]
    log = (tmp_path / "gunicorn.log").open("w")
    process = subprocess.Popen(command, cwd=ROOT_DIR, env=env, stdout=log, stderr=log, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                requests.get(f"{base}/api/health", timeout=5)
                break
            except requests.RequestException:
                time.sleep(0.2)
        yield base, tenant_id, token, tmp_path
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
        log.close()


@pytest.mark.slow
def test_upload_and_fetch_over_http(server):
    base, tenant_id, token, tmp_path = server
    url = f"{base}/api/tenants/{tenant_id}/assets/upload"
    headers = {"Authorization": f"Bearer {token}"}
    sent = files.jpeg_with_gps(size=(640, 480))
    upload = {"file": ("home.jpg", sent, "image/jpeg")}
    response = requests.post(url, headers=headers, files=upload, timeout=30)
    assert response.status_code == 201, response.text
    asset = response.json()["data"]
    served = requests.get(asset["url"], timeout=10)
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "image/jpeg"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert files.exif_tags(served.content) == {}
    stored = [p for p in (tmp_path / "uploads").rglob("*") if p.is_file()]
    assert stored and all(str(p).startswith(str(tmp_path / "uploads" / tenant_id)) for p in stored)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("headers", "content", "name", "status"),
    [
        ({}, lambda: files.big_pdf(3 * MiB), "a.pdf", 401),
        (None, lambda: files.big_pdf(21 * MiB), "huge.pdf", 413),
        (None, lambda: files.EXE, "invoice.pdf", 415),
    ],
)
def test_refusals_leave_the_connection_usable(server, headers, content, name, status):
    """The unread rest of a refused body is drained: the keep-alive connection serves the next request."""
    base, tenant_id, token, _ = server
    headers = {"Authorization": f"Bearer {token}"} if headers is None else headers
    session = requests.Session()
    body = content()
    for _ in range(3):
        response = session.post(
            f"{base}/api/tenants/{tenant_id}/assets/upload",
            headers=headers,
            files={"file": (name, body, "application/pdf")},
            timeout=60,
        )
        assert response.status_code == status
        assert response.json()["success"] is False
    assert session.get(f"{base}/api/health", timeout=10).status_code == 200
