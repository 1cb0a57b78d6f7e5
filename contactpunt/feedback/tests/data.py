"""Test data for feedback, built through the real services: an e-mail case answered by an agent and resolved."""

from __future__ import annotations

import datetime as dt

from contactpunt.contacts.models import Case, Queue
from contactpunt.contacts.services.cases import resolve_case
from contactpunt.contacts.services.replies import reply
from contactpunt.contacts.tests.workspace_data import mail
from contactpunt.feedback.models import Invitation
from contactpunt.feedback.services.bulk_answers import GivenAnswer, record_answers
from contactpunt.feedback.services.invitations import decide_invitations
from contactpunt.feedback.services.tokens import make_token
from contactpunt.people.models import User


def resolved_mail(
    queue: Queue, agent: User | None, at: dt.datetime, ext: str, *, sender: str = "klant@example.nl"
) -> Case:
    """An e-mail received at `at`, answered by `agent` (unless None) ten minutes later and resolved after 20."""
    case = mail(queue, at, ext, sender=sender)
    if agent is not None:
        reply(case=case, by=agent, body="Het is geregeld.", at=at + dt.timedelta(minutes=10))
    return resolve_case(case=case, by=agent, occurred_at=at + dt.timedelta(minutes=20))


def invited(
    queue: Queue, agent: User, at: dt.datetime, ext: str, *, sender: str = "klant@example.nl"
) -> tuple[Invitation, str]:
    """A resolved, handled case whose customer is invited: the invitation and its link token."""
    case = resolved_mail(queue, agent, at, ext, sender=sender)
    [decision] = decide_invitations([case.pk])
    assert decision.invitation_id is not None, decision
    invitation = Invitation.objects.get(pk=decision.invitation_id)
    return invitation, make_token(invitation)


def give_answers(queue: Queue, agent: User, t0: dt.datetime, numbers: range) -> None:
    """Answers to resolved e-mails, their survey drivers varied (so four drivers can be analysed) and the score
    following them with a fixed pattern of noise."""
    items = []
    for i in numbers:
        case = resolved_mail(queue, agent, t0 + i * dt.timedelta(minutes=37), f"k{i}", sender=f"k{i}@example.nl")
        solved, expertise, friendliness, effort = i % 2 == 0, 1 + i % 5, 1 + (i * 3) % 5, 1 + (i * 5) % 7
        score = min(10, max(0, round(1 + 3 * solved + friendliness - effort / 3 + (i * 7) % 3)))
        items.append(GivenAnswer(case.pk, score, solved, expertise, friendliness, effort))
    assert record_answers(items, now=t0 + dt.timedelta(days=30)).stored == len(items)
