"""Replying to the customer on the channel they used, through a transactional outbox.

A reply is an outbound Contact with its Message, every waiting inbound contact it answers marked handled,
and a row in the outbox of that channel, all in the transaction that changes the case: either all of it
is committed or none. The `replied` event follows when the channel's sender has actually delivered the
row (the drain loop in contactpunt.channels.senders), with the send time as its occurred_at.
The outbox writers are registered per channel by the apps that own the senders
(`contacts` imports no channel), and return the reference of the outbox row, which becomes the outbound
contact's external id (source OUTBOX_SOURCE), so the workspace can show its delivery state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from contactpunt.contacts.announcements import Announcement, announce
from contactpunt.contacts.models import (
    AgentState,
    Case,
    Channel,
    Contact,
    ContactStatus,
    Direction,
    Message,
    ResponseTemplate,
)
from contactpunt.contacts.services.assignment import follow_work_state
from contactpunt.contacts.services.cases import CaseStateError, resolve_case
from contactpunt.contacts.services.templates import blocked_because
from contactpunt.contacts.services.waiting import refresh_waiting
from contactpunt.contacts.services.work_sessions import end_work_sessions
from contactpunt.people.models import User

OUTBOX_SOURCE = "outbox"
#: The public answer that moves a public social conversation to private messages.
PRIVATE_INVITE_SOURCE = "outbox-invite"
MAX_REPLY = 20_000


@dataclass(frozen=True, slots=True)
class ReplyDraft:
    """What an outbox writer needs: the case, the inbound contact answered, and the text."""

    case: Case
    answering: Contact
    channel: str
    to: str
    body: str
    is_public: bool


OutboxWriter = Callable[[ReplyDraft], str]
_writers: dict[str, OutboxWriter] = {}


def register_outbox_writer(channel: str, writer: OutboxWriter) -> None:
    """Let `writer` queue replies on `channel`; it returns the outbox row's reference (unique per row)."""
    _writers[channel] = writer


def unregister_outbox_writer(channel: str) -> None:
    """Forget the writer of `channel` (tests use this)."""
    _writers.pop(channel, None)


class ReplyError(ValueError):
    """The reply cannot be sent: nothing to answer in writing, an empty text, no sender for the channel."""


@dataclass(frozen=True, slots=True)
class Replied:
    contact: Contact
    message: Message
    outbox_ref: str
    answered: list[int]


def _answering(case: Case) -> Contact:
    inbound = Contact.objects.filter(case=case, direction=Direction.INBOUND).exclude(channel=Channel.PHONE)
    waiting = inbound.filter(status__in=[ContactStatus.QUEUED, ContactStatus.IN_PROGRESS]).order_by("occurred_at", "id")
    contact = waiting.first() or inbound.order_by("-occurred_at", "-id").first()
    if contact is None:
        raise ReplyError("the case has no written contact to answer")
    return contact


def is_private(case: Case) -> bool:
    """True once the case's public conversation was moved to private messages."""
    return Contact.objects.filter(case=case, source=PRIVATE_INVITE_SOURCE).exists()


def reply(
    *,
    case: Case,
    by: User,
    body: str,
    at: dt.datetime | None = None,
    templates: Sequence[ResponseTemplate] = (),
    resolve: bool = False,
) -> Replied:
    """Reply to the case's customer on the channel of the contact answered (its oldest waiting written
    contact, else its latest written one); public only when that contact was public and the conversation
    was not moved to private. Every waiting written contact is marked handled (its `replied` event is
    written when the reply is sent), the agent's
    work session ends and the agent moves to wrap-up. `templates` are the response templates the text was made
    from: one that must be reviewed first (`templates.blocked_because`) refuses the reply (ReplyError naming
    the template and why). With `resolve` the case is resolved in the same transaction (the agent chose "send
    and resolve"); without it the case stays open. Raise ReplyError or CaseStateError."""
    for template in templates:
        reason = blocked_because(template)
        if reason:
            raise ReplyError(
                gettext("the template “%(name)s” may not be sent until it is reviewed: %(reason)s")
                % {"name": template.name, "reason": reason}
            )
    at = at or timezone.now()
    with transaction.atomic():
        replied = _send(case=case, by=by, body=body, at=at, invite=False, templates=templates)
        if resolve:
            resolve_case(case=case, by=by, occurred_at=at)
    return replied


def continue_in_private(*, case: Case, by: User, body: str = "", at: dt.datetime | None = None) -> Replied:
    """Answer a public social post in public with an invitation to continue in private messages; later
    replies on the case go privately. Raise ReplyError when the contact answered is not public."""
    body = body.strip() or gettext(
        "Thank you for your message. We would like to help you personally: we have sent you a private message."
    )
    return _send(case=case, by=by, body=body, at=at or timezone.now(), invite=True)


def _send(
    *, case: Case, by: User, body: str, at: dt.datetime, invite: bool, templates: Sequence[ResponseTemplate] = ()
) -> Replied:
    body = body.strip()
    if not body:
        raise ReplyError("a reply needs a text")
    if len(body) > MAX_REPLY:
        raise ReplyError(f"a reply is at most {MAX_REPLY} characters")
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if not case.is_open:
            raise CaseStateError(f"case {case.pk} is {case.status}, not open")
        answering = _answering(case)
        if invite and not (answering.is_public and answering.channel == Channel.SOCIAL):
            raise ReplyError("only a public social post is continued in private")
        writer = _writers.get(answering.channel)
        if writer is None:
            raise ReplyError(f"there is no outbox for {answering.channel} replies")
        is_public = answering.is_public and (invite or not is_private(case))
        ref = writer(ReplyDraft(case, answering, answering.channel, answering.sender, body, is_public))
        outbound = Contact.objects.create(
            case=case,
            customer_id=case.customer_id,
            channel=answering.channel,
            direction=Direction.OUTBOUND,
            queue_id=case.queue_id,
            status=ContactStatus.SENT,
            identification=answering.identification,
            source=PRIVATE_INVITE_SOURCE if invite else OUTBOX_SOURCE,
            external_id=ref,
            sender=answering.sender,
            is_public=is_public,
            occurred_at=at,
            ended_at=at,
        )
        message = Message.objects.create(
            contact=outbound, case=case, direction=Direction.OUTBOUND, author=by, text=body, created_at=at
        )
        waiting = list(
            Contact.objects.filter(
                case=case,
                direction=Direction.INBOUND,
                status__in=[ContactStatus.QUEUED, ContactStatus.IN_PROGRESS],
            )
            .exclude(channel__in=Channel.realtime())
            .order_by("occurred_at", "id")
        ) or [answering]
        # The agent has handled them now; the `replied` event is written when the outbox row is sent
        # (contactpunt.channels.senders), at the send time, so a reply that is never delivered is no response.
        Contact.objects.filter(
            pk__in=[c.pk for c in waiting], status__in=[ContactStatus.QUEUED, ContactStatus.IN_PROGRESS]
        ).update(status=ContactStatus.HANDLED, ended_at=at)
        refresh_waiting([case.pk])
        end_work_sessions(agent=by, case=case, outcome="replied", at=at)
        follow_work_state(agent=by, state=AgentState.WRAP_UP, at=at)
        announce(Announcement.CASE_UPDATED, case_id=case.pk, contact_id=outbound.pk)
        for template in dict.fromkeys(templates):
            announce(Announcement.REPLY_FROM_TEMPLATE, message_id=message.pk, template_id=template.pk, case_id=case.pk)
    return Replied(outbound, message, ref, [c.pk for c in waiting])
