"""The task backend's own rows in the admin (django_tasks_db), in the admin's language: its list names each job by
its task instead of the task's English function name heading."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    list_display = ("id", "task", "status", "enqueued_at", "started_at", "finished_at", "priority", "queue_name")

    @admin.display(description=_("task"), ordering="task_path")
    def task(self, obj: DBTaskResult[Any, Any]) -> str:
        return str(obj.task_name)
