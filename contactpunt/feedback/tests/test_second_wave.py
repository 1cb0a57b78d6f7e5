"""The second question on the same case (did the solution last?), and the before/after comparison."""

from __future__ import annotations

import datetime as dt

import pytest

from contactpunt.contacts.models import Queue
from contactpunt.contacts.tests.workspace_data import reason
from contactpunt.feedback.models import Invitation, QueueSurveyRule, SurveyOptOut
from contactpunt.feedback.services.answers import submit_answer
from contactpunt.feedback.services.second_wave import decide_second_waves
from contactpunt.feedback.services.tokens import make_token
from contactpunt.feedback.tests.data import invited
from contactpunt.kpis.survey_metrics import survey_figures, wave_comparison
from contactpunt.people.models import User

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def test_the_second_wave_is_asked_once_after_the_days_and_compared(
    email_queue: Queue, agent: User, t0: dt.datetime
) -> None:
    QueueSurveyRule.objects.create(queue=email_queue, rate=1, second_wave_days=14)
    first, token = invited(email_queue, agent, t0, "a", sender="a@example.nl")
    Invitation.objects.filter(pk=first.pk).update(reason=reason())
    submit_answer(token, {"score": "9"}, t0 + DAY)
    unanswered, _ = invited(email_queue, agent, t0, "b", sender="b@example.nl")
    opted, opted_token = invited(email_queue, agent, t0, "c", sender="c@example.nl")
    submit_answer(opted_token, {"score": "8"}, t0 + DAY)
    SurveyOptOut.objects.create(customer_id=opted.customer_id)
    assert decide_second_waves(t0 + 13 * DAY) == 0
    assert decide_second_waves(t0 + 15 * DAY) == 1
    assert decide_second_waves(t0 + 16 * DAY) == 0
    second = Invitation.objects.get(wave=2)
    assert (second.case_id, second.decided_at) == (first.case_id, first.decided_at + 14 * DAY)
    submit_answer(make_token(second), {"score": "5"}, t0 + 16 * DAY)
    [row] = wave_comparison(t0, t0 + 30 * DAY, "reason")
    assert (row.label, row.first.value, row.second.value, row.first.n) == ("Bezorging", 1.0, -1.0, 1)
    # The main figures count the first answers only.
    assert survey_figures(t0, t0 + 30 * DAY)[0].nps.n == 2
    assert unanswered.pk not in Invitation.objects.filter(wave=2).values_list("pk", flat=True)
