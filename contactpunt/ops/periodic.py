"""Periodic jobs: apps register a task and an interval; the worker enqueues each when due, unless one of its kind
still waits or runs (a busy worker must not find a pile of the same job when it gets to it)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django_tasks import task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from contactpunt.ops.models import PeriodicJob

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Schedule:
    name: str
    task: Any  # a django_tasks Task that takes no arguments
    every: dt.timedelta


_schedules: dict[str, Schedule] = {}

#: A job still marked running after this long belongs to a worker that died without a restart under its id
#: (contactpunt.ops.worker.recover_interrupted); it no longer holds back the next run.
STALE_RUNNING = dt.timedelta(hours=6)


def register(task: Any, *, every: dt.timedelta) -> None:
    """Run `task` (taking no arguments) every `every`, from the worker. Idempotent tasks only."""
    name = f"{task.module_path}"
    _schedules[name] = Schedule(name, task, every)


def schedules() -> list[Schedule]:
    return list(_schedules.values())


def is_pending(task: Any, *, now: dt.datetime) -> bool:
    """True when a run of `task` waits in its database queue or is running. Always False on a backend without
    stored results (the immediate backend runs a task as it is enqueued)."""
    backend = task_backends[task.backend]
    if not isinstance(backend, DatabaseBackend):
        return False
    rows = DBTaskResult.objects.filter(backend_name=backend.alias, task_path=task.module_path)
    return (
        rows.filter(status=TaskResultStatus.READY).exists()
        or rows.filter(status=TaskResultStatus.RUNNING, started_at__gte=now - STALE_RUNNING).exists()
    )


def enqueue_unless_waiting(task: Any) -> bool:
    """Enqueue `task` (taking no arguments) unless a run of it already waits; True when enqueued. A job that
    continues itself in slices uses this: one waiting slice does all that is left. On a backend without stored
    results it is simply enqueued (and so run at once)."""
    backend = task_backends[task.backend]
    if isinstance(backend, DatabaseBackend):
        waiting = DBTaskResult.objects.filter(backend_name=backend.alias, task_path=task.module_path)
        if waiting.filter(status=TaskResultStatus.READY).exists():
            return False
    task.enqueue()
    return True


def enqueue_due(now: dt.datetime | None = None) -> list[str]:
    """Enqueue every registered job whose time has come and of which no run waits or runs; return the names
    enqueued. A job that is due but still pending stays due, so it is enqueued at the first round after its run.

    A job is claimed with UPDATE ... WHERE next_run_at = <the value read>: when two workers race,
    only the one whose update changed a row enqueues it.
    """
    now = now or timezone.now()
    enqueued = []
    for schedule in _schedules.values():
        job, _created = PeriodicJob.objects.get_or_create(name=schedule.name, defaults={"next_run_at": now})
        if job.next_run_at > now or is_pending(schedule.task, now=now):
            continue
        claimed = PeriodicJob.objects.filter(pk=job.pk, next_run_at=job.next_run_at).update(
            next_run_at=now + schedule.every, last_enqueued_at=now
        )
        if claimed:
            schedule.task.enqueue()
            enqueued.append(schedule.name)
    return enqueued
