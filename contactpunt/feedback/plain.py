"""The driver analysis in plain language: "Waiting explains 31% of the variation in NPS at site Zwolle"."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contactpunt.feedback.drivers import DriverAnalysis
from contactpunt.formats import percent

LABELS: dict[str, Any] = {
    "wait_min": gettext_lazy("waiting"),
    "fcr": gettext_lazy("first-contact resolution (measured)"),
    "solved": gettext_lazy("solved according to the customer"),
    "expertise": gettext_lazy("expertise"),
    "friendliness": gettext_lazy("friendliness"),
    "effort": gettext_lazy("customer effort"),
    "transfers": gettext_lazy("transfers"),
    "reopened": gettext_lazy("reopened cases"),
    "channel": gettext_lazy("channel"),
    "reason": gettext_lazy("contact reason"),
}


def label(name: str) -> str:
    return str(LABELS.get(name, name))


def readings(analysis: DriverAnalysis, site: str = "") -> list[str]:
    """One sentence per driver, largest share first; a driver that is not significant says so."""
    sentences = []
    for driver in analysis.drivers:
        values = {
            "driver": label(driver.name),
            "share": percent(driver.share, 0),
            "site": site,
            # A lower bound above zero never reads "0%" (it would look like "may be nothing" beside a clear result).
            "low": percent(driver.low, 1 if 0 < driver.low < 0.005 else 0),
            "high": percent(driver.high, 0),
        }
        if site:
            text = _("%(driver)s explains %(share)s of the variation in NPS at site %(site)s (%(low)s to %(high)s).")
        else:
            text = _("%(driver)s explains %(share)s of the variation in NPS (%(low)s to %(high)s).")
        text = text % values
        if not driver.significant and driver.low > 0 and driver.direction:
            # Its size is clear, its direction is not: in some resamples it raised the score, in others lowered it.
            text += " " + _(
                "Its size is clear, its direction is not: whether it raises or lowers the score may be chance."
            )
        elif not driver.significant:
            text += " " + _("This may be chance: not significant.")
        sentences.append(text[:1].upper() + text[1:])
    return sentences
