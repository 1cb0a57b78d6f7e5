"""The simulated history leaves no case open with nothing waiting: a handled contact's case is closed with its
outcome (an unsolved question comes back as the customer's repeat contact), an abandoned one's at once."""

from __future__ import annotations

import datetime as dt

import pytest

from contactpunt.contacts.inbox import open_cases, waiting_contacts
from contactpunt.contacts.models import CaseStatus, Contact, ContactStatus
from contactpunt.contacts.tests.checks import assert_waiting_kept
from contactpunt.simulation.run import simulate
from contactpunt.simulation.scenarios import GREETING_CARDS

# Friday 20 February 2026, 13:00 in Amsterdam: every queue open, calls and chats going on at the end of the run.
END = dt.datetime(2026, 2, 20, 12, 0, tzinfo=dt.UTC)

pytestmark = pytest.mark.django_db


def test_every_open_case_has_a_contact_that_waits_or_is_being_handled() -> None:
    result = simulate(GREETING_CARDS, days=3, seed=5, scale=0.25, end=END)
    result.close()

    still_open = open_cases()
    assert still_open.exists()
    waiting_cases = set(waiting_contacts().values_list("case_id", flat=True))
    in_hand = set(
        Contact.objects.filter(case__in=still_open, status=ContactStatus.IN_PROGRESS).values_list("case_id", flat=True)
    )
    open_ids = set(still_open.values_list("pk", flat=True))
    assert waiting_cases  # the backlog and the queues at 13:00
    assert open_ids == waiting_cases | in_hand  # nothing open with nothing waiting in it
    # Abandoned contacts' cases are closed with their outcome, and unsolved questions come back.
    abandoned = Contact.objects.filter(status=ContactStatus.ABANDONED)
    assert abandoned.exists()
    assert not abandoned.filter(case__status__in=[CaseStatus.OPEN, CaseStatus.PENDING]).exists()
    assert result.tallies.repeats_caused > 0
    assert_waiting_kept()  # what the inbox ranks on, kept through the whole simulated history
