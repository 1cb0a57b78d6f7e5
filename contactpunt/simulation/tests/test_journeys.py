"""The simulated journeys: the holiday parks' stays with guests and about 67% returning within two years, the B2B
supplier's orders per account with product types; written once however often the demo starts."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from contactpunt.customers.models import Customer
from contactpunt.journey import cohorts
from contactpunt.journey.models import Order, Participant
from contactpunt.simulation.journeys import write_journeys
from contactpunt.simulation.run import simulate
from contactpunt.simulation.scenarios import B2B_SUPPLIER, HOLIDAY_PARKS

pytestmark = pytest.mark.django_db
END = dt.datetime(2026, 3, 4, 12, tzinfo=dt.UTC)


def test_holiday_parks_stays_with_guests_and_returning_guests() -> None:
    result = simulate(HOLIDAY_PARKS, days=2, seed=5, scale=0.5, end=END)
    result.close()
    stays = Order.objects.filter(kind="stay")
    assert stays.count() > 100
    assert Participant.objects.filter(role="fellow_traveller").count() > 50
    guests = Customer.objects.filter(participations__role="fellow_traveller")
    assert not guests.filter(cases__isnull=False).exists()  # guests are customers of their own, not the bookers
    assert stays.exclude(starts_on__isnull=False).count() == 0
    # cohorts whose two years have passed: about 67% came back (a binomial share of a few hundred guests)
    old = [c for c in cohorts.cohorts() if c.label <= "2024-02"]
    size = sum(c.size for c in old)
    share = sum(c.returning * c.size for c in old) / size
    assert size > 50 and abs(share - 0.67) < 0.12
    before = Order.objects.count(), Customer.objects.count()
    began = time.perf_counter()
    write_journeys(HOLIDAY_PARKS.name, today=END.date(), seed=5, source="sim-holiday-parks")
    assert (Order.objects.count(), Customer.objects.count()) == before  # written once
    assert time.perf_counter() - began < 5


def test_b2b_orders_carry_their_account_and_product_type() -> None:
    simulate(B2B_SUPPLIER, days=1, seed=2, scale=0.3, end=END).close()
    orders = Order.objects.filter(kind="order")
    assert orders.exists() and not orders.filter(product_type__isnull=True).exists()
    assert orders.filter(account__isnull=False).count() > orders.count() // 2
