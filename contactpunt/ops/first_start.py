"""What the first start of the demo leaves to the worker, in the order a new user needs it."""

from __future__ import annotations

import os
import subprocess
import sys

from django.core.management.base import CommandError


def enqueue_first_start_jobs() -> None:
    """The long lane's work after the demo is loaded, in the order a new user needs it: the figures of the history
    first (the weeks, months and SPOC reports read the rollups), the loyalty page's (a few seconds: else the page's
    first visitor waits for them), then the shift plan (today's staffing), then the reason model, which the
    history's analysis (lower still, contactpunt.insights.tasks) waits for so that it gets suggested reasons."""
    from contactpunt.insights.tasks import retrain_reason_model
    from contactpunt.journey.tasks import refresh_loyalty
    from contactpunt.kpis.tasks import refresh_rollups_backfill
    from contactpunt.workforce.tasks import plan_demo_shifts

    refresh_rollups_backfill.using(priority=FIRST_START_PRIORITY["figures"]).enqueue()
    refresh_loyalty.using(priority=FIRST_START_PRIORITY["loyalty"]).enqueue()
    plan_demo_shifts.using(priority=FIRST_START_PRIORITY["shift plan"]).enqueue()
    retrain_reason_model.using(priority=FIRST_START_PRIORITY["reason model"]).enqueue()


FIRST_START_PRIORITY = {"figures": 20, "loyalty": 15, "shift plan": 10, "reason model": 5}


class StaticFiles:
    """`collectstatic` in a child process, on the second core while this one migrates and writes the demo.

    With compression (WhiteNoise writes a gzip and a Brotli copy of every file) it takes about 5 s of CPU on a
    first start; run in line it added that to the wait before the URL is printed. `finish` waits for it and raises
    CommandError with its output when it failed."""

    def __init__(self) -> None:
        command = [sys.executable, "-m", "contactpunt.cli", "collectstatic", "--noinput", "--verbosity", "0"]
        self.process = subprocess.Popen(  # noqa: S603 (our own command)
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=os.environ.copy()
        )

    def finish(self) -> None:
        output, _ = self.process.communicate()
        if self.process.returncode != 0:
            raise CommandError(f"collectstatic failed:\n{output.decode(errors='replace')}")
