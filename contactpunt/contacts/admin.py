from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from contactpunt.contacts.models import (
    BusinessCalendar,
    Case,
    ContactReason,
    OpeningHours,
    Queue,
    ResponseTemplate,
)
from contactpunt.contacts.services import templates as template_services
from contactpunt.people.models import User

# The admin's front page warns about contacts that landed in a fallback queue (contacts.services.queues).
admin.site.index_template = "contacts/admin/index.html"


class OpeningHoursInline(admin.TabularInline[OpeningHours, BusinessCalendar]):
    model = OpeningHours
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin[BusinessCalendar]):
    list_display = ["name", "holiday_country", "time_zone"]
    inlines = [OpeningHoursInline]


@admin.register(Queue)
class QueueAdmin(admin.ModelAdmin[Queue]):
    list_display = [
        "name",
        "code",
        "channel",
        "department",
        "sl_threshold_s",
        "sl_target",
        "short_abandon_s",
        "response_norm_s",
        "is_active",
        "is_fallback",
    ]
    list_filter = ["channel", "department", "is_active", "is_fallback"]
    readonly_fields = ["is_fallback"]
    filter_horizontal = ["skills"]
    prepopulated_fields = {"code": ["name"]}


@admin.register(ContactReason)
class ContactReasonAdmin(admin.ModelAdmin[ContactReason]):
    list_display = ["code", "name", "parent", "is_active"]
    list_filter = ["parent", "is_active"]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin[Case]):
    """Read-only: cases change through the workspace and its services, never by editing rows."""

    list_display = ["id", "subject", "status", "queue", "channel", "opened_at", "resolved_at"]
    list_filter = ["status", "queue", "channel"]

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(ResponseTemplate)
class ResponseTemplateAdmin(admin.ModelAdmin[ResponseTemplate]):
    """Saves through the template services (audited); a template is retired, never deleted."""

    list_display = ["name", "language", "channel", "reason", "is_active", "updated_at"]
    list_filter = ["is_active", "language", "channel", "reason"]
    search_fields = ["name", "text"]
    fields = ["name", "language", "channel", "reason", "text"]
    actions = ["retire"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ResponseTemplate, form: Any, change: bool) -> None:
        assert isinstance(request.user, User)
        fields = template_services.TemplateFields(
            name=obj.name, language=obj.language, text=obj.text, channel=obj.channel, reason=obj.reason
        )
        if change:
            template_services.update_template(by=request.user, template=obj, fields=fields)
        else:
            obj.pk = template_services.create_template(by=request.user, fields=fields).pk

    @admin.action(description=_("Retire the selected templates"))
    def retire(self, request: HttpRequest, queryset: QuerySet[ResponseTemplate]) -> None:
        assert isinstance(request.user, User)
        for template in queryset:
            template_services.retire_template(by=request.user, template=template)


# Customers: export and erasure from the admin.
from contactpunt.contacts import admin_customers  # noqa: E402, F401
