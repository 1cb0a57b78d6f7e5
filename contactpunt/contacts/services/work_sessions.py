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
    """Start timing the agent's work on the case; return the session already open when there is one and its page
    still beats. One whose page went quiet (a browser closed without saying so) ends at its last heartbeat
    (outcome `left`), so the time the case lay unattended is not counted as work, and a new one starts."""
    now = at or timezone.now()
    with transaction.atomic():
        open_session = (
            WorkSession.objects.select_for_update().filter(agent=agent, case=case, ended_at__isnull=True).first()
        )
        if open_session is not None:
            if open_session.is_present(now):
                return open_session
            open_session.ended_at, open_session.outcome = open_session.last_seen, "left"
            open_session.save(update_fields=["ended_at", "outcome"])
        session = WorkSession.objects.create(agent=agent, case=case, contact=contact, started_at=now, seen_at=now)
        announce(Announcement.WORK_SESSION_CHANGED, case_id=case.pk, agent_id=agent.pk)
    return session


def keep_work_session(*, agent: User, case: Case, at: dt.datetime | None = None) -> bool:
    """The heartbeat of the agent's open case page: their open session on the case was seen at `at` (now); a
    session that had gone quiet counts as present again (announced, so colleagues' pages show it). Return whether
    a session was open."""
    now = at or timezone.now()
    with transaction.atomic():
        session = WorkSession.objects.select_for_update().filter(agent=agent, case=case, ended_at__isnull=True).first()
        if session is None:
            return False
        was_present = session.is_present(now)
        session.seen_at = now
        session.save(update_fields=["seen_at"])
        if not was_present:
            announce(Announcement.WORK_SESSION_CHANGED, case_id=case.pk, agent_id=agent.pk)
    return True


def end_work_sessions(*, agent: User, case: Case, outcome: str, at: dt.datetime | None = None) -> int:
    """End the agent's open sessions on the case with `outcome` (replied, transferred, wrapped, left);
    return how many were open."""
    ended = WorkSession.objects.filter(agent=agent, case=case, ended_at__isnull=True).update(
        ended_at=at or timezone.now(), outcome=outcome[:20]
    )
    if ended:
        announce(Announcement.WORK_SESSION_CHANGED, case_id=case.pk, agent_id=agent.pk)
    return ended
