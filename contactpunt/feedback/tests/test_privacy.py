"""A customer's survey answers are in their export and gone after their erasure (follow-ups and opt-out too)."""

from __future__ import annotations

import datetime as dt

import pytest

from contactpunt.contacts.models import Queue
from contactpunt.contacts.services.privacy import erase_customer, export_customer
from contactpunt.customers.models import Customer
from contactpunt.feedback.models import Answer, FollowUp, Invitation, SurveyOptOut
from contactpunt.feedback.services.answers import Problem, opt_out, submit_answer
from contactpunt.feedback.tests.data import invited
from contactpunt.people.models import User

pytestmark = pytest.mark.django_db


def test_export_then_erasure(email_queue: Queue, agent: User, team_lead: User, t0: dt.datetime) -> None:
    invitation, token = invited(email_queue, agent, t0, "m1", sender="sanne@example.nl")
    other, other_token = invited(email_queue, agent, t0, "m2", sender="piet@example.nl")
    submit_answer(token, {"score": "2", "comment": "Sanne was boos"}, t0 + dt.timedelta(hours=2))
    submit_answer(other_token, {"score": "3"}, t0 + dt.timedelta(hours=2))
    opt_out(token, t0 + dt.timedelta(hours=3))
    customer = Customer.objects.get(pk=invitation.customer_id)
    exported = export_customer(customer=customer, by=team_lead)
    section = exported["feedback"]
    assert section["opted_out"] is True
    [row] = section["invitations"]
    assert row["answer"]["comment"] == "Sanne was boos" and row["answer"]["follow_up"]["outcome"] == ""
    erase_customer(customer=customer, by=team_lead, reason="Verzoek van de klant")
    assert not Invitation.objects.filter(customer_id=customer.pk).exists()
    assert not SurveyOptOut.objects.exists()
    assert list(Answer.objects.values_list("invitation_id", flat=True)) == [other.pk]
    assert FollowUp.objects.count() == 1
    assert submit_answer(token, {"score": "9"}, t0 + dt.timedelta(hours=4)).problem is Problem.ERASED
