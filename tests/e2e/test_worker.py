"""The real worker (worker.py --burst, a subprocess) runs jobs enqueued on RQ, after commit only."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from rq import Queue

from siteninja import create_app
from siteninja.core.redis import redis_client
from siteninja.extensions import db
from siteninja.jobs.queue import enqueue, enqueue_after_commit
from tests.conftest import database_url
from tests.e2e.jobs_for_test import record_marker

ROOT_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def rq_app():
    """An app that sends jobs to RQ, on the test database and Redis."""
    return create_app(
        "testing", JOBS_MODE="rq", REDIS_URL=os.environ["REDIS_URL"], SQLALCHEMY_DATABASE_URI=database_url()
    )


def run_worker(**env_overrides: str) -> subprocess.CompletedProcess:
    """``worker.py --burst`` as production runs it: configured by the environment alone."""
    env = {
        **os.environ,
        "SITENINJA_ENV": "development",
        "DATABASE_URL": database_url(),
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        **env_overrides,
    }
    return subprocess.run(
        [sys.executable, "worker.py", "--burst"],
        cwd=ROOT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def marker(key: str) -> dict | None:
    value = redis_client().get(key)
    return json.loads(value) if value is not None else None


@pytest.mark.needs_services
def test_the_worker_runs_jobs_enqueued_directly_and_after_commit(rq_app):
    direct, committed, rolled_back = (f"sn:test:worker:{uuid.uuid4().hex}" for _ in range(3))
    with rq_app.app_context():
        enqueue("default", record_marker, direct)
        enqueue_after_commit("webhooks", record_marker, rolled_back)
        db.session.rollback()
        enqueue_after_commit("email", record_marker, committed)
        db.session.commit()
        queued = {
            name: Queue(name, connection=redis_client()).count for name in ("default", "webhooks", "email")
        }
        assert queued == {"default": 1, "webhooks": 0, "email": 1}

    result = run_worker()

    assert result.returncode == 0, result.stderr
    expected = {"database": sa.engine.make_url(database_url()).database, "jobsMode": "rq"}
    with rq_app.app_context():
        assert marker(direct) == expected, result.stderr
        assert marker(committed) == expected, result.stderr
        assert marker(rolled_back) is None
        assert all(Queue(name, connection=redis_client()).count == 0 for name in ("default", "email"))


def test_the_worker_refuses_to_start_without_redis():
    result = run_worker(REDIS_URL="")
    assert result.returncode == 2
    assert "REDIS_URL" in result.stderr
