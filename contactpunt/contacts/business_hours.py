"""Business hours: the norm of a written channel only runs while the queue is open.

A `Schedule` is a queue's opening windows per weekday in its own time zone, closed on the public
holidays of its country. `business_seconds(start, end)` measures how much opening time lies between
two moments (the first response time of an email), and `due_at(start, seconds)` finds when a norm
of so many opening seconds runs out. Both work in local wall-clock time, so a day on which the
clocks change still opens at 08:00.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import holidays as holidays_lib

from contactpunt.contacts.models import BusinessCalendar

Window = tuple[dt.time, dt.time]
_MAX_DAYS = 3 * 366  # a norm that needs more opening time than this is a configuration error


@dataclass(frozen=True)
class Schedule:
    """Opening windows per weekday (0 = Monday) in `time_zone`, closed on `is_holiday` days."""

    windows: dict[int, tuple[Window, ...]]
    time_zone: ZoneInfo
    is_holiday: Callable[[dt.date], bool] = field(default=lambda day: False)

    @classmethod
    def always_open(cls, time_zone: str = "UTC") -> Schedule:
        """A schedule open around the clock (a queue without a calendar)."""
        whole_day = ((dt.time(0), dt.time.max),)
        return cls(dict.fromkeys(range(7), whole_day), ZoneInfo(time_zone))

    def open_intervals(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """The opening intervals of a local calendar day, as aware datetimes."""
        if self.is_holiday(day):
            return []
        intervals = []
        for opens, closes in self.windows.get(day.weekday(), ()):
            start = dt.datetime.combine(day, opens, self.time_zone)
            end = (
                dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), self.time_zone)
                if closes == dt.time.max
                else dt.datetime.combine(day, closes, self.time_zone)
            )
            # In UTC: arithmetic between two datetimes of one ZoneInfo ignores a change of offset.
            intervals.append((start.astimezone(dt.UTC), end.astimezone(dt.UTC)))
        return intervals


def schedule_for(calendar: BusinessCalendar | None) -> Schedule:
    """Load a queue's calendar into a Schedule; no calendar means always open."""
    if calendar is None:
        return Schedule.always_open()
    windows: dict[int, list[Window]] = {}
    for hours in calendar.opening_hours.all():
        windows.setdefault(hours.weekday, []).append((hours.opens, hours.closes))
    country = holidays_lib.country_holidays(calendar.holiday_country, subdiv=calendar.holiday_subdivision or None)
    return Schedule(
        {weekday: tuple(sorted(w)) for weekday, w in windows.items()},
        ZoneInfo(calendar.time_zone),
        lambda day: day in country,
    )


def business_seconds(schedule: Schedule, start: dt.datetime, end: dt.datetime) -> float:
    """Seconds of opening time between `start` and `end` (0 when end is not after start)."""
    if end <= start:
        return 0.0
    total = dt.timedelta(0)  # summed exactly, to the microsecond (a float sum could miss a norm by a rounding)
    day = start.astimezone(schedule.time_zone).date()
    last = end.astimezone(schedule.time_zone).date()
    while day <= last:
        for opens, closes in schedule.open_intervals(day):
            overlap = min(closes, end) - max(opens, start)
            if overlap > dt.timedelta(0):
                total += overlap
        day += dt.timedelta(days=1)
    return total.total_seconds()


def due_at(schedule: Schedule, start: dt.datetime, seconds: float) -> dt.datetime:
    """The moment `seconds` of opening time after `start` have passed.

    Raise ValueError when the schedule has no opening time in the next three years.
    """
    remaining = dt.timedelta(seconds=seconds)  # exact to the microsecond
    day = start.astimezone(schedule.time_zone).date()
    for _ in range(_MAX_DAYS):
        for opens, closes in schedule.open_intervals(day):
            begin = max(opens, start)
            available = closes - begin
            if available <= dt.timedelta(0):
                continue
            if remaining <= available:
                return (begin + remaining).astimezone(dt.UTC)
            remaining -= available
        day += dt.timedelta(days=1)
    raise ValueError("the schedule has no opening time to meet this norm")
