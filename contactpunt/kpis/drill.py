"""The contacts and cases behind one figure: the drill-down of every dashboard number."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Q

from contactpunt.contacts.models import Channel, EventName
from contactpunt.kpis import metrics
from contactpunt.kpis.facts import CONTACT, LEG, Unit, load_cases, load_units

LIMIT = 500

_UNIT_FILTERS: dict[str, Callable[[Unit], bool]] = {
    "offered": lambda u: True,
    "waiting": lambda u: u.outcome == "waiting",
    "answered": lambda u: u.outcome == "answered",
    "reachability": lambda u: True,
    "abandoned": lambda u: u.outcome == "abandoned",
    "short_abandons": lambda u: u.is_short_abandon,
    "abandon_rate": lambda u: u.outcome == "abandoned" and not u.is_short_abandon,
    "service_level": lambda u: not u.is_short_abandon and u.channel in Channel.realtime(),
    "asa_s": lambda u: u.outcome == "answered",
    "aht_s": lambda u: u.is_handled,
    "handled": lambda u: u.is_handled,
    "transfer_rate": lambda u: u.is_handled,
    "first_response_median_s": lambda u: u.outcome == "answered",
    "first_response_within_norm": lambda u: u.channel not in Channel.realtime(),
}


@dataclass(frozen=True, slots=True)
class Row:
    contact_id: int | None
    case_id: int
    queue: str
    channel: str
    at: dt.datetime
    seconds: float | None
    outcome: str


@dataclass(frozen=True, slots=True)
class Found:
    rows: list[Row]
    total: int
    is_truncated: bool


def behind(metric: str, start: dt.datetime, end: dt.datetime, *, by: str | None, group: str, zone: ZoneInfo) -> Found:
    """The units (or cases) that the figure `metric` of `group` counts, oldest first, at most LIMIT."""
    names = metrics.load_names()
    rows: list[Row] = []
    if metric in _UNIT_FILTERS:
        keep = _UNIT_FILTERS[metric]
        for u in load_units(start, end, level=LEG if by in metrics.LEG_GROUPINGS else CONTACT):
            label = metrics.group_key(
                by, names, zone, queue_id=u.queue_id, channel=u.channel, team_id=u.team_id, agent_id=u.agent_id,
                at=u.queued_at,
            )  # fmt: skip
            if label == group and keep(u):
                outcome = f"{u.outcome}, transferred" if u.is_transferred else u.outcome
                rows.append(Row(u.contact_id, u.case_id, names.queues.get(u.queue_id, "?"), u.channel, u.queued_at,
                                u.wait_s, outcome))  # fmt: skip
    elif metric in ("fcr", "fcr_cases", "csi_median_s", "csi_p90_s", "csi_open_cases"):
        is_fcr = metric.startswith("fcr")
        where = (
            Q(events__name=EventName.RESOLVED, events__occurred_at__gte=start, events__occurred_at__lt=end)
            if is_fcr
            else Q(contacts__occurred_at__gte=start, contacts__occurred_at__lt=end)
        )
        for c in load_cases(where):
            at = c.first_resolved_at if is_fcr else c.opened_at
            if at is None or not start <= at < end:
                continue
            label = metrics.group_key(by, names, zone, queue_id=c.queue_id, channel=c.channel,
                                      team_id=names.agent_teams.get(c.resolved_by_id or 0), agent_id=c.resolved_by_id,
                                      at=at)  # fmt: skip
            if label == group:
                seconds = (c.resolved_at - c.opened_at).total_seconds() if c.resolved_at else None
                state = "reopened" if c.is_reopened else ("resolved" if c.resolved_at else "open")
                rows.append(Row(None, c.case_id, names.queues.get(c.queue_id, "?"), c.channel, at, seconds, state))
    elif metric in ("repeat_rate", "identified_share"):
        for i in metrics.load_inbound(start, end):
            label = metrics.group_key(by, names, zone, queue_id=i.queue_id, channel=i.channel, team_id=None,
                                      agent_id=None, at=i.occurred_at)  # fmt: skip
            if label == group and (i.customer_id is not None):
                outcome = "repeat" if i.is_repeat else "first"
                rows.append(Row(i.contact_id, 0, names.queues.get(i.queue_id, "?"), i.channel, i.occurred_at, None,
                                outcome))  # fmt: skip
    rows.sort(key=lambda r: r.at)
    return Found(rows[:LIMIT], len(rows), len(rows) > LIMIT)
