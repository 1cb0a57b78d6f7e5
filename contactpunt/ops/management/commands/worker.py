"""`contactpunt worker`: the task worker for production, with the periodic jobs.

Run one process per lane (`--queues short` and `--queues long`, so training or planning never holds up a reply),
or both lanes in one process (`--queues short,long`, the default: a thread each).
"""

from __future__ import annotations

import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from contactpunt.ops.heartbeat import start_heartbeat, unique_worker_id
from contactpunt.ops.lanes import LANES, parse_lanes
from contactpunt.ops.worker import (
    exit_with_parent,
    lower_priority,
    make_worker,
    recover_interrupted,
    run_clock,
    run_lane_forever,
)


class Command(BaseCommand):
    help = "Run background tasks and periodic jobs (mail polling, retraining, reports, retention)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--queues",
            default=",".join(LANES),
            help="The lanes to run: short (outbox, rollups, analysis, mail), long (training, planning) or short,long.",
        )
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls when idle.")
        parser.add_argument("--no-clock", action="store_true", help="Do not enqueue periodic jobs from this worker.")
        parser.add_argument(
            "--worker-id",
            default="",
            help="Unique per running worker (default: host name, process id, a random part and the lanes, new at "
            "every start). A restart under the same id fails the jobs the previous run left unfinished at once; "
            "otherwise they are released once its beats have stopped for WORKER_CLAIM_TIMEOUT_S.",
        )
        parser.add_argument("--nice", type=int, default=0, help="Lower this process's CPU priority by this much.")
        parser.add_argument("--parent-pid", type=int, default=0, help="Stop when this process ends (`up` uses it).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            lanes = parse_lanes(options["queues"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        if options["interval"] <= 0:
            raise CommandError("--interval must be a positive number of seconds")
        from contactpunt.channels import demo_delivery
        from contactpunt.ops import demo

        if demo.is_demo():
            demo_delivery.install()  # the demo's replies are recorded, never sent
        base_id = options["worker_id"] or unique_worker_id("-".join(lanes))
        if options["nice"] < 0:
            raise CommandError("--nice must be 0 or more (a worker never raises its own priority)")
        lower_priority(options["nice"])
        if options["parent_pid"]:
            exit_with_parent(options["parent_pid"])
        stop = threading.Event()
        if not options["no_clock"]:
            threading.Thread(target=run_clock, args=(stop,), name="periodic-clock", daemon=True).start()
        workers = {}
        for lane in lanes:
            worker_id = base_id if len(lanes) == 1 else f"{base_id}:{lane}"
            recover_interrupted(worker_id)
            workers[lane] = make_worker(lane=lane, interval=options["interval"], worker_id=worker_id)
        start_heartbeat([worker.worker_id for worker in workers.values()], stop)
        *others, main = workers.values()
        for worker in others:
            threading.Thread(target=run_lane_forever, args=(worker, stop), name=worker.worker_id, daemon=True).start()
        main.configure_signals()
        self.stdout.write(f"Worker running ({', '.join(lanes)}); Ctrl+C stops it.")
        try:
            main.run()
        finally:
            stop.set()
            for worker in others:
                worker.running = False
