"""Formatting KPI values the same way everywhere (through the `formats` filters): % for fractions, seconds
as a duration ("7 min 36 s", "11 u 7 min", never a clock time), counts with the thousands separator."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse

from contactpunt import formats
from contactpunt.formats import duration, number, percent
from contactpunt.kpis import labels
from contactpunt.kpis.views_support import KINDS

register = template.Library()


@register.filter
def kpi(value: Any, key: str) -> str:
    """Format `value` of metric `key` in the user's language: an em dash when there is none."""
    if value is None:
        return "\u2014"
    kind = KINDS.get(key, "n")
    if kind == "%":
        return percent(value)
    if kind == "s":
        return duration(value, "precise")
    return number(value) if isinstance(value, int | float) else f"{value}"


@register.simple_tag
def drill_url(metric: str, start: str, end: str, by: str, group: str) -> str:
    """The URL of the contacts behind one figure."""
    query = urlencode({"metric": metric, "from": start, "to": end, "by": by, "group": group})
    return f"{reverse('kpis:drill')}?{query}"


register.filter("get", formats.item)


@register.filter
def grouping(by: str) -> str:
    """The name of a grouping in the user's language ("Wachtrij" for queue)."""
    return labels.grouping_label(by)


@register.filter
def outcome(value: str) -> str:
    """A drill-down outcome in the user's language."""
    return labels.outcome_label(value)
