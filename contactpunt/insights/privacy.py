"""The insights' part of a customer's export and erasure: the analysis of their messages, and the new topics that
named them as examples. Registered in apps.ready(); the erasure runs inside the erasing transaction."""

from __future__ import annotations

from typing import Any

from contactpunt.contacts import announcements, privacy
from contactpunt.insights.models import MessageInsight, NewTopic


def export(scope: privacy.CustomerScope) -> list[dict[str, Any]]:
    """The language, sentiment and suggested reason of each of the customer's messages."""
    return [
        {
            "message": insight.message_id,
            "language": insight.language,
            "sentiment": insight.sentiment,
            "sentiment_score": insight.sentiment_score,
            "suggested_reason": insight.suggested_reason.name if insight.suggested_reason else None,
            "analysed_at": insight.analysed_at.isoformat(),
        }
        for insight in MessageInsight.objects.filter(message_id__in=scope.message_ids)
        .select_related("suggested_reason")
        .order_by("occurred_at", "id")
    ]


def erase(message: announcements.Message) -> None:
    """Delete the analysis of the customer's messages and drop them from the examples of new topics."""
    scope = privacy.customer_scope(message.ids["customer_id"])
    MessageInsight.objects.filter(message_id__in=scope.message_ids).delete()
    erased = set(scope.message_ids)
    for topic in NewTopic.objects.all().only("pk", "example_message_ids"):
        kept = [pk for pk in topic.example_message_ids if pk not in erased]
        if kept != topic.example_message_ids:
            NewTopic.objects.filter(pk=topic.pk).update(example_message_ids=kept)


def register() -> None:
    privacy.register_export("insights", export)
    announcements.subscribe_now(announcements.Announcement.CUSTOMER_ERASED, erase)
