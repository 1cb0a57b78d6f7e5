"""How survey figures read on a page: NPS in points (+23), shares and means with their 95% interval."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from contactpunt import formats
from contactpunt.contacts.models.routing import channel_label
from contactpunt.feedback.plain import label
from contactpunt.kpis.survey_metrics import Estimate

register = template.Library()


def _points(value: float) -> str:
    shown = formats.number(value * 100, 0)
    return shown if shown.startswith(("-", "\u2212")) or shown == "0" else f"+{shown}"


@register.filter
def nps(estimate: Estimate) -> str:
    """ "+23 (15 to 31)" or a dash without answers."""
    if estimate.value is None or estimate.low is None or estimate.high is None:
        return formats.EMPTY
    return _("%(value)s (%(low)s to %(high)s)") % {
        "value": _points(estimate.value),
        "low": _points(estimate.low),
        "high": _points(estimate.high),
    }


@register.filter
def share(estimate: Estimate) -> str:
    """ "84,0% (80,1% to 87,3%)"."""
    if estimate.value is None:
        return formats.EMPTY
    return _("%(value)s (%(low)s to %(high)s)") % {
        "value": formats.percent(estimate.value),
        "low": formats.percent(estimate.low),
        "high": formats.percent(estimate.high),
    }


@register.filter
def mean(estimate: Estimate) -> str:
    """ "5,2 (5,0 to 5,4)"."""
    if estimate.value is None:
        return formats.EMPTY
    return _("%(value)s (%(low)s to %(high)s)") % {
        "value": formats.number(estimate.value, 1),
        "low": formats.number(estimate.low, 1),
        "high": formats.number(estimate.high, 1),
    }


@register.filter
def driver_label(name: str) -> str:
    return label(name)


@register.filter
def bar(value: float) -> int:
    """A share 0..1 as a bar width in percent of the widest possible (capped at 100)."""
    return max(0, min(100, round(value * 100 / 0.5)))


register.filter("channel_label", channel_label)


@register.filter
def point(estimate: Estimate, kind: str) -> str:
    """The figure alone: NPS in points ("+23"), a share ("84,0%") or a mean ("5,2")."""
    if estimate.value is None:
        return formats.EMPTY
    if kind == "nps":
        return _points(estimate.value)
    if kind == "share":
        return formats.percent(estimate.value)
    return formats.number(estimate.value, 1)


@register.filter
def interval(estimate: Estimate, kind: str) -> str:
    """The 95% interval alone: "15 to 31" (NPS points), "80,1% to 87,3%" or "5,0 to 5,4"."""
    if estimate.low is None or estimate.high is None:
        return formats.EMPTY
    if kind == "nps":
        low, high = _points(estimate.low), _points(estimate.high)
    elif kind == "share":
        low, high = formats.percent(estimate.low), formats.percent(estimate.high)
    else:
        low, high = formats.number(estimate.low, 1), formats.number(estimate.high, 1)
    return _("%(low)s to %(high)s") % {"low": low, "high": high}
