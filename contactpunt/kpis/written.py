"""Written channels (e-mail, web form, social, WhatsApp): first response on business hours, the share
within the queue's norm and the backlog, as DESIGN.md defines them. `metrics` re-exports these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet

from contactpunt.contacts.business_hours import Schedule, business_seconds, due_at, schedule_for
from contactpunt.contacts.inbox import waiting_contacts
from contactpunt.contacts.models import Channel, Contact, ContactEvent, Direction, EventName, Queue
from contactpunt.kpis.facts import Unit


def ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def load_schedules() -> dict[int, tuple[Schedule, int | None]]:
    """Every queue's business-hours schedule and response norm (None: no norm)."""
    return {
        q.pk: (schedule_for(q.calendar), q.effective_response_norm_s)
        for q in Queue.objects.select_related("calendar").prefetch_related("calendar__opening_hours")
    }


def first_response_times(units: Iterable[Unit], schedules: dict[int, tuple[Schedule, int | None]]) -> list[float]:
    """Business-hours seconds from each replied written unit to its first public reply."""
    times = []
    for u in units:
        if u.channel in Channel.realtime() or u.outcome != "answered" or u.outcome_at is None:
            continue
        schedule = schedules.get(u.queue_id, (Schedule.always_open(), None))[0]
        times.append(business_seconds(schedule, u.queued_at, u.outcome_at))
    return times


#: A written contact still awaiting a reply that arrived before the period: (queue, arrived at).
Earlier = tuple[int, dt.datetime]


def is_overdue(schedules: dict[int, tuple[Schedule, int | None]], queue_id: int, since: dt.datetime,
               now: dt.datetime) -> bool:  # fmt: skip
    """True when a written contact waiting since `since` has outlived its queue's norm (business hours) by `now`."""
    schedule, norm = schedules.get(queue_id, (Schedule.always_open(), None))
    if norm is None:
        return False
    try:
        return due_at(schedule, since, norm) <= now
    except ValueError:
        return False


def first_response_within_norm(
    units: Iterable[Unit],
    schedules: dict[int, tuple[Schedule, int | None]],
    *,
    now: dt.datetime,
    earlier: Iterable[Earlier] = (),
) -> float | None:
    """Within norm = replied within the queue's norm on business hours / (replied + still unreplied
    whose norm ran out by `now`). Queues without a norm are left out.

    Live, `earlier` holds the messages still awaiting a reply that arrived before the period: each one
    past its norm counts as missed too, so an overdue message never leaves the figure "within the norm".
    """
    within = counted = 0
    counted += sum(1 for queue_id, since in earlier if is_overdue(schedules, queue_id, since, now))
    for u in units:
        if u.channel in Channel.realtime():
            continue
        schedule, norm = schedules.get(u.queue_id, (Schedule.always_open(), None))
        if norm is None:
            continue
        if u.outcome == "answered" and u.outcome_at is not None:
            counted += 1
            within += business_seconds(schedule, u.queued_at, u.outcome_at) <= norm
        elif is_overdue(schedules, u.queue_id, u.queued_at, now):
            counted += 1
    return ratio(within, counted)


def waiting_written(*, before: dt.datetime) -> list[tuple[int, str, dt.datetime, int | None, int | None]]:
    """(queue, channel, arrived at, account, product type) of every written contact still waiting now
    (`contacts.inbox.waiting_contacts`) that arrived before `before`."""
    written = [c for c in Channel.values if c not in Channel.realtime()]
    return list(
        waiting_contacts()
        .filter(channel__in=written, occurred_at__lt=before)
        .order_by()
        .values_list("queue_id", "channel", "occurred_at", "customer__account_id", "case__product_type_id")
    )


@dataclass(frozen=True, slots=True)
class Backlog:
    count: int
    oldest_age_s: float | None
    contact_ids: tuple[int, ...]


def _waiting_at(at: dt.datetime) -> QuerySet[Contact]:
    """The inbound written contacts queued by `at` that had no public reply (on their case) by `at` and were not
    closed without one ("no response needed")."""
    written = [c for c in Channel.values if c not in Channel.realtime()]
    contacts = Contact.objects.filter(direction=Direction.INBOUND, channel__in=written, occurred_at__lte=at)
    contacts = contacts.filter(events__name=EventName.QUEUED).distinct()
    replied = ContactEvent.objects.filter(
        name=EventName.REPLIED, occurred_at__lte=at, occurred_at__gte=OuterRef("occurred_at")
    ).filter(case_id=OuterRef("case_id"))
    closed = ContactEvent.objects.filter(
        contact_id=OuterRef("pk"), name=EventName.WRAPPED, occurred_at__lte=at, data__no_response_needed=True
    )
    return contacts.exclude(Exists(replied)).exclude(Exists(closed))


def _waiting_now(now: dt.datetime) -> QuerySet[Contact]:
    """The written contacts still waiting (`contacts.inbox.waiting_contacts`) that arrived by `now`."""
    written = [c for c in Channel.values if c not in Channel.realtime()]
    return waiting_contacts().filter(channel__in=written, occurred_at__lte=now)


def _backlog(
    contacts: QuerySet[Contact], at: dt.datetime, queue_ids: Sequence[int] | None, channel: str | None
) -> Backlog:
    if queue_ids is not None:
        contacts = contacts.filter(queue_id__in=queue_ids)
    if channel is not None:
        contacts = contacts.filter(channel=channel)
    return backlog_of(list(contacts.order_by().values_list("pk", "occurred_at")), at)


def backlog_of(rows: Iterable[tuple[int, dt.datetime]], at: dt.datetime) -> Backlog:
    """The backlog of these (contact, arrival) rows at `at`: their count and the age of the oldest."""
    rows = list(rows)
    oldest = min((r[1] for r in rows), default=None)
    return Backlog(len(rows), (at - oldest).total_seconds() if oldest else None, tuple(r[0] for r in rows))


def backlog(*, at: dt.datetime, queue_ids: Sequence[int] | None = None, channel: str | None = None) -> Backlog:
    """Backlog = inbound written contacts queued by `at` that had no public reply (on their case) by
    `at`, and were not closed without one ("no response needed"); oldest age = `at` - the oldest arrival."""
    return _backlog(_waiting_at(at), at, queue_ids, channel)


def backlog_now(*, now: dt.datetime, queue_ids: Sequence[int] | None = None, channel: str | None = None) -> Backlog:
    """The backlog now: the written contacts still waiting (`contacts.inbox.waiting_contacts`, as the inbox,
    the overview and the wallboard count them); oldest age = `now` - the oldest arrival."""
    return _backlog(_waiting_now(now), now, queue_ids, channel)


def backlog_rows(*, at: dt.datetime, live: bool) -> list[tuple[int, dt.datetime, int, str]]:
    """(contact, arrival, queue, channel) of the whole backlog in one query, for a report to split per group:
    `live`, as `backlog_now(now=at)`; otherwise as `backlog(at=at)`."""
    contacts = _waiting_now(at) if live else _waiting_at(at)
    return list(contacts.order_by().values_list("pk", "occurred_at", "queue_id", "channel"))
