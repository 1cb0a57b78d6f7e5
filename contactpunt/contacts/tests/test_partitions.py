"""The event log by month (PostgreSQL) and its idempotency key in `EventKey` (every database)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from contactpunt.audit.models import AuditEntry
from contactpunt.contacts import partitions
from contactpunt.contacts.models import Contact, ContactEvent, EventKey, EventName, Queue
from contactpunt.contacts.services.bulk_events import ContactEventInput, record_contact_events
from contactpunt.contacts.services.events import record_contact_event
from contactpunt.contacts.tests.workspace_data import call

pytestmark = pytest.mark.django_db
# Long before any day the suite runs on: the test database's log (empty when migrated) has no partition for these
# months until a test makes one.
MAY_2019 = dt.datetime(2019, 5, 10, 12, 0, tzinfo=dt.UTC)


def postgresql_only() -> None:
    if connection.vendor != "postgresql":
        reason = f"the event log is partitioned on PostgreSQL only (the database of this run is {connection.vendor})"
        print(reason)
        pytest.skip(reason)


def partition_of(event_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM contacts_contactevent WHERE id = %s", [event_id])
        return str(cursor.fetchone()[0])


def test_a_repeated_delivery_finds_its_event_in_another_month(phone_queue: Queue, t0: dt.datetime) -> None:
    contact = Contact.objects.get(case=call(phone_queue, t0, "c1"))
    first = record_contact_event(
        contact=contact, name=EventName.ANSWERED, occurred_at=t0 + dt.timedelta(seconds=20), source="pbx",
        external_id="evt-1",
    )  # fmt: skip
    # The platform sends it again with another moment (a clock corrected by a month): still the same event.
    again = record_contact_event(
        contact=contact, name=EventName.ANSWERED, occurred_at=t0 + dt.timedelta(days=31), source="pbx",
        external_id="evt-1",
    )  # fmt: skip
    in_bulk = record_contact_events(
        [ContactEventInput(contact.pk, EventName.ENDED, t0 + dt.timedelta(days=62), source="pbx", external_id="evt-1")]
    )
    assert first.created and not again.created and not in_bulk[0].created
    assert again.event_id == in_bulk[0].event_id == first.event_id
    assert list(EventKey.objects.values_list("source", "external_id", "event_id")) == [("pbx", "evt-1", first.event_id)]
    fresh = record_contact_events(
        [ContactEventInput(contact.pk, EventName.ENDED, t0 + dt.timedelta(minutes=5), source="pbx", external_id="e2")]
    )
    assert fresh[0].created
    assert EventKey.objects.get(external_id="e2").event_id == fresh[0].event_id


def test_the_log_is_partitioned_by_month_and_new_months_are_made_ahead(phone_queue: Queue) -> None:
    postgresql_only()
    assert partitions.is_partitioned()
    contact = Contact.objects.get(case=call(phone_queue, MAY_2019, "c1"))
    # June 2019 has no partition yet: its event waits in the default partition.
    june = record_contact_event(
        contact=contact, name=EventName.ANSWERED, occurred_at=dt.datetime(2019, 6, 3, 9, 0, tzinfo=dt.UTC)
    )
    assert partition_of(june.event_id) == partitions.DEFAULT
    made = partitions.ensure_partitions(MAY_2019, ahead=2)
    assert made == [
        "contacts_contactevent_y2019m05",
        "contacts_contactevent_y2019m06",
        "contacts_contactevent_y2019m07",
    ]
    assert partitions.ensure_partitions(MAY_2019, ahead=2) == []
    # The June event moved into its own month; the May events (written before May had one) stay where they were
    # put only if May existed: here the queued event of the call went to the default partition and moved too.
    assert partition_of(june.event_id) == "contacts_contactevent_y2019m06"
    may_events = ContactEvent.objects.filter(contact=contact, occurred_at__lt=dt.datetime(2019, 6, 1, tzinfo=dt.UTC))
    assert {partition_of(pk) for pk in may_events.values_list("pk", flat=True)} == {"contacts_contactevent_y2019m05"}
    # A new event of a month with a partition goes straight in; the log reads as one table.
    july = record_contact_event(
        contact=contact, name=EventName.ENDED, occurred_at=dt.datetime(2019, 7, 1, 0, 30, tzinfo=dt.UTC)
    )
    assert partition_of(july.event_id) == "contacts_contactevent_y2019m07"
    assert ContactEvent.objects.filter(contact=contact).count() == 3


def test_a_month_boundary_is_midnight_in_the_configured_time_zone() -> None:
    start, end = partitions.month_bounds(dt.date(2019, 4, 1))
    assert start.astimezone(dt.UTC) == dt.datetime(2019, 3, 31, 22, 0, tzinfo=dt.UTC)  # summer time in Amsterdam
    assert end.astimezone(dt.UTC) == dt.datetime(2019, 4, 30, 22, 0, tzinfo=dt.UTC)
    assert partitions.first_of_month(dt.datetime(2019, 3, 31, 22, 30, tzinfo=dt.UTC)) == dt.date(2019, 4, 1)


def test_old_months_are_detached_and_kept_as_tables(phone_queue: Queue) -> None:
    postgresql_only()
    partitions.ensure_partitions(MAY_2019, ahead=1)
    contact = Contact.objects.get(case=call(phone_queue, MAY_2019, "c1"))
    june = record_contact_event(
        contact=contact, name=EventName.ANSWERED, occurred_at=dt.datetime(2019, 6, 3, 9, 0, tzinfo=dt.UTC)
    )
    detached = partitions.detach_before(dt.date(2019, 6, 1), by="archivist")
    assert "contacts_contactevent_y2019m05" in detached
    # The audit log names each detached month, who detached it and how many rows it held.
    entry = AuditEntry.objects.get(action="events.partition_detached", object_id="contacts_contactevent_y2019m05")
    assert (entry.actor_label, entry.changes["month"]) == ("archivist", "2019-05")
    assert not AuditEntry.objects.filter(object_id="contacts_contactevent_y2019m06").exists()
    assert "contacts_contactevent_y2019m06" not in detached
    assert [p.name for p in partitions.partitions() if p.month and p.month < dt.date(2019, 6, 1)] == []
    # The May events left the log but not the database; June's stayed.
    assert list(ContactEvent.objects.filter(contact=contact).values_list("pk", flat=True)) == [june.event_id]
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM contacts_contactevent_y2019m05 WHERE contact_id = %s", [contact.pk])
        assert cursor.fetchone()[0] == 1


def test_on_sqlite_nothing_is_partitioned() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite answer")
    assert not partitions.is_partitioned()
    assert partitions.partitions() == []
    assert partitions.ensure_partitions(MAY_2019) == []
    assert partitions.detach_before(dt.date(2019, 6, 1)) == []


def test_the_command_lists_and_refuses_a_month_it_cannot_read() -> None:
    out = io.StringIO()
    call_command("partitions", stdout=out)
    if partitions.is_partitioned():
        assert "default" in out.getvalue()
        with pytest.raises(CommandError, match="--detach-before: '2019-13'"):
            call_command("partitions", "--detach-before", "2019-13", stdout=io.StringIO())
    else:
        assert "not partitioned" in out.getvalue()
