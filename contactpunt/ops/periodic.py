"""Periodic jobs: apps register a task and an interval; the worker enqueues each when due."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from contactpunt.ops.models import PeriodicJob

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Schedule:
    name: str
    task: Any  # a django_tasks Task that takes no arguments
    every: dt.timedelta


_schedules: dict[str, Schedule] = {}


def register(task: Any, *, every: dt.timedelta) -> None:
    """Run `task` (taking no arguments) every `every`, from the worker. Idempotent tasks only."""
    name = f"{task.module_path}"
    _schedules[name] = Schedule(name, task, every)


def schedules() -> list[Schedule]:
    return list(_schedules.values())


def enqueue_due(now: dt.datetime | None = None) -> list[str]:
    """Enqueue every registered job whose time has come; return the names enqueued.

    A job is claimed with UPDATE ... WHERE next_run_at = <the value read>: when two workers race,
    only the one whose update changed a row enqueues it.
    """
    now = now or timezone.now()
    enqueued = []
    for schedule in _schedules.values():
        job, _created = PeriodicJob.objects.get_or_create(name=schedule.name, defaults={"next_run_at": now})
        if job.next_run_at > now:
            continue
        claimed = PeriodicJob.objects.filter(pk=job.pk, next_run_at=job.next_run_at).update(
            next_run_at=now + schedule.every, last_enqueued_at=now
        )
        if claimed:
            schedule.task.enqueue()
            enqueued.append(schedule.name)
    return enqueued
