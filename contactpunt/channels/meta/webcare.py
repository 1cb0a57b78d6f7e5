"""The webcare rule: every public message gets a response or an explicit "no response needed".

"No response needed" is an agent's decision, recorded as a `wrapped` event with `no_response_needed` on each
waiting written contact of the case (the written backlog of the KPIs leaves those out) and in the audit log,
with who decided it.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from contactpunt.audit.services import record as audit
from contactpunt.contacts.announcements import Announcement, announce
from contactpunt.contacts.models import Case, Channel, Contact, ContactStatus, Direction, EventName
from contactpunt.contacts.services.case_actions import ActionError
from contactpunt.contacts.services.events import record_contact_event
from contactpunt.contacts.services.work_sessions import end_work_sessions
from contactpunt.people.models import User


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
    """Close the case's waiting written contacts without a response, by `by`'s decision; return their ids.
    Raise ActionError when nothing is waiting."""
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
        audit(
            actor=by,
            action="no_response_needed",
            obj=case,
            changes={"contacts": [c.pk for c in contacts], "public": [c.pk for c in contacts if c.is_public]},
        )
        end_work_sessions(agent=by, case=case, outcome="no_response_needed", at=at)
        announce(Announcement.CASE_UPDATED, case_id=case.pk)
    return [c.pk for c in contacts]
