"""Concurrent single-contact calls are written together, each keeping its own result."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from asgiref.sync import sync_to_async
from django.db import connections

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
        for connection in connections.all(initialized_only=True):
            connection.close()
            if hasattr(connection, "close_pool"):
                connection.close_pool()

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
