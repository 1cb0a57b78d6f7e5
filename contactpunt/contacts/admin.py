from django.contrib import admin

from contactpunt.contacts.models import BusinessCalendar, Case, ContactReason, OpeningHours, ProductType, Queue

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


admin.site.register(ProductType)
