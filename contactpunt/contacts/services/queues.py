"""Queues are made here and nowhere else: explicitly by set-up and import commands, and the fallback queue of a
channel when a contact arrives for which no queue fits.

A contact is never refused for its queue: one asking for a queue that does not exist, is not active or takes
another channel lands in its channel's fallback queue, flagged with the reason (Contact.fallback_reason and
Contact.asked_queue), and the admin index lists those contacts (`fallback_contacts`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, QuerySet
from django.utils import translation
from django.utils.translation import gettext

from contactpunt.contacts.models import BusinessCalendar, Channel, Contact, FallbackReason, Queue
from contactpunt.people.models import Department, Skill

FALLBACK_PREFIX = "fallback-"
#: The first-response norm of a written queue made without one asked (a fallback queue, an imported mailbox's).
WRITTEN_RESPONSE_NORM_S = 8 * 3600


@dataclass(frozen=True, slots=True)
class Routing:
    """The queue a contact goes to, and why it is the fallback queue when it is (empty: the queue it asked for)."""

    queue: Queue
    fallback_reason: str = ""


def create_queue(
    *,
    code: str,
    name: str,
    channel: str,
    department: Department | None = None,
    calendar: BusinessCalendar | None = None,
    skills: Iterable[Skill] = (),
    sl_threshold_s: int = 20,
    response_norm_s: int | None = None,
) -> Queue:
    """Create a queue; raise ValueError for an unknown channel, IntegrityError when the code is taken."""
    if channel not in Channel.values:
        raise ValueError(f"there is no channel {channel!r}")
    with transaction.atomic():
        queue = Queue.objects.create(
            code=code,
            name=name[:150],
            channel=channel,
            department=department,
            calendar=calendar,
            sl_threshold_s=sl_threshold_s,
            response_norm_s=response_norm_s,
        )
        skill_list = list(skills)
        if skill_list:
            queue.skills.add(*skill_list)
    return queue


def ensure_queue(*, code: str, name: str, channel: str, **options: object) -> tuple[Queue, bool]:
    """The queue `code` (whatever its channel), creating it with `name`, `channel` and `options` when there is
    none; the second value says whether it was created."""
    existing = Queue.objects.filter(code=code).first()
    if existing is not None:
        return existing, False
    try:
        return create_queue(code=code, name=name, channel=channel, **options), True  # type: ignore[arg-type]
    except IntegrityError:  # made at the same moment by another process
        return Queue.objects.get(code=code), False


def fallback_queue(channel: str) -> Queue:
    """The fallback queue of `channel`, created (always open, no skills asked) when there is none yet."""
    found = Queue.objects.filter(is_fallback=True, channel=channel).first()
    if found is not None:
        if not found.is_active:
            Queue.objects.filter(pk=found.pk).update(is_active=True)
            found.is_active = True
        return found
    with translation.override(settings.LANGUAGE_CODE):
        name = gettext("Unsorted (%(channel)s)") % {"channel": Channel(channel).label}
    try:
        with transaction.atomic():
            queue = create_queue(
                code=f"{FALLBACK_PREFIX}{channel}",
                name=name,
                channel=channel,
                response_norm_s=None if channel in Channel.realtime() else WRITTEN_RESPONSE_NORM_S,
            )
            queue.is_fallback = True
            queue.save(update_fields=["is_fallback"])
            return queue
    except IntegrityError:  # made at the same moment by another process
        return Queue.objects.get(is_fallback=True, channel=channel)


def route(code: str, channel: str, active: dict[str, Queue] | None = None) -> Routing | None:
    """Where a contact asking for queue `code` on `channel` goes: that queue when it is active and takes the
    channel, else the channel's fallback queue with the reason. `active` may hold the active queues by code,
    already loaded. None when neither the queue nor the channel is known (nothing to choose a fallback by)."""
    queue = active.get(code) if active is not None else Queue.objects.filter(code=code, is_active=True).first()
    if queue is not None and (not channel or channel == queue.channel):
        return Routing(queue)
    if queue is not None:
        reason = FallbackReason.WRONG_CHANNEL
    elif code and Queue.objects.filter(code=code).exists():
        reason = FallbackReason.INACTIVE_QUEUE
    elif code:
        reason = FallbackReason.UNKNOWN_QUEUE
    else:
        reason = FallbackReason.NO_QUEUE
    if channel not in Channel.values:
        return None
    return Routing(fallback_queue(channel), reason)


@dataclass(frozen=True, slots=True)
class FallbackSummary:
    """What the admin is told: per reason and queue asked for, how many contacts landed in a fallback queue."""

    reason: str
    reason_label: str
    asked_queue: str
    channel_label: str
    contacts: int
    last_at: object


#: How many queue codes an "unknown queue" error names (a centre with hundreds of queues gets the first ones).
NAMED_QUEUES = 30


def unknown_queue_message(code: str) -> str:
    """The API's error for a queue code that names no active queue, with the codes that do (what the caller needs to
    correct the request)."""
    codes = sorted(Queue.objects.filter(is_active=True).values_list("code", flat=True))
    if not codes:
        return f"there is no active queue {code!r}; there are no active queues yet"
    named = ", ".join(repr(c) for c in codes[:NAMED_QUEUES]) + (", ..." if len(codes) > NAMED_QUEUES else "")
    return f"there is no active queue {code!r}; the active queues are {named}"


def fallback_contacts() -> QuerySet[Contact]:
    """Every contact that landed in a fallback queue."""
    return Contact.objects.exclude(fallback_reason="")


def fallback_summary(limit: int = 20) -> list[FallbackSummary]:
    """The contacts in fallback queues grouped by why and by the queue they asked for, latest first."""
    rows = (
        fallback_contacts()
        .values("fallback_reason", "asked_queue", "channel")
        .annotate(contacts=Count("id"), last_at=Max("occurred_at"))
        .order_by("-last_at")[:limit]
    )
    reasons = dict(FallbackReason.choices)
    channels = dict(Channel.choices)
    return [
        FallbackSummary(
            row["fallback_reason"],
            str(reasons.get(row["fallback_reason"], row["fallback_reason"])),
            row["asked_queue"],
            str(channels.get(row["channel"], row["channel"])),
            row["contacts"],
            row["last_at"],
        )
        for row in rows
    ]
