"""Filtered, cursor-paginated reads for the API."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

from django.conf import settings
from django.db.models import Model, QuerySet
from ninja import Schema
from ninja.errors import HttpError
from pydantic import AfterValidator, Field

from contactpunt.api.limits import check_text
from contactpunt.api.schemas import Id, Moment
from contactpunt.contacts.models import Case
from contactpunt.customers.identities import InvalidIdentity, normalise_email, normalise_phone
from contactpunt.customers.models import Customer

M = TypeVar("M", bound=Model)
Filter = Annotated[str, AfterValidator(check_text)]


class FieldHttpError(HttpError):
    def __init__(self, status: int, field: str, message: str) -> None:
        super().__init__(status, message)
        self.field = field


@dataclass(frozen=True, slots=True)
class Page(Generic[M]):
    items: list[M]
    next_cursor: str | None


class CaseFilters(Schema):
    status: Filter | None = Field(None, max_length=10)
    queue: Filter | None = Field(None, max_length=80, description="A queue code.")
    customer: Id | None = None
    opened_after: Moment | None = None
    opened_before: Moment | None = None
    limit: int = Field(50, ge=1, le=500)
    cursor: Filter | None = Field(None, max_length=40)


class CustomerFilters(Schema):
    email: Filter | None = Field(None, max_length=320)
    phone: Filter | None = Field(None, max_length=40)
    account: Filter | None = Field(None, max_length=100, description="An account's external reference.")
    limit: int = Field(50, ge=1, le=500)
    cursor: Filter | None = Field(None, max_length=40)


def _decode_cursor(cursor: str | None) -> int | None:
    if not cursor:
        return None
    try:
        return int(base64.urlsafe_b64decode(cursor.encode() + b"==").decode())
    except ValueError:
        raise FieldHttpError(422, "cursor", "not a cursor this API gave out") from None


def _encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(str(last_id).encode()).decode().rstrip("=")


def _page(queryset: QuerySet[M], cursor: str | None, limit: int) -> Page[M]:
    """Keyset pagination on the primary key, newest first: stable while rows are added."""
    after = _decode_cursor(cursor)
    if after is not None:
        queryset = queryset.filter(pk__lt=after)
    rows = list(queryset.order_by("-pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, _encode_cursor(rows[-1].pk) if more and rows else None)


def list_cases(filters: CaseFilters) -> Page[Case]:
    cases = Case.objects.select_related("queue", "reason", "assignee")
    if filters.status:
        cases = cases.filter(status=filters.status)
    if filters.queue:
        cases = cases.filter(queue__code=filters.queue)
    if filters.customer is not None:
        cases = cases.filter(customer_id=filters.customer)
    if filters.opened_after:
        cases = cases.filter(opened_at__gte=filters.opened_after)
    if filters.opened_before:
        cases = cases.filter(opened_at__lt=filters.opened_before)
    return _page(cases, filters.cursor, filters.limit)


def list_customers(filters: CustomerFilters) -> Page[Customer]:
    customers = Customer.objects.select_related("account").prefetch_related("identities")
    try:
        if filters.email:
            customers = customers.filter(identities__kind="email", identities__value=normalise_email(filters.email))
        if filters.phone:
            value = normalise_phone(filters.phone, settings.PHONE_REGION)
            customers = customers.filter(identities__kind="phone", identities__value=value)
    except InvalidIdentity as exc:
        raise FieldHttpError(422, "email" if filters.email else "phone", str(exc)) from None
    if filters.account:
        customers = customers.filter(account__external_ref=filters.account)
    return _page(customers, filters.cursor, filters.limit)
