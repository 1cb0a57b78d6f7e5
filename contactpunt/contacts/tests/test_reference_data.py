"""Calendars and contact reasons made through `contacts.services.reference`."""

from __future__ import annotations

import datetime as dt

import pytest

from contactpunt.contacts.services.reference import ensure_calendar, ensure_reason

pytestmark = pytest.mark.django_db


def test_a_calendar_gets_its_windows_once():
    windows = [(d, dt.time(9), dt.time(17)) for d in range(5)]
    calendar = ensure_calendar("Kantoor", windows=windows)
    again = ensure_calendar("Kantoor", windows=[(6, dt.time(10), dt.time(12))])
    assert again == calendar
    assert list(calendar.opening_hours.values_list("weekday", flat=True)) == [0, 1, 2, 3, 4]


def test_a_window_that_closes_before_it_opens_is_refused_and_nothing_is_made():
    with pytest.raises(ValueError, match="opening window"):
        ensure_calendar("Fout", windows=[(0, dt.time(17), dt.time(9))])
    from contactpunt.contacts.models import BusinessCalendar

    assert not BusinessCalendar.objects.filter(name="Fout").exists()


def test_reasons_form_a_tree_and_are_reused_by_code():
    parent = ensure_reason("bestelling", name="Bestelling")
    child = ensure_reason("bestelling-status", name="Status", parent=parent)
    assert ensure_reason("bestelling-status", name="Anders") == child
    child.refresh_from_db()
    assert child.parent == parent and child.name == "Status"
