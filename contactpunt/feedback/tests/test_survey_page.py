"""The public survey page through Django's test client: no login, the customer's language, clear refusals."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from contactpunt.contacts.models import Queue
from contactpunt.customers.models import Customer
from contactpunt.feedback.models import Answer, FollowUp, SurveyOptOut
from contactpunt.feedback.tests.data import invited
from contactpunt.people.models import User

pytestmark = pytest.mark.django_db


def test_get_shows_the_questions_in_dutch_and_stores_nothing(email_queue: Queue, agent: User, t0: dt.datetime) -> None:
    _, token = invited(email_queue, agent, t0, "m1")
    with time_machine.travel(t0 + dt.timedelta(hours=2), tick=False):
        response = Client().get(f"/feedback/s/{token}/")
    text = response.content.decode()
    assert response.status_code == 200
    assert "Hoe waarschijnlijk is het dat u ons aanbeveelt" in text and "Verstuur mijn antwoord" in text
    assert not Answer.objects.exists()


def test_english_customer_gets_english(email_queue: Queue, agent: User, t0: dt.datetime) -> None:
    invitation, _ = invited(email_queue, agent, t0, "m0", sender="en@example.com")
    Customer.objects.filter(pk=invitation.customer_id).update(language="en")
    invitation.delete()
    invitation, token = invited(email_queue, agent, t0 + dt.timedelta(days=60), "m2", sender="en@example.com")
    with time_machine.travel(t0 + dt.timedelta(days=60, hours=2), tick=False):
        text = Client().get(f"/feedback/s/{token}/").content.decode()
    assert "How likely is it that you would recommend us" in text and "Send my answer" in text


def test_submit_then_resubmit_and_bad_values(email_queue: Queue, agent: User, t0: dt.datetime) -> None:
    _, token = invited(email_queue, agent, t0, "m1")
    client = Client()
    with time_machine.travel(t0 + dt.timedelta(hours=2), tick=False):
        bad = client.post(f"/feedback/s/{token}/", {"score": "12"})
        assert bad.status_code == 400 and "Kies een van de getoonde waarden." in bad.content.decode()
        assert not Answer.objects.exists()
        done = client.post(f"/feedback/s/{token}/", {"score": "5", "comment": "Lang gewacht"})
        assert done.status_code == 200 and "Bedankt voor je antwoord" in done.content.decode()
        again = client.post(f"/feedback/s/{token}/", {"score": "10"})
        assert again.status_code == 409 and "U hebt deze enquête al ingevuld" in again.content.decode()
    assert list(Answer.objects.values_list("score", flat=True)) == [5]
    assert FollowUp.objects.count() == 1


@pytest.mark.parametrize(
    ("mutate", "status", "message"),
    [
        ("tamper", 404, "Deze enquêtelink is niet geldig"),
        ("expire", 410, "Deze enquêtelink is verlopen"),
        ("erase", 410, "Deze enquête bestaat niet meer"),
    ],
)
def test_refusals_are_clear_and_change_nothing(  # noqa: PLR0917 (parameters and fixtures)
    mutate: str, status: int, message: str, email_queue: Queue, agent: User, t0: dt.datetime
) -> None:
    invitation, token = invited(email_queue, agent, t0, "m1")
    moment = t0 + dt.timedelta(hours=2)
    if mutate == "tamper":
        token = token[:-3] + ("xyz" if not token.endswith("xyz") else "abc")
    elif mutate == "expire":
        moment = invitation.expires_at + dt.timedelta(seconds=1)
    else:
        Customer.objects.filter(pk=invitation.customer_id).update(erased_at=t0)
    with time_machine.travel(moment, tick=False):
        for response in (Client().get(f"/feedback/s/{token}/"), Client().post(f"/feedback/s/{token}/", {"score": "9"})):
            assert response.status_code == status
            assert message in response.content.decode()
        Client().post(f"/feedback/s/{token}/stop/")
    assert not Answer.objects.exists() and not SurveyOptOut.objects.exists()


def test_opt_out_from_the_thanks_page(email_queue: Queue, agent: User, t0: dt.datetime) -> None:
    invitation, token = invited(email_queue, agent, t0, "m1")
    with time_machine.travel(t0 + dt.timedelta(hours=2), tick=False):
        Client().post(f"/feedback/s/{token}/", {"score": "8"})
        response = Client().post(f"/feedback/s/{token}/stop/")
    assert response.status_code == 200
    assert SurveyOptOut.objects.filter(customer_id=invitation.customer_id).exists()
