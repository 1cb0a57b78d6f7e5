"""The API's privacy operations on one customer: the complete export (GDPR access request) and the erasure (right to
erasure, with a reason). Both are audited with the integration as the actor."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Path, Schema
from pydantic import StringConstraints

from contactpunt.api import schemas
from contactpunt.api.api import COMMON, WITH_BODY, _errors, _integration, api
from contactpunt.contacts.services.privacy import erase_customer, export_customer
from contactpunt.contacts.services.types import FieldError
from contactpunt.customers.models import Customer


class EraseIn(Schema):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), schemas.NoControl]


class ErasedOut(Schema):
    customer_id: int
    erased_at: str


def _label(request: HttpRequest) -> str:
    return f"API: {_integration(request).name}"[:150]


def _not_found() -> Any:
    return _errors(404, [FieldError("customer_id", "not_found", "there is no such customer")])


@api.get(
    "/customers/{customer_id}/export",
    response={200: dict[str, Any], 404: schemas.ErrorOut, 422: schemas.ErrorOut, **COMMON},
    tags=["customers"],
)
def export(request: HttpRequest, customer_id: Path[schemas.Id]) -> Any:
    """Everything stored about the customer, as JSON (customer, identities, notes, cases with their contacts and
    messages, attachments, received mail, replies, message analysis). Audited."""
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        return _not_found()
    return export_customer(customer, by=None, actor_label=_label(request), reason="API export")


@api.post(
    "/customers/{customer_id}/erase",
    response={200: ErasedOut, 404: schemas.ErrorOut, **WITH_BODY},
    tags=["customers"],
)
def erase(request: HttpRequest, customer_id: Path[schemas.Id], payload: EraseIn) -> Any:
    """Erase the customer's personal data everywhere; the event log (ids and times) stays. A reason is required
    and audited. Unsent replies to the customer are cancelled. Erasing an erased customer again is harmless."""
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        return _not_found()
    erase_customer(customer=customer, by=None, reason=payload.reason, actor_label=_label(request))
    customer.refresh_from_db()
    assert customer.erased_at is not None
    return ErasedOut(customer_id=customer.pk, erased_at=customer.erased_at.isoformat())
