"""Configuration of the planner: shift templates, contracts, the flexible pool and the peak calendar."""

import datetime as dt

from django.contrib import admin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contactpunt.workforce.models import Contract, PeakEntry, PoolMember, ShiftTemplate


@admin.register(ShiftTemplate)
class ShiftTemplateAdmin(admin.ModelAdmin[ShiftTemplate]):
    list_display = ["name", "start_time", "length_minutes", "break_times", "is_active"]
    list_filter = ["is_active"]

    @admin.display(description=gettext_lazy("breaks"))
    def break_times(self, template: ShiftTemplate) -> str:
        """Each break as its local start and length ("11:00, 30 min"), not the stored minutes from the start."""
        start = dt.datetime.combine(dt.date(2000, 1, 1), template.start_time)
        return "; ".join(
            _("%(time)s, %(minutes)s min")
            % {"time": (start + dt.timedelta(minutes=offset)).strftime("%H:%M"), "minutes": minutes}
            for offset, minutes in template.break_spans()
        )


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin[Contract]):
    list_display = ["agent", "min_hours_week", "max_hours_week", "is_schedulable"]
    search_fields = ["agent__username", "agent__first_name", "agent__last_name"]
    autocomplete_fields = ["agent"]


@admin.register(PoolMember)
class PoolMemberAdmin(admin.ModelAdmin[PoolMember]):
    list_display = ["user", "weekdays", "available_from", "available_until", "max_hours_week", "cost_per_hour",
                    "is_active"]  # fmt: skip
    list_filter = ["is_active"]
    autocomplete_fields = ["user"]


@admin.register(PeakEntry)
class PeakEntryAdmin(admin.ModelAdmin[PeakEntry]):
    list_display = ["name", "date", "days_before", "days_after", "uplift", "is_active"]
