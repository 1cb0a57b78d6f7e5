"""Reads of the feedback app that check permission (through `contactpunt.access`)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from contactpunt.access import Action, can, check
from contactpunt.feedback.models import Answer, FollowUp
from contactpunt.people.models import User


def visible_follow_ups(user: User) -> QuerySet[FollowUp]:
    """Every follow-up for team leads and up and the read-only viewer; none for others."""
    if not can(user, Action.VIEW_FEEDBACK):
        return FollowUp.objects.none()
    return FollowUp.objects.select_related(
        "answer",
        "answer__invitation",
        "answer__invitation__agent",
        "answer__invitation__team",
        "answer__invitation__queue",
        "answer__invitation__reason",
        "assignee",
        "closed_by",
    )


def get_follow_up_for_user(user: User, follow_up_id: object, *, write: bool = False) -> FollowUp:
    """The follow-up when the user may see it; Http404 otherwise, PermissionDenied when a user who may not
    follow up asks to write (after the 404 check)."""
    try:
        pk = int(str(follow_up_id))
    except ValueError:
        raise Http404("no such follow-up") from None
    found = visible_follow_ups(user).filter(pk=pk).first() if 0 < pk <= 2**63 - 1 else None
    if found is None:
        raise Http404("no such follow-up")
    if write:
        check(user, Action.FOLLOW_UP)
    return found


def visible_answers(user: User) -> QuerySet[Answer]:
    """Every survey answer for team leads and up and the read-only viewer; none for others."""
    if not can(user, Action.VIEW_FEEDBACK):
        return Answer.objects.none()
    return Answer.objects.all()


def get_answer_for_user(user: User, answer_id: object) -> Answer:
    """The answer when the user may see it; Http404 otherwise."""
    try:
        pk = int(str(answer_id))
    except ValueError:
        raise Http404("no such answer") from None
    found = (
        visible_answers(user).select_related("invitation", "invitation__customer").filter(pk=pk).first()
        if 0 < pk <= 2**63 - 1
        else None
    )
    if found is None:
        raise Http404("no such answer")
    return found


def my_open_follow_ups(user: User, *, now: dt.datetime) -> tuple[int, int]:
    """(open, overdue) follow-ups of `user`'s own team or assigned to them, for the workspace; (0, 0) for who
    does not follow up."""
    if not can(user, Action.FOLLOW_UP):
        return 0, 0
    mine = Q(assignee=user) | Q(answer__invitation__team_id=user.team_id) if user.team_id else Q(assignee=user)
    return open_and_overdue(FollowUp.objects.filter(mine), now=now)


def open_and_overdue(rows: QuerySet[FollowUp], *, now: dt.datetime) -> tuple[int, int]:
    """How many of `rows` are open, and how many of those are past their due time (one query)."""
    counts = rows.filter(closed_at__isnull=True).aggregate(
        open=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=now))
    )
    return counts["open"], counts["overdue"]
