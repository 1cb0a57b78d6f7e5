"""Trends and the webcare figures are kpis functions returning dataclasses: the pages, the CSV export and
`contactpunt kpis` show the same values; the staffing command's targets come from the queue's norms."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from contactpunt.contacts.models import Case, Queue
from contactpunt.contacts.services.case_actions import mark_no_response_needed
from contactpunt.kpis import rollups
from contactpunt.kpis.intervals import day_bounds, zone
from contactpunt.kpis.tests.helpers import arrive, call
from contactpunt.kpis.trends import TrendRow, compare, previous_days, previous_until
from contactpunt.kpis.webcare import webcare_figures
from contactpunt.people.models import User

pytestmark = pytest.mark.django_db

# A Wednesday: the week before is Monday 23 to Sunday 1 March, the day before Tuesday 3 March.
NOON = dt.datetime(2026, 3, 4, 11, 0, tzinfo=dt.UTC)
DAY = NOON.date()


def test_compare_gives_the_change_of_every_figure_or_none():
    rows = compare(
        [
            {"group": "phone", "offered": 4, "service_level": 0.5},
            {"group": "email", "offered": 2, "service_level": None},
        ],
        [{"group": "phone", "offered": 1, "service_level": 0.25}],
        ["offered", "service_level"],
    )
    assert rows == [
        TrendRow("phone", rows[0].figures, {"group": "phone", "offered": 1, "service_level": 0.25},
                 {"offered": 3.0, "service_level": 0.25}),
        TrendRow("email", rows[1].figures, {}, {"offered": None, "service_level": None}),
    ]  # fmt: skip
    assert previous_days(dt.date(2026, 3, 2), dt.date(2026, 3, 8)) == (dt.date(2026, 2, 23), dt.date(2026, 3, 1))


def test_a_period_still_running_is_compared_with_the_same_part_of_the_one_before():
    week, before = day_bounds(dt.date(2026, 3, 2), dt.date(2026, 3, 8), zone()), dt.timedelta(weeks=1)
    monday_nine = week[0] + dt.timedelta(hours=9)
    assert previous_until(*week, week[0] - before, week[1] - before, monday_nine) == monday_nine - before
    # To the quarter hour before (the rollups' intervals answer for it).
    later = monday_nine + dt.timedelta(minutes=14, seconds=59)
    assert previous_until(*week, week[0] - before, week[1] - before, later) == monday_nine - before
    # Over, or not begun: the whole period before.
    assert previous_until(*week, week[0] - before, week[1] - before, week[1] + before) == week[1] - before
    assert previous_until(*week, week[0] - before, week[1] - before, week[0] - before) == week[1] - before


@pytest.fixture
def two_days(phone_queue: Queue, email_queue: Queue, agent: User, django_capture_on_commit_callbacks) -> None:
    with time_machine.travel(NOON, tick=False), django_capture_on_commit_callbacks(execute=True):
        yesterday = NOON - dt.timedelta(days=1)
        call(phone_queue, yesterday - dt.timedelta(hours=1), wait=5, talk=60, agent=agent)
        call(phone_queue, yesterday + dt.timedelta(hours=1), wait=5, talk=60, agent=agent)  # later in the day than now
        for minutes in (10, 20, 30):
            call(phone_queue, NOON - dt.timedelta(minutes=minutes), wait=5, talk=60, agent=agent)
        closed = arrive(email_queue, NOON - dt.timedelta(hours=2), caller="klant@example.nl")
        mark_no_response_needed(case=Case.objects.get(pk=closed.case_id), by=agent, at=NOON - dt.timedelta(hours=1))
        arrive(email_queue, NOON - dt.timedelta(minutes=90), caller="ander@example.nl")
        rollups.refresh()


def test_the_manager_page_the_export_and_the_command_show_the_same_change(two_days, team_lead):
    client = Client()
    client.force_login(team_lead)
    query = f"?period=day&from={DAY}&to={DAY}&by=queue"
    with time_machine.travel(NOON, tick=False):
        page = client.get(reverse("kpis:manager") + query)
        exported = client.get(reverse("kpis:export_csv") + f"?from={DAY}&to={DAY}&by=queue&excel=0&compare=1")
        out = StringIO()
        call_command("kpis", "--from", str(DAY), "--to", str(DAY), "--by", "queue", "--compare", "--json", stdout=out)
    on_page = {row["group"]: row["trend"]["offered"] for row in page.context["rows"]}
    in_export = {row["group"]: row["offered_change"] for row in csv.DictReader(io.StringIO(exported.content.decode()))}
    from_command = {row["group"]: row["change"]["offered"] for row in json.loads(out.getvalue())}
    # Today is running: it is compared with yesterday up to the same time (one call, not the two of the whole day),
    # everywhere alike.
    assert on_page["phone-general"] == from_command["phone-general"] == 2.0
    assert in_export["phone-general"] == "2"
    assert "vergeleken met hetzelfde deel van" in page.content.decode()
    assert on_page["email-general"] is None and from_command["email-general"] is None
    assert in_export["email-general"] == ""


def test_webcare_figures_on_the_page_and_in_the_command(two_days, team_lead, agent):
    start, end = day_bounds(DAY, DAY, zone())
    with time_machine.travel(NOON, tick=False):
        figures = webcare_figures(start, end, now=NOON, zone=zone())
        client = Client()
        client.force_login(team_lead)
        page = client.get(reverse("kpis:webcare") + f"?period=day&from={DAY}&to={DAY}")
        out = StringIO()
        call_command("kpis", "webcare", "--from", str(DAY), "--to", str(DAY), "--json", stdout=out)
    assert figures.backlog.count == 1 and figures.closed_without_response_count == 1
    [closed] = figures.closed_without_response
    assert (closed.channel, closed.is_public, closed.agent_name) == ("email", False, agent.display_name)
    assert closed.occurred_at == NOON - dt.timedelta(hours=1)
    assert page.context["closed_without_response"] == figures.closed_without_response
    assert closed.case_token in page.content.decode()
    summary = json.loads(out.getvalue())
    assert (summary["backlog"], summary["closed_without_response"]) == (1, 1)
    assert summary["closed_without_response_latest"][0]["case"] == closed.case_token


def test_staffing_takes_its_targets_from_the_queue(phone_queue: Queue):
    phone_queue.sl_target = 0.9
    phone_queue.sl_threshold_s = 30
    phone_queue.save(update_fields=["sl_target", "sl_threshold_s"])

    def agents(*extra: str) -> int:
        out = StringIO()
        call_command("staffing", "--volume", "360", "--interval", "30m", "--aht", "240", "--json", *extra, stdout=out)
        return int(json.loads(out.getvalue())["agents"])

    from_queue = agents("--queue", "phone-general")
    assert from_queue == agents("--target-sl", "0.9", "--target-time", "30")
    assert agents() == agents("--target-sl", "0.8", "--target-time", "20")  # a new queue's norms


def test_the_comparison_line_names_one_day_once_and_the_day_it_runs_up_to(two_days, team_lead):
    """A day is written once ("3 maart 2026", not the same day twice with a dash); the week before is compared up
    to a named day ("woensdag 25 februari 12:00"), not a weekday of a week the reader has to work out."""
    client = Client()
    client.force_login(team_lead)
    with time_machine.travel(NOON, tick=False):
        day = client.get(reverse("kpis:manager") + f"?period=day&from={DAY}&to={DAY}").content.decode()
        week = client.get(reverse("kpis:manager") + f"?period=week&date={DAY}").content.decode()
    assert "4 maart 2026 \u2013 4 maart 2026" not in day and "3 maart 2026 \u2013 3 maart 2026" not in day
    assert "vergeleken met hetzelfde deel van 3 maart 2026 (tot 12:00)." in day
    assert (
        "vergeleken met hetzelfde deel van 23 februari 2026 \u2013 1 maart 2026 (tot woensdag 25 februari 12:00)."
        in week
    )
