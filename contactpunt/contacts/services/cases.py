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
from contactpunt.contacts.services import event_rules as rules
from contactpunt.contacts.services.event_rules import CaseStateError
from contactpunt.contacts.services.waiting import refresh_waiting
from contactpunt.people.models import User

__all__ = ["CaseStateError", "merge_cases", "reopen_case", "resolve_case"]


def _lifecycle(case: Case) -> rules.CaseLifecycle:
    return rules.CaseLifecycle(case.pk, case.status, case.resolved_at, case.reopen_count, case.reason_id)


def _apply(case: Case, applied: rules.CaseApplied) -> None:
    _pk, case.status, case.resolved_at, case.reopen_count, case.reason_id = applied.case
    case.save(update_fields=list(applied.fields))


def resolve_case(
    *, case: Case, by: User | None, occurred_at: dt.datetime | None = None, reason: ContactReason | None = None
) -> Case:
    """Resolve an open case (optionally setting its contact reason) and log `resolved`."""
    occurred_at = occurred_at or timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        applied = rules.apply_case_event(
            _lifecycle(case), EventName.RESOLVED, occurred_at, reason_id=reason.pk if reason is not None else None
        )
        _apply(case, applied)
        ContactEvent.objects.create(
            name=EventName.RESOLVED, case=case, agent=by, occurred_at=occurred_at, data=applied.data
        )
        announce(Announcement.CASE_RESOLVED, case_id=case.pk)
    return case


def reopen_case(*, case: Case, by: User | None, occurred_at: dt.datetime | None = None) -> Case:
    """Reopen a resolved case and log `reopened` (it no longer counts as first contact resolution)."""
    occurred_at = occurred_at or timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        _apply(case, rules.apply_case_event(_lifecycle(case), EventName.REOPENED, occurred_at))
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
        refresh_waiting([source.pk, target.pk])
        audit.record(actor=by, action="case.merged", obj=target, changes={"source_case": source.pk, "moved": moved})
    return target
