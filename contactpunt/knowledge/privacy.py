"""The knowledge base's part of a customer's export and erasure: the portal contacts they sent, with the articles
they had read. Portal usage events carry a random visitor id only and are not tied to a customer."""

from __future__ import annotations

from typing import Any

from contactpunt.contacts import announcements, privacy
from contactpunt.knowledge.models import PortalContact, UsageEvent


def export(scope: privacy.CustomerScope) -> dict[str, Any]:
    """The articles read before each portal contact of the customer."""
    links = PortalContact.objects.filter(contact_id__in=scope.contact_ids).prefetch_related("articles")
    return {
        "portal_contacts": [
            {
                "contact_id": link.contact_id,
                "at": link.at.isoformat(),
                "account_group": link.account_group,
                "articles_read": [{"id": a.pk, "title": a.title} for a in link.articles.all()],
            }
            for link in links.order_by("at", "id")
        ]
    }


def erase(message: announcements.Message) -> None:
    """Forget which articles the customer read and the visitor id that tied their portal visits to them."""
    scope = privacy.customer_scope(message.ids["customer_id"])
    links = PortalContact.objects.filter(contact_id__in=scope.contact_ids)
    visitors = list(links.values_list("visitor", flat=True))
    UsageEvent.objects.filter(visitor__in=visitors).update(visitor="")
    links.delete()


def register() -> None:
    privacy.register_export("knowledge", export)
    announcements.subscribe_now(announcements.Announcement.CUSTOMER_ERASED, erase)
