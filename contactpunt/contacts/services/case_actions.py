"""What an agent does to a case besides replying: internal notes with @mentions, transfer, wrap-up, and
"no response needed" for a written message that needs none."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contactpunt.audit.services import record as audit
from contactpunt.contacts.announcements import Announcement, announce
from contactpunt.contacts.models import (
    AgentState,
    Case,
    CaseStatus,
    Channel,
    Contact,
    ContactReason,
    ContactStatus,
    Direction,
    EventName,
    Mention,
    Message,
    Queue,
)
from contactpunt.contacts.services.assignment import follow_work_state
from contactpunt.contacts.services.cases import CaseStateError, resolve_case
from contactpunt.contacts.services.events import record_contact_event
from contactpunt.contacts.services.waiting import refresh_waiting
from contactpunt.contacts.services.work_sessions import end_work_sessions
from contactpunt.people.models import User

_MENTION = re.compile(r"(?<![\w@])@([\w.+-]{1,150})")
MAX_NOTE = 10_000


class TransferReason(models.TextChoices):
    OTHER_DEPARTMENT = "other_department", _("belongs to another department")
    EXPERTISE = "expertise", _("needs other expertise")
    ESCALATION = "escalation", _("escalation")
    LANGUAGE = "language", _("another language")
    OTHER = "other", _("other")


class ActionError(ValueError):
    """The action cannot be done with these inputs; `field` names the one that is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _latest_contact(case: Case, *, inbound_only: bool = False) -> Contact:
    contacts = Contact.objects.filter(case=case)
    if inbound_only:
        contacts = contacts.filter(direction=Direction.INBOUND)
    contact = contacts.order_by("-occurred_at", "-id").first()
    if contact is None:
        raise ActionError("case", "the case has no contact")
    return contact


@dataclass(frozen=True, slots=True)
class Noted:
    message: Message
    mentioned: list[User]


def add_internal_note(*, case: Case, author: User, text: str, at: dt.datetime | None = None) -> Noted:
    """Add a note on the case that only colleagues see; every @username of an active user becomes a Mention."""
    text = text.strip()
    if not text or len(text) > MAX_NOTE:
        raise ActionError("text", f"a note has 1 to {MAX_NOTE} characters")
    at = at or timezone.now()
    names = {name.rstrip(".").casefold() for name in _MENTION.findall(text)}
    with transaction.atomic():
        message = Message.objects.create(
            contact=_latest_contact(case),
            case=case,
            direction=Direction.OUTBOUND,
            author=author,
            is_internal=True,
            text=text,
            created_at=at,
        )
        users = [u for u in User.objects.filter(is_active=True) if u.username.casefold() in names] if names else []
        Mention.objects.bulk_create([Mention(message=message, user=user, created_at=at) for user in users])
        announce(Announcement.CASE_UPDATED, case_id=case.pk)
    return Noted(message, users)


def mark_mentions_seen(*, user: User, case: Case, at: dt.datetime | None = None) -> int:
    """Mark the user's mentions in the case's notes as seen (they opened the case); return how many were new."""
    return Mention.objects.filter(user=user, message__case=case, seen_at__isnull=True).update(
        seen_at=at or timezone.now()
    )


def transfer_case(
    *,
    case: Case,
    to_queue: Queue,
    by: User,
    reason: str,
    note: str = "",
    at: dt.datetime | None = None,
) -> Case:
    """Move the case to `to_queue` with a reason: a `transferred` event on its latest inbound contact (which
    queues again there), unassigned, the agent's work session ended and the agent in wrap-up. An optional
    note is added as an internal note."""
    if reason not in TransferReason.values:
        raise ActionError("reason", "a transfer needs one of the transfer reasons")
    if not to_queue.is_active:
        raise ActionError("queue", "that queue is not active")
    at = at or timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if not case.is_open:
            raise CaseStateError(f"case {case.pk} is {case.status}, not open")
        if case.queue_id == to_queue.pk:
            raise ActionError("queue", "the case is already in that queue")
        record_contact_event(
            contact=_latest_contact(case, inbound_only=True),
            name=EventName.TRANSFERRED,
            occurred_at=at,
            agent=by,
            to_queue=to_queue,
            data={"transfer_reason": reason, "from_queue": case.queue_id},
        )
        case.queue = to_queue
        case.assignee = None
        case.save(update_fields=["queue", "assignee"])
        if note.strip():
            add_internal_note(case=case, author=by, text=note, at=at)
        end_work_sessions(agent=by, case=case, outcome="transferred", at=at)
        follow_work_state(agent=by, state=AgentState.WRAP_UP, at=at)
        announce(Announcement.CASE_ASSIGNED, case_id=case.pk, agent_id=0)
    return case


def wrap_up(
    *, case: Case, by: User, reason: ContactReason | None, resolve: bool = False, at: dt.datetime | None = None
) -> Case:
    """Wrap up the agent's handling with a contact reason (required): a `wrapped` event on the case's latest
    inbound contact that sets the case's reason, the work session ended, the case resolved when asked, and the
    agent available again."""
    if reason is None or not reason.is_active:
        raise ActionError("reason", "wrap-up needs an active contact reason")
    at = at or timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.status == CaseStatus.MERGED:
            raise CaseStateError("a merged case is wrapped up in the case it went into")
        record_contact_event(
            contact=_latest_contact(case, inbound_only=True),
            name=EventName.WRAPPED,
            occurred_at=at,
            agent=by,
            reason=reason,
        )
        end_work_sessions(agent=by, case=case, outcome="wrapped", at=at)
        if resolve and case.is_open:
            case = resolve_case(case=case, by=by, occurred_at=at, reason=reason)
        follow_work_state(agent=by, state=AgentState.AVAILABLE, at=at)
        announce(Announcement.CASE_UPDATED, case_id=case.pk)
    return Case.objects.get(pk=case.pk)


# -- the webcare rule: every public message gets a response or an explicit "no response needed" --


def waiting_written(case: Case) -> list[Contact]:
    """The case's written inbound contacts still waiting for a response."""
    return list(
        Contact.objects.filter(
            case=case, direction=Direction.INBOUND, status__in=[ContactStatus.QUEUED, ContactStatus.IN_PROGRESS]
        )
        .exclude(channel__in=Channel.realtime())
        .order_by("occurred_at", "id")
    )


def mark_no_response_needed(*, case: Case, by: User, at: dt.datetime | None = None) -> list[int]:
    """Close the case's waiting written contacts without a response, by `by`'s decision (a thank-you,
    spam); return their ids. Raise ActionError when nothing is waiting.

    Recorded as a `wrapped` event with `no_response_needed` on each contact (the written backlog of
    the KPIs leaves those out) and in the audit log, with who decided it."""
    at = at or timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        contacts = waiting_written(case)
        if not contacts:
            raise ActionError("case", "no message of this case is waiting for a response")
        for contact in contacts:
            record_contact_event(
                contact=contact,
                name=EventName.WRAPPED,
                occurred_at=at,
                agent=by,
                data={"no_response_needed": True},
            )
        Contact.objects.filter(pk__in=[c.pk for c in contacts]).update(status=ContactStatus.HANDLED, ended_at=at)
        refresh_waiting([case.pk])
        audit(
            actor=by,
            action="no_response_needed",
            obj=case,
            changes={"contacts": [c.pk for c in contacts], "public": [c.pk for c in contacts if c.is_public]},
        )
        end_work_sessions(agent=by, case=case, outcome="no_response_needed", at=at)
        announce(Announcement.CASE_UPDATED, case_id=case.pk)
    return [c.pk for c in contacts]
