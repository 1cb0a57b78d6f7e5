"""Cost to serve on a hand-computed case: paid time (handling plus its share of idle time and shrinkage) times the
department's rate, per account, product type and contact reason, with the cost per contact and per order."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from contactpunt.conftest import make_user
from contactpunt.contacts.models import Contact, Queue
from contactpunt.contacts.services.events import record_agent_state
from contactpunt.contacts.services.inbound import receive_contact
from contactpunt.contacts.services.types import IdentityInput, InboundContact
from contactpunt.customers.models import Account, ProductType
from contactpunt.journey.services import OrderInput, record_orders
from contactpunt.kpis import rollups
from contactpunt.kpis.cost import cost_to_serve
from contactpunt.kpis.intervals import day_bounds
from contactpunt.kpis.models import CostPart
from contactpunt.kpis.tests.helpers import event
from contactpunt.people.models import Role, Team, User

pytestmark = pytest.mark.django_db
AMS = ZoneInfo("Europe/Amsterdam")
T = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)  # 09:00 in Amsterdam


def _call(queue: Queue, minute: int, number: str, account: str = "") -> Contact:
    received = receive_contact(
        InboundContact(
            source="pbx",
            queue=queue.code,
            occurred_at=T + dt.timedelta(minutes=minute),
            external_id=f"call-{minute}",
            identities=(IdentityInput("phone", number),),
            account_ref=account,
        )
    )
    return Contact.objects.get(pk=received.contact_id)


def test_cost_to_serve_by_hand(phone_queue: Queue, team: Team, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # the dirty marks
        _record(phone_queue, team)
    account = Account.objects.get(external_ref="RET-1")
    # the day's cost parts are not built yet: its dirty contacts' day is folded from the events
    _check(account)
    rollups.refresh()
    assert CostPart.objects.filter(day=dt.date(2026, 3, 2)).count() == 2
    _check(account)


def _record(phone_queue: Queue, team: Team) -> None:
    anna = make_user("anna", Role.AGENT, team)
    record_agent_state(agent=anna, state="available", occurred_at=T)
    first = _call(phone_queue, 10, "0612345678", account="RET-1")
    event(first, "answered", T + dt.timedelta(minutes=10), anna)
    event(first, "ended", T + dt.timedelta(minutes=20), anna)  # 600 s talk
    second = _call(phone_queue, 30, "0687654321")
    event(second, "answered", T + dt.timedelta(minutes=30), anna)
    event(second, "ended", T + dt.timedelta(minutes=35), anna)  # 300 s talk
    event(second, "wrapped", T + dt.timedelta(minutes=40), anna)  # 300 s wrap-up
    record_agent_state(agent=anna, state="offline", occurred_at=T + dt.timedelta(hours=1))
    account = Account.objects.get(external_ref="RET-1")
    make_user("lea", Role.TEAM_LEAD, team)
    cards = ProductType.objects.create(name="Kaarten")
    Account.objects.filter(pk=account.pk).update(product_type=cards)
    record_orders(
        [
            OrderInput(
                source="shop",
                external_id=f"o{n}",
                ordered_on=dt.date(2026, 3, 2),
                customer_id=None,
                account_id=account.pk,
                product_type_id=cards.pk,
                amount=Decimal(10),
            )
            for n in range(2)
        ]
    )


def _check(account: Account) -> None:
    # paid 3600 s for 1200 s of handling: every handled second costs three; 35 an hour
    report = cost_to_serve(T, T + dt.timedelta(days=1))  # not on local midnights: from the events
    assert report == cost_to_serve(*day_bounds(dt.date(2026, 3, 2), dt.date(2026, 3, 2), AMS))
    assert report.total.as_dict() == {
        "group": "all",
        "contacts": 2,
        "paid_s": 3600.0,
        "cost_to_serve": 35.0,
        "cost_per_contact": 17.5,
        "orders": 2,
        "cost_per_order": 17.5,
    }
    (line,) = report.by_account
    assert (line.name, line.contacts, round(line.cost, 2), line.orders, line.cost_per_order) == (
        account.name,
        1,
        17.5,
        2,
        8.75,
    )
    assert [(p.name, round(p.cost, 2)) for p in report.by_product_type] == [("Kaarten", 17.5)]
    out = StringIO()
    call_command("kpis", "--from", "2026-03-02", "--to", "2026-03-02", "--json", stdout=out)
    (row,) = json.loads(out.getvalue())
    assert (row["cost_to_serve"], row["cost_per_contact"]) == (35.0, 17.5)
    lead = User.objects.get(username="lea")
    client = Client()
    client.force_login(lead)
    page = client.get(reverse("kpis:spoc") + "?from=2026-03-02&to=2026-03-02")
    html = page.content.decode()
    assert page.status_code == 200 and 'id="cost-account"' in html and account.name in html
    assert "17,50" in html or "17.50" in html
    # an order has no contact reason: the reason table shows no orders column (it said "0" on every line)
    assert [(table[0], table[4]) for table in page.context["cost_tables"]] == [
        ("cost-account", True), ("cost-product", True), ("cost-reason", False)
    ]  # fmt: skip
    assert "Bestellingen" in html.split('id="cost-account"')[1].split("</thead>")[0]


def test_an_empty_cost_table_says_what_it_lacks(team: Team) -> None:
    """The demo (no business customers) said "no handled contacts in this period" under "per account", two lines
    above "9.918 handled contacts": an empty table names what it has none of."""
    client = Client()
    client.force_login(make_user("lea", Role.TEAM_LEAD, team))
    html = client.get(reverse("kpis:spoc") + "?from=2026-03-02&to=2026-03-02", HTTP_ACCEPT_LANGUAGE="nl")
    page = html.content.decode()
    assert "Geen afgehandelde contacten van zakelijke klanten in deze periode." in page
    assert "Geen afgehandelde contacten met een producttype" in page
    assert page.count("Geen afgehandelde contacten in deze periode.") == 1  # per contact reason
