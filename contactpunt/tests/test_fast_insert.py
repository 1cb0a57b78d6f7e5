"""The fast writer stores exactly what the ORM would, and keeps the tables' sequences right."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from contactpunt import fast_insert
from contactpunt.contacts.models import Case, Contact, ContactEvent, ContactLeg, Message
from contactpunt.contacts.services.inbound import receive_contacts
from contactpunt.contacts.services.types import IdentityInput, InboundContact, ThreadRef
from contactpunt.customers.models import Customer, Identity

pytestmark = pytest.mark.django_db


def items(t0: dt.datetime, n: int) -> list[InboundContact]:
    return [
        InboundContact(
            source="api",
            queue="email-general",
            occurred_at=t0 + dt.timedelta(seconds=i),
            external_id=f"x{i}",
            identities=(IdentityInput("email", f"p{i % 3}@example.nl"),),
            customer_name="Zoë d'Ancona",
            subject="Ümlaut ✓",
            text="tekst\x01 met \u202e rare tekens",
            raw=b"\x00\xffraw",
            raw_content_type="message/rfc822",
            ivr_path=("1", "2"),
            thread=ThreadRef(message_id=f"<m{i}@x>"),
        )
        for i in range(n)
    ]


def test_rows_read_back_exactly_and_pass_model_validation(email_queue, t0):
    receive_contacts(items(t0, 6))

    contact = Contact.objects.get(external_id="x4")
    assert contact.occurred_at == t0 + dt.timedelta(seconds=4)
    assert contact.ivr_path == ["1", "2"] and contact.is_public is False
    message = contact.messages.get()
    assert (message.subject, bytes(message.raw)) == ("Ümlaut ✓", b"\x00\xffraw")
    assert message.text == "tekst\x01 met \u202e rare tekens"
    assert Customer.objects.get(pk=contact.customer_id).display_name == "Zoë d'Ancona"
    for model in (Customer, Identity, Case, Contact, ContactLeg, Message, ContactEvent):
        for row in model.objects.all():
            row.full_clean(validate_unique=False, validate_constraints=False)


def test_ids_continue_after_a_fast_batch_and_after_deleted_rows(email_queue, t0):
    receive_contacts(items(t0, 5))
    highest = Customer.objects.order_by("-pk").first().pk
    Customer.objects.filter(pk=highest).delete()

    orm_row = Customer.objects.create(display_name="via the ORM")
    more = receive_contacts(items(t0 + dt.timedelta(hours=1), 5)[:1])

    assert orm_row.pk > highest  # a deleted id is never handed out again
    assert Contact.objects.get(pk=more[0].contact_id).customer_id != orm_row.pk
    assert Customer.objects.count() == 3  # two left of the first batch, the ORM row; p0 was known


def test_build_makes_the_instance_the_model_makes(email_queue, t0):
    customer = Customer(display_name="Anna")
    case = Case(customer=customer, queue=email_queue, channel="email", opened_at=t0)
    for model, values in [
        (Customer, {"display_name": "Anna", "language": "nl"}),
        (Case, {"customer": customer, "queue": email_queue, "channel": "email", "opened_at": t0, "subject": "x"}),
        (Contact, {"case": case, "customer": None, "queue": email_queue, "channel": "email", "occurred_at": t0}),
        (ContactEvent, {"name": "queued", "case": case, "leg": 1, "occurred_at": t0, "recorded_at": t0}),
        (Message, {"contact": Contact(), "case": case, "direction": "inbound", "text": "hoi", "created_at": t0}),
    ]:
        fast = fast_insert.build(model, **values)
        orm = model(**values)
        differing = {"created_at", "recorded_at"} - set(values)  # timezone.now() defaults, called twice
        as_orm = {k: v for k, v in vars(orm).items() if k != "_state" and k not in differing}
        assert {k: v for k, v in vars(fast).items() if k != "_state" and k not in differing} == as_orm
        assert fast._state.adding and fast._state.db is None
        assert fast._state.fields_cache == orm._state.fields_cache
    assert fast_insert.build(Contact).ivr_path is not fast_insert.build(Contact).ivr_path  # a fresh list each
    with pytest.raises(TypeError):
        fast_insert.build(Contact, no_such_field=1)


def test_a_column_converter_converts_every_value_as_the_orm_does():
    from django.db import connection

    field = ContactEvent._meta.get_field("occurred_at")
    convert = fast_insert.converter(field)
    if convert is None:
        pytest.skip("the driver takes datetimes as they are on this database")
    a = dt.datetime(2026, 3, 29, 0, 30, 0, 1, tzinfo=dt.UTC)
    b = a.astimezone(dt.timezone(dt.timedelta(hours=2))) + dt.timedelta(seconds=1)
    # Equal moments in other zones (remembered by value: the same text), a whole second (no fraction written).
    amsterdam = a.astimezone(ZoneInfo("Europe/Amsterdam"))
    whole = b.replace(microsecond=0)
    values = [a, a, b, a, None, b, b, amsterdam, whole, whole.astimezone(dt.UTC), amsterdam + dt.timedelta(hours=1)]

    assert [convert(v) for v in values] == [field.get_db_prep_save(v, connection) for v in values]


def test_after_a_bulk_load_the_planner_knows_the_new_rows_within_the_same_transaction(email_queue, t0):
    if connection.vendor != "postgresql":
        reason = f"planner statistics are PostgreSQL's (the database of this run is {connection.vendor})"
        print(reason)
        pytest.skip(reason)
    receive_contacts(items(t0, 317))

    def estimated() -> float:
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [Contact._meta.db_table])
            return float(cursor.fetchone()[0])

    # Before: whatever the last ANALYZE saw (nothing, or an earlier test's rows: its figures outlive a rollback).
    fast_insert.refresh_statistics(Contact, Case)
    assert estimated() == Contact.objects.count() == 317
