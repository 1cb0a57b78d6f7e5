"""Template filters of the worker's page: ages read at a glance."""

from __future__ import annotations

import datetime as dt

from django import template

from contactpunt.formats import duration

register = template.Library()


@register.filter
def age(delta: dt.timedelta | None) -> str:
    """A time span as "45 s", "12 min", "3 h 5 min"; a dash for none."""
    return "—" if delta is None else duration(delta.total_seconds())
