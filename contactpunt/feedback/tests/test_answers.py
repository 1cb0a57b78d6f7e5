"""The customer's answer: stored only on an explicit submit, once; every bad link or value changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contactpunt.contacts.models import Queue
from contactpunt.customers.models import Consent, Customer
from contactpunt.feedback.models import Answer, FollowUp, Invitation, SurveyOptOut
from contactpunt.feedback.services.answers import Problem, open_survey, opt_out, submit_answer
from contactpunt.feedback.services.tokens import make_token
from contactpunt.feedback.tests.data import invited
from contactpunt.people.models import User

pytestmark = pytest.mark.django_db
HOUR = dt.timedelta(hours=1)


def _state() -> tuple[object, ...]:
    return (
        list(Answer.objects.values_list("pk", "score", "comment")),
        list(FollowUp.objects.values_list("pk", "due_at")),
        list(Invitation.objects.values_list("pk", "answered_at")),
    )


def test_opening_the_link_stores_no_rating_and_a_submit_stores_one(
    email_queue: Queue, agent: User, team_lead: User, t0: dt.datetime
) -> None:
    invitation, token = invited(email_queue, agent, t0, "m1")
    later = t0 + 2 * HOUR
    for _ in range(3):  # a link scanner, then the customer
        assert open_survey(token, later).invitation is not None
    assert not Answer.objects.exists()
    invitation.refresh_from_db()
    assert invitation.opened_at == later and invitation.answered_at is None
    done = submit_answer(
        token,
        {
            "score": "4",
            "solved": "no",
            "expertise": "3",
            "friendliness": "2",
            "effort": "6",
            "comment": " Te lang gewacht ",
        },
        later + HOUR,
    )
    assert done.problem is None and done.answer is not None
    answer = Answer.objects.get()
    assert (answer.score, answer.solved, answer.expertise, answer.friendliness, answer.effort, answer.comment) == (
        4,
        False,
        3,
        2,
        6,
        "Te lang gewacht",
    )
    follow_up = FollowUp.objects.get()
    assert follow_up.assignee == team_lead
    assert follow_up.due_at == later + HOUR + 48 * HOUR
    assert open_survey(token, later + 2 * HOUR).problem is Problem.USED


def test_bad_links_and_values_change_nothing(email_queue: Queue, agent: User, t0: dt.datetime) -> None:
    invitation, token = invited(email_queue, agent, t0, "m1")
    before = _state()
    now = t0 + HOUR
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert submit_answer(tampered, {"score": "9"}, now).problem is Problem.TAMPERED
    assert submit_answer("", {"score": "9"}, now).problem is Problem.TAMPERED
    assert submit_answer(token, {"score": "9"}, invitation.expires_at).problem is Problem.EXPIRED
    for score in ("11", "-1", "negen", ""):
        result = submit_answer(token, {"score": score}, now)
        assert result.problem is Problem.INVALID and "score" in result.errors
    result = submit_answer(token, {"score": "9", "effort": "8", "comment": "x" * 2001}, now)
    assert result.errors == {"effort": "range", "comment": "length"}
    assert _state() == before
    Customer.objects.filter(pk=invitation.customer_id).update(erased_at=now)
    assert submit_answer(token, {"score": "9"}, now).problem is Problem.ERASED
    assert opt_out(token, now) is Problem.ERASED
    assert _state() == before


def test_a_promoter_gets_no_follow_up_and_opt_out_is_kept(email_queue: Queue, agent: User, t0: dt.datetime) -> None:
    invitation, token = invited(email_queue, agent, t0, "m1")
    assert submit_answer(token, {"score": "9"}, t0 + HOUR).answer is not None
    assert not FollowUp.objects.exists()
    assert opt_out(token, t0 + HOUR) is None
    assert SurveyOptOut.objects.filter(customer_id=invitation.customer_id).exists()
    # the customer's no is in their consent history, once however often they click
    assert opt_out(token, t0 + 2 * HOUR) is None
    said = Consent.objects.values_list("customer_id", "purpose", "channel", "is_granted", "source", "given_at")
    assert list(said) == [(invitation.customer_id, "surveys", "", False, "customer", t0 + HOUR)]


def test_a_new_token_for_the_same_invitation_is_still_single_use(
    email_queue: Queue, agent: User, t0: dt.datetime
) -> None:
    invitation, token = invited(email_queue, agent, t0, "m1")
    submit_answer(token, {"score": "3"}, t0 + HOUR)
    again = make_token(invitation)
    assert submit_answer(again, {"score": "10"}, t0 + 2 * HOUR).problem is Problem.USED
    assert Answer.objects.get().score == 3


submits = st.lists(
    st.fixed_dictionaries(
        {
            "score": st.one_of(st.integers(-3, 13).map(str), st.sampled_from(["", "x", "5.5"])),
            "hours": st.integers(0, 800),
        }
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(attempts=submits)
def test_property_only_the_first_valid_submit_in_time_is_stored(
    attempts: list[dict[str, object]], email_queue: Queue, agent: User, t0: dt.datetime
) -> None:
    with transaction.atomic():
        invitation, token = invited(email_queue, agent, t0, "prop")
        stored: tuple[int, dt.datetime] | None = None
        for attempt in attempts:
            now = t0 + int(str(attempt["hours"])) * HOUR
            result = submit_answer(token, {"score": str(attempt["score"])}, now)
            raw = str(attempt["score"])
            valid = raw.lstrip("-").isdigit() and 0 <= int(raw) <= 10
            if stored is None and now < invitation.expires_at and valid:
                assert result.answer is not None
                stored = (int(raw), now)
            else:
                assert result.answer is None
        answers = list(Answer.objects.values_list("score", "answered_at"))
        assert answers == ([stored] if stored else [])
        transaction.set_rollback(True)
