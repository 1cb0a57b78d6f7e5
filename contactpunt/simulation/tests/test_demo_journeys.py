"""The demo's business customers and workshop bookings: accounts with a product type and staff, their orders, and
bookings whose guests are customers of their own; written once, set-based (as many queries for more customers)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contactpunt.audit.models import AuditEntry
from contactpunt.contacts.models import Queue
from contactpunt.contacts.tests.workspace_data import mail
from contactpunt.customers.models import Account, Consent, Customer
from contactpunt.journey.models import STAGES, Order, OrderKind, Participant
from contactpunt.simulation.demo_journeys import RETAILERS, write_demo_journeys

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 4)
AT = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)


def _customers(queue: Queue, first: int, count: int) -> None:
    for n in range(first, first + count):
        mail(queue, AT, f"m{n}", sender=f"klant{n}@example.nl", name=f"Klant {n}")


def test_retailers_with_orders_and_workshops_with_their_guests(email_queue: Queue) -> None:
    _customers(email_queue, 0, 200)
    written = write_demo_journeys(today=TODAY, seed=3, source="demo")
    assert written.accounts == len(RETAILERS) == Account.objects.count()
    # every retailer buys one product type and has staff among the demo's customers
    assert not Account.objects.filter(product_type__isnull=True).exists()
    staff = Customer.objects.filter(account__isnull=False)
    assert staff.count() >= 3 * len(RETAILERS)
    b2b = Order.objects.filter(account__isnull=False)
    assert b2b.count() == written.account_orders > 30 * len(RETAILERS)  # every few weeks for three years
    assert not b2b.exclude(customer__in=staff).exists()  # ordered by the retailer's own staff
    assert not b2b.exclude(product_type_id__in=Account.objects.values("product_type_id")).exists()
    assert b2b.filter(ordered_on=TODAY).count() <= len(RETAILERS) and b2b.filter(ordered_on__gt=TODAY).count() == 0
    # workshops: booked by consumers (not the retailers' staff), guests are new customers of their own
    bookings = Order.objects.filter(kind=OrderKind.BOOKING)
    assert bookings.count() == written.bookings == round((200 - staff.count()) * 0.04)
    assert not bookings.filter(customer__account__isnull=False).exists()
    guests = Participant.objects.filter(role="fellow_traveller")
    assert guests.count() == written.participants
    assert not guests.filter(customer__cases__isnull=False).exists()
    assert guests.values("customer_id").distinct().count() == guests.count()  # never merged into one
    assert set(bookings.values_list("stage", flat=True)) <= set(STAGES[OrderKind.BOOKING])
    for order in bookings:
        assert order.starts_on is not None and order.starts_on == order.ends_on
        upcoming = order.starts_on > TODAY
        assert (order.stage in ("booked", "before_arrival")) == upcoming
    # about half the bookers agreed to offers by e-mail on the booking form, from the booking system, audited
    said = Consent.objects.filter(purpose="marketing")
    assert 0.3 < said.count() / bookings.count() < 0.8
    assert set(said.values_list("channel", "is_granted", "source")) == {("email", True, "integration")}
    assert not said.exclude(customer_id__in=bookings.values("customer_id")).exists()
    assert AuditEntry.objects.filter(action="customer.consent_recorded").count() == Consent.objects.count()
    # written once
    again = write_demo_journeys(today=TODAY, seed=3, source="demo")
    assert (again.accounts, again.account_orders, again.bookings) == (0, 0, 0)
    assert Account.objects.count() == len(RETAILERS)


def test_as_many_queries_for_more_customers(email_queue: Queue) -> None:
    def forget() -> None:
        Order.objects.all().delete()
        Account.objects.all().delete()
        Consent.objects.all().delete()

    _customers(email_queue, 0, 150)
    write_demo_journeys(today=TODAY, seed=4, source="demo")  # the product types exist from here on
    forget()
    with CaptureQueriesContext(connection) as small:
        write_demo_journeys(today=TODAY, seed=4, source="demo")
    forget()
    _customers(email_queue, 150, 150)
    with CaptureQueriesContext(connection) as large:
        write_demo_journeys(today=TODAY, seed=4, source="demo")
    assert len(large) == len(small)
