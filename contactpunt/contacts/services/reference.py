"""The reference data contacts are filed against, made here: business calendars with their opening hours, and
the tree of contact reasons. Set-up commands and the simulator come through these; existing rows (by name or
code) are reused and never changed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction

from contactpunt.contacts.models import BusinessCalendar, ContactReason, OpeningHours

#: (weekday 0 = Monday, opens, closes)
Window = tuple[int, dt.time, dt.time]


@transaction.atomic
def ensure_calendar(name: str, *, holiday_country: str = "NL", windows: Iterable[Window] = ()) -> BusinessCalendar:
    """The calendar with this name; made with `windows` as its opening hours the first time it is asked for (a
    calendar that exists but has no opening hours yet gets them too)."""
    calendar = BusinessCalendar.objects.get_or_create(name=name[:100], defaults={"holiday_country": holiday_country})[0]
    if not calendar.opening_hours.exists():
        for weekday, opens, closes in windows:
            if not 0 <= weekday <= 6 or opens >= closes:
                raise ValueError(f"not an opening window: weekday {weekday}, {opens}-{closes}")
        OpeningHours.objects.bulk_create(
            OpeningHours(calendar=calendar, weekday=weekday, opens=opens, closes=closes)
            for weekday, opens, closes in windows
        )
    return calendar


def ensure_reason(code: str, *, name: str, parent: ContactReason | None = None) -> ContactReason:
    """The contact reason with this code, made (named `name`, under `parent`) the first time it is asked for."""
    return ContactReason.objects.get_or_create(code=code[:80], defaults={"name": name[:150], "parent": parent})[0]
