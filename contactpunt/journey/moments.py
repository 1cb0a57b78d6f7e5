"""Moments in the journey: rules that create a task, or send a message, for a customer at a moment of their stay
or order.

Each rule creates exactly one task per customer and moment (the unique constraint on rule, customer and order;
running the rules again, or after a re-import, creates nothing new). Nobody who opted out, nobody whose consent
says no to the moment's purpose (service or marketing, `MomentRule.purpose`; a call on the phone channel) and
nobody erased gets a task. A rule that sends a message gives its moments to `contactpunt.journey.moment_messages`,
which sends each once, on the first of its channels with consent (e-mail, WhatsApp, SMS). The moments:

- after a complaint: a stay whose departure lies `days` or more ago, with a case of the booker on a complaint
  reason opened from the arrival to `days` after the departure: a personal call;
- before arrival: a stay or booking arriving in `days` days or fewer (and not yet begun): a note;
- fan upgrade: a stay or booking arriving within `days` days whose booker is in the "fans" segment: an offer;
- after a stay: a stay whose departure lies `days` days ago: a thank-you.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from contactpunt.audit import services as audit
from contactpunt.contacts.models import Case
from contactpunt.customers import consent
from contactpunt.customers.models import ConsentChannel
from contactpunt.journey import segments
from contactpunt.journey.models import (
    ComplaintReason,
    MomentKind,
    MomentOptOut,
    MomentRule,
    MomentStatus,
    MomentTask,
    Order,
    OrderKind,
    Stage,
)
from contactpunt.journey.moment_messages import MESSAGE_WITHIN, send_due_messages
from contactpunt.people.models import User

STAYS = (OrderKind.STAY, OrderKind.BOOKING)
FANS = "fans"


@dataclass(frozen=True, slots=True)
class Candidate:
    customer_id: int
    order_id: int
    due_on: dt.date


def _reachable(orders: QuerySet[Order]) -> QuerySet[Order]:
    """Orders with a booker who is neither erased nor opted out."""
    return orders.filter(customer__isnull=False, customer__erased_at__isnull=True).exclude(
        customer_id__in=MomentOptOut.objects.values("customer_id")
    )


def _after_complaint(rule: MomentRule, today: dt.date) -> list[Candidate]:
    stays = _reachable(
        Order.objects.filter(kind__in=STAYS, ends_on__isnull=False, ends_on__lte=today - dt.timedelta(days=rule.days))
    ).values_list("pk", "customer_id", "starts_on", "ends_on", "ordered_on")
    complaints = list(ComplaintReason.objects.values_list("reason_id", flat=True))
    if not complaints:
        return []
    rows = list(stays)
    opened: dict[int, list[dt.date]] = {}
    cases = Case.objects.filter(customer_id__in={r[1] for r in rows}, reason_id__in=complaints)
    for customer_id, at in cases.values_list("customer_id", "opened_at"):
        opened.setdefault(customer_id, []).append(timezone.localdate(at))
    found = []
    for pk, customer_id, starts_on, ends_on, ordered_on in rows:
        assert ends_on is not None  # filtered above
        first, last = starts_on or ordered_on, ends_on + dt.timedelta(days=rule.days)
        if any(first <= day <= last for day in opened.get(customer_id, ())):
            found.append(Candidate(customer_id, pk, ends_on + dt.timedelta(days=1)))
    return found


def _arriving(rule: MomentRule, today: dt.date) -> QuerySet[Order]:
    return _reachable(
        Order.objects.filter(
            kind__in=STAYS,
            starts_on__gt=today,
            starts_on__lte=today + dt.timedelta(days=rule.days),
            stage__in=[Stage.BOOKED, Stage.BEFORE_ARRIVAL],
        )
    )


def _before_arrival(rule: MomentRule, today: dt.date) -> list[Candidate]:
    return [
        Candidate(customer_id, pk, starts_on - dt.timedelta(days=rule.days))
        for pk, customer_id, starts_on in _arriving(rule, today).values_list("pk", "customer_id", "starts_on")
        if starts_on is not None and customer_id is not None
    ]


def _fan_upgrade(rule: MomentRule, today: dt.date) -> list[Candidate]:
    rows = list(_arriving(rule, today).values_list("pk", "customer_id", "starts_on"))
    if not rows:
        return []
    fans = {s.customer_id for s in segments.score(today) if s.segment == FANS}
    return [Candidate(customer_id, pk, today) for pk, customer_id, _starts in rows if customer_id in fans]


def _after_stay(rule: MomentRule, today: dt.date) -> list[Candidate]:
    day = today - dt.timedelta(days=rule.days)
    rows = _reachable(Order.objects.filter(kind__in=STAYS, ends_on__gt=day - MESSAGE_WITHIN, ends_on__lte=day))
    return [
        Candidate(customer_id, pk, ends_on + dt.timedelta(days=rule.days))
        for pk, customer_id, ends_on in rows.values_list("pk", "customer_id", "ends_on")
        if ends_on is not None and customer_id is not None
    ]


FINDERS = {
    MomentKind.AFTER_COMPLAINT: _after_complaint,
    MomentKind.BEFORE_ARRIVAL: _before_arrival,
    MomentKind.FAN_UPGRADE: _fan_upgrade,
    MomentKind.AFTER_STAY: _after_stay,
}


def _with_consent(rule: MomentRule, candidates: list[Candidate], today: dt.date) -> list[Candidate]:
    """The candidates the rule may approach: a task (a call) needs consent on the phone; a message is checked on its
    channel when it is sent, and is not written at all once its day lies more than MESSAGE_WITHIN behind."""
    if rule.sends_message:
        return [c for c in candidates if c.due_on >= today - MESSAGE_WITHIN]
    allowed = consent.permitted({c.customer_id for c in candidates}, rule.purpose, ConsentChannel.PHONE)
    return [c for c in candidates if c.customer_id in allowed]


def run_moments(*, today: dt.date | None = None, now: dt.datetime | None = None) -> int:
    """Create the task of every active rule's moments up to `today` (default: the local day), then send the due
    messages of the rules that send one (at `now`, default the present); return how many moments were new.
    Idempotent: a moment that already has its task is left alone, a message goes out once."""
    today = today or timezone.localdate()
    created = 0
    for rule in MomentRule.objects.filter(is_active=True):
        candidates = _with_consent(rule, FINDERS[MomentKind(rule.kind)](rule, today), today)
        existing = set(
            MomentTask.objects.filter(rule=rule, order_id__in=[c.order_id for c in candidates]).values_list(
                "customer_id", "order_id"
            )
        )
        fresh = [c for c in candidates if (c.customer_id, c.order_id) not in existing]
        with transaction.atomic():
            MomentTask.objects.bulk_create(
                [MomentTask(rule=rule, customer_id=c.customer_id, order_id=c.order_id, due_on=c.due_on) for c in fresh],
                ignore_conflicts=True,  # a concurrent run wrote the same moment: the constraint keeps one
            )
        created += len(fresh)
    send_due_messages(today=today, now=now or timezone.now())
    return created


def close_task(*, task: MomentTask, status: str, outcome: str, by: User | None) -> MomentTask:
    """Record the outcome of a moment's task (done or skipped, with a note)."""
    if status not in (MomentStatus.DONE, MomentStatus.SKIPPED):
        raise ValueError(f"a task is closed as done or skipped, not {status!r}")
    task.status, task.outcome, task.closed_at = status, outcome[:500], timezone.now()
    task.save(update_fields=["status", "outcome", "closed_at"])
    audit.record(actor=by, action="journey.moment_closed", obj=task, changes={"status": status})
    return task


def opt_out(*, customer_ids: Sequence[int]) -> None:
    """The customers do not want to be approached at moments: their open tasks are skipped, no new ones come."""
    MomentOptOut.objects.bulk_create([MomentOptOut(customer_id=pk) for pk in customer_ids], ignore_conflicts=True)
    MomentTask.objects.filter(customer_id__in=customer_ids, status=MomentStatus.OPEN).update(
        status=MomentStatus.SKIPPED, outcome="opted out", closed_at=timezone.now()
    )


def erase_moments(customer_ids: Sequence[int]) -> None:
    """Remove the customers' moment tasks and opt-outs (their erasure)."""
    MomentTask.objects.filter(customer_id__in=customer_ids).delete()
    MomentOptOut.objects.filter(customer_id__in=customer_ids).delete()
