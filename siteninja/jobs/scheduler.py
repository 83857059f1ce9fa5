"""Periodic tasks: a registry, and the one runner that ``worker.py`` and the embedded default share.

A feature registers its task where it lives, in one line::

    scheduler.every(5, "webhooks.sweep", sweep)                     # seconds
    scheduler.every("API_KEY_FLUSH_SECONDS", "api_keys.flush", flush)  # or a config setting's name

Each task is a function taking no arguments; it runs in an app context, and a failure is logged,
never fatal. With Redis (the worker), a ``SET NX PX`` lock per task and interval lets only one
process run it, however many workers there are. ``worker.py`` runs the loop in a child process;
the embedded default (``JOBS_MODE=thread``, no Redis) in a daemon thread of the web process,
started by its first request (never at import; in tests only when ``SCHEDULER_IN_PROCESS`` is set).
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from redis.exceptions import RedisError

from siteninja.core.redis import redis_client
from siteninja.extensions import db
from siteninja.jobs.queue import run_job

log = logging.getLogger("siteninja.scheduler")

POLL_SECONDS = 1.0
LOCK_PREFIX = "sn:scheduler:"


@dataclass(frozen=True)
class PeriodicTask:
    """``func`` every ``interval`` seconds (a number, or the name of a config setting)."""

    name: str
    interval: float | str
    func: Callable[[], Any]

    def seconds(self, app: Flask) -> float:
        return float(app.config[self.interval] if isinstance(self.interval, str) else self.interval)


TASKS: dict[str, PeriodicTask] = {}


def every(interval: float | str, name: str, func: Callable[[], Any]) -> None:
    """Register ``func`` to run every ``interval`` seconds under ``name`` (registering again replaces)."""
    TASKS[name] = PeriodicTask(name=name, interval=interval, func=func)


class Scheduler:
    """Runs the due tasks of ``TASKS`` for one app; ``tick`` is one pass, ``run`` the loop."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.owner = uuid.uuid4().hex
        self._last_run: dict[str, float] = {}

    def tick(self, now: float | None = None) -> list[str]:
        """Run every task whose interval has passed here and that no other process ran meanwhile."""
        now = time.monotonic() if now is None else now
        ran = []
        for task in list(TASKS.values()):
            with self.app.app_context():
                interval = task.seconds(self.app)
                if now - self._last_run.get(task.name, -interval) < interval:
                    continue
                self._last_run[task.name] = now
                if self._acquire(task, interval):
                    _run(task)
                    ran.append(task.name)
        return ran

    def run(self, stop: threading.Event, *, parent_pid: int | None = None) -> None:
        """Tick every second until ``stop`` is set (or the parent process is gone)."""
        while not stop.wait(POLL_SECONDS):
            if parent_pid is not None and os.getppid() != parent_pid:
                return
            self.tick()

    def _acquire(self, task: PeriodicTask, interval: float) -> bool:
        client = redis_client()
        if client is None:
            return True
        try:
            key = LOCK_PREFIX + task.name
            return bool(client.set(key, self.owner, nx=True, px=max(int(interval * 1000), 1)))
        except RedisError:
            log.warning(json.dumps({"task": task.name, "status": "skipped", "reason": "redis unavailable"}))
            return False


def _run(task: PeriodicTask) -> None:
    try:
        run_job(task.func)
    finally:
        db.session.remove()


def start_process(app: Flask) -> multiprocessing.process.BaseProcess:
    """Fork the scheduler loop for ``worker.py``; it ends with its parent, however the parent ends.

    Call it before anything connects: the child must not share the parent's connections.
    """
    parent = os.getpid()
    process = multiprocessing.get_context("fork").Process(
        target=Scheduler(app).run, args=(threading.Event(),), kwargs={"parent_pid": parent}, daemon=True
    )
    process.start()
    return process


EXTENSION_KEY = "siteninja_scheduler"
_thread_lock = threading.Lock()


def start_thread(app: Flask) -> threading.Event | None:
    """Start the in-process scheduler thread of ``app`` once per process; its stop event, if this
    call started it."""
    with _thread_lock:
        state = app.extensions.get(EXTENSION_KEY)
        if state is not None and state["pid"] == os.getpid():
            return None
        stop = threading.Event()
        app.extensions[EXTENSION_KEY] = {"pid": os.getpid(), "stop": stop}
    thread = threading.Thread(
        target=Scheduler(app).run, args=(stop,), name="siteninja-scheduler", daemon=True
    )
    thread.start()
    return stop


def stop_thread(app: Flask) -> None:
    """Stop the in-process scheduler thread of ``app``, if one runs (tests, shutdown)."""
    state = app.extensions.get(EXTENSION_KEY)
    if state is not None:
        state["stop"].set()


def init_app(app: Flask) -> None:
    """On the embedded default, start the in-process scheduler with the first request."""
    if app.config.get("SCHEDULER_IN_PROCESS"):
        app.before_request(_start_with_first_request)


def _start_with_first_request() -> None:
    start_thread(current_app._get_current_object())
