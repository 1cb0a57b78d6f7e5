"""Sending the messages of journey moments (a note before arrival, a thank-you after a stay) through the outbox.

A message moment's row (`MomentTask` of a rule that `sends_message`) is sent once: it is claimed under a lock
while open, and leaves OPEN for SENT (with the outbox row's reference) or SKIPPED (with why, in `outcome`). It goes
by e-mail to the customer's latest own address, as a notice about no case (the outbox row names the customer, so
their export and erasure find it); WhatsApp and chat take only approved templates outside a conversation, so a
moment never goes there. It is not sent to an erased customer, without consent for the rule's purpose on e-mail,
without an address, once its day lies more than `MESSAGE_WITHIN` behind, or when the customer got another moment's
message less than `GAP` ago (at most one such message a week, whatever the rules).
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

from contactpunt.contacts.models import Channel
from contactpunt.contacts.services.notices import NoticeDraft, NoticeError, queue_notice
from contactpunt.customers import consent
from contactpunt.customers.models import ConsentChannel, Identity, IdentityKind
from contactpunt.journey.models import MomentStatus, MomentTask, Order

logger = logging.getLogger(__name__)

#: At most one moment's message per customer within this long (counted from when the last went out).
GAP = dt.timedelta(days=7)
#: A message whose day lies this long behind is neither written nor sent (a note about an arrival of weeks ago, or
#: a thank-you for a stay from an imported history, helps nobody).
MESSAGE_WITHIN = dt.timedelta(days=2)


class Skipped:
    ERASED = "erased"
    NO_CONSENT = "no consent"
    NO_ADDRESS = "no e-mail address"
    THROTTLED = "throttled"
    TOO_LATE = "too late"
    ALREADY = "already handled"


@dataclass
class MessageReport:
    sent: int = 0
    skipped: dict[str, int] = field(default_factory=dict)


def _addresses(customer_ids: set[int]) -> dict[int, str]:
    rows = Identity.objects.filter(customer_id__in=customer_ids, kind=IdentityKind.EMAIL, is_shared=False)
    return dict(rows.order_by("customer_id", "created_at", "pk").values_list("customer_id", "value"))


def _fill(template: str, values: dict[str, str]) -> str:
    """`template` with {name}, {order}, {arrival} and {departure} filled in; anything else stays as written."""
    return template.format_map(defaultdict(str, values)) if "{" in template else template


def render(task: MomentTask) -> tuple[str, str]:
    """The subject and text of the task's message, with dates written out in the language of the rule's text (the
    organisation's: a manager writes it in one language)."""
    order: Order = task.order
    customer = task.customer
    with translation.override(settings.LANGUAGE_CODE):
        values = {
            "name": customer.display_name.strip() or gettext("guest"),
            "order": order.external_id,
            "arrival": formats.date_format(order.starts_on, "j F Y") if order.starts_on else "",
            "departure": formats.date_format(order.ends_on, "j F Y") if order.ends_on else "",
        }
        try:
            return _fill(task.rule.subject, values), _fill(task.rule.message, values)
        except (ValueError, IndexError):  # a template a manager broke ("{" alone): sent as written
            return task.rule.subject, task.rule.message


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
    by_purpose: dict[str, set[int]] = {}
    for purpose in {task.rule.purpose for task in due}:
        by_purpose[purpose] = consent.permitted(customer_ids, purpose, ConsentChannel.EMAIL)
    addresses = _addresses(customer_ids)
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
        outcome = _why_not(task, today=today, by_purpose=by_purpose, addresses=addresses, last_sent=last_sent, now=now)
        if outcome is None:
            outcome = _send(task, addresses[task.customer_id], now)
            if outcome is None:
                last_sent[task.customer_id] = now
                report.sent += 1
                continue
        _skip(task, outcome, now)
        report.skipped[outcome] = report.skipped.get(outcome, 0) + 1
    return report


def _why_not(
    task: MomentTask,
    *,
    today: dt.date,
    by_purpose: dict[str, set[int]],
    addresses: dict[int, str],
    last_sent: dict[int, dt.datetime],
    now: dt.datetime,
) -> str | None:
    if task.customer.erased_at is not None:
        return Skipped.ERASED
    if today - task.due_on > MESSAGE_WITHIN:
        return Skipped.TOO_LATE
    if task.customer_id not in by_purpose[task.rule.purpose]:
        return Skipped.NO_CONSENT
    if task.customer_id not in addresses:
        return Skipped.NO_ADDRESS
    if task.customer_id in last_sent and now - last_sent[task.customer_id] < GAP:
        return Skipped.THROTTLED
    return None


def _send(task: MomentTask, to: str, now: dt.datetime) -> str | None:
    """Queue the task's message and mark it sent, in one transaction; None when sent, else why not."""
    subject, body = render(task)
    with transaction.atomic():
        # Claimed under a lock: two workers never send the same moment.
        claimed = MomentTask.objects.select_for_update().filter(pk=task.pk, status=MomentStatus.OPEN).first()
        if claimed is None:
            return Skipped.ALREADY  # another run sent or closed it meanwhile
        try:
            with transaction.atomic():
                ref = queue_notice(NoticeDraft(None, None, Channel.EMAIL, to, subject, body, task.customer_id))
        except NoticeError as error:
            logger.debug("moment %s not sent: %s", task.pk, error)
            return Skipped.NO_ADDRESS
        MomentTask.objects.filter(pk=task.pk).update(
            status=MomentStatus.SENT, channel=Channel.EMAIL, outbound_ref=ref[:255], closed_at=now, outcome=""
        )
    return None


def _skip(task: MomentTask, why: str, now: dt.datetime) -> None:
    MomentTask.objects.filter(pk=task.pk, status=MomentStatus.OPEN).update(
        status=MomentStatus.SKIPPED, outcome=why, closed_at=now
    )
