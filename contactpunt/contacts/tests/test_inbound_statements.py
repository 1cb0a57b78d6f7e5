"""What an inbound batch costs the database: a fixed handful of statements, however many contacts it holds (the
single-contact API writes its concurrent calls as one batch), with one reservation of keys for every new row."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contactpunt.contacts.models import Contact, ContactEvent, ContactLeg, Message
from contactpunt.contacts.services.inbound import receive_contacts
from contactpunt.contacts.services.types import IdentityInput, InboundContact, Outcome
from contactpunt.customers.models import Customer

pytestmark = pytest.mark.django_db


def _email(t0: dt.datetime, ext: str, sender: str) -> InboundContact:
    return InboundContact(
        source="mailbox",
        queue="email-general",
        occurred_at=t0,
        external_id=ext,
        identities=(IdentityInput("email", sender),),
        subject="Waar blijft mijn pakket?",
        text="Het is nog niet bezorgd.",
    )


def _statements(contacts: list[InboundContact]) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        results = receive_contacts(contacts)
    assert all(r.outcome == Outcome.CREATED for r in results)
    return [q["sql"] for q in queries.captured_queries]


def _reservations(statements: list[str]) -> int:
    if connection.vendor == "postgresql":
        return sum("nextval(" in sql for sql in statements)
    return sum("sqlite_sequence" in sql for sql in statements)  # SQLite reads each table's highest key


def test_a_batch_costs_the_same_statements_for_one_contact_as_for_twenty(email_queue, t0):
    _statements([_email(t0, "known-0", "bekend@example.nl")])
    customers = Customer.objects.count()

    one = _statements([_email(t0, "1", "nieuw-1@example.nl")])
    # Twenty at once: new customers, a known one, and a new one writing twice.
    twenty = _statements(
        [_email(t0, f"b{n}", f"nieuw-b{n}@example.nl") for n in range(17)]
        + [_email(t0, "b-known", "bekend@example.nl")]
        + [_email(t0, "b-twice-1", "twee@example.nl"), _email(t0, "b-twice-2", "twee@example.nl")]
    )

    assert len(twenty) == len(one)
    # The queues, the savepoint (a test runs in a transaction), the repeats, the identities, the keys (one query on
    # PostgreSQL, two per table on SQLite), the rows of seven tables (on PostgreSQL in one round trip), the KPI
    # marks, the release.
    assert len(one) == (14 if connection.vendor == "postgresql" else 27)
    assert Customer.objects.count() == customers + 1 + 17 + 1
    assert Contact.objects.count() == ContactLeg.objects.count() == Message.objects.count() == 22
    assert ContactEvent.objects.filter(name="queued").count() == 22


def test_every_new_row_of_a_batch_gets_its_key_from_one_reservation(email_queue, t0):
    statements = _statements([_email(t0, "1", "nieuw@example.nl")])
    # On SQLite one read per table written: customer, identity, case, contact, leg, message and event.
    assert _reservations(statements) == (1 if connection.vendor == "postgresql" else 7)
