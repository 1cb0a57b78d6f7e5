"""The journey's part of a customer's export, erasure and merge: their orders, bookings and stays, the
bookings they took part in, and their consent (erased with the customer's own rows, `customers.services`).
Registered in apps.ready(); the erasure runs inside the erasing transaction."""

from __future__ import annotations

from typing import Any

from contactpunt.contacts import announcements, privacy
from contactpunt.customers.models import Consent
from contactpunt.journey.models import MomentTask, Order, Participant
from contactpunt.journey.moments import erase_moments


def export(scope: privacy.CustomerScope) -> dict[str, Any]:
    """Every order of the customer with its stage history, and every booking they were a guest in."""
    orders = (
        Order.objects.filter(customer_id__in=scope.customer_ids)
        .select_related("account", "product_type")
        .prefetch_related("stage_changes")
        .order_by("ordered_on", "id")
    )
    guest_of = Participant.objects.filter(customer_id__in=scope.customer_ids).exclude(
        order__customer_id__in=scope.customer_ids
    )
    return {
        "orders": [
            {
                "kind": o.kind,
                "source": o.source,
                "order_id": o.external_id,
                "ordered_on": o.ordered_on.isoformat(),
                "amount": str(o.amount),
                "stage": o.stage,
                "account": o.account.name if o.account else None,
                "product_type": o.product_type.name if o.product_type else None,
                "arrival": o.starts_on.isoformat() if o.starts_on else None,
                "departure": o.ends_on.isoformat() if o.ends_on else None,
                "stages": [{"stage": s.stage, "at": s.occurred_at.isoformat()} for s in o.stage_changes.all()],
            }
            for o in orders
        ],
        "moments": [
            {
                "moment": t.rule.kind,
                "order": t.order.external_id,
                "due_on": t.due_on.isoformat(),
                "status": t.status,
                "outcome": t.outcome,
                "sent_on": t.channel,
            }
            for t in MomentTask.objects.filter(customer_id__in=scope.customer_ids).select_related("rule", "order")
        ],
        "guest_in": [
            {"order": p.order.external_id, "source": p.order.source, "role": p.role}
            for p in guest_of.select_related("order").order_by("order_id")
        ],
    }


def export_consent(scope: privacy.CustomerScope) -> list[dict[str, Any]]:
    """Every yes and no the customer gave, oldest first: to what, on which channel, when and how it came in."""
    return [
        {
            "purpose": c.purpose,
            "channel": c.channel or "every channel",
            "agreed": c.is_granted,
            "at": c.given_at.isoformat(),
            "source": c.source,
            "note": c.note,
        }
        for c in Consent.objects.filter(customer_id__in=scope.customer_ids).order_by("given_at", "pk")
    ]


def erase(message: announcements.Message) -> None:
    """Delete the customer's orders (with their stages and guests' links) and their places in others' bookings."""
    scope = privacy.customer_scope(message.ids["customer_id"])
    erase_moments(scope.customer_ids)
    Participant.objects.filter(customer_id__in=scope.customer_ids).delete()
    Order.objects.filter(customer_id__in=scope.customer_ids).delete()


def merge(message: announcements.Message) -> None:
    """Orders and participations follow a customer merged into another (an agent decided they are one)."""
    source, target = message.ids["source_id"], message.ids["target_id"]
    Order.objects.filter(customer_id=source).update(customer_id=target)
    taken = Participant.objects.filter(customer_id=target).values_list("order_id", flat=True)
    Participant.objects.filter(customer_id=source).exclude(order_id__in=list(taken)).update(customer_id=target)
    Participant.objects.filter(customer_id=source).delete()


def register() -> None:
    privacy.register_export("journey", export)
    privacy.register_export("consent", export_consent)
    announcements.subscribe_now(announcements.Announcement.CUSTOMER_ERASED, erase)
    announcements.subscribe(announcements.Announcement.CUSTOMERS_MERGED, merge)
