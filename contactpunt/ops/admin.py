"""The admin's page of the worker: per lane the jobs waiting, running (with progress) and failed, and the age of
the oldest waiting job. The task rows themselves stay in the task backend's own admin."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from contactpunt.ops import task_admin  # noqa: F401 - registers the task rows' admin in Dutch
from contactpunt.ops.models import BackgroundWork
from contactpunt.ops.queue_status import failed_deliveries, lane_status


@admin.register(BackgroundWork)
class BackgroundWorkAdmin(admin.ModelAdmin[BackgroundWork]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> TemplateResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": _("Background work"),
            "opts": self.model._meta,
            "lanes": lane_status(now=timezone.now()),
        }
        context["failed_total"], context["failed_deliveries"] = failed_deliveries()
        return TemplateResponse(request, "admin/ops/background_work.html", context)
