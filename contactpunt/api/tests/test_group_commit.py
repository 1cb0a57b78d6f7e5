"""Concurrent single-contact calls are written together, each keeping its own result."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

import pytest
from asgiref.sync import sync_to_async
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from contactpunt.api import group_commit
from contactpunt.contacts.models import Contact
from contactpunt.contacts.services.inbound import receive_contacts
from contactpunt.contacts.services.types import IdentityInput, InboundContact, Outcome, Received

T = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def close_writer_connections():
    """The writes run in asgiref's executor thread: close its connection (and pool) afterwards,
    or PostgreSQL refuses to drop the test database."""
    yield

    def close() -> None:
        for each in connections.all(initialized_only=True):
            each.close()
            if hasattr(each, "close_pool"):
                each.close_pool()

    asyncio.run(sync_to_async(close, thread_sensitive=True)())


def item(ext: str, queue: str = "phone-general", number: str = "0612345678") -> InboundContact:
    return InboundContact(
        source="pbx", queue=queue, occurred_at=T, external_id=ext, identities=(IdentityInput("phone", number),)
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_share_batches_and_keep_their_own_results(phone_queue, monkeypatch):
    batch_sizes: list[int] = []
    real = receive_contacts

    def spy(contacts):
        batch_sizes.append(len(contacts))
        return real(contacts)

    monkeypatch.setattr(group_commit, "receive_contacts", spy)
    items = [item(str(i)) for i in range(20)] + [item("bad", queue="nope"), item("3")]

    async def main() -> list[Received]:
        return await asyncio.gather(*(group_commit.submit(i) for i in items))

    results = asyncio.run(main())

    assert [r.outcome for r in results[:20]] == [Outcome.CREATED] * 20
    assert results[20].outcome == Outcome.REJECTED and results[20].errors[0].field == "queue"
    assert results[21].outcome == Outcome.DUPLICATE and results[21].contact_id == results[3].contact_id
    assert len({r.customer_id for r in results[:20]}) == 1  # one caller, recognised across the batch
    assert sum(batch_sizes) == 22 and len(batch_sizes) < 22  # written together, not one by one
    assert Contact.objects.count() == 20


@pytest.mark.django_db(transaction=True)
def test_a_failing_batch_falls_back_to_one_by_one(phone_queue, monkeypatch):
    def broken(contacts):
        raise RuntimeError("batch failed")

    monkeypatch.setattr(group_commit, "receive_contacts", broken)

    async def main() -> list[Received]:
        return list(await asyncio.gather(group_commit.submit(item("a")), group_commit.submit(item("b"))))

    results = asyncio.run(main())

    assert [r.outcome for r in results] == [Outcome.CREATED, Outcome.CREATED]
    assert Contact.objects.count() == 2


@pytest.mark.django_db
def test_a_single_call_costs_its_token_check_and_one_batch(api, phone_queue):
    """The statements of one POST /contacts: the token, then the batch's fixed handful (its queues, the repeats, the
    identities, one reservation of keys, the rows, the KPI marks), inside the test's savepoint."""
    body = {
        "external_id": "c1",
        "queue": "phone-general",
        "occurred_at": "2026-03-02T10:00:00+01:00",
        "identities": [{"kind": "phone", "value": "0612345678"}],
    }
    with CaptureQueriesContext(connection) as queries:
        response = api.post("/api/v1/contacts", data=json.dumps(body), content_type="application/json")

    assert response.status_code == 201
    statements = [q["sql"] for q in queries.captured_queries]
    assert statements[0].startswith('SELECT "api_integration"')
    # The seven INSERTs (customer, identity, case, contact, leg, message with the original, event) share one round
    # trip on PostgreSQL; SQLite reads two values per table for the keys instead of one query for all.
    assert len(statements) == (15 if connection.vendor == "postgresql" else 28)
