"""Reads of stored insights for other screens (the agent's case view)."""

from __future__ import annotations

from contactpunt.contacts.models import Case
from contactpunt.insights.models import MessageInsight


def latest_insight(case: Case) -> MessageInsight | None:
    """The insight of the case's newest analysed inbound message (with its suggested reason), or None."""
    return (
        MessageInsight.objects.filter(message__case=case)
        .select_related("suggested_reason")
        .order_by("-occurred_at", "-id")
        .first()
    )
