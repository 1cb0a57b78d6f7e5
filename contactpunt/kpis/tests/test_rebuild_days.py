"""`rollups.rebuild_days` computes the units of a span once, into a temporary table that the interval rollups, the
written day parts and the cost parts read: it writes exactly the rows that rebuilding each from the events writes
(`rollups.rebuild`, `dayparts.rebuild`), over calls and e-mails on two days, replied, unreplied and transferred."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from contactpunt.kpis import dayparts, rollups
from contactpunt.kpis.intervals import day_bounds, zone
from contactpunt.kpis.models import CostPart, DayPart, DayRollup, IntervalRollup
from contactpunt.kpis.tests.helpers import arrive, call, event
from contactpunt.people.models import User

FIRST, LAST = dt.date(2026, 3, 9), dt.date(2026, 3, 10)


def _rows() -> dict[str, list[tuple[Any, ...]]]:
    def of(model: Any, exclude: tuple[str, ...] = ("id",)) -> list[tuple[Any, ...]]:
        names = [f.attname for f in model._meta.concrete_fields if f.attname not in exclude]
        return sorted((tuple(repr(v) for v in row) for row in model.objects.values_list(*names)), key=repr)

    return {m.__name__: of(m) for m in (IntervalRollup, DayRollup, DayPart, CostPart)}


@pytest.mark.django_db
def test_rebuilding_the_days_over_shared_units_writes_the_rows_of_each_rebuild(
    phone_queue: Any, email_queue: Any, agent: User
) -> None:
    start, _end = day_bounds(FIRST, FIRST, zone())
    for hours, wait in ((9, 10.0), (9.25, 400.0), (13, 3.0), (23.9, 30.0), (33, 12.0)):
        call(phone_queue, start + dt.timedelta(hours=hours), wait=wait, talk=90, wrap=20, agent=agent)
    abandoned = arrive(phone_queue, start + dt.timedelta(hours=10))
    event(abandoned, "abandoned", start + dt.timedelta(hours=10, seconds=4))
    for hours, reply in ((8, 2.0), (20, None), (30, 0.5)):
        mail = arrive(email_queue, start + dt.timedelta(hours=hours), caller="klant@example.nl")
        if reply is not None:
            event(mail, "replied", start + dt.timedelta(hours=hours + reply), agent=agent)
    first, last = day_bounds(FIRST, LAST, zone())
    rollups.rebuild(first, last)
    dayparts.rebuild(FIRST, LAST)
    each = _rows()
    for model in (IntervalRollup, DayRollup, DayPart, CostPart):
        model.objects.all().delete()

    written = rollups.rebuild_days(FIRST, LAST)

    assert _rows() == each
    assert written == (len(each["IntervalRollup"]), len(each["DayPart"]) + len(each["CostPart"]))
    assert each["IntervalRollup"] and each["CostPart"] and each["DayPart"]
