"""Positive customer remarks passed on to the agent and their team lead: a promoter's comment about the agent's
contact and a customer's message the insights read as positive, in a case the agent worked on; nothing of another
agent's cases, nothing negative, nothing older than four weeks."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from contactpunt.conftest import make_user
from contactpunt.contacts.models import Contact, Queue
from contactpunt.contacts.services.work_sessions import start_work_session
from contactpunt.feedback.services.answers import submit_answer
from contactpunt.feedback.tests.data import invited
from contactpunt.insights.models import MessageInsight
from contactpunt.kpis.tests.helpers import arrive
from contactpunt.people.models import Role, Team, User
from contactpunt.quality.remarks import kind_remarks

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 20, 12, tzinfo=dt.UTC)


def _mail(queue: Queue, agent: User, at: dt.datetime, n: int, *, text: str, sentiment: str) -> Contact:
    mail = arrive(queue, at, caller=f"klant{n}@example.nl", subject="Bestelling")
    start_work_session(agent=agent, case=mail.case, contact=mail, at=at + dt.timedelta(minutes=5))
    message = mail.messages.get()
    message.text = text  # the helper's mail has a fixed text
    message.save(update_fields=["text"])
    MessageInsight.objects.create(message=message, contact=mail, occurred_at=mail.occurred_at, language="nl",
                                  sentiment=sentiment, sentiment_score=0.8, sentiment_model_version="test")  # fmt: skip
    return mail


def test_kind_words_of_surveys_and_messages_reach_the_agent_and_their_lead(team: Team, email_queue: Queue) -> None:
    anna = make_user("anna", Role.AGENT, team)
    bram = make_user("bram", Role.AGENT, team)
    lead = make_user("lotte", Role.TEAM_LEAD, team)
    _invitation, token = invited(email_queue, anna, NOW - dt.timedelta(days=3), "s1", sender="s1@example.nl")
    assert submit_answer(token, {"score": "10", "comment": "Anna dacht echt mee!"}, NOW - dt.timedelta(days=2)).answer
    _mail(email_queue, anna, NOW - dt.timedelta(days=5), 1, text="Dank jullie wel, top geholpen", sentiment="positive")
    _mail(
        email_queue, anna, NOW - dt.timedelta(days=4), 2, text="Dit is de derde keer dat ik mail", sentiment="negative"
    )
    _mail(
        email_queue, anna, NOW - dt.timedelta(days=40), 3, text="Heel fijn, dank!", sentiment="positive"
    )  # too long ago
    _mail(
        email_queue, bram, NOW - dt.timedelta(days=1), 4, text="Bram was geweldig", sentiment="positive"
    )  # another agent's

    remarks = kind_remarks(anna, now=NOW)

    assert [(r.text, r.in_survey) for r in remarks] == [
        ("Anna dacht echt mee!", True),
        ("Dank jullie wel, top geholpen", False),
    ]
    with time_machine.travel(NOW, tick=False):
        for viewer in (anna, lead):
            client = Client()
            client.force_login(viewer)
            page = client.get(f"/quality/coaching/{anna.pk}/").content.decode()
            section = page[page.index('id="kind-remarks"') :].split("</ul>")[0]
            assert "Anna dacht echt mee!" in section and "top geholpen" in section
            assert "Bram was geweldig" not in section and "derde keer" not in section
