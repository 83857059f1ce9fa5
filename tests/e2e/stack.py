"""Real processes for end-to-end tests: a throwaway redis-server, gunicorn and ``python worker.py``,
each on 127.0.0.1 and a free port, each bounded in time and stopped by the test that started it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from siteninja import create_app
from siteninja.extensions import db
from siteninja.models import Tenant
from tests import factories
from tests.conftest import database_url

ROOT_DIR = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(check: Callable[[], Any], timeout: float, interval: float = 0.1) -> Any:
    """Poll ``check`` until it returns something truthy; that value, or the last falsy one."""
    deadline = time.monotonic() + timeout
    result = check()
    while not result and time.monotonic() < deadline:
        time.sleep(interval)
        result = check()
    return result


class Process:
    """A child process in its own process group (so a SIGKILL takes its children too)."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        self._handle = log.open("ab")
        self.popen = subprocess.Popen(
            args, cwd=ROOT_DIR, env=env, stdout=self._handle, stderr=subprocess.STDOUT, start_new_session=True
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole group: no cleanup, no goodbye, as a crash or the OOM killer would."""
        if self.alive():
            os.killpg(self.pid, signal.SIGKILL)
        self.popen.wait(10)

    def stop(self, timeout: float = 10) -> None:
        if self.alive():
            os.killpg(self.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        self._handle.close()

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


class RedisServer(Process):
    """A redis-server of the test's own (never the shared one), without persistence."""

    def __init__(self, log_dir: Path, port: int | None = None) -> None:
        self.port = port or free_port()
        args = [
            "redis-server",
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ]
        super().__init__(args, dict(os.environ), log_dir / f"redis-{self.port}.log")
        if not wait_until(self.ping, STARTUP_TIMEOUT):
            self.stop()
            raise RuntimeError(f"redis-server did not start:\n{self.output()}")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as connection:
                connection.sendall(b"PING\r\n")
                return connection.recv(16).startswith(b"+PONG")
        except OSError:
            return False


def service_env(redis_url: str, **overrides: str) -> dict[str, str]:
    """The environment of gunicorn and the worker: the test database, the test's Redis, local receivers."""
    return {
        **os.environ,
        "SITENINJA_ENV": "development",
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "SECRET_KEY": "e2e-secret-key-not-for-production-0123456789",
        "JWT_SECRET_KEY": "e2e-jwt-secret-key-not-for-production-0123456789",
        "WEBHOOK_ALLOW_HTTP": "true",
        "WEBHOOK_ALLOW_PRIVATE": "true",
        "WEBHOOK_TIMEOUT": "2",
        "WEBHOOK_SWEEP_SECONDS": "1",
        "WEBHOOK_RETRY_SCHEDULE": "1,1,1,1",
        "PYTHONUNBUFFERED": "1",
        **overrides,
    }


class Gunicorn(Process):
    """``gunicorn wsgi:app`` with the project's gunicorn.conf.py, one worker, on a free port."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.port = free_port()
        env = {**env, "HOST": "127.0.0.1", "PORT": str(self.port), "WEB_CONCURRENCY": "1"}
        super().__init__([sys.executable, "-m", "gunicorn", "wsgi:app"], env, log_dir / "gunicorn.log")
        if not wait_until(self._healthy, STARTUP_TIMEOUT, interval=0.2):
            self.stop()
            raise RuntimeError(f"gunicorn did not start:\n{self.output()}")

    def _healthy(self) -> bool:
        try:
            return self.request("GET", "/api/health")[0] in (200, 503)
        except OSError:
            return False

    def request(self, method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
        """One HTTP request to the server: (status, parsed JSON body or None)."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as error:
            raw = error.read()
            return error.code, json.loads(raw) if raw else None


class WorkerProcess(Process):
    """``python worker.py`` as the Procfile runs it (RQ worker plus the scheduler child process)."""

    def __init__(self, env: dict[str, str], log_dir: Path, name: str = "worker") -> None:
        super().__init__([sys.executable, "worker.py"], env, log_dir / f"{name}.log")

    def wait_ready(self) -> None:
        """Wait until the RQ worker listens on its queues."""
        if not wait_until(lambda: "Listening on" in self.output(), STARTUP_TIMEOUT, interval=0.2):
            raise RuntimeError(f"worker.py did not start:\n{self.output()}")

    def work_horse(self) -> int | None:
        """The pid of the process running the current job: RQ forks a work horse per job, in a
        process group of its own (the schedulers stay in the worker's)."""
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            pid = int(stat.parent.name)
            if int(fields[1]) == self.pid and int(fields[2]) == pid:
                return pid
        return None

    def kill(self) -> None:
        """SIGKILL the worker with its work horse: the RQ supervisor, the job and the schedulers."""
        horse = self.work_horse()
        if horse is not None:
            os.kill(horse, signal.SIGKILL)
        super().kill()


def live_app(redis_url: str | None, **overrides: Any):
    """An app in the test process on the test database; the rate limiter's storage stays the
    session's (it is one object for every app of the process)."""
    return create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=database_url(),
        REDIS_URL=redis_url,
        RATELIMIT_STORAGE_URI=os.environ.get("REDIS_URL") or "memory://",
        **overrides,
    )


OWNER_PASSWORD = "E2e-Passw0rd!"


def seed_tenant(app, *, pages: int = 1) -> dict[str, Any]:
    """A committed tenant on the pro plan with an owner and draft pages (deleted by ``drop_tenant``)."""
    with app.app_context():
        tenant = factories.tenant(name="E2E Hooks")
        factories.plan(tenant, "pro")
        owner = factories.user(tenant=tenant, role="owner", password=OWNER_PASSWORD)
        page_ids = [factories.page(tenant=tenant).id for _ in range(pages)]
        seeded = {"tenant_id": tenant.id, "email": owner.email, "page_ids": page_ids}
        db.session.remove()
    return seeded


def drop_tenant(app, tenant_id) -> None:
    with app.app_context():
        db.session.delete(db.session.get(Tenant, tenant_id))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def login(server: Gunicorn, email: str) -> str:
    status, body = server.request("POST", "/api/auth/login", {"email": email, "password": OWNER_PASSWORD})
    assert status == 200, body
    return body["data"]["accessToken"]
