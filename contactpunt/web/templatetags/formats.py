"""The locale's formats as template filters: {{ value|number }}, |percent, |duration, |hours, |phone, |day, |days.
The functions live in contactpunt.formats, shared with the charts and exports of the domain apps."""

from __future__ import annotations

from django import template

from contactpunt import formats

register = template.Library()
register.filter("number", formats.number)
register.filter("percent", formats.percent)
register.filter("money", formats.money)
register.filter("duration", formats.duration)
register.filter("hours", formats.hours)
register.filter("since", formats.since)
register.filter("phone", formats.phone)
register.filter("day", formats.day)
register.filter("days", formats.days)
