"""Receiving a batch of inbound contacts: validate, then look up, decide and write in one transaction."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Sequence

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from contactpunt.contacts.announcements import WithinFailed, within_unguarded
from contactpunt.contacts.services.inbound.decide import Decisions
from contactpunt.contacts.services.inbound.lookups import Lookups
from contactpunt.contacts.services.inbound.validate import CLOCK_SKEW, Prepared, load_queues, validate
from contactpunt.contacts.services.inbound.writes import Writes
from contactpunt.contacts.services.queues import Routing, unknown_queue_message
from contactpunt.contacts.services.types import InboundContact, Outcome, Received
from contactpunt.gc_pause import collection_paused

_RETRIES = 3


def receive_contact(contact: InboundContact) -> Received:
    """Receive one inbound contact; see the package docstring (inbound/__init__.py). Never raises on bad input: a
    contact that cannot be taken comes back REJECTED with the fields named."""
    return receive_contacts([contact])[0]


def receive_contacts(contacts: Sequence[InboundContact]) -> list[Received]:
    """Receive a batch of inbound contacts in order, in one transaction; one result per contact."""
    with collection_paused():  # the batch's many short-lived objects are freed by reference counting
        return _receive(contacts)


def _receive(contacts: Sequence[InboundContact]) -> list[Received]:
    queues = load_queues({c.queue for c in contacts})
    region = settings.PHONE_REGION
    routes: dict[tuple[str, str], Routing | None] = {}  # a batch asks once per queue code and channel
    latest = timezone.now() + CLOCK_SKEW
    unknown = functools.cache(unknown_queue_message)  # a batch of contacts for one wrong queue: one query
    prepared = [
        validate(index, c, queues, region, routes, latest=latest, unknown=unknown) for index, c in enumerate(contacts)
    ]
    guarded = False
    attempt = 0
    while True:
        try:
            # The in-transaction subscribers (the KPI dirty marks) run without a savepoint each; should one fail,
            # the batch runs again with savepoints, which keep the contacts and record the failure for a retry.
            with contextlib.nullcontext() if guarded else within_unguarded(), transaction.atomic():
                return _Batch(prepared).run()
        except WithinFailed:
            if guarded:
                raise
            guarded = True
        except (IntegrityError, OperationalError) as exc:
            attempt += 1
            # A concurrent batch created one of our new identities, thread keys or contacts
            # first (or, rarely, deadlocked with us). Run again: the lookups now find its rows.
            if attempt == _RETRIES or (isinstance(exc, OperationalError) and not _is_deadlock(exc)):
                raise


class _Batch(Lookups, Decisions, Writes):
    """One transaction's worth of inbound contacts."""

    def run(self) -> list[Received]:
        valid = [p for p in self.prepared if not p.errors]
        for p in self.prepared:
            if p.errors:
                self.results[p.index] = Received(Outcome.REJECTED, errors=tuple(p.errors))
        duplicates = self._existing_contacts(valid)
        fresh: list[Prepared] = []
        seen_in_batch: dict[tuple[str, str], int] = {}
        for p in valid:
            key = (p.contact.source, p.contact.external_id) if p.contact.external_id else None
            if key and key in duplicates:
                contact = duplicates[key]
                self.results[p.index] = Received(Outcome.DUPLICATE, contact.pk, contact.case_id, contact.customer_id)
            elif key and key in seen_in_batch:
                continue  # a repeat inside this batch: answered after the writes, below
            else:
                if key:
                    seen_in_batch[key] = p.index
                fresh.append(p)
        self._load_identities(fresh)
        self._load_thread_cases(fresh)
        self._load_accounts(fresh)
        for p in fresh:
            self._decide(p)
        self._write()
        created: dict[tuple[str, str], Received] = {}
        for p, contact, case, case_created, reopened in self.new_contacts:
            received = Received(Outcome.CREATED, contact.pk, case.pk, contact.customer_id, case_created, reopened)
            self.results[p.index] = received
            if p.contact.external_id:
                created[(p.contact.source, p.contact.external_id)] = received
        for p in valid:
            if self.results[p.index] is None:
                # A repeat of an external id earlier in this same batch.
                first = created[(p.contact.source, p.contact.external_id or "")]
                self.results[p.index] = Received(Outcome.DUPLICATE, first.contact_id, first.case_id, first.customer_id)
        return [r for r in self.results if r is not None]


def _is_deadlock(exc: OperationalError) -> bool:
    cause = exc.__cause__
    return getattr(cause, "sqlstate", None) == "40P01" or "deadlock" in str(exc).lower()
