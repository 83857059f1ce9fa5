"""Gunicorn settings for ``web: gunicorn wsgi:app`` (read from the working directory)."""

import os
import shutil
from pathlib import Path

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "4"))
keepalive = 5
timeout = 30
graceful_timeout = 20
accesslog = None

# Prometheus multiprocess mode: every worker writes its samples under this directory and a scrape
# of /metrics on any worker adds them all up. Set before the workers import prometheus_client.
METRICS_DIR = Path(
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(Path(__file__).parent / "instance" / "prometheus"))
)
from prometheus_client import multiprocess  # noqa: E402 - reads PROMETHEUS_MULTIPROC_DIR when imported


def on_starting(server):
    """Start from empty metric files: counters of an earlier run would be added to this one's."""
    shutil.rmtree(METRICS_DIR, ignore_errors=True)
    METRICS_DIR.mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    """A dead worker's live gauges leave the aggregate (its counters stay counted)."""
    multiprocess.mark_process_dead(worker.pid)
