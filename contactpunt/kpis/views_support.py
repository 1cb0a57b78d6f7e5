"""What the KPI views share: the columns of each dashboard and periods from the query string.

Who may see them is decided in `contactpunt.access`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.http import HttpRequest
from django.utils import timezone

from contactpunt.kpis import labels
from contactpunt.kpis.intervals import day_bounds, zone

# How each metric is shown: n (count), % (fraction) or s (seconds).
KINDS: dict[str, str] = {
    "offered": "n",
    "answered": "n",
    "abandoned": "n",
    "short_abandons": "n",
    "handled": "n",
    "waiting": "n",
    "backlog": "n",
    "fcr_cases": "n",
    "csi_open_cases": "n",
    "service_level": "%",
    "abandon_rate": "%",
    "reachability": "%",
    "transfer_rate": "%",
    "fcr": "%",
    "fcr_so_far": "%",  # what the screens show, marked provisional, while no case's 7 days have passed
    "repeat_rate": "%",
    "identified_share": "%",
    "first_response_within_norm": "%",
    "occupancy": "%",
    "asa_s": "s",
    "aht_s": "s",
    "csi_median_s": "s",
    "csi_p90_s": "s",
    "first_response_median_s": "s",
    "oldest_backlog_age_s": "s",
}

LABELS = labels.METRIC_LABELS  # the column headers: in kpis.labels, with every abbreviation written out

QUEUE_COLUMNS = ("offered", "answered", "short_abandons", "service_level", "asa_s", "aht_s", "abandon_rate")
MANAGER_COLUMNS = (*QUEUE_COLUMNS, "transfer_rate", "fcr", "repeat_rate", "csi_median_s", "occupancy")
SPOC_COLUMNS = ("offered", "reachability", "transfer_rate", "repeat_rate", "identified_share", "fcr", "csi_median_s",
                "csi_p90_s")  # fmt: skip
WEBCARE_COLUMNS = ("offered", "answered", "first_response_median_s", "first_response_within_norm", "backlog",
                   "oldest_backlog_age_s")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Period:
    """Local days `first` to `last` inclusive, and the UTC moments they span."""

    first: dt.date
    last: dt.date
    start: dt.datetime
    end: dt.datetime
    name: str

    @classmethod
    def of(cls, first: dt.date, last: dt.date, name: str) -> Period:
        start, end = day_bounds(first, last, zone())
        return cls(first, last, start, end, name)

    def previous(self) -> Period:
        """The period of the same kind just before this one."""
        if self.name == "month":
            last = self.first - dt.timedelta(days=1)
            return Period.of(last.replace(day=1), last, self.name)
        length = self.last - self.first + dt.timedelta(days=1)
        return Period.of(self.first - length, self.first - dt.timedelta(days=1), self.name)


def today() -> dt.date:
    return timezone.now().astimezone(zone()).date()


def period_from(request: HttpRequest, default: str = "week") -> Period:
    """The period of ?period=day|week|month (around ?date=, default today) or ?from=&to= (local days)."""
    params = request.GET
    try:
        if params.get("from") and params.get("to"):
            first, last = dt.date.fromisoformat(params["from"]), dt.date.fromisoformat(params["to"])
            if last < first or (last - first).days > 400:
                raise ValueError("bad period")
            return Period.of(first, last, "custom")
        anchor = dt.date.fromisoformat(params["date"]) if params.get("date") else today()
    except ValueError:
        anchor = today()
    name = params.get("period", default)
    if name == "month":
        following = (anchor.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return Period.of(anchor.replace(day=1), following - dt.timedelta(days=1), "month")
    if name == "day":
        return Period.of(anchor, anchor, "day")
    monday = anchor - dt.timedelta(days=anchor.weekday())
    return Period.of(monday, monday + dt.timedelta(days=6), "week")
