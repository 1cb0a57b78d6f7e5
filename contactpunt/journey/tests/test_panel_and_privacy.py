"""The journey in the customer 360 of the case page, and the customer's journey in their export and erasure."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contactpunt.conftest import make_user
from contactpunt.contacts.models import Case, Queue
from contactpunt.contacts.services.customers import erase_customer, export_customer, merge_customers
from contactpunt.contacts.tests.workspace_data import mail, skill
from contactpunt.customers import services as customers
from contactpunt.customers.identities import IdentityKey
from contactpunt.customers.models import Customer
from contactpunt.journey.models import Order, Participant, StageChange
from contactpunt.journey.services import OrderInput, change_stage, record_order
from contactpunt.people.models import Role, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(email_queue: Queue) -> Case:
    email_queue.skills.add(skill("nl"))
    return mail(email_queue, timezone.now() - dt.timedelta(hours=1), "m1")


def _stay(case: Case) -> Order:
    assert case.customer_id is not None
    guest = customers.customer_for_identities([IdentityKey("email", "", "gast@example.nl")], name="Gijs Gast")
    assert guest is not None
    order = record_order(
        OrderInput(
            source="parks",
            external_id="B-1",
            kind="stay",
            ordered_on=dt.date(2026, 3, 1),
            customer_id=case.customer_id,
            amount=Decimal("849.50"),
            starts_on=dt.date(2026, 7, 10),
            fellow_travellers=(guest,),
        )
    ).order
    change_stage(order=order, stage="before_arrival", occurred_at=dt.datetime(2026, 7, 1, tzinfo=dt.UTC))
    return order


def test_the_case_page_shows_the_stay_with_its_stage(case: Case, agent: User) -> None:
    _stay(case)
    agent.skills.add(skill("nl"))
    client = Client()
    client.force_login(agent)
    page = client.get(reverse("workspace:case", args=[case.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "B-1" in html and 'data-stage="before_arrival"' in html
    # the guest by name and role; their contact data only for the roles that see every queue (test_guest_privacy)
    assert "Gijs Gast" in html and 'data-details="none"' in html and "gast@example.nl" not in html
    lead = make_user("lea", Role.TEAM_LEAD)
    lead_client = Client()
    lead_client.force_login(lead)
    assert "gast@example.nl" in lead_client.get(reverse("workspace:case", args=[case.pk])).content.decode()


def test_the_journey_is_exported_and_erased(case: Case) -> None:
    order = _stay(case)
    guest_id = Participant.objects.get(order=order, role="fellow_traveller").customer_id
    manager = make_user("mia", Role.MANAGER)
    assert case.customer is not None
    exported = export_customer(customer=case.customer, by=manager)
    journey = exported["journey"]
    assert journey["orders"][0]["order_id"] == "B-1"
    assert [s["stage"] for s in journey["orders"][0]["stages"]] == ["booked", "before_arrival"]
    guest = case.customer.__class__.objects.get(pk=guest_id)
    assert export_customer(customer=guest, by=manager)["journey"]["guest_in"][0]["role"] == ("fellow_traveller")
    erase_customer(customer=case.customer, by=manager, reason="verzoek klant")
    assert not Order.objects.exists() and not StageChange.objects.exists() and not Participant.objects.exists()


def test_orders_follow_a_merge(case: Case, django_capture_on_commit_callbacks: Any) -> None:
    order = _stay(case)
    assert case.customer is not None
    other = customers.customer_for_identities([IdentityKey("email", "", "ander@example.nl")])
    assert other is not None
    record_order(
        OrderInput(source="parks", external_id="B-2", kind="stay", ordered_on=dt.date(2026, 4, 1), customer_id=other)
    )
    source = Customer.objects.get(pk=other)
    with django_capture_on_commit_callbacks(execute=True):
        merge_customers(source=source, target=case.customer, by=None)
    assert set(Order.objects.values_list("customer_id", flat=True)) == {case.customer_id}
    assert Participant.objects.filter(customer_id=other).count() == 0
    assert order.participants.count() == 2  # the guest stays a customer of their own


def test_a_customer_read_with_a_visible_case_is_not_asked_about_again_and_others_still_are(
    case: Case, agent: User, email_queue: Queue
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from contactpunt.access import get_case_for_user, may_see_customer

    outsider = make_user("buiten", Role.AGENT)  # no skill: may not see this queue's cases
    agent.skills.add(skill("nl"))
    opened = get_case_for_user(agent, case.pk)
    assert opened.customer is not None
    with CaptureQueriesContext(connection) as queries:
        assert may_see_customer(agent, opened.customer)
    assert len(queries) == 0
    assert not may_see_customer(outsider, opened.customer)  # the mark is the agent's, not the object's
    assert not may_see_customer(outsider, Customer.objects.get(pk=opened.customer.pk))
    assert may_see_customer(agent, Customer.objects.get(pk=opened.customer.pk))  # asked, and allowed
