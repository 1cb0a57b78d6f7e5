"""What the case view shows: one timeline across channels, the customer 360 and the action choices.

Reads only; every function takes a case the caller already got through `get_case_for_user`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from contactpunt.access import Action, can, workers_of
from contactpunt.channels.meta.models import DeliveryStatus
from contactpunt.channels.meta.whatsapp import templates_for
from contactpunt.channels.meta.window import case_window
from contactpunt.channels.models import OutboundMessage, OutboundState
from contactpunt.contacts.inbox import NormClock
from contactpunt.contacts.models import (
    Attachment,
    Case,
    CaseStatus,
    Channel,
    Contact,
    ContactEvent,
    ContactReason,
    ContactStatus,
    Direction,
    EventName,
    Message,
    Queue,
    ResponseTemplate,
    WorkSession,
)
from contactpunt.contacts.services.case_actions import TransferReason, waiting_written
from contactpunt.contacts.services.replies import OUTBOX_SOURCE, PRIVATE_INVITE_SOURCE, is_private
from contactpunt.customers.models import Customer
from contactpunt.insights.queries import latest_insight
from contactpunt.journey.queries import consent_for, journey_for, moment_messages_for, moment_tasks_for
from contactpunt.people.models import User

#: The events the timeline shows between the messages.
SHOWN_EVENTS = (EventName.TRANSFERRED, EventName.WRAPPED, EventName.RESOLVED, EventName.REOPENED)
EARLIER_CASES = 10


@dataclass(frozen=True, slots=True)
class AttachmentLink:
    """An attachment as the timeline lists it: downloadable (`pk`), or withheld with the reason."""

    pk: int
    filename: str
    size: int
    withheld: str = ""  # the reason, in the user's language; "" when it can be downloaded


@dataclass(frozen=True, slots=True)
class TimelineItem:
    at: dt.datetime
    kind: str  # message, note, event
    channel: str
    direction: str
    who: str
    text: str
    subject: str = ""
    delivery: str = ""  # the outbox state of a reply: queued, sending, sent, failed
    delivery_label: str = ""
    is_public: bool = False
    attachments: tuple[AttachmentLink, ...] = ()


def _attachments_of(message_ids: list[int]) -> dict[int, list[AttachmentLink]]:
    found: dict[int, list[AttachmentLink]] = {}
    if not message_ids:
        return found
    for a in Attachment.objects.filter(message_id__in=message_ids).order_by("id"):
        found.setdefault(a.message_id, []).append(
            AttachmentLink(a.pk, a.filename, a.size, str(a.get_withheld_display()) if a.withheld else "")
        )
    return found


def _event_text(event: ContactEvent, reasons: dict[int, str], queues: dict[int, str]) -> str:
    data = event.data or {}
    if event.name == EventName.TRANSFERRED:
        reason = (
            TransferReason(data["transfer_reason"]).label
            if data.get("transfer_reason") in TransferReason.values
            else ""
        )
        return _("Transferred to %(queue)s") % {"queue": queues.get(data.get("to_queue", 0), "?")} + (
            f" ({reason})" if reason else ""
        )
    if event.name == EventName.WRAPPED:
        return _("Wrapped up: %(reason)s") % {"reason": reasons.get(data.get("reason", 0), "—")}
    if event.name == _WRAPPED_AND_RESOLVED:
        return _("Wrapped up and resolved: %(reason)s") % {"reason": reasons.get(data.get("reason", 0), "—")}
    if event.name == EventName.RESOLVED:
        return _("Resolved") + (f": {reasons[data['reason']]}" if data.get("reason") in reasons else "")
    return _("Reopened")


_WRAPPED_AND_RESOLVED = "wrapped_and_resolved"


def _one_line_per_action(events: list[ContactEvent]) -> list[ContactEvent]:
    """The events of one action on one line: "wrap up and resolve" writes a `wrapped` and a `resolved` event by the
    same agent at the same moment, shown as one "wrapped up and resolved" line (with the reason either carries)."""
    shown: list[ContactEvent] = []
    for event in events:
        before = shown[-1] if shown else None
        if (
            before is not None
            and {before.name, event.name} == {EventName.WRAPPED, EventName.RESOLVED}
            and before.agent_id == event.agent_id
            and before.occurred_at == event.occurred_at
        ):
            reason = (before.data or {}).get("reason") or (event.data or {}).get("reason")
            shown[-1] = ContactEvent(
                name=_WRAPPED_AND_RESOLVED,
                occurred_at=event.occurred_at,
                agent=event.agent,
                data={"reason": reason} if reason else {},
            )
            continue
        shown.append(event)
    return shown


_STATUS_RANK = {"sent": 0, "delivered": 1, "read": 2, "failed": 3}


def _platform_statuses(contact_ids: list[int]) -> dict[int, DeliveryStatus]:
    """The furthest delivery status the platform reported (WhatsApp, Messenger) per reply contact."""
    furthest: dict[int, DeliveryStatus] = {}
    if not contact_ids:
        return furthest
    for status in DeliveryStatus.objects.filter(contact_id__in=contact_ids):
        known = furthest.get(status.contact_id or 0)
        if known is None or _STATUS_RANK.get(status.status, 0) > _STATUS_RANK.get(known.status, 0):
            furthest[status.contact_id or 0] = status
    return furthest


def timeline(case: Case) -> list[TimelineItem]:
    """Every message (with the delivery state of replies, and what the platform reported: delivered, read) and
    the transfers, wrap-ups and resolutions of the case, oldest first, each message with its attachments.
    Six queries."""
    messages = list(Message.objects.filter(case=case).select_related("contact", "author").order_by("created_at", "id"))
    refs = [
        m.contact.external_id
        for m in messages
        if m.contact.source in (OUTBOX_SOURCE, PRIVATE_INVITE_SOURCE) and m.contact.external_id
    ]
    delivery = {o.message_id: o for o in OutboundMessage.objects.filter(message_id__in=refs)} if refs else {}
    reported = _platform_statuses([m.contact_id for m in messages if m.contact.external_id in delivery])
    attachments = _attachments_of([m.pk for m in messages if m.direction == Direction.INBOUND])
    shown = ContactEvent.objects.filter(case=case, name__in=SHOWN_EVENTS)
    events = list(shown.select_related("agent").order_by("occurred_at", "id"))
    reasons = dict(ContactReason.objects.values_list("pk", "name")) if events else {}
    queues = dict(Queue.objects.values_list("pk", "name")) if events else {}
    items: list[TimelineItem] = []
    for m in messages:
        # A note hangs on the case's latest contact, which may be a reply in the outbox: it has that contact's
        # place in the case, never its channel or delivery state (a note is not sent to anyone).
        outbound = None if m.is_internal else delivery.get(m.contact.external_id or "")
        platform = reported.get(m.contact_id) if outbound and outbound.state == OutboundState.SENT else None
        who = m.author.display_name if m.author else (m.contact.sender or _("customer"))
        items.append(
            TimelineItem(
                at=m.created_at,
                kind="note" if m.is_internal else "message",
                channel="" if m.is_internal else m.contact.channel,
                direction=m.direction,
                who=who,
                text=m.text,
                subject=m.subject,
                delivery=(platform.status if platform and platform.status == "failed" else outbound.state)
                if outbound
                else "",
                delivery_label=(platform.get_status_display() if platform else outbound.get_state_display())
                if outbound
                else "",
                is_public=m.contact.is_public and not m.is_internal,
                attachments=tuple(attachments.get(m.pk, ())),
            )
        )
    for e in _one_line_per_action(events):
        items.append(
            TimelineItem(
                at=e.occurred_at,
                kind="event",
                channel="",
                direction="",
                who=e.agent.display_name if e.agent else "",
                text=_event_text(e, reasons, queues),
            )
        )
    items.sort(key=lambda item: item.at)
    return items


def others_working(case: Case, user: User, now: dt.datetime | None = None) -> list[str]:
    """The names of colleagues who have the case open at `now` (collision detection): an open session whose page
    beat within `PRESENT_WITHIN`."""
    agents = (
        WorkSession.objects.filter(WorkSession.present(now or timezone.now()), case=case)
        .exclude(agent=user)
        .values_list("agent__first_name", "agent__last_name", "agent__username")
        .distinct()
    )
    return sorted({f"{first} {last}".strip() or username for first, last, username in agents})


def customer_360(customer: Customer | None, case: Case) -> dict[str, Any]:
    """The customer's identities, account, notes that carry over, and earlier cases with reason and outcome."""
    if customer is None:
        return {"customer": None}
    return {
        "customer": customer,
        "identities": list(customer.identities.all().order_by("kind", "value")),
        "notes": list(customer.notes.select_related("author")[:20]),
        "earlier_cases": list(
            Case.objects.filter(customer=customer)
            .exclude(pk=case.pk)
            .exclude(status=CaseStatus.MERGED)
            .select_related("reason", "queue", "customer")
            .order_by("-opened_at")[:EARLIER_CASES]
        ),
    }


def colleagues_for(queue: Queue) -> list[User]:
    """Active people who may work the queue: its required skills all present, or team lead and up."""
    return workers_of(queue)


#: The events by which an agent handled a case: who did the last of them handled it last.
HANDLING_EVENTS = (EventName.ANSWERED, EventName.ENDED, EventName.REPLIED, EventName.WRAPPED, EventName.RESOLVED)


def last_handler(case: Case) -> User | None:
    """The agent who handled an unassigned case last (wrap-up hands the case back): shown instead of "nobody"."""
    if case.assignee_id is not None:
        return None
    event = (
        ContactEvent.objects.filter(case=case, name__in=HANDLING_EVENTS, agent__isnull=False)
        .select_related("agent")
        .order_by("-occurred_at", "-id")
        .first()
    )
    return None if event is None else event.agent


def case_context(case: Case, user: User) -> dict[str, Any]:
    """Everything the case page renders."""
    queue = case.queue
    clock = NormClock.for_queues([queue], timezone.now())
    waiting = (
        Contact.objects.filter(
            case=case, direction=Direction.INBOUND, status__in=[ContactStatus.QUEUED, ContactStatus.IN_PROGRESS]
        )
        .order_by("occurred_at")
        .values_list("occurred_at", flat=True)
        .first()
    )
    due = clock.due(queue, waiting)
    latest_inbound = Contact.objects.filter(case=case, direction=Direction.INBOUND).order_by("-occurred_at").first()
    can_write = can(user, Action.WRITE)
    templates = ResponseTemplate.objects.filter(is_active=True).filter(
        Q(channel="") | Q(channel=latest_inbound.channel if latest_inbound else case.channel)
    )
    return {
        "case": case,
        "merged_into": case.merged_into if case.status == CaseStatus.MERGED else None,
        "handled_by": last_handler(case),
        "timeline": timeline(case),
        "others": others_working(case, user),
        "due": due,
        "risk": clock.risk(due, queue),
        "can_write": can_write,
        "reply_channel": latest_inbound.channel if latest_inbound else case.channel,
        "can_reply": latest_inbound is not None and latest_inbound.channel != Channel.PHONE,
        "can_go_private": latest_inbound is not None
        and latest_inbound.is_public
        and latest_inbound.channel == Channel.SOCIAL
        and not is_private(case),
        "whatsapp_window": case_window(case, now=timezone.now())
        if latest_inbound is not None and latest_inbound.channel == Channel.WHATSAPP
        else None,
        "can_close_unanswered": can_write and bool(waiting_written(case)),
        "whatsapp_templates": templates_for(case)
        if can_write and latest_inbound is not None and latest_inbound.channel == Channel.WHATSAPP
        else [],
        "templates": list(templates) if can_write else [],
        "colleagues": colleagues_for(queue) if can_write else [],
        "transfer_queues": list(Queue.objects.filter(is_active=True).exclude(pk=queue.pk)) if can_write else [],
        "reasons": list(ContactReason.objects.filter(is_active=True)) if can_write else [],
        "transfer_reasons": TransferReason.choices,
        "insight": latest_insight(case),
        **customer_360(case.customer, case),
        "journey": journey_for(user, case.customer),
        "moment_tasks": moment_tasks_for(user, case.customer),
        "moment_messages": moment_messages_for(user, case.customer),
        "consent": consent_for(user, case.customer),
    }
