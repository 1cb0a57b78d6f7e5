"""What the KPI screens show for the machine keys of a report: groupings, groups, outcomes and formulas
in the user's language. The keys themselves (queue codes, usernames, ISO days) stay in the report, the
drill-down URLs and `contactpunt kpis --json`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contactpunt.contacts.models import Channel, Queue
from contactpunt.formats import day
from contactpunt.kpis import metrics
from contactpunt.people.models import User

GROUPINGS: dict[str, Any] = {
    "all": _("all"),
    "queue": _("Queue"),
    "channel": _("Channel"),
    "team": _("Team"),
    "department": _("Department"),
    "agent": _("Agent"),
    "site": _("Site"),
    "account": _("Account"),
    "product_type": _("Product type"),
    "day": _("Day"),
    "interval": _("Quarter hour"),
}

#: The metrics' names on every screen and export. An abbreviation (AHT, ASA, FCR, CSI) never stands alone on a
#: Dutch screen: the name says what it means, the abbreviation follows in brackets for those who know it.
METRIC_LABELS: dict[str, Any] = {
    "offered": _("Offered"),
    "answered": _("Answered"),
    "abandoned": _("Abandoned"),
    "short_abandons": _("Short abandons"),
    "service_level": _("Service level"),
    "asa_s": _("Average speed of answer (ASA)"),
    "aht_s": _("Average handling time (AHT)"),
    "abandon_rate": _("Abandon rate"),
    "reachability": _("Reachability"),
    "transfer_rate": _("Transfers"),
    "fcr": _("First contact resolution (FCR)"),
    "fcr_so_far": _("First contact resolution so far (provisional)"),
    "repeat_rate": _("Repeat contacts"),
    "identified_share": _("Identified"),
    "csi_median_s": _("Time to resolution (CSI), median"),
    "csi_p90_s": _("Time to resolution (CSI), 90th percentile"),
    "first_response_median_s": _("First response (median)"),
    "first_response_within_norm": _("Within norm"),
    "backlog": _("Backlog"),
    "oldest_backlog_age_s": _("Oldest"),
    "occupancy": _("Occupancy"),
    "waiting": _("Waiting"),
    "handled": _("Handled"),
    "fcr_cases": _("Cases counted for first contact resolution"),
    "csi_open_cases": _("Cases still open (time to resolution)"),
}

OUTCOMES: dict[str, Any] = {
    "answered": _("answered"),
    "abandoned": _("abandoned"),
    "left": _("moved on unanswered"),
    "waiting": _("waiting"),
    "transferred": _("transferred"),
    "reopened": _("reopened"),
    "resolved": _("resolved"),
    "open": _("open"),
    "repeat": _("repeat contact"),
    "first": _("first contact"),
}


def metric_label(key: str) -> str:
    """The name of metric `key` in the user's language ("Gem. afhandeltijd (AHT)" for aht_s)."""
    return str(METRIC_LABELS.get(key, key))


def grouping_label(by: str) -> str:
    """The name of a grouping ("Wachtrij" for queue); an unknown key as it is."""
    return str(GROUPINGS.get(by, by))


def outcome_label(outcome: str) -> str:
    """An outcome of the drill-down ("answered, transferred") in the user's language."""
    return ", ".join(str(OUTCOMES.get(part, part)) for part in outcome.split(", ")) if outcome else ""


def formula(key: str) -> str:
    """The formula of metric `key` as the UI shows it, in the user's language."""
    text = metrics.FORMULAS.get(key, "")
    return gettext(text) if text else ""


def queue_names() -> dict[str, str]:
    """Queue names by code."""
    return dict(Queue.objects.values_list("code", "name"))


def group_labels(by: str, keys: Iterable[str]) -> dict[str, str]:
    """The label of each group key of a report by `by`: the queue's name for its code, the channel's name,
    the agent's display name for their username, a day or quarter hour written out; others as they are."""
    wanted = [k for k in keys if k]
    if by == "queue":
        names = queue_names()
        return {k: names.get(k, k) for k in wanted}
    if by == "channel":
        return {k: str(Channel(k).label) if k in Channel.values else k for k in wanted}
    if by == "agent":
        people = {u.username: u.display_name for u in User.objects.filter(username__in=wanted)}
        return {k: people.get(k, k) for k in wanted}
    if by == "day":
        return {k: day(k, "short") for k in wanted}
    if by == "interval":
        return {k: _moment(k) for k in wanted}
    return {k: str(GROUPINGS["all"]) if k == "all" else k for k in wanted}


def _moment(key: str) -> str:
    try:
        return formats.date_format(dt.datetime.fromisoformat(key), "D j F H:i")
    except ValueError:
        return key
