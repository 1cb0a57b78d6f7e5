"""Answers given in bulk (the simulator, a survey tool's import) follow the page's rules, and the demo has NPS."""

from __future__ import annotations

import datetime as dt

import pytest

from contactpunt.contacts.models import Queue
from contactpunt.contacts.tests.workspace_data import mail
from contactpunt.feedback.models import Answer, FollowUp, Invitation, SurveyOptOut
from contactpunt.feedback.services.bulk_answers import (
    GivenAnswer,
    WentOut,
    record_answers,
    record_went_out,
    work_follow_up_list,
)
from contactpunt.feedback.services.invitations import decide_invitations
from contactpunt.feedback.tests.data import resolved_mail
from contactpunt.people.models import User
from contactpunt.simulation import survey

pytestmark = pytest.mark.django_db
HOUR = dt.timedelta(hours=1)


def test_bulk_answers_follow_the_rules(email_queue: Queue, agent: User, team_lead: User, t0: dt.datetime) -> None:
    good = resolved_mail(email_queue, agent, t0, "a", sender="a@example.nl")
    opted = resolved_mail(email_queue, agent, t0, "b", sender="b@example.nl")
    SurveyOptOut.objects.create(customer_id=opted.customer_id)
    still_open = mail(email_queue, t0, "c", sender="c@example.nl")
    wrong = resolved_mail(email_queue, agent, t0, "d", sender="d@example.nl")
    items = [
        GivenAnswer(good.pk, 4, solved=False, expertise=3, friendliness=2, effort=5),
        GivenAnswer(good.pk, 10),  # a second answer for the same case changes nothing
        GivenAnswer(opted.pk, 9),
        GivenAnswer(still_open.pk, 8),
        GivenAnswer(wrong.pk, 11),
    ]
    result = record_answers(items, now=t0 + 3 * HOUR)
    assert (result.stored, result.refused, [p.case_id for p in result.pending]) == (1, 3, [still_open.pk])
    answer = Answer.objects.get()
    assert (answer.score, answer.solved, answer.expertise, answer.friendliness, answer.effort) == (4, False, 3, 2, 5)
    invitation = Invitation.objects.get(case=good)
    assert answer.answered_at == invitation.send_at == invitation.answered_at
    assert FollowUp.objects.get().assignee == team_lead
    assert record_answers(items[:1], now=t0 + 4 * HOUR).refused == 1
    assert Answer.objects.count() == 1


def test_answers_of_cases_decided_before_are_not_decided_again(
    email_queue: Queue, agent: User, team_lead: User, t0: dt.datetime
) -> None:
    invited = resolved_mail(email_queue, agent, t0, "a", sender="a@example.nl")
    refused = resolved_mail(email_queue, agent, t0, "b", sender="b@example.nl")
    never_decided = resolved_mail(email_queue, agent, t0, "c", sender="c@example.nl")
    decide_invitations([invited.pk])
    SurveyOptOut.objects.create(customer_id=refused.customer_id)
    decide_invitations([refused.pk])  # refused: it leaves no row
    SurveyOptOut.objects.filter(customer_id=refused.customer_id).delete()
    items = [GivenAnswer(invited.pk, 9), GivenAnswer(refused.pk, 9), GivenAnswer(never_decided.pk, 9)]
    result = record_answers(items, now=t0 + 3 * HOUR, decided=True)
    assert (result.stored, result.refused, result.pending) == (1, 2, [])
    assert set(Invitation.objects.values_list("case_id", flat=True)) == {invited.pk}
    # Without `decided` (an import) a case without an invitation is decided now.
    assert record_answers(items[1:], now=t0 + 3 * HOUR).stored == 2


def test_invitations_that_went_out_elsewhere_are_marked_when_due(
    email_queue: Queue, agent: User, t0: dt.datetime
) -> None:
    opened = resolved_mail(email_queue, agent, t0, "a", sender="a@example.nl")
    bounced = resolved_mail(email_queue, agent, t0, "b", sender="b@example.nl")
    later = resolved_mail(email_queue, agent, t0 + 5 * HOUR, "c", sender="c@example.nl")
    no_invitation = mail(email_queue, t0, "d", sender="d@example.nl")
    decide_invitations([opened.pk, bounced.pk, later.pk])
    items = [
        WentOut(opened.pk, opened_after=2 * HOUR),
        WentOut(bounced.pk, delivered=False, opened_after=HOUR),
        WentOut(later.pk),
        WentOut(no_invitation.pk),
    ]
    now = t0 + 4 * HOUR
    waiting = record_went_out(items, now=now)
    assert waiting == [WentOut(later.pk)]  # its invitation is due after `now`: given again later
    first = Invitation.objects.get(case=opened)
    assert (first.sent_at, first.delivered_at) == (first.send_at, first.send_at + dt.timedelta(minutes=1))
    assert first.opened_at == first.send_at + 2 * HOUR <= now and first.answered_at is None
    lost = Invitation.objects.get(case=bounced)
    assert (lost.sent_at, lost.delivered_at, lost.opened_at) == (lost.send_at, None, None)  # a bounce is never opened
    assert Invitation.objects.get(case=later).sent_at is None
    # Marked once: the same report again changes nothing.
    assert record_went_out(items[:2], now=now + HOUR) == []
    assert Invitation.objects.get(case=opened).sent_at == first.sent_at
    # An answer afterwards keeps the moments it went out and adds its own.
    assert record_answers([GivenAnswer(opened.pk, 9)], now=now + HOUR).stored == 1
    answered = Invitation.objects.get(case=opened)
    assert answered.opened_at == first.opened_at and answered.answered_at is not None


def test_the_simulated_customers_who_do_not_answer_mostly_get_the_invitation_and_some_open_it() -> None:
    outcomes = [survey.went_out(case_id) for case_id in range(1, 4001)]
    delivered = sum(got for got, _ in outcomes) / len(outcomes)
    opened = sum(after is not None for _, after in outcomes) / len(outcomes)
    assert 0.95 < delivered < 0.99 and 0.33 < opened < 0.45
    assert all(after is None for got, after in outcomes if not got)
    assert survey.went_out(7) == survey.went_out(7)  # the same case, the same draw


def test_the_demo_organisation_has_answers_with_drivers_and_follow_ups(transactional_db: None) -> None:
    from contactpunt.ops import demo

    logins = demo.create_demo_organisation(contacts=200, days=3)
    if logins.simulation is not None:
        logins.simulation.close()
    answers = Answer.objects.all()
    assert answers.count() > 10
    assert not answers.filter(expertise__isnull=True).exists()
    assert FollowUp.objects.count() == answers.filter(score__lte=6).count()
    for answer in answers.select_related("invitation")[:50]:
        assert answer.answered_at >= answer.invitation.decided_at


def test_the_simulated_team_leads_close_most_follow_ups_that_fall_due_and_leave_the_rest_late(
    email_queue: Queue, agent: User, team_lead: User, t0: dt.datetime
) -> None:
    cases = [resolved_mail(email_queue, agent, t0, f"m{n}", sender=f"k{n}@example.nl") for n in range(40)]
    record_answers([GivenAnswer(case.pk, 3) for case in cases], now=t0 + 3 * HOUR)
    follow_ups = FollowUp.objects.all()
    assert follow_ups.count() == 40
    due = follow_ups.order_by("due_at").last()
    assert due is not None
    assert work_follow_up_list(now=t0 + 3 * HOUR) == 0  # nothing falls due yet
    closed = work_follow_up_list(now=due.due_at)
    assert 25 <= closed <= 39  # most, not all: about 85%
    assert follow_ups.filter(closed_at__isnull=True).count() == 40 - closed
    for follow_up in follow_ups.filter(closed_at__isnull=False):
        assert follow_up.closed_at < follow_up.due_at and follow_up.closed_by == team_lead and follow_up.outcome
    assert work_follow_up_list(now=due.due_at) == 0  # the same list again: the open ones stay open (reproducible)
    late = 40 - closed
    assert work_follow_up_list(now=due.due_at + dt.timedelta(days=6)) == 0  # late, still open
    assert work_follow_up_list(now=due.due_at + dt.timedelta(days=7)) == late  # a week late: worked after all
    assert not follow_ups.filter(closed_at__isnull=True).exists()
