"""Template filters of the workspace: a dict lookup, channel names and due times read at a glance."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from contactpunt.contacts.models import Channel
from contactpunt.formats import duration

register = template.Library()


@register.filter
def channel_label(code: str | None) -> str:
    """The channel's name in the user's language ("telefoon" for phone); an unknown code as it is."""
    if code not in Channel.values:
        return code or ""
    return str(Channel(code).label)


@register.filter
def get(mapping: dict[Any, Any] | None, key: Any) -> Any:
    """`mapping[key]`, trying the key as a string too; None when absent."""
    if not mapping:
        return None
    return mapping.get(key, mapping.get(str(key)))


@register.filter
def relative(moment: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """ "in 12 min" for a moment to come, "12 min late" for one past."""
    if moment is None:
        return "—"
    delta = (moment - (now or timezone.now())).total_seconds()
    if delta >= 0:
        return _("in %(duration)s") % {"duration": duration(delta)}
    return _("%(duration)s late") % {"duration": duration(delta)}
