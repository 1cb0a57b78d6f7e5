"""The day parts as their definitions give them: the folding of `metrics`' functions over the events, one Python object
per contact and case. The product computes them set-based (`kpis.dayparts_sql`); the tests hold the two equal."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Q

from contactpunt.contacts.business_hours import Schedule, business_seconds, due_at
from contactpunt.contacts.models import Channel, Queue
from contactpunt.kpis import metrics
from contactpunt.kpis.dayparts import BACKLOG, CREATED, INBOUND, RESOLVED, WRITTEN
from contactpunt.kpis.facts import CONTACT, LEG, load_cases, load_units
from contactpunt.kpis.intervals import day_bounds
from contactpunt.kpis.intervals import zone as local_zone
from contactpunt.kpis.metrics.definitions import duration_bucket
from contactpunt.kpis.written import backlog_rows, load_schedules

#: day, kind, level, per agent, queue, channel, agent
Key = tuple[dt.date, str, str, bool, int, str, int | None]
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def us(at: dt.datetime) -> int:
    return (at - EPOCH) // dt.timedelta(microseconds=1)


def _empty() -> dict[str, Any]:
    return {"inbound": 0, "identified": 0, "repeats": 0, "fcr_cases": 0, "fcr_solved": 0, "fcr_pending": [],
            "created": 0, "open_cases": 0, "csi_h": defaultdict(int), "response_h": defaultdict(int),
            "norm_replied": 0, "norm_within": 0, "overdue": 0, "due": [], "backlog": 0, "oldest_us": None}  # fmt: skip


def build(first: dt.date, last: dt.date, *, now: dt.datetime) -> tuple[dict[Key, dict[str, Any]], dict[int, Any]]:
    """The day parts of the local days first..last as of `now`, by key, and each case first resolved on them:
    {case: (day, solved)}."""
    zone = local_zone()
    start, end = day_bounds(first, last, zone)
    parts: dict[Key, dict[str, Any]] = defaultdict(_empty)
    resolutions: dict[int, Any] = {}

    def day(at: dt.datetime) -> dt.date:
        return at.astimezone(zone).date()

    def both(at: dt.date, kind: str, queue: int, channel: str, agent: int | None) -> list[dict[str, Any]]:
        """The day part per agent and the one summed over the agents."""
        return [parts[(at, kind, CONTACT, True, queue, channel, agent)],
                parts[(at, kind, CONTACT, False, queue, channel, None)]]  # fmt: skip

    for i in metrics.load_inbound(start, end):
        p = parts[(day(i.occurred_at), INBOUND, CONTACT, False, i.queue_id, i.channel, None)]
        p["inbound"] += 1
        if i.customer_id is not None:
            p["identified"] += 1
            p["repeats"] += i.is_repeat
    resolved = [
        c
        for c in load_cases(Q(events__name="resolved", events__occurred_at__gte=start, events__occurred_at__lt=end))
        if c.first_resolved_at is not None and start <= c.first_resolved_at < end
    ]
    later = metrics._later_inbound(resolved)
    for c in {c.case_id: c for c in resolved}.values():
        assert c.first_resolved_at is not None
        solved = metrics.is_first_contact_resolution(c, later)
        resolutions[c.case_id] = (day(c.first_resolved_at), solved)
        for p in both(day(c.first_resolved_at), RESOLVED, c.queue_id, c.channel, c.resolved_by_id):
            if c.first_resolved_at + metrics.FCR_WINDOW <= now:
                p["fcr_cases"] += 1
                p["fcr_solved"] += solved
            else:
                p["fcr_pending"].append([us(c.first_resolved_at), int(solved)])
    created = load_cases(Q(contacts__occurred_at__gte=start, contacts__occurred_at__lt=end))
    for c in {c.case_id: c for c in created}.values():
        if not start <= c.opened_at < end:
            continue
        for p in both(day(c.opened_at), CREATED, c.queue_id, c.channel, c.resolved_by_id):
            p["created"] += 1
            if c.resolved_at is None:
                p["open_cases"] += 1
            else:
                p["csi_h"][str(duration_bucket((c.resolved_at - c.opened_at).total_seconds()))] += 1
    schedules = load_schedules()
    written = [c for c in Channel.values if c not in Channel.realtime()]
    for level in (CONTACT, LEG):
        for u in load_units(start, end, level=level, channels=written):
            found = [parts[(day(u.queued_at), WRITTEN, level, False, u.queue_id, u.channel, None)]]
            if level == LEG:
                found.append(parts[(day(u.queued_at), WRITTEN, level, True, u.queue_id, u.channel, u.agent_id)])
            schedule, norm = schedules.get(u.queue_id, (Schedule.always_open(), None))
            for p in found:
                if u.outcome == "answered" and u.outcome_at is not None:
                    seconds = business_seconds(schedule, u.queued_at, u.outcome_at)
                    p["response_h"][str(duration_bucket(seconds))] += 1
                    if norm is not None:
                        p["norm_replied"] += 1
                        p["norm_within"] += seconds <= norm
                elif norm is not None:
                    with contextlib.suppress(ValueError):  # never open: never overdue
                        due = due_at(schedule, u.queued_at, norm)
                        if due <= now:
                            p["overdue"] += 1
                        else:
                            p["due"].append(us(due))
    written_queues = list(Queue.objects.filter(channel__in=written).values_list("pk", "channel"))
    day_ = first
    while day_ <= last:
        _start, day_end = day_bounds(day_, day_, zone)
        for queue_id, channel in written_queues:
            parts[(day_, BACKLOG, CONTACT, False, queue_id, channel, None)]
        for _pk, arrived, queue_id, channel in backlog_rows(at=day_end, live=False):
            p = parts[(day_, BACKLOG, CONTACT, False, queue_id, channel, None)]
            p["backlog"] += 1
            p["oldest_us"] = min(us(arrived), p["oldest_us"] or us(arrived))
        day_ += dt.timedelta(days=1)
    return {key: {**p, "csi_h": dict(p["csi_h"]), "response_h": dict(p["response_h"])} for key, p in parts.items()}, (
        resolutions
    )
