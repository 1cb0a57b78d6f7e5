"""The schedule of periodic jobs, shared by every worker process, and what a running job reports."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult


class PeriodicJob(models.Model):
    """When a periodic task is next due. Workers claim a run with a conditional UPDATE, so each
    run is enqueued once however many workers are running."""

    name = models.CharField(max_length=200, unique=True)
    next_run_at = models.DateTimeField()
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class JobProgress(models.Model):
    """How far a running job is: its stage (an English message id, translated when shown) and done of total
    steps. Written by the job itself through contactpunt.ops.progress; removed with the task's row."""

    task = models.OneToOneField(DBTaskResult, on_delete=models.CASCADE, primary_key=True, related_name="progress")
    stage = models.CharField(max_length=200)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.stage} {self.done}/{self.total or '?'}"

    @property
    def percent(self) -> int | None:
        """The share done in whole percents, or None when the job does not know its total."""
        if not self.total:
            return None
        return min(100, self.done * 100 // self.total)


class BackgroundWork(DBTaskResult[Any, Any]):
    """The task rows as the admin's page of the worker's lanes shows them (a proxy: no table of its own)."""

    class Meta:
        proxy = True
        verbose_name = _("background work")
        verbose_name_plural = _("background work")


class WorkerHeartbeat(models.Model):
    """A running worker's last sign of life, written every few seconds while it runs (contactpunt.ops.heartbeat).
    A job claimed by a worker without a recent beat, whose process is not alive on this host, is released."""

    worker_id = models.CharField(max_length=200, unique=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host}:{self.pid})"
