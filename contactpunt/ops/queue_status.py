"""What the worker has to do, per lane: jobs waiting, running (with their progress) and failed, and how long the
oldest has waited. Read by the admin's page of the worker (contactpunt.ops.admin)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Min, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrPromise
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from contactpunt.contacts.models import FailedDelivery
from contactpunt.ops.lanes import LABELS, LANES, queue_filter
from contactpunt.ops.models import JobProgress

#: Failed jobs are counted over this window: older failures were seen, or pruned.
FAILED_WINDOW = dt.timedelta(hours=24)

#: The jobs by their names in the user's language (the task's function name is a code).
JOB_LABELS: dict[str, StrPromise] = {
    "send_outbox": _("Sending replies"),
    "poll_mailboxes": _("Fetching e-mail"),
    "retry_mail": _("Processing failed e-mail again"),
    "retry_meta_webhooks": _("Processing failed WhatsApp and social messages again"),
    "refresh_rollups": _("Updating the figures"),
    "refresh_rollups_backfill": _("Updating the figures of a loaded history"),
    "analyse_contacts": _("Analysing messages"),
    "analyse_history": _("Analysing the history's messages"),
    "retrain_reason_model": _("Training the contact-reason model"),
    "detect_structural_problems": _("Looking for structural problems"),
    "run_shift_plan": _("Planning shifts"),
    "plan_demo_shifts": _("Planning the demo's shifts"),
    "redeliver_announcements": _("Delivering failed announcements again"),
    "send_invitations": _("Sending survey invitations"),
    "decide_second_invitations": _("Asking whether solutions lasted"),
    "refresh_loyalty": _("Updating the loyalty figures"),
    "refresh_survey_snapshots": _("Updating the kept survey figures (drivers, FCR beside NPS)"),
    "create_moment_tasks": _("Creating the tasks of customer moments"),
    "retention": _("Removing data past its retention period"),
    "make_partitions_ahead": _("Making the event log's monthly partitions ahead"),
    "draw_weekly_sample": _("Drawing the weekly quality sample"),
    "flag_owner_tasks": _("Flagging articles due for review and uncovered contact reasons to their owners"),
}


def job_label(task_path: str) -> str:
    """The job's name for people: its label, else the function name (a job added without one)."""
    name = task_path.rsplit(".", 1)[-1]
    return str(JOB_LABELS.get(name, name))


@dataclass(frozen=True, slots=True)
class RunningJob:
    label: str
    running_for: dt.timedelta
    progress: JobProgress | None

    @property
    def stage(self) -> str:
        """The step the job reports, in the user's language; empty when it only repeats the job's own name
        ("Training the contact-reason model · training the reason model" said the same thing twice)."""
        if self.progress is None or not self.progress.stage:
            return ""
        stage = gettext(self.progress.stage)
        return "" if stage.casefold() == self.label.casefold() else stage


@dataclass(frozen=True, slots=True)
class WaitingJobs:
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class LaneStatus:
    lane: str
    label: str
    waiting: int
    running: int
    failed: int
    oldest_waiting: dt.timedelta | None
    running_jobs: list[RunningJob]
    waiting_jobs: list[WaitingJobs]


def lane_status(*, now: dt.datetime) -> list[LaneStatus]:
    """Every lane's depth at `now`: waiting (ready, including those scheduled for later), running, failed in
    the last FAILED_WINDOW, the age of the oldest waiting job, the running jobs with their progress, and the
    waiting jobs per kind (most first). Three queries per lane."""
    statuses = []
    for lane in LANES:
        rows = DBTaskResult.objects.filter(queue_filter(lane))
        ready = Q(status=TaskResultStatus.READY)
        counts = rows.aggregate(
            waiting=Count("pk", filter=ready),
            running=Count("pk", filter=Q(status=TaskResultStatus.RUNNING)),
            failed=Count("pk", filter=Q(status=TaskResultStatus.FAILED, finished_at__gte=now - FAILED_WINDOW)),
            oldest=Min("enqueued_at", filter=ready),
        )
        running = rows.filter(status=TaskResultStatus.RUNNING).select_related("progress").order_by("started_at")
        waiting = rows.filter(ready).values("task_path").annotate(count=Count("pk")).order_by("-count", "task_path")
        statuses.append(
            LaneStatus(
                lane=lane,
                label=str(LABELS[lane]),
                waiting=counts["waiting"],
                running=counts["running"],
                failed=counts["failed"],
                oldest_waiting=now - counts["oldest"] if counts["oldest"] else None,
                running_jobs=[
                    RunningJob(
                        job_label(row.task_path),
                        now - (row.started_at or now),
                        getattr(row, "progress", None),
                    )
                    for row in running
                ],
                waiting_jobs=[WaitingJobs(job_label(w["task_path"]), w["count"]) for w in waiting],
            )
        )
    return statuses


@dataclass(frozen=True, slots=True)
class FailedDeliveryLine:
    announcement: str
    subscriber: str
    count: int  # announcements in the delivery
    attempts: int
    failed_at: dt.datetime
    next_attempt_at: dt.datetime
    error: str


#: Announcements and subscribers by their names in the user's language (their code names otherwise).
DELIVERY_LABELS: dict[str, StrPromise] = {
    "contact_received": _("contact received"),
    "contact_event_recorded": _("contact event recorded"),
    "agent_state_changed": _("agent state changed"),
    "case_resolved": _("case resolved"),
    "case_reopened": _("case reopened"),
    "customers_merged": _("customers merged"),
    "case_assigned": _("case assigned"),
    "case_updated": _("case updated"),
    "work_session_changed": _("work session changed"),
    "mark_dirty": _("the figures (rollups)"),
    "mark_cases_dirty": _("the figures (rollups)"),
    "enqueue_analysis": _("message analysis"),
}


def _label(code: str) -> str:
    return str(DELIVERY_LABELS.get(code, code))


#: The page lists this many failed deliveries, the oldest first (the total is shown beside it).
SHOWN_DELIVERIES = 50


def failed_deliveries() -> tuple[int, list[FailedDeliveryLine]]:
    """How many announcements' deliveries failed and wait for a retry, and the oldest SHOWN_DELIVERIES of them."""
    rows = FailedDelivery.objects.order_by("failed_at", "pk")
    return rows.count(), [
        FailedDeliveryLine(
            _label(row.announcement),
            _label(row.subscriber.rsplit(".", 1)[-1]),
            len(row.ids),
            row.attempts,
            row.failed_at,
            row.next_attempt_at,
            row.error.splitlines()[0][:200] if row.error else "",
        )
        for row in rows[:SHOWN_DELIVERIES]
    ]
