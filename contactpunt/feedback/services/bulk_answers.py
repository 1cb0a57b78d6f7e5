"""Answers given outside the survey page, in bulk: the simulator's customers and imports from a survey tool.

The same rules as the page: only an invitation decided by `decide_invitations` takes an answer, only once
(claimed with `answered_at IS NULL`), values out of range are refused, and a detractor or unhappy CSAT gets
its follow-up. Set-based: a batch costs a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction

from contactpunt import fast_insert
from contactpunt.contacts.models import Case, CaseStatus
from contactpunt.feedback.models import Answer, FollowUp, Invitation
from contactpunt.feedback.services.answers import validate
from contactpunt.feedback.services.config import current_settings
from contactpunt.feedback.services.invitations import decide_invitations
from contactpunt.id_filters import ids_in
from contactpunt.people.models import Role, User


@dataclass(frozen=True, slots=True)
class GivenAnswer:
    """What the customer of a case answered (None: the question was skipped)."""

    case_id: int
    score: int
    solved: bool | None = None
    expertise: int | None = None
    friendliness: int | None = None
    effort: int | None = None
    comment: str = ""


@dataclass
class BulkResult:
    stored: int = 0
    refused: int = 0  # not invited (rules), already answered, or values out of range
    pending: list[GivenAnswer] = field(default_factory=list)  # cases not resolved yet: give them again later


def _form(item: GivenAnswer) -> dict[str, str]:
    def text(value: int | None) -> str:
        return "" if value is None else str(value)

    solved = "" if item.solved is None else ("yes" if item.solved else "no")
    return {
        "score": str(item.score),
        "solved": solved,
        "expertise": text(item.expertise),
        "friendliness": text(item.friendliness),
        "effort": text(item.effort),
        "comment": item.comment,
    }


@dataclass(frozen=True, slots=True)
class WentOut:
    """How the invitation of a case went out when the outbox did not send it (a survey tool's log, the simulator's
    history): delivered or bounced, and how long after sending the customer opened it (None: never)."""

    case_id: int
    delivered: bool = True
    opened_after: dt.timedelta | None = None


DELIVERED_AFTER = dt.timedelta(minutes=1)


def record_went_out(items: Sequence[WentOut], *, now: dt.datetime) -> list[WentOut]:
    """Mark the first invitations of these cases as sent at their send time, delivered a minute later unless they
    bounced, and opened when reported; nothing after `now`. An invitation already sent is left as it is; a case
    without an invitation is skipped. Returns the items whose invitation is not due yet: give them again later."""
    wanted = {item.case_id: item for item in items}
    if not wanted:
        return []
    with transaction.atomic():
        unsent = list(
            Invitation.objects.select_for_update()
            .filter(ids_in("case_id", wanted), wave=1, sent_at__isnull=True, undeliverable="")
            .values_list("pk", "case_id", "send_at")
        )
        due: list[_WentOut] = []
        for pk, case_id, send_at in unsent:
            if send_at > now:
                continue
            item = wanted[case_id]
            delivered = send_at + DELIVERED_AFTER
            delivered_at = delivered if item.delivered and delivered <= now else None
            opened = send_at + item.opened_after if item.opened_after is not None else None
            due.append(
                _WentOut(pk, send_at, delivered_at, opened if delivered_at and opened and opened <= now else None)
            )
        fast_insert.update_rows(Invitation, due, ["sent_at", "delivered_at", "opened_at"])
    return [wanted[case_id] for _pk, case_id, send_at in unsent if send_at > now]


@dataclass(frozen=True, slots=True)
class _WentOut:
    """The columns record_went_out writes of one invitation (read as values, not as an instance)."""

    pk: int
    sent_at: dt.datetime
    delivered_at: dt.datetime | None
    opened_at: dt.datetime | None


def record_answers(items: Sequence[GivenAnswer], *, now: dt.datetime, decided: bool = False) -> BulkResult:
    """Store the answers of resolved, invited cases; an answer is given when its invitation is sent (not before
    the case's resolution, never after `now`).

    An import from a survey tool may bring answers of cases nobody decided on (resolved before the rules were
    set): their invitations are decided first. With `decided` the caller knows every resolved case was decided
    when it was resolved (the CASE_RESOLVED subscriber ran, as in the simulator's history): only the invitations
    there are count, and a case refused then is not decided a second time (a refusal leaves no row, so deciding
    again would repeat the whole decision for nothing)."""
    result = BulkResult()
    if not items:
        return result
    statuses = dict(Case.objects.filter(ids_in("pk", (i.case_id for i in items))).values_list("pk", "status"))
    ready = [i for i in items if statuses.get(i.case_id) == CaseStatus.RESOLVED]
    result.pending = [i for i in items if statuses.get(i.case_id) in (CaseStatus.OPEN, CaseStatus.PENDING)]
    result.refused = len(items) - len(ready) - len(result.pending)
    if decided:
        firsts = Invitation.objects.filter(ids_in("case_id", [i.case_id for i in ready]), wave=1)
        invited = dict(firsts.values_list("case_id", "pk"))
    else:
        decisions = decide_invitations([i.case_id for i in ready])
        invited = {d.case_id: d.invitation_id for d in decisions if d.invitation_id}
    follow_up_hours = dt.timedelta(hours=current_settings().follow_up_hours)
    with transaction.atomic():
        invitations = {
            inv.case_id: inv
            for inv in Invitation.objects.select_for_update()
            .filter(ids_in("pk", invited.values()), answered_at__isnull=True)
            .select_related("survey")
        }
        leads: dict[int, int] = {}
        for user_id, team_id in (
            User.objects.filter(role=Role.TEAM_LEAD, is_active=True, team_id__isnull=False)
            .order_by("-pk")
            .values_list("pk", "team_id")
        ):
            leads[team_id] = user_id  # the first team lead of each team (highest pk first, so the lowest wins)
        answers: list[Answer] = []
        claimed: list[Invitation] = []
        for item in ready:
            invitation = invitations.pop(item.case_id, None)
            values, errors = validate(invitation.survey.kind, _form(item)) if invitation else ({}, {"": ""})
            if invitation is None or errors:
                result.refused += 1
                continue
            at = max(invitation.decided_at, min(invitation.send_at, now))
            # Moments it went out that were reported before (`record_went_out`) stay; the rest are the answer's.
            invitation.sent_at = invitation.sent_at or at
            invitation.delivered_at = invitation.delivered_at or at
            invitation.opened_at = invitation.opened_at or at
            at = invitation.answered_at = max(at, invitation.opened_at)
            claimed.append(invitation)
            answers.append(
                fast_insert.build(
                    Answer, invitation_id=invitation.pk, kind=invitation.survey.kind, answered_at=at, **values
                )
            )
        fast_insert.update_rows(Invitation, claimed, ["sent_at", "delivered_at", "opened_at", "answered_at"])
        fast_insert.save_new([answers])
        teams = {inv.pk: inv.team_id for inv in claimed}
        fast_insert.save_new(
            [
                [
                    fast_insert.build(
                        FollowUp,
                        answer_id=answer.pk,
                        assignee_id=leads.get(teams[answer.invitation_id] or 0),
                        created_at=answer.answered_at,
                        due_at=answer.answered_at + follow_up_hours,
                    )
                    for answer in answers
                    if answer.needs_follow_up
                ]
            ]
        )
    result.stored = len(answers)
    return result


def close_old_follow_ups(*, outcomes: Sequence[tuple[int, str]], now: dt.datetime) -> int:
    """Close the given open follow-ups (id, outcome) at their due time or `now`, whichever is first, by the
    assignee (the simulator's team leads working their list). Returns how many were closed."""
    ids = [pk for pk, _ in outcomes]
    rows = {f.pk: f for f in FollowUp.objects.filter(ids_in("pk", ids), closed_at__isnull=True)}
    closing = []
    for pk, outcome in outcomes:
        row = rows.get(pk)
        if row is None:
            continue
        row.outcome = outcome
        row.closed_at = min(row.due_at - dt.timedelta(hours=1), now)
        row.closed_by_id = row.assignee_id
        closing.append(row)
    fast_insert.update_rows(FollowUp, closing, ["outcome", "closed_at", "closed_by"])
    return len(closing)


#: The simulated team leads' outcomes, in the proportions of a team that works its list: most are called back.
SIMULATED_OUTCOMES = ("called_back", "called_back", "solved", "solved", "apology", "no_answer")


#: How late a simulated follow-up gets before its team lead works it after all.
LATE_AT_MOST = dt.timedelta(days=7)


def work_follow_up_list(*, now: dt.datetime, share: float = 0.85) -> int:
    """The simulator's team leads working their list: close `share` of the open follow-ups that fall due by `now`
    (which ones, and how each ended, follow from the follow-up's id, so a run is reproducible); the rest stay open
    and late, as in a real team, until they are a week late: by then the team lead has worked them too (a demo
    with months of history would otherwise show every late one since September). Returns how many were closed."""
    due = FollowUp.objects.filter(closed_at__isnull=True, due_at__lte=now).values_list("pk", "due_at")
    outcomes = [
        (pk, SIMULATED_OUTCOMES[(pk * 7919) % len(SIMULATED_OUTCOMES)])
        for pk, due_at in due
        if (pk * 2654435761) % 1000 < share * 1000 or due_at <= now - LATE_AT_MOST
    ]
    return close_old_follow_ups(outcomes=outcomes, now=now) if outcomes else 0
