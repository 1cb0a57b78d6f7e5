"""Configuration of the planner: shift templates, contracts, the flexible pool and the peak calendar."""

from django.contrib import admin

from contactpunt.workforce.models import Contract, PeakEntry, PoolMember, ShiftTemplate


@admin.register(ShiftTemplate)
class ShiftTemplateAdmin(admin.ModelAdmin[ShiftTemplate]):
    list_display = ["name", "start_time", "length_minutes", "breaks", "is_active"]
    list_filter = ["is_active"]


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
