"""The PDCA report: last time's actions with the change in NPS since, the figures, and agreeing new actions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from contactpunt.contacts.models import Queue
from contactpunt.feedback.models import PdcaAction
from contactpunt.feedback.services.answers import submit_answer
from contactpunt.feedback.tests.data import invited
from contactpunt.people.models import Team, User

pytestmark = pytest.mark.django_db


def test_the_report_shows_the_effect_and_the_lead_agrees_an_action(
    email_queue: Queue, agent: User, team_lead: User, team: Team, t0: dt.datetime
) -> None:
    march = dt.date(2026, 3, 1)
    PdcaAction.objects.create(team=team, month=march, text="Terugbelverzoek binnen een uur")
    for n, score in enumerate(["9", "10", "4"]):
        _, token = invited(email_queue, agent, t0, f"m{n}", sender=f"k{n}@example.nl")
        submit_answer(token, {"score": score}, t0 + dt.timedelta(hours=2))
    client = Client()
    client.force_login(team_lead)
    page = client.get(f"/feedback/pdca/?team={team.pk}&date=2026-03-15").content.decode()
    assert "Terugbelverzoek binnen een uur" in page and "PDCA-rapport" in page and "+33" in page
    assert client.post(f"/feedback/pdca/?team={team.pk}&date=2026-03-15", {"text": " "}).status_code == 400
    response = client.post(f"/feedback/pdca/?team={team.pk}&date=2026-03-15", {"text": "Coaching op uitleg"})
    assert response.status_code == 302
    assert list(PdcaAction.objects.filter(month=dt.date(2026, 4, 1)).values_list("text", "created_by")) == [
        ("Coaching op uitleg", team_lead.pk)
    ]
    client.force_login(agent)
    assert client.get(f"/feedback/pdca/?team={team.pk}").status_code == 403
