"""`contactpunt worker`: the task worker for production, with the periodic jobs."""

from __future__ import annotations

import socket
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from contactpunt.ops.worker import make_worker, run_clock


class Command(BaseCommand):
    help = "Run background tasks and periodic jobs (mail polling, retraining, reports, retention)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls when idle.")
        parser.add_argument("--no-clock", action="store_true", help="Do not enqueue periodic jobs from this worker.")

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        if not options["no_clock"]:
            threading.Thread(target=run_clock, args=(stop,), name="periodic-clock", daemon=True).start()
        worker = make_worker(interval=options["interval"], worker_id=f"{socket.gethostname()}-worker")
        worker.configure_signals()
        self.stdout.write("Worker running; Ctrl+C stops it.")
        try:
            worker.run()
        finally:
            stop.set()
