"""The handled legs behind cost to serve, from the event log: folded per local day into `CostPart` rows (kept with
the day parts, see `dayparts.rebuild`) or over any period for the definition (`contactpunt.kpis.cost`).

A handled leg with an agent counts its handling time (talk + hold + wrap-up; written channels: work sessions) for
its agent, queue, the customer's account, the case's product type and the case's contact reason, on the day it
entered the queue. A contact counts once, with its first handled leg: a contact whose legs fall on two days (or
in two periods) is counted where its first handled leg is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from contactpunt.contacts.models import Case
from contactpunt.kpis import dayparts
from contactpunt.kpis.facts import LEG, QueueRules, load_units
from contactpunt.kpis.intervals import zone as local_zone
from contactpunt.kpis.models import CostPart

#: agent, queue, account, case product type, reason
Key = tuple[int, int, int | None, int | None, int | None]


@dataclass(slots=True)
class Sums:
    legs: int = 0
    contacts: int = 0
    handle_s: float = 0.0


def handled(
    start: dt.datetime, end: dt.datetime, *, rules: dict[int, QueueRules] | None = None
) -> list[tuple[dt.datetime, Key, bool, float]]:
    """(entered the queue, key, first handled leg of its contact, handling seconds) of every handled leg with an
    agent that entered a queue in [start, end)."""
    units = load_units(start, end, level=LEG, rules=rules, whole_contacts=True)
    first: dict[int, int] = {}
    for position, u in enumerate(units):
        if u.is_handled and u.agent_id is not None and u.contact_id not in first:
            first[u.contact_id] = position
    kept = [(p, u) for p, u in enumerate(units) if u.contact_id in first and start <= u.queued_at < end]
    kept = [(p, u) for p, u in kept if u.is_handled and u.agent_id is not None]
    reasons = _reasons(sorted({u.case_id for _p, u in kept}))
    legs = []
    for position, u in kept:
        assert u.agent_id is not None
        key = (u.agent_id, u.queue_id, u.account_id, u.product_type_id, reasons.get(u.case_id))
        legs.append((u.queued_at, key, first[u.contact_id] == position, u.handle_s))
    return legs


def fold(legs: Iterable[tuple[dt.datetime, Key, bool, float]]) -> dict[Key, Sums]:
    sums: dict[Key, Sums] = {}
    for _at, key, is_first, seconds in legs:
        s = sums.get(key)
        if s is None:
            s = sums[key] = Sums()
        s.legs += 1
        s.contacts += is_first
        s.handle_s += seconds
    return sums


def build(first: dt.date, last: dt.date, zone: ZoneInfo) -> list[CostPart]:
    """The cost parts of the local days `first` to `last` (not saved), computed set-based (`dayparts_sql`, held equal
    to `handled` folded per day by the tests). `zone` is the configured one (the days are kept in it)."""
    assert zone.key == local_zone().key
    return dayparts.build(first, last, costs=True, only=()).costs


def _reasons(case_ids: Sequence[int]) -> dict[int, int]:
    reasons: dict[int, int] = {}
    for chunk in range(0, len(case_ids), 5000):
        reasons.update(
            Case.objects.filter(pk__in=case_ids[chunk : chunk + 5000], reason__isnull=False).values_list(
                "pk", "reason_id"
            )
        )
    return reasons
