"""Formatting KPI values the same way everywhere: % for fractions, seconds as m:ss, counts as is."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse

from contactpunt.kpis.views_support import KINDS

register = template.Library()


@register.filter
def kpi(value: Any, key: str) -> str:
    """Format `value` of metric `key`: an em dash when there is none."""
    if value is None:
        return "\u2014"
    kind = KINDS.get(key, "n")
    if kind == "%":
        return f"{value * 100:.1f}%"
    if kind == "s":
        seconds = round(float(value))
        if seconds >= 3600:
            return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
        return f"{seconds // 60}:{seconds % 60:02d}"
    return f"{value}"


@register.simple_tag
def drill_url(metric: str, start: str, end: str, by: str, group: str) -> str:
    """The URL of the contacts behind one figure."""
    query = urlencode({"metric": metric, "from": start, "to": end, "by": by, "group": group})
    return f"{reverse('kpis:drill')}?{query}"


@register.filter
def get(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key)
