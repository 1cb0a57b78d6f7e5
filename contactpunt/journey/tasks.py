"""Background work of the journey: the moments' tasks, once a day (idempotent)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from contactpunt.journey import snapshot
from contactpunt.journey.moments import run_moments
from contactpunt.ops.lanes import LONG

MOMENTS_EVERY = dt.timedelta(hours=6)


@task(queue_name=LONG)
def create_moment_tasks() -> int:
    """Create the tasks of today's moments; return how many were new."""
    return run_moments()


@task(queue_name=LONG)
def refresh_loyalty() -> str:
    """Compute the loyalty page's figures (cohorts, segments, movement) and keep them; return their fingerprint."""
    return snapshot.refresh().fingerprint
