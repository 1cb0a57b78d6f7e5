"""The admin's notice of contacts that landed in a fallback queue (no queue fitted them)."""

from __future__ import annotations

from django import template

from contactpunt.contacts.services.queues import FallbackSummary, fallback_summary

register = template.Library()


@register.simple_tag
def fallback_contacts_summary() -> list[FallbackSummary]:
    """Per reason and queue asked for, how many contacts landed in a fallback queue (latest first)."""
    return fallback_summary()
