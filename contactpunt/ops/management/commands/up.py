"""`contactpunt up`: everything a first start needs, in one process, with no other service.

Migrates the database, creates the demo organisation when the database is empty, starts the task worker's
short lane in-process and its long lane in a child process (contactpunt.ops.worker), and serves the web UI and
API with an ASGI server. In the demo, replies are delivered by the demo delivery channel: recorded, never sent.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.core.management.commands import migrate
from django.db import connections
from django.db.migrations.executor import MigrationExecutor

from contactpunt.ops import fresh_schema
from contactpunt.simulation.progress import ProgressLine, StepsLine


class _MigrateCommand(migrate.Command):
    """Django's migrate, counting each migration applied on a progress line."""

    def __init__(self, steps: StepsLine) -> None:
        super().__init__()
        self.steps = steps

    def migration_progress_callback(self, action: str, migration: Any = None, fake: bool = False) -> None:
        if action == "apply_success":
            self.steps.step(_weight(migration))


def _weight(migration: Any) -> float:
    """What a migration costs, roughly: Django rebuilds the model states at each operation, most of the time."""
    return float(max(1, len(getattr(migration, "operations", ()))))


class Command(BaseCommand):
    help = "Start Contactpunt: migrate, load the demo when empty, run a worker and serve on localhost."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-demo", action="store_true", help="Do not create the demo organisation.")
        parser.add_argument(
            "--no-live", action="store_true", help="Do not keep simulated demo contacts arriving while running."
        )
        parser.add_argument("--no-worker", action="store_true", help="Do not run a task worker in this process.")
        parser.add_argument(
            "--long-lane",
            choices=["process", "thread", "off"],
            default="process",
            help="Run long jobs (training, planning) in a child process (default), a thread, or not at all.",
        )
        parser.add_argument("--workers", type=int, default=1, help="ASGI server processes (needs --no-worker > 1).")

    def _migrate(self) -> None:
        """Apply the migrations; when there are any, a progress line counts them (the first start's take 10 s on a
        quiet machine and over half a minute on a busy one, before the demo's own line starts). A new SQLite
        database gets the final schema at once instead (contactpunt.ops.fresh_schema: a few seconds)."""
        connection = connections["default"]
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if not plan:
            call_command("migrate", interactive=False, verbosity=0)  # checks and signals, as ever
            return
        first = not connection.introspection.table_names()
        self.stdout.write("Creating the database (first start only)..." if first else "Updating the database...")
        self.stdout.flush()
        line = ProgressLine(sys.stdout, interactive=sys.stdout.isatty())
        steps = StepsLine(line, len(plan), "migrations", total_weight=sum(_weight(m) for m, _backwards in plan))
        if first and fresh_schema.create(connection, applied=lambda migration: steps.step(_weight(migration))):
            call_command("migrate", interactive=False, verbosity=0)  # nothing left to apply: its checks and signals
            return
        call_command(_MigrateCommand(steps), interactive=False, verbosity=0)

    def handle(self, *args: Any, **options: Any) -> None:
        import uvicorn

        from contactpunt.channels import demo_delivery
        from contactpunt.ops import demo
        from contactpunt.ops.first_start import StaticFiles, enqueue_first_start_jobs
        from contactpunt.ops.worker import settle_waiting, start_for_up

        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        if "PUBLIC_URL" not in os.environ:  # survey links lead to where this process serves
            host = "localhost" if options["host"] in ("0.0.0.0", "::", "127.0.0.1") else options["host"]  # noqa: S104
            settings.PUBLIC_URL = f"http://{host}:{options['port']}"
        static_files = StaticFiles()  # in a child process, beside the migrations and the demo
        self._migrate()
        logins = None
        if not options["no_demo"] and demo.is_empty():
            self.stdout.write("Creating the demo organisation (first start only)...")
            logins = demo.create_demo_organisation(progress=ProgressLine(sys.stdout, interactive=sys.stdout.isatty()))
            enqueue_first_start_jobs()  # the history's figures, the shift plan, the reason model
        static_files.finish()
        if not options["no_demo"] and demo.is_demo():
            demo_delivery.install()  # this process runs the short lane, which sends the outbox
        stop = threading.Event()
        if not options["no_demo"] and not options["no_live"]:
            demo.start_live(stop, logins)
        elif logins is not None and logins.simulation is not None:
            logins.simulation.close()  # the demo's engine process is not needed without the live mode
        long_lane = None
        if not options["no_worker"]:
            settle_waiting()
            long_lane = start_for_up(stop, long_lane=options["long_lane"])
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write(self.style.SUCCESS(f"\nContactpunt is running at {url}"))
        self.stdout.write(f"  API docs: {url}api/v1/docs   Admin: {url}admin/   Data: {settings.DATA_DIR}")
        if logins is not None:
            self.stdout.write("  Demo logins (password 'demo'): " + ", ".join(u for u, _p, _r in logins.users))
            self.stdout.write(f"  Demo history: {logins.contacts:,} contacts, {logins.agents} agents")
            self.stdout.write(f"  Demo API token (shown once): {logins.api_token}")
        elif not options["no_demo"]:
            agents = demo.agent_count()
            self.stdout.write(
                f"  Demo logins: admin, manager, teamlead, auditor, agent1..agent{agents} (password 'demo')"
            )
        self.stdout.write("Press Ctrl+C to stop.\n")
        # The preparation above used this thread's connection, and nothing would ever give it back: from a
        # pool (PostgreSQL) it stayed checked out for good, one connection fewer for the requests.
        connections.close_all()
        try:
            uvicorn.run(
                "contactpunt.config.asgi:application",
                host=options["host"],
                port=options["port"],
                workers=options["workers"] if options["no_worker"] else 1,
                timeout_worker_healthcheck=settings.WEB_WORKER_HEALTHCHECK_S,
                log_level="warning",
                lifespan="off",
            )
        finally:
            stop.set()
            if long_lane is not None:
                long_lane.stop()
