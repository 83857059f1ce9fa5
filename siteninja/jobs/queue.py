"""The one way to run background work: RQ with Redis, a thread (or inline in tests) without."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flask import Flask, current_app
from rq import Queue

from siteninja.core.db import after_commit
from siteninja.core.redis import redis_client
from siteninja.extensions import db

log = logging.getLogger("siteninja.jobs")

QUEUES = ("webhooks", "media", "email", "default")
JOB_TIMEOUT = 300
_executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="siteninja-job")


def enqueue(queue: str, func: Callable[..., Any], *args: Any) -> None:
    """Run ``func(*args)`` in the background on ``queue``; arguments must be plain ids."""
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}")
    mode = current_app.config["JOBS_MODE"]
    if mode == "rq":
        Queue(queue, connection=redis_client()).enqueue(func, *args, job_timeout=JOB_TIMEOUT)
    elif mode == "sync":
        run_job(func, *args)
    else:
        app = current_app._get_current_object()
        _executor.submit(_run_in_app, app, func, args)


def enqueue_after_commit(queue: str, func: Callable[..., Any], *args: Any) -> None:
    """Enqueue once the current transaction commits, never for one that rolls back."""
    after_commit(db.session(), lambda: enqueue(queue, func, *args))


def run_job(func: Callable[..., Any], *args: Any) -> Any:
    """Run a job in the current app context, logging its outcome; a failure never escapes."""
    name = getattr(func, "__qualname__", repr(func))
    try:
        result = func(*args)
    except Exception:
        db.session.rollback()
        log.exception("job %s failed", name)
        return None
    log.info("job %s done", name)
    return result


def _run_in_app(app: Flask, func: Callable[..., Any], args: tuple[Any, ...]) -> None:
    with app.app_context():
        run_job(func, *args)
        db.session.remove()
