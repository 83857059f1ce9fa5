"""The background worker: an RQ worker on every SiteNinja queue, inside one app context, plus the
scheduler of periodic tasks (jobs/scheduler.py: the webhook sweep and others) in a child process."""

from __future__ import annotations

import sys

from rq import Worker

from siteninja import create_app
from siteninja.core.redis import redis_client
from siteninja.jobs import scheduler
from siteninja.jobs.queue import QUEUES


def main(argv: list[str]) -> int:
    """Run the worker until stopped (``--burst``: until the queues are empty, without the scheduler)."""
    app = create_app()
    with app.app_context():
        connection = redis_client()
        if connection is None:
            print("worker.py needs REDIS_URL; without it jobs run inside the web process", file=sys.stderr)
            return 2
        burst = "--burst" in argv
        if not burst:
            scheduler.start_process(app)  # forked now, before anything connects; it ends with us
        worker = Worker(list(QUEUES), connection=connection)
        worker.work(burst=burst, with_scheduler=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
