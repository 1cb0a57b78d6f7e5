"""The day level of the rollups: a period's whole local days are read from the day rows, its partial days and the
days a dirty contact touches from the intervals; an upgrade fills the day rows from the interval rows already there.
(That the day rows equal the definition is held by test_rollups_setbased and test_rollups.)"""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

import pytest
from django.apps import apps

from contactpunt.kpis import rollups
from contactpunt.kpis.intervals import day_bounds, zone
from contactpunt.kpis.models import DayRollup, IntervalRollup
from contactpunt.kpis.tests.helpers import call

pytestmark = pytest.mark.django_db
FIRST, LAST = dt.date(2026, 3, 2), dt.date(2026, 3, 4)
#: 2 March 00:00 to 5 March 00:00 in Amsterdam, and a period from 06:00 on the first day to 18:00 on the last.
START, END = day_bounds(FIRST, LAST, zone())
PARTIAL = (START + dt.timedelta(hours=6), END - dt.timedelta(hours=6))
H = dt.timedelta(hours=1)


def _calls(world: dict[str, Any], capture: Any) -> None:
    queue, agent = world["queues"][0], world["agents"][0]
    with capture(execute=True):
        for day in range(3):
            for hour in (2, 9, 20):  # before 06:00, in the day, after 18:00
                call(queue, START + day * 24 * H + hour * H, wait=5 + hour, talk=60, agent=agent)
        call(queue, START + 30 * H, wait=4)  # abandoned on the second day


def test_whole_days_are_read_from_the_day_rows(world: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    _calls(world, django_capture_on_commit_callbacks)
    rollups.refresh()
    assert sorted(DayRollup.objects.filter(level="contact").values_list("day", "offered", "answered")) == [
        (FIRST, 3, 3),
        (FIRST + dt.timedelta(days=1), 1, 0),
        (FIRST + dt.timedelta(days=1), 3, 3),
        (LAST, 3, 3),
    ]  # the abandoned call has no agent: a row without a team
    whole = rollups.queue_figures(START, END, by="day", zone=zone())
    partial = rollups.queue_figures(*PARTIAL, by="day", zone=zone())
    # With the intervals of the middle day gone, a period holding it whole still counts it (from its day rows); one
    # that reads it from the intervals (its first and last day are partial, the middle one whole) does too.
    middle = day_bounds(FIRST + dt.timedelta(days=1), FIRST + dt.timedelta(days=1), zone())
    IntervalRollup.objects.filter(start__gte=middle[0], start__lt=middle[1]).delete()
    assert rollups.queue_figures(START, END, by="day", zone=zone()) == whole
    assert rollups.queue_figures(*PARTIAL, by="day", zone=zone()) == partial
    assert [f["offered"] for f in partial.values()] == [2, 4, 2]
    # The intervals of the last day gone: the partial period reads that day from them, the whole one does not.
    last = day_bounds(LAST, LAST, zone())
    IntervalRollup.objects.filter(start__gte=last[0], start__lt=last[1]).delete()
    assert rollups.queue_figures(START, END, by="day", zone=zone()) == whole
    assert [f["offered"] for f in rollups.queue_figures(*PARTIAL, by="day", zone=zone()).values()] == [2, 4]


def test_a_day_a_dirty_contact_touches_is_read_from_its_intervals(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    _calls(world, django_capture_on_commit_callbacks)
    rollups.refresh()
    with django_capture_on_commit_callbacks(execute=True):
        call(world["queues"][0], START + 33 * H, wait=7, talk=30, agent=world["agents"][0])
    # Not refreshed yet: the second day's row still says 4, but the read counts the new call from the events.
    assert _offered(FIRST + dt.timedelta(days=1)) == 4
    figures = rollups.queue_figures(START, END, by="day", zone=zone())
    assert [f["offered"] for f in figures.values()] == [3, 5, 3]
    rollups.refresh()
    assert _offered(FIRST + dt.timedelta(days=1)) == 5
    assert rollups.queue_figures(START, END, by="day", zone=zone()) == figures


def _offered(day: dt.date) -> int:
    return sum(DayRollup.objects.filter(level="contact", day=day).values_list("offered", flat=True))


def test_the_upgrade_fills_the_day_rows_from_the_interval_rows(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    _calls(world, django_capture_on_commit_callbacks)
    rollups.refresh()
    fields = ("day", "level", "queue_id", "channel", "team_id", "offered", "answered", "abandoned", "short_abandons",
              "wait_answered_s", "talk_s", "answered_within", "wait_histogram")  # fmt: skip
    ordered = DayRollup.objects.order_by("day", "level", "queue_id", "channel", "team_id")
    built = list(ordered.values_list(*fields))
    assert len(built) == 8  # 3 days x 2 levels, and the abandoned call's rows without a team
    DayRollup.objects.all().delete()
    importlib.import_module("contactpunt.kpis.migrations.0010_day_rollups").fill(apps, None)
    assert list(ordered.values_list(*fields)) == built
