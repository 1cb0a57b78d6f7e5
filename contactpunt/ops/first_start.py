"""What the first start of the demo leaves to the worker, in the order a new user needs it."""

from __future__ import annotations


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
