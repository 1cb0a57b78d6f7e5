"""Seed phrases are edited here (the cold start); reason-model versions are shown read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from contactpunt.insights.models import ReasonModelVersion, SeedPhrase


@admin.register(SeedPhrase)
class SeedPhraseAdmin(admin.ModelAdmin[SeedPhrase]):
    list_display = ("text", "reason")
    list_filter = ("reason",)
    search_fields = ("text", "reason__name", "reason__code")


@admin.register(ReasonModelVersion)
class ReasonModelVersionAdmin(admin.ModelAdmin[ReasonModelVersion]):
    list_display = ("version", "method", "is_active", "accuracy", "macro_f1", "threshold", "created_at")
    exclude = ("artefact",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
