"""The demo's live mode outlasts a busy database: a locked batch is written again, any other failure starts a
fresh run, and neither ends the live thread (the demo stopped for good on one "database is locked")."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.db import OperationalError
from django.utils import timezone

from contactpunt.contacts.models import Contact
from contactpunt.simulation.run import continue_live, simulate
from contactpunt.simulation.scenarios import GREETING_CARDS
from contactpunt.simulation.writer import Writer

BUSY_AFTERNOON = dt.datetime(2026, 3, 10, 14, 0, tzinfo=dt.UTC)  # a Tuesday: contacts arrive every minute


def _failing_once(monkeypatch: pytest.MonkeyPatch, error: Exception) -> list[int]:
    """Make the first transaction a writer writes fail with `error`; return the list of rows-written calls."""
    calls: list[int] = []
    original: Callable[..., Any] = Writer._write_rows

    def write_rows(self: Writer, records: list[Any]) -> None:
        calls.append(len(records))
        if len(calls) == 1:
            raise error
        original(self, records)

    monkeypatch.setattr(Writer, "_write_rows", write_rows)
    return calls


def _contacts_written() -> bool:
    try:
        return Contact.objects.exists()
    except OperationalError:  # SQLite in memory answers "table is locked" while the live thread writes
        return False


def _run_live(result: Any, *, until: Callable[[], bool], **options: Any) -> threading.Thread:
    stop = threading.Event()
    thread = continue_live(result, stop, every_s=0.02, retry_s=0.02, **options)
    deadline = time.monotonic() + 60
    while not until() and time.monotonic() < deadline:
        time.sleep(0.05)
    alive = thread.is_alive()
    stop.set()
    thread.join(60)
    assert alive  # the failure did not end the live mode
    return thread


@pytest.mark.django_db(transaction=True)
def test_a_batch_refused_by_a_locked_database_is_written_again_and_counted_once(monkeypatch, caplog):
    caplog.set_level(logging.WARNING, logger="contactpunt.simulation.run")
    with time_machine.travel(BUSY_AFTERNOON, tick=True):
        result = simulate(GREETING_CARDS, days=0, seed=2, scale=0.2, end=timezone.now() - dt.timedelta(hours=1),
                          start_now=True)  # fmt: skip
        calls = _failing_once(monkeypatch, OperationalError("database is locked"))
        _run_live(result, until=lambda: len(calls) >= 2)

    assert calls[0] == calls[1]  # the same batch, again
    assert "the database is locked; the live simulation writes again" in caplog.text
    assert "the live simulation failed" not in caplog.text
    assert Contact.objects.count() == result.tallies.contacts > 0  # written once, tallied once


@pytest.mark.django_db(transaction=True)
def test_after_any_other_failure_the_live_mode_starts_a_fresh_run_and_says_so(monkeypatch, caplog):
    caplog.set_level(logging.WARNING, logger="contactpunt.simulation.run")
    with time_machine.travel(BUSY_AFTERNOON, tick=True):
        result = simulate(GREETING_CARDS, days=0, seed=2, scale=0.2, end=timezone.now() - dt.timedelta(hours=1),
                          start_now=True)  # fmt: skip
        calls = _failing_once(monkeypatch, ValueError("a bug in one batch"))
        _run_live(result, until=_contacts_written, speed=600.0)

    assert "the live simulation failed; it starts again" in caplog.text
    assert "the live simulation started again" in caplog.text
    assert len(calls) >= 2 and Contact.objects.exists()  # the fresh run writes
    assert result.closed
