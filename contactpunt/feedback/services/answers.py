"""The customer's side: opening the survey link, submitting the answer, opting out.

Opening a link (a GET, which link scanners do too) records only that it was opened; a rating is stored only by
`submit_answer`, on an explicit POST. An invitation takes one answer: the claim is a conditional UPDATE on
`answered_at IS NULL`, so a second submit (or two at once) changes nothing. Every refusal says why and writes
nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from django.db import transaction

from contactpunt.customers.models import ConsentPurpose, ConsentSource
from contactpunt.customers.services import record_consent
from contactpunt.feedback.models import (
    EFFORT_RANGE,
    RATING_RANGE,
    SCORE_RANGE,
    Answer,
    FollowUp,
    Invitation,
    SurveyKind,
    SurveyOptOut,
)
from contactpunt.feedback.services.config import current_settings
from contactpunt.feedback.services.tokens import TokenError, read_token
from contactpunt.people.models import Role, User

MAX_COMMENT = 2000


class Problem(StrEnum):
    TAMPERED = "tampered"
    EXPIRED = "expired"
    USED = "used"
    ERASED = "erased"
    INVALID = "invalid"


@dataclass(frozen=True, slots=True)
class Opened:
    """The survey behind a link, or the problem that stops it (`invitation` is None then)."""

    invitation: Invitation | None
    problem: Problem | None = None


@dataclass(frozen=True, slots=True)
class Submitted:
    """The stored answer, or the problem and (for INVALID) the message per field; nothing is stored then."""

    answer: Answer | None
    problem: Problem | None = None
    errors: dict[str, str] = field(default_factory=dict)


def _find(token: str, now: dt.datetime) -> Opened:
    try:
        pk = read_token(token, now)
    except TokenError as error:
        return Opened(None, Problem(error.problem.value))
    invitation = Invitation.objects.select_related("survey", "customer").filter(pk=pk).first()
    if invitation is None or invitation.customer.erased_at is not None:
        # An erased customer's invitations are deleted with their data; the link then finds nothing.
        return Opened(None, Problem.ERASED)
    if invitation.answered_at is not None:
        return Opened(None, Problem.USED)
    if invitation.is_expired(now):
        return Opened(None, Problem.EXPIRED)
    return Opened(invitation)


def open_survey(token: str, now: dt.datetime) -> Opened:
    """The invitation behind `token`, marked opened (first time only); or why it cannot be answered."""
    opened = _find(token, now)
    if opened.invitation is not None and opened.invitation.opened_at is None:
        Invitation.objects.filter(pk=opened.invitation.pk, opened_at__isnull=True).update(opened_at=now)
    return opened


def _number(
    data: Mapping[str, str], name: str, low: int, high: int, errors: dict[str, str], *, required: bool
) -> int | None:
    raw = (data.get(name) or "").strip()
    if not raw:
        if required:
            errors[name] = "required"
        return None
    try:
        value = int(raw)
    except ValueError:
        errors[name] = "range"
        return None
    if not low <= value <= high:
        errors[name] = "range"
        return None
    return value


def validate(kind: str, data: Mapping[str, str]) -> tuple[dict[str, object], dict[str, str]]:
    """The cleaned answer fields and the errors by field ("required", "range" or "length")."""
    errors: dict[str, str] = {}
    low, high = SCORE_RANGE[SurveyKind(kind)]
    values: dict[str, object] = {"score": _number(data, "score", low, high, errors, required=True)}
    for name in ("expertise", "friendliness"):
        values[name] = _number(data, name, *RATING_RANGE, errors, required=False)
    values["effort"] = _number(data, "effort", *EFFORT_RANGE, errors, required=False)
    solved = (data.get("solved") or "").strip()
    if solved not in ("", "yes", "no"):
        errors["solved"] = "range"
    values["solved"] = {"yes": True, "no": False}.get(solved)
    comment = (data.get("comment") or "").strip()
    if len(comment) > MAX_COMMENT:
        errors["comment"] = "length"
    values["comment"] = comment
    return values, errors


def team_lead_of(team_id: int | None) -> User | None:
    """The team's lead (the first active team lead of the team), None without one."""
    if team_id is None:
        return None
    return User.objects.filter(team_id=team_id, role=Role.TEAM_LEAD, is_active=True).order_by("pk").first()


def submit_answer(token: str, data: Mapping[str, str], now: dt.datetime) -> Submitted:
    """Store the customer's answer once; a detractor or unhappy CSAT answer gets a follow-up for the team lead."""
    opened = _find(token, now)
    if opened.invitation is None:
        return Submitted(None, opened.problem)
    invitation = opened.invitation
    values, errors = validate(invitation.survey.kind, data)
    if errors:
        return Submitted(None, Problem.INVALID, errors)
    with transaction.atomic():
        claimed = Invitation.objects.filter(pk=invitation.pk, answered_at__isnull=True).update(answered_at=now)
        if not claimed:
            return Submitted(None, Problem.USED)
        Invitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(opened_at=now)
        answer = Answer.objects.create(invitation=invitation, kind=invitation.survey.kind, answered_at=now, **values)
        if answer.needs_follow_up:
            hours = current_settings().follow_up_hours
            FollowUp.objects.create(
                answer=answer,
                assignee=team_lead_of(invitation.team_id),
                created_at=now,
                due_at=now + dt.timedelta(hours=hours),
            )
    return Submitted(answer)


def opt_out(token: str, now: dt.datetime) -> Problem | None:
    """Never survey the link's customer again (a tampered or erased link changes nothing)."""
    try:
        pk = read_token(token, now)
    except TokenError as error:
        if error.problem.value != Problem.EXPIRED:
            return Problem.TAMPERED
        return Problem.EXPIRED
    invitation = Invitation.objects.filter(pk=pk, customer__erased_at__isnull=True).select_related("customer").first()
    if invitation is None:
        return Problem.ERASED
    with transaction.atomic():
        _row, created = SurveyOptOut.objects.get_or_create(
            customer_id=invitation.customer_id, defaults={"created_at": now}
        )
        if created:  # the customer's no, on every channel, in their consent history (and its audit)
            record_consent(
                customer=invitation.customer,
                purpose=ConsentPurpose.SURVEYS,
                is_granted=False,
                source=ConsentSource.CUSTOMER,
                by=None,
                at=now,
                note="survey link",
            )
    return None
