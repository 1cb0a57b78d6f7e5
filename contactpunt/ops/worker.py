"""The task worker: django-tasks-db's worker plus the periodic-job clock, in one process or thread."""

from __future__ import annotations

import logging
import threading
import time

from django.db import close_old_connections
from django_tasks_db.management.commands.db_worker import Worker

from contactpunt.ops.periodic import enqueue_due

logger = logging.getLogger(__name__)


def make_worker(*, interval: float = 1.0, worker_id: str = "contactpunt") -> Worker:
    return Worker(
        queue_names=["*"],
        interval=interval,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )


def run_clock(stop: threading.Event, *, every_seconds: float = 15.0) -> None:
    """Enqueue due periodic jobs until `stop` is set."""
    while not stop.is_set():
        try:
            enqueue_due()
        except Exception:
            logger.exception("the periodic-job clock failed; trying again")
        finally:
            close_old_connections()
        stop.wait(every_seconds)


def start_in_threads(stop: threading.Event) -> list[threading.Thread]:
    """Start a worker and the clock in daemon threads (for `contactpunt up`)."""
    worker = make_worker(worker_id="up-inprocess")

    def work() -> None:
        while not stop.is_set():
            try:
                worker.run()
            except Exception:
                logger.exception("the in-process worker stopped; restarting")
                time.sleep(1)

    threads = [
        threading.Thread(target=work, name="task-worker", daemon=True),
        threading.Thread(target=run_clock, args=(stop,), name="periodic-clock", daemon=True),
    ]
    for thread in threads:
        thread.start()
    return threads
