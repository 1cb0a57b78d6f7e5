"""The overview's newest cases: a case without a subject (a call, a chat) says so instead of a blank cell."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse

from contactpunt.contacts.models import Queue
from contactpunt.kpis.tests.helpers import arrive
from contactpunt.people.models import User


def test_a_case_without_a_subject_is_named_by_its_channel_on_the_overview(team_lead: User, phone_queue: Queue) -> None:
    arrive(phone_queue, dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC), caller="+31612345678")
    client = Client()
    client.force_login(team_lead)
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    row = page.split("Nieuwste zaken", 1)[1]
    assert "Gesprek met " in row  # a call has no subject: it is named by its channel and customer
    assert "(geen onderwerp)" not in row


def test_a_caller_s_number_reads_as_people_write_it_on_the_case(team_lead: User, phone_queue: Queue) -> None:
    contact = arrive(phone_queue, dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC), caller="+31612345678")
    client = Client()
    client.force_login(team_lead)
    page = client.get(reverse("workspace:case", args=[contact.case_id]), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "06 12345678" in page and "+31612345678" not in page.split('class="identities"', 1)[1].split("</ul>")[0]
