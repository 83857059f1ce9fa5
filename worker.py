"""The background worker: an RQ worker on every SiteNinja queue, inside one app context, plus the
scheduler of periodic tasks (jobs/scheduler.py: the webhook sweep and others) in a child process."""

from __future__ import annotations

import logging
import sys
import time

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq import Worker

from siteninja import create_app
from siteninja.core.redis import redis_client
from siteninja.jobs import scheduler
from siteninja.jobs.queue import QUEUES

REDIS_RETRY_SECONDS = 2
log = logging.getLogger("siteninja.worker")


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
        while True:
            try:
                Worker(list(QUEUES), connection=connection).work(burst=burst, with_scheduler=True)
                return 0
            except (RedisConnectionError, RedisTimeoutError) as error:
                # RQ gives up on some Redis errors (outside its dequeue loop): wait it out, start again.
                # Nothing is lost meanwhile: the database holds what is due, and the sweep re-enqueues it.
                if burst:
                    raise
                log.warning(
                    "Redis unavailable (%s); the worker starts again in %s s", error, REDIS_RETRY_SECONDS
                )
                time.sleep(REDIS_RETRY_SECONDS)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
