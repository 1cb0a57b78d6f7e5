"""Norms of written channels run on business hours, closed on public holidays, across DST."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contactpunt.contacts.business_hours import Schedule, business_seconds, due_at, schedule_for
from contactpunt.contacts.models import BusinessCalendar, OpeningHours

AMS = ZoneInfo("Europe/Amsterdam")
OFFICE = {weekday: ((dt.time(9), dt.time(17)),) for weekday in range(5)}


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=AMS)


@pytest.fixture
def office(db: None) -> Schedule:
    calendar = BusinessCalendar.objects.create(name="Kantoor", holiday_country="NL")
    for weekday in range(5):
        OpeningHours.objects.create(calendar=calendar, weekday=weekday, opens=dt.time(9), closes=dt.time(17))
    return schedule_for(calendar)


def test_the_weekend_does_not_count(office: Schedule):
    # Friday 16:00 to Monday 10:00: one hour on Friday, one on Monday.
    assert business_seconds(office, local(2026, 3, 6, 16), local(2026, 3, 9, 10)) == 2 * 3600


def test_kings_day_is_closed(office: Schedule):
    # Monday 27 April 2026 is Koningsdag: Friday 16:00 to Tuesday 10:00 is still two hours.
    assert business_seconds(office, local(2026, 4, 24, 16), local(2026, 4, 28, 10)) == 2 * 3600


def test_a_norm_runs_out_on_the_next_opening_day(office: Schedule):
    # Eight hours from Friday 16:30: half an hour on Friday, seven and a half on Monday.
    assert due_at(office, local(2026, 3, 6, 16, 30), 8 * 3600) == local(2026, 3, 9, 16, 30)
    # Arriving at night, the clock starts at opening.
    assert due_at(office, local(2026, 3, 9, 3), 3600) == local(2026, 3, 9, 10)


def test_the_day_the_clocks_go_forward_has_23_hours():
    schedule = Schedule.always_open("Europe/Amsterdam")
    # Sunday 29 March 2026, 00:00 to Monday 00:00 local time.
    assert business_seconds(schedule, local(2026, 3, 29, 0), local(2026, 3, 30, 0)) == 23 * 3600


def test_opening_hours_keep_their_wall_clock_across_dst():
    schedule = Schedule(OFFICE, AMS)
    # Friday before and Monday after the change both open 09:00-17:00 local time.
    assert business_seconds(schedule, local(2026, 3, 27, 9), local(2026, 3, 30, 17)) == 16 * 3600


@given(
    start=st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2027, 1, 1), timezones=st.just(dt.UTC)),
    seconds=st.integers(min_value=0, max_value=5 * 8 * 3600),
)
def test_due_at_and_business_seconds_agree(start: dt.datetime, seconds: int):
    schedule = Schedule(OFFICE, AMS)
    due = due_at(schedule, start, seconds)

    assert due >= start
    assert business_seconds(schedule, start, due) == pytest.approx(seconds, abs=1e-6)
