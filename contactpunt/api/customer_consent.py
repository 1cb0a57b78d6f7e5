"""The API's consent of one customer: what a linked system (a booking form, a shop's account page) records they
agreed to or refused, and what they agree to now. Each record is audited with the integration as the actor."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Path, Schema, Status
from pydantic import Field, StringConstraints

from contactpunt.api import schemas
from contactpunt.api.api import COMMON, WITH_BODY, _errors, _integration, api
from contactpunt.contacts.services.types import FieldError
from contactpunt.customers import consent
from contactpunt.customers.models import Consent, ConsentChannel, ConsentPurpose, ConsentSource, Customer
from contactpunt.customers.services import ConsentRejected, record_consent

PurposeName = Literal["service", "marketing", "surveys", "sharing"]
ConsentChannelName = Literal["", "email", "phone", "sms", "whatsapp"]
assert set(PurposeName.__args__) == set(ConsentPurpose.values)  # type: ignore[attr-defined]
assert set(ConsentChannelName.__args__) == set(ConsentChannel.values)  # type: ignore[attr-defined]


class ConsentIn(Schema):
    purpose: PurposeName = Field(
        description="service messages, marketing (offers, loyalty moments), surveys, or sharing (a guest's contact "
        "data, notes and history shown to whoever serves the booker of their booking; every channel only)"
    )
    channel: ConsentChannelName = Field("", description="The channel it is about; empty for every channel.")
    agreed: bool
    at: schemas.Moment | None = Field(None, description="When the customer said so (default: now).")
    note: Annotated[str, StringConstraints(max_length=300), schemas.NoControl] = ""


class PurposeOut(Schema):
    purpose: str
    allowed: bool = Field(description="On every channel (a channel in `exceptions` says otherwise).")
    exceptions: dict[str, bool]
    decided_at: str | None = Field(description="When the record that decides was given; null: the default holds.")


class ConsentOut(Schema):
    customer_id: int
    purposes: list[PurposeOut]


def _state(customer: Customer) -> ConsentOut:
    states = consent.overview(Consent.objects.filter(customer=customer))
    return ConsentOut(
        customer_id=customer.pk,
        purposes=[
            PurposeOut(
                purpose=s.purpose,
                allowed=s.is_allowed,
                exceptions=s.exceptions,
                decided_at=s.decided_by.given_at.isoformat() if s.decided_by else None,
            )
            for s in states
        ],
    )


def _customer(customer_id: int) -> Customer | None:
    return Customer.objects.filter(pk=customer_id, erased_at__isnull=True, merged_into__isnull=True).first()


def _not_found() -> Any:
    return _errors(404, [FieldError("customer_id", "not_found", "there is no such customer")])


@api.get(
    "/customers/{customer_id}/consent",
    response={200: ConsentOut, 404: schemas.ErrorOut, 422: schemas.ErrorOut, **COMMON},
    tags=["customers"],
)
def get_consent(request: HttpRequest, customer_id: Path[schemas.Id]) -> Any:
    """What the customer agrees to now, per purpose: service messages and surveys until they say no, marketing only
    after a yes; a later record for one channel shows as an exception."""
    customer = _customer(customer_id)
    return _not_found() if customer is None else _state(customer)


@api.post(
    "/customers/{customer_id}/consent",
    response={201: ConsentOut, 404: schemas.ErrorOut, **WITH_BODY},
    tags=["customers"],
)
def post_consent(request: HttpRequest, customer_id: Path[schemas.Id], payload: ConsentIn) -> Any:
    """Record that the customer agreed to (or refused) being approached for a purpose on a channel. Records are
    never changed: the latest that applies decides. Audited; in the customer's export, gone on their erasure."""
    customer = _customer(customer_id)
    if customer is None:
        return _not_found()
    try:
        record_consent(
            customer=customer,
            purpose=payload.purpose,
            channel=payload.channel,
            is_granted=payload.agreed,
            source=ConsentSource.INTEGRATION,
            by=None,
            at=payload.at or timezone.now(),
            note=payload.note,
            actor_label=f"API: {_integration(request).name}"[:150],
        )
    except ConsentRejected as error:  # sharing asked for one channel (the schema admits only known choices)
        return _errors(422, [FieldError(error.field, "invalid", str(error))])
    return Status(201, _state(customer))
