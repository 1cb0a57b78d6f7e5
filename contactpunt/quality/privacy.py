"""The quality app's part of a customer's export and erasure: the reviews of their contacts (scores stay, for the
agent's figures; the reviewer's comment, which may quote the customer, is exported and erased)."""

from __future__ import annotations

from typing import Any

from contactpunt.contacts import announcements, privacy
from contactpunt.quality.models import Review


def export(scope: privacy.CustomerScope) -> list[dict[str, Any]]:
    """Each review of one of the customer's contacts: its contact, score and comment."""
    return [
        {"contact": contact, "score": score, "comment": comment}
        for contact, score, comment in Review.objects.filter(contact_id__in=scope.contact_ids, done_at__isnull=False)
        .order_by("contact_id", "pk")
        .values_list("contact_id", "score", "comment")
    ]


def erase(message: announcements.Message) -> None:
    """Blank the comments of the reviews of the customer's contacts."""
    scope = privacy.customer_scope(message.ids["customer_id"])
    Review.objects.filter(contact_id__in=scope.contact_ids).exclude(comment="").update(comment="")


def register() -> None:
    privacy.register_export("quality", export)
    announcements.subscribe_now(announcements.Announcement.CUSTOMER_ERASED, erase)
