"""The one way to run background work: RQ with Redis, a thread (or inline in tests) without."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flask import Flask, current_app
from rq import Queue
from rq.job import Job, JobStatus

from siteninja.core.db import after_commit
from siteninja.core.redis import redis_client
from siteninja.extensions import db

log = logging.getLogger("siteninja.jobs")

QUEUES = ("webhooks", "media", "email", "default")
JOB_TIMEOUT = 300
_executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="siteninja-job")


def enqueue(queue: str, func: Callable[..., Any], *args: Any, key: str | None = None) -> None:
    """Run ``func(*args)`` in the background on ``queue``; arguments must be plain ids.

    ``key`` names the job: while a job with that key still waits in its queue, enqueueing it
    again adds nothing (a sweeper may then re-offer work every few seconds without piling up).
    Prefer ``enqueue_after_commit`` inside a transaction: a job must never see (or miss) work
    its caller has not committed yet.
    """
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}")
    mode = current_app.config["JOBS_MODE"]
    app = current_app._get_current_object()
    if mode == "rq":
        _enqueue_rq(queue, func, args, key)
    elif mode == "sync":
        _run_in_app(app, func, args)
    elif mode == "thread":
        _submit_once(app, func, args, key)
    else:
        raise ValueError(f"unknown JOBS_MODE {mode!r}")


def _enqueue_rq(queue: str, func: Callable[..., Any], args: tuple[Any, ...], key: str | None) -> None:
    connection = redis_client()
    previous = Job.fetch_many([key], connection=connection)[0] if key is not None else None
    if previous is not None:
        if previous.get_status(refresh=False) == JobStatus.QUEUED:
            return
        previous.delete(remove_from_queue=False)  # a finished or abandoned run: start afresh
    Queue(queue, connection=connection).enqueue(func, *args, job_timeout=JOB_TIMEOUT, job_id=key)


_waiting: set[str] = set()
_waiting_lock = threading.Lock()


def _submit_once(app: Flask, func: Callable[..., Any], args: tuple[Any, ...], key: str | None) -> None:
    if key is not None:
        with _waiting_lock:
            if key in _waiting:
                return
            _waiting.add(key)
    _executor.submit(_run_in_app, app, func, args, key)


def enqueue_after_commit(queue: str, func: Callable[..., Any], *args: Any, key: str | None = None) -> None:
    """Enqueue once the current transaction commits, never for one that rolls back."""
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}")
    after_commit(db.session(), lambda: enqueue(queue, func, *args, key=key))


def run_job(func: Callable[..., Any], *args: Any) -> Any:
    """Run a job in the current app context, logging its outcome; a failure never escapes."""
    name = f"{func.__module__}.{func.__qualname__}" if hasattr(func, "__qualname__") else repr(func)
    try:
        result = func(*args)
    except Exception:
        db.session.rollback()
        log.exception(json.dumps({"job": name, "status": "failed"}))
        return None
    log.info(json.dumps({"job": name, "status": "done"}))
    return result


def _run_in_app(app: Flask, func: Callable[..., Any], args: tuple[Any, ...], key: str | None = None) -> None:
    # A fresh app context gives the job its own session, as a worker process would have:
    # it neither shares nor commits nor rolls back the caller's transaction.
    if key is not None:
        with _waiting_lock:
            _waiting.discard(key)  # started: no longer waiting, so it may be offered again
    with app.app_context():
        run_job(func, *args)
        db.session.remove()
