"""The loyalty page's figures, computed in the background and kept as one row (`LoyaltySnapshot`).

Cohorts, RFM segments and their movement read every order and customer: seconds on a long history, too much for a
page request. `refresh` computes them (the long lane: after an order import, a change of segment rule, and once a
day as the 90 days of the profiles move on); the page reads the latest row and asks for a refresh when what it was
computed from changed (`fingerprint`), showing the figures of the last computation meanwhile with their time, or, before
the first, that they are being computed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max
from django.utils import timezone

from contactpunt.journey import cohorts, loyalty, segments
from contactpunt.journey.models import LoyaltySnapshot, Order, SegmentRule
from contactpunt.ops import periodic


@dataclass(frozen=True, slots=True)
class Loyalty:
    computed_at: dt.datetime | None
    current: bool
    cohorts: dict[str, list[cohorts.Cohort]]
    movement: segments.Movement | None
    profiles: list[segments.Profile]
    groups: list[loyalty.Group]


def fingerprint() -> str:
    """What the figures depend on, cheaply: the orders (count, newest id), the segment rules and the local day."""
    orders = Order.objects.aggregate(n=Count("id"), last=Max("id"))
    rules = list(
        SegmentRule.objects.order_by("pk").values_list(
            "pk", "key", "position", "recency_min", "recency_max", "frequency_min", "frequency_max", "value_min",
            "value_max",
        )
    )  # fmt: skip
    digest = hashlib.sha256(repr(rules).encode()).hexdigest()[:16]
    return f"{orders['n']}:{orders['last']}:{digest}:{timezone.localdate().isoformat()}"


def compute() -> dict[str, Any]:
    """Every figure of the page, as JSON."""
    latest = Order.objects.order_by("-ordered_on").values_list("ordered_on", flat=True).first()
    move = segments.movement(latest) if latest else None
    return {
        "cohorts": {by: [dataclasses.asdict(c) for c in cohorts.cohorts(by=by)] for by in cohorts.PERIODS},
        "movement": None
        if move is None
        else {
            "before": move.before.isoformat(),
            "after": move.after.isoformat(),
            "counts": [[source, target, n] for (source, target), n in move.counts.items()],
            "sizes": move.sizes,
        },
        "profiles": [dataclasses.asdict(p) for p in (segments.profiles(latest) if latest else [])],
        "groups": [dataclasses.asdict(g) for g in loyalty.returning_by_first_contact()],
    }


def refresh() -> LoyaltySnapshot:
    """Compute the figures now and keep them as the only snapshot."""
    mark = fingerprint()
    snapshot = LoyaltySnapshot.objects.create(computed_at=timezone.now(), fingerprint=mark, data=compute())
    LoyaltySnapshot.objects.exclude(pk=snapshot.pk).delete()
    return snapshot


def read() -> Loyalty:
    """The latest figures; a refresh is asked for when they are out of date or missing. Before the first one is
    done the figures are empty (`computed_at` None): the page never computes them itself (seconds on a long
    history, and several visitors at once would each do it)."""
    from contactpunt.journey.tasks import refresh_loyalty  # the tasks module imports this one

    snapshot = LoyaltySnapshot.objects.order_by("-computed_at", "-pk").first()
    current = snapshot is not None and snapshot.fingerprint == fingerprint()
    if not current and not periodic.is_pending(refresh_loyalty, now=timezone.now()):
        refresh_loyalty.enqueue()  # an immediate backend (tests) has run it: read what it wrote
        snapshot = LoyaltySnapshot.objects.order_by("-computed_at", "-pk").first() or snapshot
        current = snapshot is not None and snapshot.fingerprint == fingerprint()
    if snapshot is None:
        return Loyalty(computed_at=None, current=False, cohorts={}, movement=None, profiles=[], groups=[])
    data = snapshot.data
    move = data["movement"]
    return Loyalty(
        computed_at=snapshot.computed_at,
        current=current,
        cohorts={by: [cohorts.Cohort(**c) for c in rows] for by, rows in data["cohorts"].items()},
        movement=None
        if move is None
        else segments.Movement(
            dt.date.fromisoformat(move["before"]),
            dt.date.fromisoformat(move["after"]),
            {(source, target): n for source, target, n in move["counts"]},
            move["sizes"],
        ),
        profiles=[
            segments.Profile(
                p["segment"],
                p["customers"],
                p["contacts"],
                [tuple(r) for r in p["top_reasons"]],
                p.get("answers", 0),  # a snapshot from before NPS per segment has none
                p.get("promoters", 0),
                p.get("detractors", 0),
            )
            for p in data["profiles"]
        ],
        groups=[loyalty.Group(**g) for g in data["groups"]],
    )
