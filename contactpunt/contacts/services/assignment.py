"""Agent states the agent chooses, "take next", and assigning cases.

An agent chooses available, break, meeting, training or offline; on contact and wrap-up follow from
their work (taking a case, replying or transferring, wrapping up). "Take next" hands work only to an
available agent, and only from queues whose required skills they all have.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Min
from django.utils import timezone

from contactpunt.access import may_work_queue, skilled_queues
from contactpunt.audit import services as audit
from contactpunt.contacts.announcements import Announcement, announce
from contactpunt.contacts.inbox import InboxFilters, inbox
from contactpunt.contacts.models import (
    AgentState,
    Case,
    CaseStatus,
    Channel,
    Contact,
    ContactStatus,
    Direction,
    EventName,
)
from contactpunt.contacts.services.events import (
    EventRejected,
    current_agent_state,
    record_agent_state,
    record_contact_event,
)
from contactpunt.contacts.services.work_sessions import start_work_session
from contactpunt.people.models import User

#: The states an agent picks themselves.
CHOSEN_STATES = (AgentState.AVAILABLE, AgentState.BREAK, AgentState.MEETING, AgentState.TRAINING, AgentState.OFFLINE)
#: How many of the most urgent cases "take next" tries to claim before giving up (others may claim them first).
_CANDIDATES = 10


class NotAvailable(ValueError):
    """The agent is not available, so no work is handed to them."""


class AssignmentError(ValueError):
    """The case cannot be assigned to that person."""


def set_agent_state(*, agent: User, state: str, at: dt.datetime | None = None) -> str:
    """Record that the agent chose `state` (one of CHOSEN_STATES); return the state.

    Choosing the state the agent is already in records nothing. Raise EventRejected for another state.
    """
    if state not in CHOSEN_STATES:
        raise EventRejected("state", "not_chosen", f"{state!r} is not a state an agent chooses")
    if current_agent_state(agent) != state:
        record_agent_state(agent=agent, state=state, occurred_at=at or timezone.now())
    return state


def follow_work_state(*, agent: User, state: str, at: dt.datetime | None = None) -> None:
    """Move the agent to on contact, wrap-up or back to available as their work dictates.

    Only an agent who is working (available, on contact, wrap-up) moves: someone on a break who
    answers a colleague's note stays on their break.
    """
    current = current_agent_state(agent)
    if current in (AgentState.AVAILABLE, AgentState.ON_CONTACT, AgentState.WRAP_UP) and current != state:
        record_agent_state(agent=agent, state=state, occurred_at=at or timezone.now())


def take_next(*, agent: User, at: dt.datetime | None = None) -> Case | None:
    """Assign the most urgent unassigned open case from the agent's skilled queues to the agent: a waiting call or
    chat first (by due time), else the written case due first.

    The oldest waiting contact of the case is presented to the agent (and answered, on phone and chat),
    a work session starts and the agent is on contact. Returns None when nothing waits. Raises
    NotAvailable when the agent is not available.
    """
    at = at or timezone.now()
    if current_agent_state(agent) != AgentState.AVAILABLE:
        raise NotAvailable("only an available agent takes the next case")
    queues = list(skilled_queues(agent).values_list("pk", "channel"))
    # Calls and chats first: their customer is waiting on the line and gives up; written work stays (by due time).
    live = [pk for pk, channel in queues if channel in Channel.realtime()]
    written = [pk for pk, channel in queues if channel not in Channel.realtime()]
    rows = []
    for queue_ids in (live, written):
        if queue_ids:
            rows += inbox(
                agent,
                InboxFilters(status=CaseStatus.OPEN, assignee="unassigned"),
                now=at,
                limit=_CANDIDATES,
                only_queues=queue_ids,
            ).rows
    for row in rows:
        if row.waiting_since is None:
            continue
        with transaction.atomic():
            # Claim with a conditional UPDATE: a colleague pressing "take next" at the same moment gets another case.
            claimed = Case.objects.filter(pk=row.case.pk, assignee__isnull=True, status=CaseStatus.OPEN).update(
                assignee=agent
            )
            if not claimed:
                continue
            contact = (
                Contact.objects.filter(
                    case_id=row.case.pk,
                    direction=Direction.INBOUND,
                    status__in=[ContactStatus.QUEUED, ContactStatus.IN_PROGRESS],
                )
                .order_by("occurred_at", "id")
                .first()
            )
            if contact is not None:
                record_contact_event(contact=contact, name=EventName.PRESENTED, occurred_at=at, agent=agent)
                if contact.channel in Channel.realtime() and contact.status == ContactStatus.QUEUED:
                    record_contact_event(contact=contact, name=EventName.ANSWERED, occurred_at=at, agent=agent)
            start_work_session(agent=agent, case=row.case, contact=contact, at=at)
            record_agent_state(agent=agent, state=AgentState.ON_CONTACT, occurred_at=at)
            announce(Announcement.CASE_ASSIGNED, case_id=row.case.pk, agent_id=agent.pk)
        return Case.objects.get(pk=row.case.pk)
    return None


def assign_case(*, case: Case, to: User | None, by: User) -> Case:
    """Assign the case to `to` (None: back to the queue), audited and announced.

    Raise AssignmentError when `to` may not work the case's queue or the case is not open.
    """
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if not case.is_open:
            raise AssignmentError("only an open case is assigned")
        if to is not None and not may_work_queue(to, case.queue_id):
            raise AssignmentError(f"{to.username} does not work queue {case.queue_id}")
        previous = case.assignee_id
        case.assignee = to
        case.save(update_fields=["assignee"])
        audit.record(
            actor=by, action="case.assigned", obj=case, changes={"from": previous, "to": to.pk if to else None}
        )
        announce(Announcement.CASE_ASSIGNED, case_id=case.pk, agent_id=to.pk if to else 0)
    return case


@dataclass(frozen=True, slots=True)
class Waiting:
    """The calls and chats that wait for an agent: how many, and since when the longest has waited."""

    count: int
    oldest: dt.datetime | None


def realtime_waiting_for(agent: User) -> Waiting:
    """The phone calls and chats still queued, unassigned, in the queues "take next" would hand the agent: what
    an available agent is alerted to (a customer sits waiting in a chat window)."""
    queued = Contact.objects.filter(
        direction=Direction.INBOUND,
        status=ContactStatus.QUEUED,
        channel__in=Channel.realtime(),
        queue_id__in=skilled_queues(agent).values("pk"),
        case__assignee__isnull=True,
        case__status=CaseStatus.OPEN,
    ).aggregate(count=Count("pk"), oldest=Min("occurred_at"))
    return Waiting(queued["count"], queued["oldest"])
