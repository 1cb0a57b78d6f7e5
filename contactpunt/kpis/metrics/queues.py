"""Queue figures: offered, answered, abandoned, service level, ASA, abandon rate, reachability, AHT, transfers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from contactpunt.contacts.models import Channel
from contactpunt.kpis.facts import Unit
from contactpunt.kpis.metrics.definitions import ratio


def offered(units: Iterable[Unit]) -> int:
    """Offered = units that entered the queue (a contact's first `queued` event; per queue, per leg)."""
    return sum(1 for _ in units)


def answered(units: Iterable[Unit]) -> int:
    """Answered = offered units with an answer (written: a first public reply)."""
    return sum(1 for u in units if u.outcome == "answered")


def abandoned(units: Iterable[Unit]) -> int:
    """Abandoned = offered units that ended without an answer (short abandons included)."""
    return sum(1 for u in units if u.outcome == "abandoned")


def short_abandons(units: Iterable[Unit]) -> int:
    """Short abandons = abandoned with wait < the queue's short-abandon threshold, voice and chat only."""
    return sum(1 for u in units if u.is_short_abandon)


def service_level(
    units: Sequence[Unit], *, threshold_s: int | None = None, now: dt.datetime | None = None
) -> float | None:
    """Service level = answered with wait <= T / (offered - short abandons), on realtime channels (phone,
    chat) only: written channels have a response norm instead (`first_response_within_norm`).

    T is `threshold_s`, else each unit's queue threshold. Live (`now` given): a unit still waiting
    longer than T counts as missed, one waiting T or less is not counted yet.
    """
    within = 0
    counted = 0
    realtime = Channel.realtime()
    for u in units:
        limit = threshold_s if threshold_s is not None else u.sl_threshold_s
        if u.is_short_abandon or u.channel not in realtime:
            continue
        if u.outcome == "waiting" and now is not None and (now - u.queued_at).total_seconds() <= limit:
            continue
        counted += 1
        wait = u.wait_s
        if u.outcome == "answered" and wait is not None and wait <= limit:
            within += 1
    return ratio(within, counted)


def asa_s(units: Iterable[Unit]) -> float | None:
    """ASA = mean wait (answered_at - queued_at) of the answered units, in seconds."""
    waits = [u.wait_s for u in units if u.outcome == "answered" and u.wait_s is not None]
    return ratio(sum(waits), len(waits))


def abandon_rate(units: Sequence[Unit]) -> float | None:
    """Abandon rate = (abandoned - short abandons) / (offered - short abandons)."""
    short = short_abandons(units)
    return ratio(abandoned(units) - short, offered(units) - short)


def reachability(units: Sequence[Unit]) -> float | None:
    """Reachability = answered / offered."""
    return ratio(answered(units), offered(units))


def aht_s(units: Iterable[Unit]) -> float | None:
    """AHT = (talk + hold + wrap-up) / handled, in seconds: per leg at queue/team/agent level, per
    contact otherwise; written channels count work-session time."""
    handled = [u for u in units if u.is_handled]
    return ratio(sum(u.handle_s for u in handled), len(handled))


def transfer_rate(units: Iterable[Unit]) -> float | None:
    """Transfer rate = handled contacts with at least one transfer / handled contacts."""
    handled = [u for u in units if u.is_handled]
    return ratio(sum(1 for u in handled if u.is_transferred), len(handled))
