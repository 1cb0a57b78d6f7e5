"""Work sessions time written work: from an agent opening a case to their reply, transfer or wrap-up."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from contactpunt.contacts.announcements import Announcement, announce
from contactpunt.contacts.models import Case, Contact, WorkSession
from contactpunt.people.models import User


def start_work_session(
    *, agent: User, case: Case, contact: Contact | None = None, at: dt.datetime | None = None
) -> WorkSession:
    """Start timing the agent's work on the case; return the session already open when there is one."""
    with transaction.atomic():
        open_session = (
            WorkSession.objects.select_for_update().filter(agent=agent, case=case, ended_at__isnull=True).first()
        )
        if open_session is not None:
            return open_session
        session = WorkSession.objects.create(agent=agent, case=case, contact=contact, started_at=at or timezone.now())
        announce(Announcement.WORK_SESSION_CHANGED, case_id=case.pk, agent_id=agent.pk)
    return session


def end_work_sessions(*, agent: User, case: Case, outcome: str, at: dt.datetime | None = None) -> int:
    """End the agent's open sessions on the case with `outcome` (replied, transferred, wrapped, left);
    return how many were open."""
    ended = WorkSession.objects.filter(agent=agent, case=case, ended_at__isnull=True).update(
        ended_at=at or timezone.now(), outcome=outcome[:20]
    )
    if ended:
        announce(Announcement.WORK_SESSION_CHANGED, case_id=case.pk, agent_id=agent.pk)
    return ended
