"""`values_rows` yields exactly the tuples the queryset yields: times, payloads, booleans, dates and joined columns
alike, and falls back to the queryset for what it does not take (flat, named, annotated)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count, JSONField, Value
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contactpunt.contacts.models import Case, Contact, ContactEvent, EventName, Queue
from contactpunt.contacts.services.inbound import receive_contacts
from contactpunt.contacts.services.types import IdentityInput, InboundContact
from contactpunt.fast_rows import values_rows
from contactpunt.id_filters import ids_in

pytestmark = pytest.mark.django_db


def _contacts(t0: dt.datetime, count: int) -> list[int]:
    receive_contacts(
        [
            InboundContact(
                source="api",
                queue="email-general",
                occurred_at=t0 + dt.timedelta(seconds=i, microseconds=i * 7),
                external_id=f"x{i}",
                identities=(IdentityInput("email", f"p{i}@example.nl"),),
                subject="s",
                text="t",
            )
            for i in range(count)
        ]
    )
    return list(Contact.objects.order_by("pk").values_list("pk", flat=True))


def test_the_rows_are_the_querysets_rows(email_queue: Queue, t0: dt.datetime) -> None:
    ids = _contacts(t0, 5)
    first = ContactEvent.objects.filter(contact_id=ids[0]).first()
    assert first is not None
    ContactEvent.objects.filter(pk=first.pk).update(data={"corrects": 3, "note": "é", "list": [1, None]})
    querysets = [
        ContactEvent.objects.values_list(
            "pk", "contact_id", "name", "leg", "queue_id", "agent_id", "occurred_at", "data"
        ),
        Contact.objects.filter(ids_in("pk", ids)).values_list(
            "pk", "case_id", "customer_id", "channel", "customer__account_id", "case__product_type_id"
        ),
        Case.objects.values_list("pk", "status", "opened_at", "resolved_at", "reopen_count", "customer__erased_at"),
        Queue.objects.values_list("code", "is_active", "channel"),
        ContactEvent.objects.filter(ids_in("contact_id", [])).values_list("pk", "occurred_at"),  # no ids: no rows
        ContactEvent.objects.filter(name=EventName.QUEUED).order_by("-occurred_at").values_list("occurred_at", "data"),
    ]
    for queryset in querysets:
        expected = list(queryset)
        assert list(values_rows(queryset)) == expected
        for got, want in zip(values_rows(queryset), expected, strict=True):
            assert [type(v) for v in got] == [type(v) for v in want]
            assert [getattr(v, "tzinfo", None) for v in got] == [getattr(v, "tzinfo", None) for v in want]
    assert any(row[7] == {"corrects": 3, "note": "é", "list": [1, None]} for row in values_rows(querysets[0]))


def test_what_it_does_not_take_it_leaves_to_the_queryset(email_queue: Queue, t0: dt.datetime) -> None:
    _contacts(t0, 3)
    flat = Contact.objects.values_list("pk", flat=True)
    named = Contact.objects.values_list("pk", "channel", named=True)
    annotated = Contact.objects.values("channel").annotate(n=Count("pk")).values_list("channel", "n")
    dicts = Contact.objects.values("pk", "channel")
    for queryset in (flat, named, annotated, dicts):
        assert list(values_rows(queryset)) == list(queryset)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    payload=st.recursive(
        st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.text(max_size=8),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
        max_leaves=6,
    ),
    offset_us=st.integers(0, 10**12),
)
def test_any_payload_and_moment_read_back_as_the_orm_reads_them(
    email_queue: Queue, t0: dt.datetime, payload: object, offset_us: int
) -> None:
    ids = list(Contact.objects.values_list("pk", flat=True)) or _contacts(t0, 1)
    event = ContactEvent.objects.filter(contact_id=ids[0]).first()
    assert event is not None
    data = Value(None, JSONField()) if payload is None else payload  # JSON null, not SQL NULL
    ContactEvent.objects.filter(pk=event.pk).update(data=data, occurred_at=t0 + dt.timedelta(microseconds=offset_us))
    queryset = ContactEvent.objects.filter(pk=event.pk).values_list("occurred_at", "data", "recorded_at")
    assert list(values_rows(queryset)) == list(queryset)
