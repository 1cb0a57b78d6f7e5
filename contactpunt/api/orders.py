"""The API's orders, bookings and stays: `POST /orders` stores one (idempotent on the integration's id of it) or,
sent again with another status, records the status change. The booker and every guest are recognised by their
identities; a guest is always a customer of their own, never merged into the booker."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest
from ninja import Path, Schema, Status
from pydantic import BaseModel, BeforeValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

from contactpunt.access import guest_details_for_integration
from contactpunt.api import schemas
from contactpunt.api.api import COMMON, WITH_BODY, _errors, _integration, api
from contactpunt.contacts.services.types import FieldError
from contactpunt.customers import services as customers
from contactpunt.customers.identities import IdentityKey, InvalidIdentity, normalise
from contactpunt.customers.models import Customer, Identity
from contactpunt.journey.models import Order, Participant, Role, Stage
from contactpunt.journey.services import OrderInput, OrderRejected, check_stage, record_order

StageName = Literal[
    "ordered", "paid", "shipped", "delivered", "returned", "booked", "before_arrival", "during", "after"
]
assert set(StageName.__args__) == set(Stage.values)  # type: ignore[attr-defined]
Name = Annotated[str, StringConstraints(max_length=200), schemas.Stripped]


def _date_text(value: Any) -> Any:
    """A day is written as YYYY-MM-DD: a number (read as seconds since 1970) is refused."""
    if not isinstance(value, str | dt.date):
        raise PydanticCustomError("date_type", "a date is written as YYYY-MM-DD")
    return value


Day = Annotated[dt.date, BeforeValidator(_date_text)]


class PersonIn(BaseModel):
    """A person (plain pydantic, not a ninja Schema: that would read `[null]` as a person with defaults)."""

    name: Name = ""
    identities: list[schemas.IdentityIn] = Field(default_factory=list, max_length=20)


class OrderIn(Schema):
    """One order, booking or stay. Sending the same `external_id` again changes nothing but the status."""

    external_id: Annotated[str, StringConstraints(min_length=1, max_length=255), schemas.NoControl] = Field(
        description="Your id of this order; unique per integration."
    )
    kind: Literal["order", "booking", "stay"] = "order"
    ordered_at: schemas.Moment = Field(description="When it was ordered or booked; its date is kept as sent.")
    status: StageName | None = Field(None, description="The current stage; a new one on a repeat is a status change.")
    status_at: schemas.Moment | None = Field(None, description="When the status changed (default: now).")
    amount: Decimal = Field(Decimal(0), ge=Decimal(-(10**11)), le=Decimal(10**11), decimal_places=2)
    customer: PersonIn = Field(description="The buyer or booker.")
    guests: list[PersonIn] = Field(default_factory=list, max_length=50, description="Fellow travellers.")
    account_ref: Annotated[str, StringConstraints(max_length=100), schemas.NoControl] = ""
    product_type: Annotated[str, StringConstraints(max_length=100), schemas.NoControl] = ""
    arrival: Day | None = None
    departure: Day | None = None


class OrderResult(Schema):
    status: Literal["created", "duplicate"]
    id: int
    customer_id: int | None
    stage: str
    stage_changed: bool
    guests: list[int]


def _keys(person: PersonIn, field: str) -> list[IdentityKey]:
    keys = []
    for position, identity in enumerate(person.identities):
        try:
            key = normalise(identity.kind, identity.value, namespace=identity.namespace, region=settings.PHONE_REGION)
        except InvalidIdentity as exc:
            raise OrderRejected(f"{field}.identities.{position}.value", "invalid_identity", str(exc)) from None
        if key is not None:
            keys.append(key)
    return keys


def _person(person: PersonIn, field: str, account: Any, *, is_guest: bool = False) -> int | None:
    """The customer the person is; a guest known by nothing else is a new customer all the same."""
    keys = _keys(person, field)
    if not keys:
        return customers.create_customer(name=person.name, account=account).pk if person.name or is_guest else None
    return customers.customer_for_identities(keys, name=person.name, account=account)


@api.post("/orders", response={200: OrderResult, 201: OrderResult, **WITH_BODY}, tags=["orders"])
def post_order(request: HttpRequest, payload: OrderIn) -> Any:
    """Store one order, booking or stay: 201 when created, 200 when it is a repeat (its status recorded when it
    changed), 422 naming the field when it cannot be taken (nothing is written then)."""
    if payload.arrival and payload.departure and payload.departure < payload.arrival:
        return _errors(422, [FieldError("departure", "before_arrival", "the departure lies before the arrival")])
    source = _integration(request).source
    try:
        for position, guest in enumerate(payload.guests):
            _keys(guest, f"guests.{position}")
        _keys(payload.customer, "customer")
        if payload.status:
            check_stage(payload.kind, payload.status)
    except OrderRejected as exc:
        return _errors(422, [FieldError(exc.field, exc.code, str(exc))])
    existing = Order.objects.filter(source=source, external_id=payload.external_id).first()
    account = customers.account_for_ref(payload.account_ref) if payload.account_ref and existing is None else None
    customer_id = existing.customer_id if existing else _person(payload.customer, "customer", account)
    guests = [] if existing else [_person(g, f"guests.{i}", None, is_guest=True) for i, g in enumerate(payload.guests)]
    item = OrderInput(
        source=source,
        external_id=payload.external_id,
        kind=payload.kind,
        ordered_on=payload.ordered_at.date(),
        ordered_at=payload.ordered_at,
        customer_id=customer_id,
        amount=payload.amount,
        account_id=account.pk if account else None,
        product_type_id=customers.product_type_named(payload.product_type).pk if payload.product_type else None,
        stage=payload.status or "",
        starts_on=payload.arrival,
        ends_on=payload.departure,
        fellow_travellers=tuple(pk for pk in guests if pk is not None),
    )
    try:
        recorded = record_order(item, stage_at=payload.status_at)
    except OrderRejected as exc:
        return _errors(422, [FieldError(exc.field, exc.code, str(exc))])
    order = recorded.order
    body = OrderResult(
        status="created" if recorded.created else "duplicate",
        id=order.pk,
        customer_id=order.customer_id,
        stage=order.stage,
        stage_changed=recorded.stage_changed,
        guests=sorted(order.participants.filter(role=Role.FELLOW_TRAVELLER).values_list("customer_id", flat=True)),
    )
    return Status(201 if recorded.created else 200, body)


class PersonOut(Schema):
    customer_id: int
    name: str
    role: str = Field(description="booker or fellow_traveller")
    identities: list[schemas.IdentityOut] | None = Field(
        description="Only for a person who agreed to share within the booking (consent purpose `sharing`); else null."
    )


class CustomerOrderOut(Schema):
    id: int
    source: str
    external_id: str
    kind: str
    role: str = Field(description="The customer's own role in it: booker or fellow_traveller.")
    ordered_on: dt.date
    stage: str
    amount: Decimal
    arrival: dt.date | None
    departure: dt.date | None
    people: list[PersonOut] = Field(description="The other people in it (erased people left out).")


class CustomerOrdersOut(Schema):
    customer_id: int
    items: list[CustomerOrderOut]


ORDERS_SHOWN = 50


@api.get(
    "/customers/{customer_id}/orders",
    response={200: CustomerOrdersOut, 404: schemas.ErrorOut, 422: schemas.ErrorOut, **COMMON},
    tags=["orders"],
)
def get_customer_orders(request: HttpRequest, customer_id: Path[schemas.Id]) -> Any:
    """The customer's latest orders, bookings and stays (their own and those they were a guest in, at most 50),
    newest first, with the other people in each: name and role always; a person's identities only when that person
    agreed to share within the booking (the rules of `contactpunt.access`)."""
    customer = Customer.objects.filter(pk=customer_id, erased_at__isnull=True, merged_into__isnull=True).first()
    if customer is None:
        return _errors(404, [FieldError("customer_id", "not_found", "there is no such customer")])
    roles = dict(Participant.objects.filter(customer=customer).values_list("order_id", "role"))
    orders = list(
        Order.objects.filter(Q(pk__in=list(roles)) | Q(customer=customer)).order_by("-ordered_on", "-id")[:ORDERS_SHOWN]
    )
    others = list(
        Participant.objects.filter(order_id__in=[o.pk for o in orders], customer__erased_at__isnull=True)
        .exclude(customer=customer)
        .select_related("customer")
        .order_by("order_id", "role", "pk")
    )
    allowed = guest_details_for_integration({p.customer_id for p in others})
    identities: dict[int, list[schemas.IdentityOut]] = {pk: [] for pk in allowed}
    for row in Identity.objects.filter(customer_id__in=list(allowed)).order_by("customer_id", "created_at", "pk"):
        assert row.customer_id is not None
        identities[row.customer_id].append(
            schemas.IdentityOut(kind=row.kind, namespace=row.namespace, value=row.value, is_shared=row.is_shared)
        )
    return CustomerOrdersOut(
        customer_id=customer.pk,
        items=[
            CustomerOrderOut(
                id=o.pk,
                source=o.source,
                external_id=o.external_id,
                kind=o.kind,
                role=roles.get(o.pk, Role.BOOKER),
                ordered_on=o.ordered_on,
                stage=o.stage,
                amount=o.amount,
                arrival=o.starts_on,
                departure=o.ends_on,
                people=[
                    PersonOut(
                        customer_id=p.customer_id,
                        name=str(p.customer),
                        role=p.role,
                        identities=identities.get(p.customer_id),
                    )
                    for p in others
                    if p.order_id == o.pk
                ],
            )
            for o in orders
        ],
    )
