"""The requirement follows the queue's opening hours: nobody needed while closed, written work carried over."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd
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


@pytest.mark.django_db
def test_the_history_counts_each_contact_in_its_local_quarter_hour_across_the_clock_change(phone_queue, email_queue):
    from contactpunt.kpis.facts import CONTACT, Unit
    from contactpunt.workforce.requirement import history

    def unit(queue_id: int, at: dt.datetime, *, handled: bool = True, talk: float = 0.0) -> Unit:
        return Unit(CONTACT, 1, 1, None, "phone", queue_id, None, None, at, is_handled=handled, talk_s=talk, wrap_s=5)

    end = dt.datetime(2026, 3, 30, tzinfo=AMS)  # Monday; summer time began on Sunday 29 March at 02:00
    units = [
        unit(phone_queue.pk, dt.datetime(2026, 3, 29, 0, 59, tzinfo=dt.UTC), talk=100),  # 01:59 winter time
        unit(phone_queue.pk, dt.datetime(2026, 3, 29, 1, 0, tzinfo=dt.UTC), talk=50),  # 03:00 summer time
        unit(phone_queue.pk, dt.datetime(2026, 3, 29, 1, 14, tzinfo=dt.UTC), handled=False),  # 03:14, abandoned
        unit(email_queue.pk, dt.datetime(2026, 3, 29, 1, 5, tzinfo=dt.UTC)),  # another queue
        unit(phone_queue.pk, dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.UTC)),  # before the eight weeks
        unit(phone_queue.pk, dt.datetime(2026, 3, 30, 9, 0, tzinfo=dt.UTC)),  # after the end
    ]
    offered, handled, seconds = history(phone_queue, end.astimezone(dt.UTC), AMS, units=units)

    def at(hour: int, minute: int) -> pd.Timestamp:
        return pd.Timestamp(dt.datetime(2026, 3, 29, hour, minute))

    assert offered.sum() == 3 and handled.sum() == 2 and seconds.sum() == 160
    assert (offered[at(1, 45)], handled[at(1, 45)], seconds[at(1, 45)]) == (1, 1, 105)
    assert (offered[at(3, 0)], handled[at(3, 0)], seconds[at(3, 0)]) == (2, 1, 55)
    assert offered.index[-1] == pd.Timestamp(dt.datetime(2026, 3, 29, 23, 45))
