"""Configuration of the journey for administrators: which contact reasons are complaints, the moment rules and
the segment rules (managers change the segment rules on the loyalty page too)."""

from django.contrib import admin

from contactpunt.journey.models import ComplaintReason, MomentRule, SegmentRule


@admin.register(ComplaintReason)
class ComplaintReasonAdmin(admin.ModelAdmin[ComplaintReason]):
    list_display = ["reason"]
    list_select_related = ["reason"]


@admin.register(MomentRule)
class MomentRuleAdmin(admin.ModelAdmin[MomentRule]):
    list_display = ["kind", "days", "instruction", "is_active"]


@admin.register(SegmentRule)
class SegmentRuleAdmin(admin.ModelAdmin[SegmentRule]):
    list_display = ["name", "position", "recency_min", "recency_max", "frequency_min", "frequency_max"]
