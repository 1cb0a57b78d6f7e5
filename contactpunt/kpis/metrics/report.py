"""The report: every figure of a period per grouping, from the facts or from the rollups' parts."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone

from contactpunt.contacts.models import EventName, Queue
from contactpunt.customers.models import Account, ProductType
from contactpunt.kpis.facts import CONTACT, LEG, Unit, load_cases, load_units
from contactpunt.kpis.intervals import INTERVAL, interval_start, local_midnight
from contactpunt.kpis.metrics.agents import occupancy, split_spans, state_seconds, state_spans
from contactpunt.kpis.metrics.cases import customer_speed_index, fcr, fcr_so_far
from contactpunt.kpis.metrics.definitions import GROUPINGS, LEG_GROUPINGS, duration_bucket, ratio
from contactpunt.kpis.metrics.queues import (
    abandon_rate,
    abandoned,
    aht_s,
    answered,
    asa_s,
    offered,
    reachability,
    service_level,
    short_abandons,
    transfer_rate,
)
from contactpunt.kpis.metrics.repeats import identified_share, load_inbound, repeat_rate
from contactpunt.kpis.written import (
    backlog_of,
    backlog_rows,
    first_response_times,
    first_response_within_norm,
    is_overdue,
    load_schedules,
    waiting_written,
)
from contactpunt.people.models import Department, Team, User

KeyOf = Callable[[Any], str | None]


@dataclass(frozen=True, slots=True)
class Names:
    queues: dict[int, str]
    departments: dict[int, str]
    sites: dict[int, str]
    accounts: dict[int, str]
    product_types: dict[int, str]
    teams: dict[int, str]
    agents: dict[int, str]
    agent_teams: dict[int, int | None]


def load_names() -> Names:
    department_names = dict(Department.objects.values_list("pk", "name"))
    return Names(
        dict(Queue.objects.values_list("pk", "code")),
        {pk: department_names[d] for pk, d in Queue.objects.values_list("pk", "department_id") if d is not None},
        {pk: site for pk, site in Team.objects.values_list("pk", "site__name") if site is not None},
        dict(Account.objects.values_list("pk", "name")),
        dict(ProductType.objects.values_list("pk", "name")),
        dict(Team.objects.values_list("pk", "name")),
        dict(User.objects.values_list("pk", "username")),
        dict(User.objects.values_list("pk", "team_id")),
    )


def group_key(
    by: str | None,
    names: Names,
    zone: ZoneInfo,
    *,
    queue_id: int | None,
    channel: str | None,
    team_id: int | None,
    agent_id: int | None,
    at: dt.datetime | None,
    account_id: int | None = None,
    product_type_id: int | None = None,
) -> str | None:
    """The label of the group a record falls in; None when the record has no value for the grouping."""
    if by is None:
        return "all"
    if by == "queue":
        return names.queues.get(queue_id) if queue_id is not None else None
    if by == "department":
        return names.departments.get(queue_id) if queue_id is not None else None
    if by == "site":
        return names.sites.get(team_id) if team_id is not None else None
    if by == "account":
        return names.accounts.get(account_id) if account_id is not None else None
    if by == "product_type":
        return names.product_types.get(product_type_id) if product_type_id is not None else None
    if by == "channel":
        return channel
    if by == "team":
        return names.teams.get(team_id) if team_id is not None else None
    if by == "agent":
        return names.agents.get(agent_id) if agent_id is not None else None
    if at is None:
        return None
    if by == "day":
        return at.astimezone(zone).date().isoformat()
    if by == "interval":
        return interval_start(at).astimezone(zone).isoformat()
    raise ValueError(f"unknown grouping {by!r}")


def queue_figures(
    units: Sequence[Unit], *, threshold_s: int | None = None, now: dt.datetime | None = None
) -> dict[str, Any]:
    """The queue figures of a set of units."""
    return {
        "offered": offered(units),
        "answered": answered(units),
        "abandoned": abandoned(units),
        "short_abandons": short_abandons(units),
        "service_level": service_level(units, threshold_s=threshold_s, now=now),
        "asa_s": asa_s(units),
        "aht_s": aht_s(units),
        "abandon_rate": abandon_rate(units),
        "transfer_rate": transfer_rate(units),
        "reachability": reachability(units),
        "handled": sum(1 for u in units if u.is_handled),
        "waiting": sum(1 for u in units if u.outcome == "waiting"),
    }


def _edges(by: str, zone: ZoneInfo) -> Callable[[dt.datetime], dt.datetime]:
    if by == "interval":
        return lambda moment: interval_start(moment) + INTERVAL
    return lambda moment: local_midnight(moment.astimezone(zone).date() + dt.timedelta(days=1), zone)


def report(
    start: dt.datetime,
    end: dt.datetime,
    *,
    by: str | None = None,
    zone: ZoneInfo | None = None,
    threshold_s: int | None = None,
    now: dt.datetime | None = None,
    units: Sequence[Unit] | None = None,
    cached: dict[str, dict[str, Any]] | None = None,
    parts: dict[str, dict[str, Any]] | None = None,
    names: Names | None = None,
    with_backlog: bool = True,
    backlog: Sequence[tuple[int, str, int, dt.datetime | None]] | None = None,
) -> list[dict[str, Any]]:
    """Every metric for [start, end), one dict per group (one group "all" without `by`); the backlog (for all, per
    queue or channel) only `with_backlog`.

    Queue figures come from `units` when given, else from the event log; `cached` (the rollups' queue
    figures per group) replaces them, and `units` then only serve the written-channel response times.
    `parts` (`dayparts.figures`) replaces the figures over cases, customers and written response times.
    """
    if by is not None and by not in GROUPINGS:
        raise ValueError(f"unknown grouping {by!r}")
    zone = zone or ZoneInfo(timezone.get_default_timezone_name())
    now = now or timezone.now()
    names = names or load_names()
    level = LEG if by in LEG_GROUPINGS else CONTACT
    if units is None:
        units = load_units(start, end, level=level)
    live_now = now if now < end + dt.timedelta(hours=1) else None
    groups: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))

    def key(**fields: Any) -> str | None:
        return group_key(by, names, zone, **fields)

    for label in [*(cached or {}), *(parts or {})]:
        groups[label]["units"]

    for u in units:
        k = key(queue_id=u.queue_id, channel=u.channel, team_id=u.team_id, agent_id=u.agent_id, at=u.queued_at,
                account_id=u.account_id, product_type_id=u.product_type_id)  # fmt: skip
        if k is not None:
            groups[k]["units"].append(u)
    resolved = (
        load_cases(Q(events__name=EventName.RESOLVED, events__occurred_at__gte=start, events__occurred_at__lt=end))
        if parts is None
        else []
    )

    def case_key(c: Any, at: dt.datetime | None) -> str | None:
        """The group of a case, by its resolver and the moment `at`."""
        agent = c.resolved_by_id
        team_id = names.agent_teams.get(agent) if agent else None
        return key(queue_id=c.queue_id, channel=c.channel, team_id=team_id, agent_id=agent, at=at,
                   account_id=c.account_id, product_type_id=c.product_type_id)  # fmt: skip

    for c in resolved:
        k = case_key(c, c.first_resolved_at)
        if k is not None and c.first_resolved_at is not None and start <= c.first_resolved_at < end:
            groups[k]["resolved"].append(c)
    created = load_cases(Q(contacts__occurred_at__gte=start, contacts__occurred_at__lt=end)) if parts is None else []
    for c in {c.case_id: c for c in created}.values():
        if not start <= c.opened_at < end:
            continue
        k = case_key(c, c.opened_at)
        if k is not None:
            groups[k]["created"].append(c)
    for i in load_inbound(start, end) if parts is None else []:
        k = key(queue_id=i.queue_id, channel=i.channel, team_id=None, agent_id=None, at=i.occurred_at,
                account_id=i.account_id, product_type_id=i.product_type_id)  # fmt: skip
        if k is not None:
            groups[k]["inbound"].append(i)
    if by in (None, "team", "agent", "site"):
        for agent_id, seconds in state_seconds(start, end).items():
            k = key(queue_id=None, channel=None, team_id=names.agent_teams.get(agent_id), agent_id=agent_id, at=None)
            if k is not None:
                groups[k]["states"].append(seconds)
    elif by in ("day", "interval"):
        for _agent, state, since, until in split_spans(state_spans(start, end), _edges(by, zone)):
            k = key(queue_id=None, channel=None, team_id=None, agent_id=None, at=since)
            if k is not None:
                groups[k]["states"].append({state: (until - since).total_seconds()})
    if live_now is not None and by not in ("day", "interval"):
        # Live: messages from before the period still awaiting a reply count against the norm when overdue.
        for queue_id, channel, since, account_id, product_type_id in waiting_written(before=start):
            k = key(queue_id=queue_id, channel=channel, team_id=None, agent_id=None, at=since, account_id=account_id,
                    product_type_id=product_type_id)  # fmt: skip
            if k is not None:
                groups[k]["earlier"].append((queue_id, since))
    schedules = load_schedules()
    backlog_at = min(end, now)
    # The backlog in one query, split per group below (a query per group cost the weeks page a third of its time).
    has_backlog = with_backlog and by in (None, "queue", "channel")
    # `backlog` (the day parts' (queue, channel, count, oldest arrival) at the end of a past period) replaces the rows.
    waiting = backlog_rows(at=min(end, now), live=end > now) if has_backlog and backlog is None else []
    results = []
    for label in sorted(groups):
        group = groups[label]
        group_units = group["units"]
        row: dict[str, Any] = {"group": label, "by": by or "all"}
        if cached is not None:
            row.update(cached.get(label) or queue_figures([], threshold_s=threshold_s))
        else:
            row.update(queue_figures(group_units, threshold_s=threshold_s, now=live_now))
        if parts is not None:
            row.update(_from_parts(parts.get(label), group["earlier"], schedules, now))
        else:
            rate, counted = fcr(group["resolved"], now=now)
            median, p90, open_cases = customer_speed_index(group["created"])
            responses = [duration_bucket(s) for s in first_response_times(group_units, schedules)]
            row.update(
                {
                    "fcr": rate,
                    "fcr_cases": counted,
                    "fcr_so_far": fcr_so_far(group["resolved"]),
                    "repeat_rate": repeat_rate(group["inbound"]),
                    "identified_share": identified_share(group["inbound"]),
                    "csi_median_s": median,
                    "csi_p90_s": p90,
                    "csi_open_cases": open_cases,
                    "first_response_median_s": statistics.median(responses) if responses else None,
                    "first_response_within_norm": first_response_within_norm(
                        group_units, schedules, now=now, earlier=group["earlier"]
                    ),
                }
            )
        row["occupancy"] = occupancy(group["states"]) if group["states"] else None
        if has_backlog and backlog is not None:
            kept = [(n, oldest) for queue_id, channel, n, oldest in backlog
                    if by is None or (names.queues.get(queue_id) if by == "queue" else channel) == label]  # fmt: skip
            oldest_at = min((oldest for n, oldest in kept if n and oldest is not None), default=None)
            row["backlog"] = sum(n for n, _oldest in kept)
            row["oldest_backlog_age_s"] = (backlog_at - oldest_at).total_seconds() if oldest_at else None
        elif has_backlog:
            found = backlog_of(
                ((pk, since) for pk, since, queue_id, channel in waiting
                 if by is None or (names.queues.get(queue_id) if by == "queue" else channel) == label),
                now if end > now else backlog_at,
            )  # fmt: skip
            row["backlog"], row["oldest_backlog_age_s"] = found.count, found.oldest_age_s
        results.append(row)
    return results


_NO_PARTS: dict[str, Any] = {"fcr": None, "fcr_cases": 0, "fcr_so_far": None, "repeat_rate": None,
                             "identified_share": None, "csi_median_s": None, "csi_p90_s": None, "csi_open_cases": 0,
                             "first_response_median_s": None, "_norm": (0, 0)}  # fmt: skip


def _from_parts(
    found: dict[str, Any] | None, earlier: Sequence[Any], schedules: dict[int, Any], now: dt.datetime
) -> dict[str, Any]:
    """A group's figures over cases and customers from the day parts, with the live earlier overdue messages."""
    figures = dict(found or _NO_PARTS)
    within, counted = figures.pop("_norm")
    counted += sum(1 for queue_id, since in earlier if is_overdue(schedules, queue_id, since, now))
    figures["first_response_within_norm"] = ratio(within, counted)
    return figures
