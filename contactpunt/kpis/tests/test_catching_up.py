"""While a backfill of the rollups runs (the first start's history, an import), the KPI pages show the figures built
so far and say they are still being computed, instead of computing the whole history from the events on a request."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from contactpunt.contacts.models import Queue
from contactpunt.kpis import rollups
from contactpunt.kpis.intervals import day_bounds
from contactpunt.kpis.tests.helpers import call
from contactpunt.people.models import User

pytestmark = pytest.mark.django_db
AMS = ZoneInfo("Europe/Amsterdam")
DAY = dt.date(2026, 3, 3)  # a Tuesday
START = dt.datetime(2026, 3, 3, 9, 0, tzinfo=dt.UTC)
LATER = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)  # a week on: the day is settled
NOTE = "De cijfers worden nog berekend"


def _offered() -> int:
    start, end = day_bounds(DAY, DAY, AMS)
    (row,) = rollups.report(start, end, zone=AMS, now=LATER)
    return int(row["offered"])


def _page(client: Client) -> str:
    url = reverse("kpis:manager") + f"?from={DAY.isoformat()}&to={DAY.isoformat()}"
    return client.get(url, HTTP_ACCEPT_LANGUAGE="nl").content.decode()


def test_during_a_backfill_the_pages_show_what_is_built_and_say_so(
    phone_queue: Queue, agent: User, team_lead: User, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        call(phone_queue, START, wait=10, talk=60, agent=agent)
        call(phone_queue, START + dt.timedelta(minutes=5), wait=3, talk=30, agent=agent)
    rollups.refresh()
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            call(phone_queue, START + dt.timedelta(minutes=20 + n), wait=4, talk=30, agent=agent)
    client = Client()
    client.force_login(team_lead)

    with time_machine.travel(LATER, tick=False):
        assert not rollups.is_catching_up()
        assert _offered() == 5  # a few dirty contacts are folded in from the events
        assert NOTE not in _page(client)
        assert NOTE not in client.get("/workforce/").content.decode()

        monkeypatch.setattr(rollups, "CATCHING_UP_FROM", 2)  # three contacts wait: a backfill runs
        assert rollups.is_catching_up()
        assert _offered() == 2  # the rollups as far as they are built, not the events
        page = _page(client)
        assert page.count(NOTE) == 1
        # The forecast page's actuals are the rollups too: it says so as well.
        assert NOTE in client.get("/workforce/").content.decode()

        rollups.refresh()
        assert not rollups.is_catching_up()
        assert _offered() == 5
        assert NOTE not in _page(client)
