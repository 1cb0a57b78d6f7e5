"""The engine in a child process gives the records the engine gives in this one, and keeps going live."""

from __future__ import annotations

import datetime as dt
import gc
import io
import json
import threading
import time

import pytest
import time_machine
from django.core.management import call_command
from django.db import OperationalError
from django.utils import timezone

from contactpunt.contacts.models import Contact
from contactpunt.simulation.engine import DAY, Engine
from contactpunt.simulation.engine_process import EngineError, EngineProcess
from contactpunt.simulation.run import continue_live, simulate
from contactpunt.simulation.scenarios import GREETING_CARDS

START = dt.datetime(2026, 2, 10, 23, 0, tzinfo=dt.UTC)
# An ordinary Tuesday afternoon: the two hours before it have calls whatever day and hour the tests run on.
BUSY_AFTERNOON = dt.datetime(2026, 3, 10, 14, 0, tzinfo=dt.UTC)


def test_the_child_process_gives_the_same_records_as_the_engine_here():
    arguments = {"start": START, "seed": 9, "scale": 0.3, "days": 2.0}
    moments = [DAY / 2, DAY, 2 * DAY]
    here = list(Engine(GREETING_CARDS, **arguments).records(moments))
    child = EngineProcess(GREETING_CARDS, **arguments)
    try:
        there = list(child.records(moments))
        later = next(child.records([2.5 * DAY]))  # it keeps its state between requests
    finally:
        child.close()

    assert [len(batch) for batch in there] == [len(batch) for batch in here]
    assert there == here
    assert sum(1 for r in here[1] if r[1] == "arrive") > 50
    assert later and all(2 * DAY <= r[0] < 2.5 * DAY for r in later)


def test_a_failure_in_the_child_is_raised_here_with_its_traceback():
    child = EngineProcess(GREETING_CARDS, start=START, seed=1, no_such_argument=True)
    try:
        with pytest.raises(EngineError, match="no_such_argument"):
            list(child.records([DAY]))
    finally:
        child.close()


@pytest.mark.django_db(transaction=True)
def test_a_history_written_from_the_child_goes_on_live_and_the_child_stops_with_it():
    with time_machine.travel(BUSY_AFTERNOON, tick=True):
        _history_from_the_child_goes_on_live()


def _history_from_the_child_goes_on_live() -> None:
    history_end = timezone.now() - dt.timedelta(hours=2)
    result = simulate(GREETING_CARDS, days=1, seed=4, scale=0.1, end=history_end, engine_process=True)
    written = Contact.objects.count()
    in_process = simulate(GREETING_CARDS, days=1, seed=4, scale=0.1, end=history_end, write=False).tallies

    assert written == result.tallies.contacts == in_process.contacts > 20
    assert (result.tallies.handled, result.tallies.transfers) == (in_process.handled, in_process.transfers)
    assert result.tallies.by_day == in_process.by_day and sum(in_process.by_day.values()) == written
    assert gc.isenabled()  # paused only while the history was written

    stop = threading.Event()
    thread = continue_live(result, stop, every_s=0.05)
    deadline = time.monotonic() + 120  # returns as soon as the live thread wrote; a busy machine is slow
    while _contacts_now() in (None, written) and time.monotonic() < deadline:
        time.sleep(0.1)  # the two hours since the history's end are simulated at once
    stop.set()
    thread.join(120)  # a busy machine may need long to finish the batch it is writing

    assert Contact.objects.count() > written
    assert not thread.is_alive()
    assert isinstance(result.source, EngineProcess) and result.source._process.poll() is not None


def _contacts_now() -> int | None:
    """Return the number of contacts, or None while the live thread's write holds the table (SQLite in memory
    answers "table is locked" at once instead of waiting)."""
    try:
        return Contact.objects.count()
    except OperationalError:
        return None


@pytest.mark.django_db
def test_the_simulate_command_writes_from_the_child_and_counts_per_day():
    out = io.StringIO()
    call_command("simulate", "--scenario", "holiday-parks", "--days", "2", "--scale", "0.2", "--json", stdout=out)
    summary = json.loads(out.getvalue())

    assert summary["contacts"] == Contact.objects.count() > 20
    assert sum(summary["contacts_by_day"].values()) == summary["contacts"]
    assert len(summary["contacts_by_day"]) in (2, 3)  # two days back from now: two or three local dates
