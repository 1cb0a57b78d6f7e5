"""`POST /api/v1/orders`: idempotent on the integration's id, status changes, guests of their own, 422s naming the
field."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from contactpunt.customers.models import Customer, Identity
from contactpunt.journey.models import Order, Participant, StageChange

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def _post(api: Client, body: dict[str, Any]) -> Any:
    return api.post("/api/v1/orders", data=json.dumps(body), content_type="application/json")


BOOKING = {
    "external_id": "B-100",
    "kind": "stay",
    "ordered_at": "2026-03-01T10:00:00+01:00",
    "status": "booked",
    "amount": "849.50",
    "customer": {"name": "Els de Vries", "identities": [{"kind": "email", "value": "Els@Example.nl"}]},
    "guests": [
        {"name": "Jan de Vries", "identities": [{"kind": "email", "value": "jan@example.nl"}]},
        {"name": "Pim de Vries"},
    ],
    "product_type": "Bungalow 6p",
    "arrival": "2026-07-10",
    "departure": "2026-07-17",
}


def test_a_booking_with_guests_and_a_status_change(api: Client) -> None:
    first = _post(api, BOOKING)
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["status"] == "created" and body["stage"] == "booked" and len(body["guests"]) == 2
    order = Order.objects.get(pk=body["id"])
    booker = Identity.objects.get(kind="email", value="els@example.nl").customer
    assert order.customer == booker and booker is not None and booker.display_name == "Els de Vries"
    roles = sorted(Participant.objects.filter(order=order).values_list("role", flat=True))
    assert roles == ["booker", "fellow_traveller", "fellow_traveller"]
    assert len({booker.pk, *body["guests"]}) == 3  # every guest a customer of their own
    assert str(order.amount) == "849.50" and str(order.ordered_on) == "2026-03-01"
    customers = Customer.objects.count()

    again = _post(api, BOOKING)
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    assert again.json()["stage_changed"] is False
    assert Customer.objects.count() == customers and Order.objects.count() == 1

    during = _post(api, {**BOOKING, "status": "during", "status_at": "2026-07-10T15:00:00+02:00"})
    assert during.status_code == 200 and during.json()["stage"] == "during" and during.json()["stage_changed"]
    assert list(StageChange.objects.filter(order=order).values_list("stage", flat=True)) == ["booked", "during"]

    # the same guest in a later booking is the same customer again
    later = _post(api, {**BOOKING, "external_id": "B-200", "guests": BOOKING["guests"][:1]})
    jan = Identity.objects.get(value="jan@example.nl").customer_id
    assert later.json()["guests"] == [jan] and later.json()["customer_id"] == booker.pk


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"status": "shipped"}, "status"),  # a stay is never shipped
        ({"status": "lost"}, "status"),
        ({"external_id": ""}, "external_id"),
        ({"ordered_at": "2026-03-01T10:00:00"}, "ordered_at"),
        ({"amount": "1.234"}, "amount"),
        ({"customer": {"identities": [{"kind": "email", "value": "not an address"}]}}, "customer.identities.0.value"),
        ({"guests": [{"identities": [{"kind": "phone", "value": "12"}]}]}, "guests.0.identities.0.value"),
        ({"departure": "2026-07-01"}, "departure"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(api: Client, change: dict[str, Any], field: str) -> None:
    response = _post(api, {**BOOKING, **change})
    assert response.status_code == 422, response.content
    assert field in [e["field"] for e in response.json()["errors"]]
    assert not Order.objects.exists() and not Customer.objects.exists()


def test_without_a_token_nothing_is_stored() -> None:
    response = _post(Client(), BOOKING)
    assert response.status_code == 401 and not Order.objects.exists()


def test_a_guest_must_be_an_object(api: Client) -> None:
    response = _post(api, {**BOOKING, "guests": [[None, None]]})
    assert response.status_code == 422 and response.json()["errors"][0]["field"].startswith("guests.0")


def test_a_date_is_text(api: Client) -> None:
    response = _post(api, {**BOOKING, "arrival": 0})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "arrival"
