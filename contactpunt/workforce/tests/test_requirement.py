"""The requirement follows the queue's opening hours: nobody needed while closed, written work carried over."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from contactpunt.contacts.models import BusinessCalendar, OpeningHours
from contactpunt.workforce.requirement import carried_workload, grid, open_flags

AMS = ZoneInfo("Europe/Amsterdam")


def test_written_work_of_the_closed_hours_is_carried_to_the_opening():
    volumes = [2.0, 2.0, 1.0, 1.0, 1.0, 0.0]
    is_open = [False, False, True, True, True, False]
    work = carried_workload(volumes, is_open, spread=2)
    assert work == pytest.approx([0.0, 0.0, 3.0, 3.0, 1.0, 0.0])
    assert sum(work) == pytest.approx(sum(volumes[:5]))  # the last closed interval waits beyond the horizon


@pytest.mark.django_db
def test_open_flags_follow_the_calendar_on_a_weekend_day(email_queue):
    calendar = BusinessCalendar.objects.create(name="Weekend too", holiday_country="NL")
    OpeningHours.objects.create(calendar=calendar, weekday=6, opens=dt.time(9), closes=dt.time(17))
    email_queue.calendar = calendar
    email_queue.save()
    sunday = dt.date(2026, 3, 8)
    starts = grid(sunday, 1, AMS)
    flags = open_flags(email_queue, starts)
    opened = [start.astimezone(AMS).time() for start, flag in zip(starts, flags, strict=True) if flag]
    assert opened[0] == dt.time(9) and opened[-1] == dt.time(16, 45) and len(opened) == 32
    # Without a calendar a queue is always open.
    email_queue.calendar = None
    assert all(open_flags(email_queue, starts))
