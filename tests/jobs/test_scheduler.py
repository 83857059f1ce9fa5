"""The scheduler of periodic tasks and keyed jobs: intervals, the Redis lock that lets one process
run a task per interval, failures that do not stop it, and one waiting job per key."""

from __future__ import annotations

import os
import threading

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from rq import Queue, SimpleWorker

from siteninja import create_app
from siteninja.core.redis import redis_client
from siteninja.jobs import queue, scheduler
from tests.conftest import database_url
from tests.e2e.jobs_for_test import record_marker


@pytest.fixture
def tasks(monkeypatch) -> dict:
    """An empty registry for the test (the application's own tasks are put back afterwards)."""
    registry: dict = {}
    monkeypatch.setattr(scheduler, "TASKS", registry)
    return registry


@pytest.fixture
def no_redis(monkeypatch) -> None:
    """Schedule as the embedded default does: no lock to take (fake ``now`` values, real Redis TTLs)."""
    monkeypatch.setattr(scheduler, "redis_client", lambda: None)


class DeadRedis:
    def set(self, *args, **kwargs):
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def test_the_webhook_sweep_is_registered_with_its_configured_interval(app):
    task = scheduler.TASKS["webhooks.sweep"]
    assert task.interval == "WEBHOOK_SWEEP_SECONDS"
    assert task.seconds(app) == app.config["WEBHOOK_SWEEP_SECONDS"] == 5


def test_a_task_runs_once_per_interval(app, tasks, no_redis):
    runs: list[str] = []
    scheduler.every(10, "count", lambda: runs.append("count"))
    scheduler.every(10, "count", lambda: runs.append("replaced"))  # registering again replaces
    runner = scheduler.Scheduler(app)
    assert runner.tick(now=100.0) == ["count"]
    assert runner.tick(now=109.0) == []
    assert runner.tick(now=110.0) == ["count"]
    assert runs == ["replaced", "replaced"]


def test_an_interval_can_name_a_config_setting(app, tasks, no_redis, monkeypatch):
    monkeypatch.setitem(app.config, "TEST_TASK_SECONDS", 2)
    scheduler.every("TEST_TASK_SECONDS", "configured", lambda: None)
    runner = scheduler.Scheduler(app)
    assert runner.tick(now=0.0) == ["configured"]
    assert runner.tick(now=1.5) == []
    assert runner.tick(now=2.0) == ["configured"]


def test_a_failing_task_is_logged_and_the_others_still_run(app, tasks, no_redis, caplog):
    ran: list[str] = []

    def broken() -> None:
        raise RuntimeError("boom")

    scheduler.every(1, "broken", broken)
    scheduler.every(1, "fine", lambda: ran.append("fine"))
    assert scheduler.Scheduler(app).tick(now=0.0) == ["broken", "fine"]
    assert ran == ["fine"]
    assert any('"status": "failed"' in record.getMessage() for record in caplog.records)


def test_the_loop_stops_when_asked(app, tasks, no_redis):
    ticked = threading.Event()
    scheduler.every(0.01, "tick", ticked.set)
    stop = threading.Event()
    thread = threading.Thread(target=scheduler.Scheduler(app).run, args=(stop,))
    thread.start()
    assert ticked.wait(5)
    stop.set()
    thread.join(5)
    assert not thread.is_alive()


def test_the_loop_ends_when_its_parent_process_is_gone(app, tasks, no_redis):
    done = threading.Event()
    thread = threading.Thread(
        target=lambda: (
            scheduler.Scheduler(app).run(threading.Event(), parent_pid=os.getppid() + 1),
            done.set(),
        )
    )
    thread.start()
    assert done.wait(5)


@pytest.mark.needs_services
def test_with_redis_one_process_runs_a_task_per_interval(tasks):
    live = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url(), REDIS_URL=os.environ["REDIS_URL"])
    runs: list[str] = []
    scheduler.every(0.5, "shared", lambda: runs.append("ran"))
    first, second = scheduler.Scheduler(live), scheduler.Scheduler(live)  # two workers
    assert first.tick(now=0.0) == ["shared"]
    assert second.tick(now=0.0) == []  # the other worker holds this interval
    threading.Event().wait(0.6)  # the lock expires with the interval
    assert second.tick(now=1.0) == ["shared"]
    assert runs == ["ran", "ran"]


def test_without_redis_a_scheduler_runs_its_tasks_alone(app, tasks, no_redis):
    scheduler.every(1, "solo", lambda: None)
    assert scheduler.Scheduler(app).tick(now=0.0) == ["solo"]


def test_redis_down_skips_the_tick(app, tasks, monkeypatch):
    monkeypatch.setattr(scheduler, "redis_client", DeadRedis)
    scheduler.every(1, "needs-lock", lambda: pytest.fail("ran without the lock"))
    assert scheduler.Scheduler(app).tick(now=0.0) == []


def test_the_in_process_thread_starts_with_the_first_request_only_when_configured(tmp_path, own_session):
    off = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/off.db")
    off.test_client().get("/api/health")
    assert scheduler.EXTENSION_KEY not in off.extensions
    on = create_app(
        "testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/on.db", SCHEDULER_IN_PROCESS=True
    )
    assert scheduler.EXTENSION_KEY not in on.extensions  # nothing at import or app creation
    try:
        on.test_client().get("/api/health")
        state = on.extensions[scheduler.EXTENSION_KEY]
        assert state["pid"] == os.getpid() and not state["stop"].is_set()
        assert scheduler.start_thread(on) is None  # once per process
    finally:
        scheduler.stop_thread(on)


class FakeExecutor:
    """Records submitted jobs without running them, to observe what waits in the queue."""

    def __init__(self) -> None:
        self.submitted: list[tuple] = []

    def submit(self, *call) -> None:
        self.submitted.append(call)


def test_thread_mode_keeps_one_waiting_job_per_key(app, monkeypatch):
    executor = FakeExecutor()
    monkeypatch.setattr(queue, "_executor", executor)
    monkeypatch.setitem(app.config, "JOBS_MODE", "thread")
    ran: list[str] = []
    queue.enqueue("webhooks", ran.append, "a", key="job-a")
    queue.enqueue("webhooks", ran.append, "a", key="job-a")
    queue.enqueue("webhooks", ran.append, "b")
    queue.enqueue("webhooks", ran.append, "b")
    assert len(executor.submitted) == 3  # the keyed job once, the unkeyed one twice
    function, *arguments = executor.submitted[0]
    function(*arguments)  # it starts: no longer waiting
    queue.enqueue("webhooks", ran.append, "a", key="job-a")
    assert len(executor.submitted) == 4 and ran == ["a"]


@pytest.mark.needs_services
def test_rq_mode_keeps_one_waiting_job_per_key(own_session):
    live = create_app(
        "testing", JOBS_MODE="rq", SQLALCHEMY_DATABASE_URI=database_url(), REDIS_URL=os.environ["REDIS_URL"]
    )
    with live.app_context():
        webhooks_queue = Queue("webhooks", connection=redis_client())
        for _ in range(3):
            queue.enqueue("webhooks", record_marker, "sn:test:keyed", key="keyed-job")
        assert webhooks_queue.count == 1
        SimpleWorker([webhooks_queue], connection=redis_client()).work(burst=True)
        assert redis_client().get("sn:test:keyed") is not None and webhooks_queue.count == 0
        queue.enqueue("webhooks", record_marker, "sn:test:keyed", key="keyed-job")  # finished: again
        assert webhooks_queue.count == 1
        webhooks_queue.empty()
