"""Template filters of the workspace: a dict lookup, channel names and due times read at a glance."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from contactpunt import formats
from contactpunt.contacts.models.routing import channel_label
from contactpunt.formats import duration

register = template.Library()


register.filter("channel_label", channel_label)


register.filter("get", formats.item)


@register.filter
def relative(moment: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """ "in 12 min" for a moment to come, "12 min late" for one past."""
    if moment is None:
        return "—"
    delta = (moment - (now or timezone.now())).total_seconds()
    if delta >= 0:
        return _("in %(duration)s") % {"duration": duration(delta)}
    return _("%(duration)s late") % {"duration": duration(delta)}
