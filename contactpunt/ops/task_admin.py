"""The task backend's own rows in the admin (django_tasks_db), in the admin's language: each job by what it does
("Antwoorden versturen", as the background-work page names it) and its lane ("korte taken"), not by its function's
name and queue code; the id shortened (the full id is on the job's own page)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from contactpunt.ops.lanes import LABELS, LANES, lane_of, queue_filter
from contactpunt.ops.queue_status import job_label

admin.site.unregister(DBTaskResult)


class LaneFilter(admin.SimpleListFilter):
    title = _("lane")
    parameter_name = "lane"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(lane, str(LABELS[lane])) for lane in LANES]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        lane = self.value()
        return queryset.filter(queue_filter(lane)) if lane in LANES else queryset


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    list_display = ("short_id", "task", "status", "enqueued_at", "started_at", "finished_at", "lane")  # type: ignore[assignment]
    list_filter = ("status", LaneFilter)  # type: ignore[assignment]

    @admin.display(description=_("id"), ordering="id")
    def short_id(self, obj: DBTaskResult[Any, Any]) -> str:
        return str(obj.id)[:8]

    @admin.display(description=_("task"), ordering="task_path")
    def task(self, obj: DBTaskResult[Any, Any]) -> str:
        return job_label(obj.task_path)

    @admin.display(description=_("lane"), ordering="queue_name")
    def lane(self, obj: DBTaskResult[Any, Any]) -> str:
        return str(LABELS[lane_of(obj.queue_name)])
