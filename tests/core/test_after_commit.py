"""The after-commit hook and the job queue seam: work happens once, after commit, never on rollback."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

from siteninja.core.db import after_commit
from siteninja.extensions import db
from siteninja.jobs import queue
from siteninja.resources.tenants.models import Tenant

calls: list[object] = []


@pytest.fixture(autouse=True)
def clear_calls():
    calls.clear()


def remember(*args: object) -> None:
    """A job: note its arguments."""
    calls.append(args)


def remember_tenant_name(tenant_id) -> None:
    """A job that reads the database, as real jobs do."""
    calls.append(db.session.get(Tenant, tenant_id).name)


def fail(*args: object) -> None:
    """A job that always fails."""
    raise RuntimeError("boom")


def test_callback_runs_once_after_commit():
    after_commit(db.session(), lambda: calls.append("ran"))
    assert calls == []
    db.session.commit()
    assert calls == ["ran"]
    db.session.commit()
    assert calls == ["ran"]


def test_callback_never_runs_after_a_rollback():
    after_commit(db.session(), lambda: calls.append("ran"))
    db.session.rollback()
    db.session.commit()
    assert calls == []


def test_callbacks_run_in_order():
    for n in range(3):
        after_commit(db.session(), lambda n=n: calls.append(n))
    db.session.commit()
    assert calls == [0, 1, 2]


def test_releasing_a_savepoint_does_not_run_the_callbacks_early():
    after_commit(db.session(), lambda: calls.append("outer"))
    with db.session.begin_nested():
        after_commit(db.session(), lambda: calls.append("inner"))
    assert calls == []
    db.session.commit()
    assert calls == ["outer", "inner"]


def test_a_rolled_back_savepoint_drops_only_its_own_callbacks():
    after_commit(db.session(), lambda: calls.append("outer"))
    savepoint = db.session.begin_nested()
    after_commit(db.session(), lambda: calls.append("inner"))
    savepoint.rollback()
    db.session.commit()
    assert calls == ["outer"]


def test_a_callback_may_use_the_database(tenant):
    after_commit(db.session(), lambda: calls.append(db.session.get(Tenant, tenant.id).name))
    db.session.commit()
    assert calls == [tenant.name]


def test_a_failing_callback_is_logged_and_does_not_stop_the_others(caplog):
    def broken():
        raise RuntimeError("redis is down")

    after_commit(db.session(), broken)
    after_commit(db.session(), lambda: calls.append("ran"))
    with caplog.at_level(logging.ERROR, logger="siteninja.db"):
        db.session.commit()
    assert calls == ["ran"]
    assert "redis is down" in caplog.text


def test_closing_the_session_drops_uncommitted_callbacks():
    after_commit(db.session(), lambda: calls.append("ran"))
    db.session.close()
    db.session.commit()
    assert calls == []


def test_sync_enqueue_runs_the_job_inline(app):
    assert app.config["JOBS_MODE"] == "sync"
    queue.enqueue("default", remember, "a", 1)
    assert calls == [("a", 1)]


def test_enqueue_after_commit_runs_nothing_on_rollback():
    queue.enqueue_after_commit("webhooks", remember, "x")
    db.session.rollback()
    db.session.commit()
    assert calls == []


def test_enqueue_after_commit_runs_once_after_commit(tenant):
    queue.enqueue_after_commit("email", remember_tenant_name, tenant.id)
    assert calls == []
    db.session.commit()
    db.session.commit()
    assert calls == [tenant.name]


def test_a_job_sees_what_its_caller_committed(tenant):
    tenant.name = "Committed Name"
    queue.enqueue_after_commit("default", remember_tenant_name, tenant.id)
    db.session.commit()
    assert calls == ["Committed Name"]


@pytest.mark.parametrize("enqueue", [queue.enqueue, queue.enqueue_after_commit])
def test_an_unknown_queue_raises(enqueue):
    with pytest.raises(ValueError, match="unknown queue"):
        enqueue("nope", remember)
    db.session.commit()
    assert calls == []


def test_an_unknown_jobs_mode_raises(app, monkeypatch):
    monkeypatch.setitem(app.config, "JOBS_MODE", "carrier-pigeon")
    with pytest.raises(ValueError, match="JOBS_MODE"):
        queue.enqueue("default", remember)


def test_a_failing_job_is_logged_and_does_not_propagate(caplog):
    with caplog.at_level(logging.INFO, logger="siteninja.jobs"):
        assert queue.run_job(fail, 1) is None
        assert queue.run_job(remember, 2) is None
    failed, done = caplog.records
    assert failed.levelno == logging.ERROR and '"status": "failed"' in failed.getMessage()
    assert "test_after_commit.fail" in failed.getMessage() and "boom" in caplog.text
    assert done.levelno == logging.INFO and '"status": "done"' in done.getMessage()
    assert calls == [(2,)]


def test_a_failing_job_rolls_back_its_own_work_only(tenant):
    def rename_then_fail():
        db.session.get(Tenant, tenant.id).name = "Half Done"
        db.session.flush()
        raise RuntimeError("boom")

    queue.enqueue("default", rename_then_fail)
    name = db.session.scalar(sa.select(Tenant.name).where(Tenant.id == tenant.id))
    assert name == tenant.name != "Half Done"


def test_a_failing_sync_job_does_not_break_the_commit_that_enqueued_it():
    queue.enqueue_after_commit("default", fail)
    queue.enqueue_after_commit("default", remember, "after")
    db.session.commit()
    assert calls == [("after",)]
