"""Numbers, percentages, durations and days in the user's language, the same on every screen.

nl: 83.831, 96,5%, "6 december"; en: 83,831, 96.5%, "6 December". Python code (charts, exports)
calls the functions; templates load the library (`{% load formats %}`) and use the filters.
`USE_THOUSAND_SEPARATOR` stays off: it would also group ids written into URLs and form values.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import phonenumbers
from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _

EMPTY = "\u2014"


def number(value: float | str | None, decimals: int = 0) -> str:
    """`value` with the language's thousands separator and decimal mark, to `decimals` places."""
    if value is None or value == "":
        return EMPTY
    return formats.number_format(round(float(value), decimals), decimals, use_l10n=True, force_grouping=True)


def percent(fraction: float | str | None, decimals: int = 1) -> str:
    """A fraction 0..1 as a percentage: 96,5% (nl), 96.5% (en)."""
    if fraction is None or fraction == "":
        return EMPTY
    return f"{number(float(fraction) * 100, decimals)}%"


def money(amount: float | str | object | None) -> str:
    """An amount in euros with two decimals: € 1.234,50 (nl), € 1,234.50 (en)."""
    if amount is None or amount == "":
        return EMPTY
    return f"\u20ac\u00a0{number(float(str(amount)), 2)}"


def duration(seconds: float | str | None, style: str = "") -> str:
    """A short duration: 45 s, 12 min, 3 h 5 min, 2 d 4 h (in Dutch: 45 s, 12 min, 3 u 5 min, 2 d 4 u).

    Style "precise" (a measured time: handling, waiting, speed of resolution) keeps the seconds under an hour:
    7 min 36 s; a figure never looks like a time of day (7:36 or 11:07:36)."""
    if seconds is None or seconds == "":
        return EMPTY
    whole = round(abs(float(seconds))) if style == "precise" else int(abs(float(seconds)))
    if whole < 60:
        return _("%(n)d s") % {"n": whole}
    minutes = whole // 60
    if minutes < 60:
        if style == "precise" and whole % 60:
            return _("%(m)d min %(s)d s") % {"m": minutes, "s": whole % 60}
        return _("%(n)d min") % {"n": minutes}
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
    days, hours = divmod(hours, 24)
    return _("%(d)d d %(h)d h") % {"d": days, "h": hours}


def since(moment: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """How long ago `moment` was, as `duration` writes it (12 min, 9 u 26 min): the one way the screens write a
    waiting time, instead of Django's "9 uur, 26 minuten" beside it."""
    if moment is None:
        return EMPTY
    return duration(max(0.0, ((now or timezone.now()) - moment).total_seconds()))


def item(mapping: dict[Any, Any] | None, key: Any) -> Any:
    """`mapping[key]` for a template (`|get:key`), trying the key as a string too; None when absent."""
    if not mapping:
        return None
    return mapping.get(key, mapping.get(str(key)))


def hours(seconds: float | str | None) -> str:
    """Hours worked or scheduled, to a tenth: 7,5 u (nl), 7.5 h (en); an em dash for none."""
    if seconds is None or seconds == "":
        return EMPTY
    return _("%(hours)s h") % {"hours": number(float(seconds) / 3600, 1)}


_E164 = re.compile(r"\+[1-9]\d{5,14}")


def phone(value: str | None) -> str:
    """A stored phone number (E.164, "+31612345678") as people write it: in the organisation's own country
    nationally ("06 12345678"), any other internationally ("+32 470 12 34 56"). Anything else (an e-mail
    address, a handle, a number that does not parse) comes back as it is."""
    if not value or not _E164.fullmatch(value):
        return value or ""
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return value
    if not phonenumbers.is_valid_number(number):
        return value
    home = phonenumbers.region_code_for_number(number) == settings.PHONE_REGION
    shape = phonenumbers.PhoneNumberFormat.NATIONAL if home else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, shape)


def day(value: dt.date | str | None, style: str = "") -> str:
    """A day as "6 december" (nl) or "6 December" (en); style "year" adds the year, "weekday" the day's name,
    "abbreviated" shortens the month ("6 dec", a column of weeks).

    An ISO date string (a KPI group or a chart label) is read first; anything else comes back as it is.
    """
    if value is None or value == "":
        return EMPTY
    if isinstance(value, str):
        try:
            moment = dt.date.fromisoformat(value)
        except ValueError:
            return value
    else:
        moment = value
    shape = {"year": "j F Y", "weekday": "l j F", "short": "D j F", "abbreviated": "j b"}.get(style, "j F")
    return formats.date_format(moment, shape)


def days(period: Any) -> str:
    """The days of a period (anything with dates `first` and `last`), with the year and an en dash between:
    "1 december 2026 - 31 december 2026"; one day is named once ("6 december 2026", not the same day twice)."""
    first, last = period.first, period.last
    if first == last:
        return day(first, "year")
    return f"{day(first, 'year')} \u2013 {day(last, 'year')}"
