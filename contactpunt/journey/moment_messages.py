"""Sending the messages of journey moments (a note before arrival, a thank-you after a stay) through the outbox.

A message moment's row (`MomentTask` of a rule that `sends_message`) is sent once: it is claimed under a lock
while open, and leaves OPEN for SENT (with the outbox row's reference and the channel) or SKIPPED (with why, in
`outcome`). It goes on the first of the rule's channels (`MomentRule.channels`, in order of preference: e-mail,
WhatsApp, SMS) for which the customer has their own address or number (an e-mail address; a WhatsApp identity; a
phone number for SMS), agreed to the rule's purpose on that channel, and the product has an outbox that takes it (SMS
only once a channel adapter registers a notice writer for it; a WhatsApp template that is gone passes to the next
channel), as a notice about no case (the outbox row names the customer, so
their export and erasure find it). On WhatsApp, outside a conversation, only an approved template may go: the
rule's `whatsapp_template`, its variables filled from `template_values`. It is not sent to an erased customer,
without consent on any usable channel, without an address, once its day lies more than `MESSAGE_WITHIN` behind, or
when the customer got another moment's message less than `GAP` ago, on whatever channel (at most one such message
a week, whatever the rules).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import formats, translation
from django.utils.translation import gettext

from contactpunt.contacts.services.notices import NoticeDraft, NoticeError, notice_channels, queue_notice
from contactpunt.customers import consent
from contactpunt.customers.models import ConsentChannel, Identity, IdentityKind
from contactpunt.journey.models import MomentRule, MomentStatus, MomentTask, Order

logger = logging.getLogger(__name__)

#: At most one moment's message per customer within this long (counted from when the last went out).
GAP = dt.timedelta(days=7)
#: A message whose day lies this long behind is neither written nor sent (a note about an arrival of weeks ago, or
#: a thank-you for a stay from an imported history, helps nobody).
MESSAGE_WITHIN = dt.timedelta(days=2)


class Skipped:
    ERASED = "erased"
    NO_CONSENT = "no consent"
    NO_ADDRESS = "no address"
    NO_OUTBOX = "no outbox for the channel"
    NOT_QUEUED = "not taken by the outbox"
    THROTTLED = "throttled"
    TOO_LATE = "too late"
    ALREADY = "already handled"


@dataclass
class MessageReport:
    sent: int = 0
    skipped: dict[str, int] = field(default_factory=dict)


#: The identity that gives a customer's address or number on each channel.
IDENTITY_OF_CHANNEL: dict[str, str] = {
    ConsentChannel.EMAIL: IdentityKind.EMAIL,
    ConsentChannel.WHATSAPP: IdentityKind.WHATSAPP,
    ConsentChannel.SMS: IdentityKind.PHONE,
}


def _addresses(customer_ids: set[int], channel: str) -> dict[int, str]:
    """Each customer's latest own (unshared) address or number on `channel`."""
    rows = Identity.objects.filter(customer_id__in=customer_ids, kind=IDENTITY_OF_CHANNEL[channel], is_shared=False)
    return dict(rows.order_by("customer_id", "created_at", "pk").values_list("customer_id", "value"))


def _usable(rule: MomentRule) -> list[str]:
    """The rule's channels that can carry its message now: an outbox for the channel, and on WhatsApp a template."""
    open_channels = notice_channels()
    return [
        c
        for c in rule.channel_list
        if c in open_channels and (c != ConsentChannel.WHATSAPP or rule.whatsapp_template.strip())
    ]


def _fill(template: str, values: dict[str, str]) -> str:
    """`template` with {name}, {order}, {arrival} and {departure} filled in; anything else stays as written."""
    return template.format_map(defaultdict(str, values)) if "{" in template else template


def render(task: MomentTask) -> tuple[str, str]:
    """The subject and text of the task's message, with dates written out in the language of the rule's text (the
    organisation's: a manager writes it in one language)."""
    values = _values(task)
    try:
        return _fill(task.rule.subject, values), _fill(task.rule.message, values)
    except (ValueError, IndexError):  # a template a manager broke ("{" alone): sent as written
        return task.rule.subject, task.rule.message


def _values(task: MomentTask) -> dict[str, str]:
    """What {name}, {order}, {arrival} and {departure} stand for in the task's message."""
    order: Order = task.order
    with translation.override(settings.LANGUAGE_CODE):
        return {
            "name": task.customer.display_name.strip() or gettext("guest"),
            "order": order.external_id,
            "arrival": formats.date_format(order.starts_on, "j F Y") if order.starts_on else "",
            "departure": formats.date_format(order.ends_on, "j F Y") if order.ends_on else "",
        }


def send_due_messages(*, today: dt.date, now: dt.datetime, limit: int = 1000) -> MessageReport:
    """Send the open message moments due by `today` (at most `limit`); return what was sent and skipped why."""
    report = MessageReport()
    due = list(
        MomentTask.objects.filter(status=MomentStatus.OPEN, rule__sends_message=True, due_on__lte=today)
        .select_related("rule", "order", "customer")
        .order_by("due_on", "pk")[:limit]
    )
    if not due:
        return report
    customer_ids = {task.customer_id for task in due}
    channels = {c for task in due for c in _usable(task.rule)}
    agreed: dict[tuple[str, str], set[int]] = {
        (purpose, channel): consent.permitted(customer_ids, purpose, channel)
        for purpose in {task.rule.purpose for task in due}
        for channel in channels
    }
    addresses = {channel: _addresses(customer_ids, channel) for channel in channels}
    last_sent: dict[int, dt.datetime] = {
        customer_id: at
        for customer_id, at in MomentTask.objects.filter(
            customer_id__in=customer_ids, status=MomentStatus.SENT, closed_at__gt=now - GAP
        )
        .order_by("customer_id", "closed_at")
        .values_list("customer_id", "closed_at")
        if at is not None
    }
    for task in due:
        outcome = _why_not(task, today=today, last_sent=last_sent, now=now)
        if outcome is None:
            route = _route(task, agreed=agreed, addresses=addresses)
            outcome = route if isinstance(route, str) else _send(task, route, now)
            if outcome is None:
                last_sent[task.customer_id] = now
                report.sent += 1
                continue
        _skip(task, outcome, now)
        report.skipped[outcome] = report.skipped.get(outcome, 0) + 1
    return report


def _why_not(task: MomentTask, *, today: dt.date, last_sent: dict[int, dt.datetime], now: dt.datetime) -> str | None:
    if task.customer.erased_at is not None:
        return Skipped.ERASED
    if today - task.due_on > MESSAGE_WITHIN:
        return Skipped.TOO_LATE
    if task.customer_id in last_sent and now - last_sent[task.customer_id] < GAP:
        return Skipped.THROTTLED
    return None


def _route(
    task: MomentTask, *, agreed: dict[tuple[str, str], set[int]], addresses: dict[str, dict[int, str]]
) -> list[tuple[str, str]] | str:
    """The rule's usable channels with the customer's consent and address, in order, each with that address; else
    why not (no outbox, no consent on any of them, or consent but no address)."""
    usable = _usable(task.rule)
    if not usable:
        return Skipped.NO_OUTBOX
    consented = [c for c in usable if task.customer_id in agreed[(task.rule.purpose, c)]]
    routes = [(c, addresses[c][task.customer_id]) for c in consented if task.customer_id in addresses[c]]
    if routes:
        return routes
    return Skipped.NO_ADDRESS if consented else Skipped.NO_CONSENT


def _draft(task: MomentTask, channel: str, to: str) -> NoticeDraft:
    subject, body = render(task)
    if channel != ConsentChannel.WHATSAPP:
        return NoticeDraft(None, None, channel, to, subject, body, task.customer_id)
    values = tuple(_fill(part.strip(), _values(task)) for part in task.rule.template_values.split("|") if part.strip())
    return NoticeDraft(
        None, None, channel, to, subject, body or subject, task.customer_id, task.rule.whatsapp_template.strip(), values
    )


def _send(task: MomentTask, routes: list[tuple[str, str]], now: dt.datetime) -> str | None:
    """Queue the task's message on the first of `routes` (channel, address) whose outbox takes it (a WhatsApp
    template that is not there passes to the next) and mark it sent, in one transaction; None when sent, else why
    not."""
    with transaction.atomic():
        # Claimed under a lock: two workers never send the same moment.
        claimed = MomentTask.objects.select_for_update().filter(pk=task.pk, status=MomentStatus.OPEN).first()
        if claimed is None:
            return Skipped.ALREADY  # another run sent or closed it meanwhile
        for channel, to in routes:
            try:
                with transaction.atomic():
                    ref = queue_notice(_draft(task, channel, to))
            except NoticeError as error:
                logger.warning("moment %s not queued on %s: %s", task.pk, channel, error)
                continue
            MomentTask.objects.filter(pk=task.pk).update(
                status=MomentStatus.SENT, channel=channel, outbound_ref=ref[:255], closed_at=now, outcome=""
            )
            return None
    return Skipped.NOT_QUEUED


def _skip(task: MomentTask, why: str, now: dt.datetime) -> None:
    MomentTask.objects.filter(pk=task.pk, status=MomentStatus.OPEN).update(
        status=MomentStatus.SKIPPED, outcome=why, closed_at=now
    )
