"""An available agent is alerted when a call or chat waits in a queue they may take: the workspace's bar shows it
(and the page sounds a tone when the count rises); not while they are away, not to a read-only viewer, and not
for a call that someone took."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contactpunt.conftest import make_user
from contactpunt.contacts.services import assignment
from contactpunt.contacts.tests.workspace_data import call, mail
from contactpunt.people.models import Role, User

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _alert(client: Client) -> str:
    return client.get(reverse("workspace:waiting")).content.decode()


def test_a_waiting_call_alerts_the_available_agent_and_no_one_else(agent, team, phone_queue, email_queue):
    now = timezone.now()
    call(phone_queue, now - dt.timedelta(minutes=3), "c1")
    mail(email_queue, now - dt.timedelta(hours=2), "m1")  # written work waits in the inbox: no alarm for it
    client = _client(agent)

    assert 'data-waiting="0"' in _alert(client) and 'role="alert"' not in _alert(client)  # offline: no alert
    response = client.post(reverse("workspace:state"), {"state": "available"}, HTTP_HX_REQUEST="true")
    assert 'id="waiting-alert"' in response.content.decode()  # the bar's alert comes along with the new state
    text = _alert(client)
    assert 'data-waiting="1"' in text and 'role="alert"' in text
    assert "1 klant wacht aan de telefoon of in een chat" in text
    assert 'data-waiting="1"' in _client(agent).get(reverse("workspace:inbox")).content.decode()

    viewer = make_user("auditor", Role.VIEWER, team)
    assert 'data-waiting="0"' in _alert(_client(viewer))

    assignment.take_next(agent=agent)  # the call is answered
    assignment.set_agent_state(agent=agent, state="available")
    assert 'data-waiting="0"' in _alert(client)


def test_the_count_is_one_query(agent, phone_queue, django_assert_num_queries):
    now = timezone.now()
    for n in range(3):
        call(phone_queue, now - dt.timedelta(minutes=n), f"c{n}")
    assert assignment.realtime_waiting_for(agent).count == 3
    with django_assert_num_queries(1):
        assignment.realtime_waiting_for(agent)
