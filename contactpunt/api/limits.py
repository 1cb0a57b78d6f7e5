"""What the API accepts beyond types: no control characters, moments inside a sane window.

Both hold on SQLite and PostgreSQL alike, so the same request gets the same answer on either.
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.utils import timezone
from pydantic import ValidationInfo
from pydantic_core import PydanticCustomError

# C0 controls and DEL, less tab, line feed and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def check_text(value: str) -> str:
    """Refuse a string holding a control character such as NUL (PostgreSQL cannot store NUL)."""
    match = _CONTROL.search(value)
    if match is not None:
        raise PydanticCustomError(
            "control_character",
            "contains the control character U+{code:04X} at position {position}",
            {"code": ord(match.group()), "position": match.start()},
        )
    return value


def strip_control(value: str) -> str:
    """Drop control characters from free text (tab and line ends stay)."""
    return _CONTROL.sub("", value)


def moment_window(now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """Return the earliest and latest moment the API accepts (settings API_EARLIEST_DATE and
    API_YEARS_AHEAD)."""
    now = now or timezone.now()
    earliest = dt.datetime.combine(settings.API_EARLIEST_DATE, dt.time(), tzinfo=dt.UTC)
    latest = now.replace(year=now.year + settings.API_YEARS_AHEAD, month=1, day=1)
    return earliest, latest


#: The key of a validation context that holds the window (`moment_window()`), worked out once for many items.
WINDOW = "moment_window"


def check_moment(value: dt.datetime, info: ValidationInfo) -> dt.datetime:
    """Refuse a moment outside the window (year 1, 9999, 1969: a bug in the sender, never a contact): the
    validation context's WINDOW, or else the window now."""
    context = info.context
    earliest, latest = context[WINDOW] if isinstance(context, dict) and WINDOW in context else moment_window()
    try:
        inside = earliest <= value <= latest
    except OverflowError:  # year 1 or 9999 with an offset cannot even be compared in UTC
        inside = False
    if not inside:
        raise PydanticCustomError(
            "date_out_of_range",
            "must lie between {earliest} and {latest}",
            {"earliest": earliest.date().isoformat(), "latest": latest.date().isoformat()},
        )
    return value
