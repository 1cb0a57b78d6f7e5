"""The simulated journeys: the holiday parks' stays with guests and about 67% returning within two years, the B2B
supplier's orders per account with product types; written once however often the demo starts."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.db.models import Count, F

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
    # every stage of a stay is there for the journey panel: booked, before arrival, during, after
    assert set(stays.values_list("stage", flat=True)) == {"booked", "before_arrival", "during", "after"}
    # guests are customers of their own: never the booker, never merged into anyone
    travellers = Participant.objects.filter(role="fellow_traveller")
    assert not travellers.filter(customer_id=F("order__customer_id")).exists()
    assert not guests.filter(merged_into__isnull=False).exists() and not guests.filter(orders__isnull=False).exists()
    # a returning booker mostly brings the same people: those guests are recognised, with several stays
    again = travellers.values("customer_id").annotate(n=Count("order_id")).filter(n__gt=1)
    assert again.count() > 20
    for row in again[:20]:
        bookers = set(travellers.filter(customer_id=row["customer_id"]).values_list("order__customer_id", flat=True))
        assert len(bookers) == 1  # with the same booker each time
    # cohorts whose two years have passed: about 67% came back (a binomial share of a few hundred guests)
    old = [c for c in cohorts.cohorts() if c.label <= "2024-02"]
    size = sum(c.size for c in old)
    share = sum(c.returning * c.size for c in old) / size
    assert size > 50 and abs(share - 0.67) < 0.08, (size, share)
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
