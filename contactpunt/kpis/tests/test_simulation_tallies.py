"""The simulator's own tallies of a run equal the `kpis` figures of the same run (the simulator issue's check)."""

from __future__ import annotations

import datetime as dt

import pytest

from contactpunt.contacts.models import Channel, Queue
from contactpunt.kpis import metrics
from contactpunt.kpis.facts import CONTACT, LEG, load_units
from contactpunt.simulation.run import simulate
from contactpunt.simulation.scenarios import GREETING_CARDS

pytestmark = pytest.mark.django_db
END = dt.datetime(2026, 2, 20, 12, 0, tzinfo=dt.UTC)


def test_kpis_count_what_the_simulator_tallied():
    result = simulate(GREETING_CARDS, days=2, seed=5, scale=0.25, end=END)
    tallies = result.tallies
    legs = load_units(result.start, result.end, level=LEG)
    contacts = load_units(result.start, result.end, level=CONTACT)
    channels = dict(Queue.objects.values_list("code", "channel"))
    assert metrics.offered(contacts) == tallies.contacts
    assert metrics.abandoned(legs) == tallies.abandoned  # a call answered, transferred, then abandoned: per leg
    assert sum(1 for u in contacts if u.is_transferred) == tallies.transferred_contacts
    compared = 0
    for code, tally in tallies.by_queue.items():
        queue_units = [u for u in legs if u.queue_id == Queue.objects.get(code=code).pk]
        assert metrics.offered(queue_units) == tally.offered, code
        if channels[code] not in Channel.realtime():
            continue  # written channels: kpis count the first public reply as the answer
        within = sum(1 for u in queue_units if u.outcome == "answered" and (u.wait_s or 0) <= u.sl_threshold_s)
        figures = (metrics.answered(queue_units), within, metrics.abandoned(queue_units),
                   metrics.short_abandons(queue_units))  # fmt: skip
        assert figures == (tally.answered, tally.answered_within_threshold, tally.abandoned, tally.short_abandoned), (
            code
        )
        assert (metrics.asa_s(queue_units) or 0.0) * tally.answered == pytest.approx(tally.answered_wait_s), code
        compared += 1
    assert compared >= 2
    # Holds (the simulator's hold_ended entries) are the hold time kpis read from the events, and
    # the written channels' handling time is their work sessions.
    assert sum(u.hold_s for u in legs) == pytest.approx(tallies.hold_s)
    assert tallies.hold_s > 0
    written = [u for u in contacts if u.channel not in Channel.realtime() and u.outcome == "answered"]
    assert sum(u.talk_s for u in written) == pytest.approx(tallies.work_session_s)
    inbound = metrics.load_inbound(result.start, result.end)
    identified = [i for i in inbound if i.customer_id is not None]
    assert (sum(i.is_repeat for i in identified), len(identified)) == (
        tallies.repeat_contacts,
        tallies.identified_contacts,
    )
