"""The loyalty page reads its figures from one stored snapshot: equal to computing them from the orders, redone when
the orders or the segment rules change, and kept (with its time) while a new one is being computed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from contactpunt.customers import services as customers
from contactpunt.customers.identities import IdentityKey
from contactpunt.journey import cohorts, loyalty, segments, snapshot
from contactpunt.journey.models import LoyaltySnapshot, SegmentRule
from contactpunt.journey.services import OrderInput, record_orders
from contactpunt.ops import periodic
from contactpunt.people.models import User

pytestmark = pytest.mark.django_db
D = dt.date


def _orders(rows: list[tuple[str, dt.date, str]], first: int = 0) -> None:
    record_orders(
        [
            OrderInput(
                source="shop",
                external_id=f"O{first + n}",
                ordered_on=day,
                customer_id=customers.customer_for_identities([IdentityKey("email", "", email)]),
                amount=Decimal(amount),
            )
            for n, (email, day, amount) in enumerate(rows)
        ]
    )


def test_the_snapshot_equals_the_figures_from_the_orders_and_follows_their_changes(team_lead: User) -> None:
    _orders([("x@example.nl", D(2026, 1, 5), "10"), ("y@example.nl", D(2026, 2, 5), "5")])
    read = snapshot.read()  # none yet: computed now
    assert read.current and LoyaltySnapshot.objects.count() == 1
    assert read.cohorts == {by: cohorts.cohorts(by=by) for by in cohorts.PERIODS}
    assert read.movement == segments.movement(D(2026, 2, 5))
    assert read.profiles == segments.profiles(D(2026, 2, 5))
    assert read.groups == loyalty.returning_by_first_contact()
    # A page view reads the row: the figures are not computed again while nothing changed.
    lead = Client()
    lead.force_login(team_lead)
    with mock.patch.object(snapshot, "compute", side_effect=AssertionError("computed again")):
        assert "2026-02" in lead.get(reverse("journey:index")).content.decode()
    # New orders: the next read asks for a refresh (the tests' immediate backend runs it at once).
    _orders([("x@example.nl", D(2026, 3, 9), "20")], first=10)
    again = snapshot.read()
    assert again.current and [c.label for c in again.cohorts["month"]] == ["2026-01", "2026-02"]
    assert again.cohorts["month"][0].returning == 1.0 and LoyaltySnapshot.objects.count() == 1
    # A changed rule too; while the refresh waits in the queue the page shows the last figures and their time.
    SegmentRule.objects.filter(key="fans").update(value_min=5)
    with mock.patch.object(periodic, "is_pending", return_value=True):  # a refresh waits in the queue
        stale = snapshot.read()
        assert not stale.current and stale.cohorts == again.cohorts
        html = lead.get(reverse("journey:index")).content.decode()
    assert "new figures are being computed" in html or "nieuwe cijfers worden nu berekend" in html


def test_before_the_first_snapshot_the_page_asks_for_one_and_never_computes_it_itself(team_lead: User) -> None:
    _orders([("x@example.nl", D(2026, 1, 5), "10")])
    lead = Client()
    lead.force_login(team_lead)
    with (
        mock.patch.object(periodic, "is_pending", return_value=True),  # the first refresh waits in the queue
        mock.patch.object(snapshot, "compute", side_effect=AssertionError("computed by the page")),
    ):
        html = lead.get(reverse("journey:index")).content.decode()
    assert "De cijfers worden berekend" in html and "2026-01" not in html
    assert "Nog geen bestellingen" not in html and 'id="service-loyalty"' not in html  # nothing says "none"
    assert not LoyaltySnapshot.objects.exists()
