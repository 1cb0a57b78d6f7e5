"""Repeat contacts and the identified share, over the inbound contacts of a period."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Count

from contactpunt.contacts.models import Contact, ContactEvent, Direction, EventName
from contactpunt.kpis.metrics.definitions import REPEAT_WINDOW, ratio


@dataclass(frozen=True, slots=True)
class InboundFacts:
    contact_id: int
    customer_id: int | None
    queue_id: int
    channel: str
    occurred_at: dt.datetime
    is_repeat: bool
    account_id: int | None = None
    product_type_id: int | None = None


def load_inbound(start: dt.datetime, end: dt.datetime) -> list[InboundFacts]:
    """Inbound contacts that arrived in [start, end), each marked whether it is a repeat contact: an
    earlier contact of the same identified customer arrived in the 7 days before it and had been handled
    (its `ended` or `replied` event) by the time it arrived."""
    inbound = Contact.objects.filter(direction=Direction.INBOUND, occurred_at__gte=start, occurred_at__lt=end)
    rows = list(
        inbound.order_by().values_list(
            "pk", "customer_id", "queue_id", "channel", "occurred_at", "customer__account_id", "case__product_type_id"
        )
    )
    # Per customer: (arrival, handled at) of every handled contact that could make a later one a repeat.
    # Only customers who arrived in the period with another contact in the window can have a repeat (a day's read
    # looked at a week of everyone's contacts); a handled moment from `end` on makes no contact of the period one.
    window = Contact.objects.filter(occurred_at__gte=start - REPEAT_WINDOW, occurred_at__lt=end)
    several = (
        window.filter(customer_id__in=inbound.filter(customer_id__isnull=False).values("customer_id"))
        .order_by()
        .values("customer_id")
        .annotate(contacts=Count("pk"))
        .filter(contacts__gte=2)
        .values("customer_id")
    )
    handled_at: dict[int, dict[int, tuple[dt.datetime, dt.datetime, int]]] = defaultdict(dict)
    for contact_id, customer_id, arrived, at in (
        ContactEvent.objects.filter(
            name__in=[EventName.ENDED, EventName.REPLIED],
            occurred_at__lt=end,
            contact__customer_id__in=several,
            contact__occurred_at__gte=start - REPEAT_WINDOW,
            contact__occurred_at__lt=end,
        )
        .order_by()
        .values_list("contact_id", "contact__customer_id", "contact__occurred_at", "occurred_at")
    ):
        known = handled_at[customer_id].get(contact_id)
        if known is None or at < known[1]:
            handled_at[customer_id][contact_id] = (arrived, at, contact_id)
    # Per customer in order of arrival: a contact looks only at the arrivals of its own 7 days (a customer with
    # thousands of contacts made the scan over all of them quadratic).
    ordered = {customer: sorted(found.values()) for customer, found in handled_at.items()}
    arrivals = {customer: [arrived for arrived, _handled, _pk in found] for customer, found in ordered.items()}
    facts = []
    for pk, customer_id, queue_id, channel, at, account_id, product_type_id in rows:
        is_repeat = False
        if customer_id in ordered:
            found, moments = ordered[customer_id], arrivals[customer_id]
            first, last = bisect_left(moments, at - REPEAT_WINDOW), bisect_right(moments, at)
            # Another contact: one handled "before" its own arrival (two systems' clocks) is no repeat of itself.
            is_repeat = any(handled < at and other != pk for _arrived, handled, other in found[first:last])
        facts.append(InboundFacts(pk, customer_id, queue_id, channel, at, is_repeat, account_id, product_type_id))
    return facts


def repeat_rate(inbound: Iterable[InboundFacts]) -> float | None:
    """Repeat contact rate = inbound contacts of identified customers that arrived within 7 days of an
    earlier contact of theirs which had been handled (ended or replied) by then / inbound contacts of
    identified customers."""
    identified = [i for i in inbound if i.customer_id is not None]
    return ratio(sum(1 for i in identified if i.is_repeat), len(identified))


def identified_share(inbound: Sequence[InboundFacts]) -> float | None:
    """Identified share = inbound contacts with a customer / inbound contacts."""
    return ratio(sum(1 for i in inbound if i.customer_id is not None), len(inbound))
