"""Resolving, reopening and merging cases."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from contactpunt.audit import services as audit
from contactpunt.contacts.announcements import Announcement, announce
from contactpunt.contacts.models import (
    Case,
    CaseStatus,
    CaseThreadKey,
    Contact,
    ContactEvent,
    ContactReason,
    EventName,
    Message,
    WorkSession,
)
from contactpunt.people.models import User


class CaseStateError(ValueError):
    """The case is not in a state that allows this action."""


def resolve_case(
    *, case: Case, by: User | None, occurred_at: dt.datetime | None = None, reason: ContactReason | None = None
) -> Case:
    """Resolve an open case (optionally setting its contact reason) and log `resolved`."""
    occurred_at = occurred_at or timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if not case.is_open:
            raise CaseStateError(f"case {case.pk} is {case.status}, not open")
        case.status = CaseStatus.RESOLVED
        case.resolved_at = occurred_at
        fields = ["status", "resolved_at"]
        if reason is not None:
            case.reason = reason
            fields.append("reason")
        case.save(update_fields=fields)
        ContactEvent.objects.create(
            name=EventName.RESOLVED,
            case=case,
            agent=by,
            occurred_at=occurred_at,
            data={"reason": reason.pk} if reason else {},
        )
        announce(Announcement.CASE_RESOLVED, case_id=case.pk)
    return case


def reopen_case(*, case: Case, by: User | None, occurred_at: dt.datetime | None = None) -> Case:
    """Reopen a resolved case and log `reopened` (it no longer counts as first contact resolution)."""
    occurred_at = occurred_at or timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.status != CaseStatus.RESOLVED:
            raise CaseStateError(f"case {case.pk} is {case.status}, not resolved")
        case.status = CaseStatus.OPEN
        case.resolved_at = None
        case.reopen_count += 1
        case.save(update_fields=["status", "resolved_at", "reopen_count"])
        ContactEvent.objects.create(name=EventName.REOPENED, case=case, agent=by, occurred_at=occurred_at)
        announce(Announcement.CASE_REOPENED, case_id=case.pk)
    return case


def merge_cases(*, source: Case, target: Case, by: User | None) -> Case:
    """Move every contact, message, event and thread key of `source` into `target`.

    The source case stays as a MERGED pointer, so old links and case tokens still lead to the target.
    """
    if source.pk == target.pk:
        raise CaseStateError("a case cannot be merged into itself")
    with transaction.atomic():
        source = Case.objects.select_for_update().get(pk=source.pk)
        target = Case.objects.select_for_update().get(pk=target.pk)
        if CaseStatus.MERGED in (source.status, target.status):
            raise CaseStateError("a merged case cannot be merged again")
        moved = {
            "contacts": Contact.objects.filter(case=source).update(case=target),
            "messages": Message.objects.filter(case=source).update(case=target),
            "events": ContactEvent.objects.filter(case=source).update(case=target),
            "thread_keys": CaseThreadKey.objects.filter(case=source).update(case=target),
            "work_sessions": WorkSession.objects.filter(case=source).update(case=target),
        }
        if source.opened_at < target.opened_at:
            target.opened_at = source.opened_at
            target.save(update_fields=["opened_at"])
        source.status = CaseStatus.MERGED
        source.merged_into = target
        source.save(update_fields=["status", "merged_into"])
        audit.record(actor=by, action="case.merged", obj=target, changes={"source_case": source.pk, "moved": moved})
    return target
