"""The insights pages: who may see what, what the remarks show, and the on-demand runs."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contactpunt.conftest import make_user
from contactpunt.contacts.models import Contact, ContactReason, Queue
from contactpunt.insights import analysis
from contactpunt.insights.models import ReasonModelVersion, ReasonSpike, SeedPhrase
from contactpunt.insights.remarks import remarks
from contactpunt.insights.tests.helpers import receive_texts, wrap
from contactpunt.kpis.tests.helpers import event
from contactpunt.people.models import Role, Team, User

pytestmark = pytest.mark.django_db
ANGRY = "Dit is echt belachelijk, mijn kaart is weer niet bezorgd. Slechte service!"
HAPPY = "Thank you so much, the card arrived and it is wonderful!"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def other_team(department) -> Team:
    return Team.objects.create(name="Team Zuid", department=department)


@pytest.fixture
def colleague(other_team):
    return make_user("bram", Role.AGENT, other_team)


@pytest.fixture
def viewer(team):
    return make_user("auditor", Role.VIEWER, team)


# A Wednesday afternoon: the history of the last hour lies in today and this week whenever the tests run.
AFTERNOON = dt.datetime(2026, 3, 4, 13, 0, tzinfo=dt.UTC)


@pytest.fixture
def history(email_queue, agent, colleague):
    """The agent handled one angry and one happy mail; the colleague two angry ones (the clock on AFTERNOON)."""
    with time_machine.travel(AFTERNOON, tick=True):
        yield _history(email_queue, agent, colleague)


def _history(email_queue: Queue, agent: User, colleague: User) -> list[Contact]:
    now = timezone.now() - dt.timedelta(hours=1)
    delivery = ContactReason.objects.create(code="levering", name="Levering")
    contacts = receive_texts(email_queue, [ANGRY, HAPPY, ANGRY + " Weer!", ANGRY + " Nog steeds!"], now)
    for contact, person in zip(contacts, [agent, agent, colleague, colleague], strict=True):
        event(contact, "replied", now + dt.timedelta(minutes=30), person)
        wrap(contact, person, delivery)
    analysis.analyse_contacts([c.pk for c in contacts])
    return contacts


def test_remarks_count_per_agent_team_and_reason(history, agent, colleague, team, other_team):
    now = timezone.now()
    report = remarks(now - dt.timedelta(days=1), now)
    by_agent = {g.key: g for g in report.by_agent}
    assert (by_agent[agent.pk].messages, by_agent[agent.pk].positive, by_agent[agent.pk].negative) == (2, 1, 1)
    assert (by_agent[colleague.pk].messages, by_agent[colleague.pk].negative) == (2, 2)
    assert by_agent[colleague.pk].negative_share == 1.0
    assert report.by_agent[0].key == colleague.pk  # most negative first
    by_team = {g.name: g.negative for g in report.by_team}
    assert by_team == {"Team Noord": 1, "Team Zuid": 2}
    assert [(g.name, g.messages, g.negative) for g in report.by_reason] == [("Levering", 4, 3)]
    assert [text for _pk, text in by_agent[colleague.pk].negative_examples] == [
        ANGRY + " Nog steeds!",
        ANGRY + " Weer!",
    ]


def test_an_agent_sees_only_their_own_remarks(history, agent, colleague):
    html = client_for(agent).get(reverse("insights:remarks")).content.decode()
    assert "anna" in html and "bram" not in html
    assert "Weer!" not in html and "Per team" not in html


def test_team_leads_and_the_auditor_see_everyone(history, team_lead, viewer, django_assert_max_num_queries):
    for user in (team_lead, viewer):
        client = client_for(user)
        with django_assert_max_num_queries(15):
            response = client.get(reverse("insights:remarks"))
        html = response.content.decode()
        assert response.status_code == 200
        assert "anna" in html and "bram" in html and "Team Zuid" in html and "Nog steeds!" in html


def test_the_structural_page_is_for_team_leads_and_up(history, agent, team_lead, viewer):
    assert client_for(agent).get(reverse("insights:index")).status_code == 403
    assert Client().get(reverse("insights:index")).status_code == 302
    for user in (team_lead, viewer):
        response = client_for(user).get(reverse("insights:index"))
        assert response.status_code == 200
    detect = f'action="{reverse("insights:detect")}"'  # the "look for problems now" button
    assert detect in client_for(team_lead).get(reverse("insights:index")).content.decode()
    assert detect not in client_for(viewer).get(reverse("insights:index")).content.decode()


def test_the_current_week_offers_the_week_before_and_not_one_still_to_come(history, team_lead):
    this_week = client_for(team_lead).get(reverse("insights:index")).content.decode()
    earlier = timezone.localdate() - dt.timedelta(days=14)
    past = client_for(team_lead).get(reverse("insights:index"), {"date": earlier.isoformat()}).content.decode()
    assert "vorige week" in this_week and "volgende week" not in this_week
    assert "vorige week" in past and "volgende week" in past


def test_the_page_shows_spikes_and_reacts_to_a_bad_date(history, team_lead):
    reason = ContactReason.objects.get(code="levering")
    ReasonSpike.objects.create(reason=reason, day=timezone.localdate(), count=40, expected=12, upper_bound=22.4)
    html = client_for(team_lead).get(reverse("insights:index"), {"date": "not-a-date"}).content.decode()
    assert "Levering" in html and ">40<" in html and ("22,4" in html or "22.4" in html)


def test_the_weeks_points_are_kept_a_few_minutes_and_its_spikes_read_fresh(history, team_lead, monkeypatch):
    from contactpunt.insights import weekly

    computed: list[dt.date] = []
    real = weekly.weekly_report

    def counted(day: dt.date) -> weekly.WeeklyReport:
        computed.append(day)
        return real(day)

    monkeypatch.setattr(weekly, "weekly_report", counted)
    client = client_for(team_lead)
    first = client.get(reverse("insights:index")).content.decode()
    assert "Levering" in first and len(computed) == 1
    reason = ContactReason.objects.get(code="levering")
    ReasonSpike.objects.create(reason=reason, day=timezone.localdate(), count=41, expected=12, upper_bound=22.4)
    kept = client.get(reverse("insights:index")).content.decode()
    assert len(computed) == 1 and ">41<" in kept  # the points kept, the spike read fresh
    with time_machine.travel(timezone.now() + weekly.CURRENT_WEEK_KEPT + dt.timedelta(seconds=5)):
        client.get(reverse("insights:index"))
    assert len(computed) == 2


def test_retraining_on_demand_is_for_managers_not_the_auditor_or_agents(history, agent, team_lead, viewer):
    SeedPhrase.objects.create(reason=ContactReason.objects.get(code="levering"), text="waar is mijn kaart")
    for user in (agent, viewer):
        assert client_for(user).post(reverse("insights:retrain")).status_code == 403
        assert client_for(user).post(reverse("insights:detect")).status_code == 403
    assert not ReasonModelVersion.objects.exists()
    assert client_for(team_lead).get(reverse("insights:retrain")).status_code == 405
    response = client_for(team_lead).post(reverse("insights:retrain"))
    assert response.status_code == 302
    assert ReasonModelVersion.objects.count() == 1  # the immediate backend ran the task
    assert client_for(team_lead).post(reverse("insights:detect")).status_code == 302
