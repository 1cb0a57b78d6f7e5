"""The batch's writes, a few statements for the whole batch."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import models

from contactpunt import fast_insert
from contactpunt.contacts.announcements import Announcement, announce_many
from contactpunt.contacts.models import (
    Case,
    CaseThreadKey,
    ContactEvent,
    ContactLeg,
    Direction,
    EventName,
    Message,
)
from contactpunt.contacts.services.attachments import store_attachments
from contactpunt.contacts.services.inbound.state import BatchState
from contactpunt.contacts.services.types import InboundContact
from contactpunt.contacts.services.waiting import refresh_waiting
from contactpunt.customers.services import insert_new

# From this many new contacts on (and without attachments), a batch writes its legs, messages and
# events as plain tuples: at a hundred thousand contacts, building instances cost more than the
# writes. Smaller batches keep instances, so every INSERT shares one round trip on PostgreSQL.
ROWS_FROM = 100
LEG_COLUMNS = ("id", "contact_id", "sequence", "queue_id", "queued_at")
MESSAGE_COLUMNS = (
    "id",
    "contact_id",
    "case_id",
    "direction",
    "author_id",
    "is_internal",
    "subject",
    "text",
    "raw",
    "raw_content_type",
    "created_at",
)
EVENT_COLUMNS = fast_insert.CONTACT_EVENT_COLUMNS


class Writes(BatchState):
    # -- writes, a few statements for the whole batch --

    def _write(self) -> None:
        contacts = [entry[1] for entry in self.new_contacts]
        # A case made in this batch holds only this batch's contacts: its waiting figures are known here. The
        # cases that existed are refreshed from the database once the contacts are written.
        made_here = {id(case) for case in self.new_cases}
        for _p, contact, case, _created, _reopened in self.new_contacts:
            if id(case) in made_here and contact.waits:
                case.waiting_count += 1
                if case.waiting_since is None or contact.occurred_at < case.waiting_since:
                    case.waiting_since = contact.occurred_at
        for case, previous in self.pending_links:
            case.previous_case = previous
        thread_keys = [fast_insert.build(CaseThreadKey, key=key, case=case) for key, case in self.new_thread_keys]
        parents: list[Sequence[models.Model]] = [self.new_cases, thread_keys, contacts]
        new_people: list[Sequence[models.Model]] = [self.new_customers, self.new_identities]
        # Every key of every new row comes from one reservation (one query on PostgreSQL), before anything is written.
        if len(contacts) >= ROWS_FROM and not any(p.contact.attachments for p, *_rest in self.new_contacts):
            counts = self._child_counts()
            children = fast_insert.assign_ids(
                [*new_people, *parents], also=[(ContactLeg, counts[0]), (Message, counts[1]), (ContactEvent, counts[2])]
            )
            insert_new(self.new_customers, self.new_identities)
            fast_insert.save_new(parents)
            self._write_rows(*children)
        else:
            legs, messages, events, attachments = self._child_instances()
            fast_insert.assign_ids([*new_people, *parents, legs, messages, events])
            insert_new(self.new_customers, self.new_identities)
            # Every new row of every table in a few round trips.
            fast_insert.save_new([*parents, legs, messages, events])
            for message, source in attachments:
                store_attachments(message, source.attachments)
        if self.changed_cases:
            Case.objects.bulk_update(
                sorted(self.changed_cases.values(), key=lambda c: c.pk),
                ["status", "reopen_count", "resolved_at", "last_inbound_at"],
            )
        refresh_waiting(case.pk for _p, _contact, case, _c, _r in self.new_contacts if id(case) not in made_here)
        announce_many(
            Announcement.CONTACT_RECEIVED,
            [{"contact_id": contact.pk, "case_id": case.pk} for _p, contact, case, _c, _r in self.new_contacts],
        )
        announce_many(
            Announcement.CASE_REOPENED,
            [{"case_id": case.pk} for _p, _contact, case, _c, reopened in self.new_contacts if reopened],
        )

    def _child_counts(self) -> tuple[int, int, int]:
        """How many legs, messages and events `_write_rows` writes."""
        legs = messages = events = 0
        for p, _contact, _case, _created, reopened in self.new_contacts:
            legs += p.contact.offered
            events += p.contact.offered + reopened
            messages += _has_message(p.contact)
        return legs, messages, events

    def _write_rows(self, leg_ids: list[int], message_ids: list[int], event_ids: list[int]) -> None:
        """The legs, messages and events of the new contacts (written already), as tuples with the keys reserved
        for them: the values `_child_instances` gives its instances."""
        legs: list[tuple[Any, ...]] = []
        messages: list[tuple[Any, ...]] = []
        events: list[tuple[Any, ...]] = []
        now = self.now
        for p, contact, case, _created, reopened in self.new_contacts:
            source = p.contact
            at = source.occurred_at
            if reopened:
                events.append((EventName.REOPENED, case.pk, contact.pk, 0, None, None, at, now, "", None, {}))
            if source.offered:
                legs.append((contact.pk, 1, contact.queue_id, at))
                events.append((EventName.QUEUED, case.pk, contact.pk, 1, contact.queue_id, None, at, now, "", None, {}))
            if _has_message(source):
                messages.append(
                    (
                        contact.pk,
                        case.pk,
                        Direction.INBOUND,
                        None,
                        False,
                        source.subject[:500],
                        source.text,
                        source.raw,
                        source.raw_content_type[:100],
                        at,
                    )
                )
        for model, columns, ids, rows in (
            (ContactLeg, LEG_COLUMNS, leg_ids, legs),
            (Message, MESSAGE_COLUMNS, message_ids, messages),
            (ContactEvent, EVENT_COLUMNS, event_ids, events),
        ):
            fast_insert.insert_rows(model, columns, [(pk, *row) for pk, row in zip(ids, rows, strict=True)])

    def _child_instances(
        self,
    ) -> tuple[list[ContactLeg], list[Message], list[ContactEvent], list[tuple[Message, InboundContact]]]:
        """The legs, messages and events of the new contacts, built, not written; and the messages with
        attachments."""
        legs: list[ContactLeg] = []
        messages: list[Message] = []
        events: list[ContactEvent] = []
        attachments: list[tuple[Message, InboundContact]] = []
        for p, contact, case, _created, reopened in self.new_contacts:
            source = p.contact
            if reopened:
                events.append(
                    fast_insert.build(
                        ContactEvent,
                        name=EventName.REOPENED,
                        case=case,
                        contact=contact,
                        occurred_at=source.occurred_at,
                        recorded_at=self.now,
                    )
                )
            if source.offered:
                legs.append(
                    fast_insert.build(
                        ContactLeg, contact=contact, sequence=1, queue=contact.queue, queued_at=source.occurred_at
                    )
                )
                events.append(
                    fast_insert.build(
                        ContactEvent,
                        name=EventName.QUEUED,
                        case=case,
                        contact=contact,
                        leg=1,
                        queue=contact.queue,
                        occurred_at=source.occurred_at,
                        recorded_at=self.now,
                    )
                )
            if _has_message(source):
                message = fast_insert.build(
                    Message,
                    contact=contact,
                    case=case,
                    direction=Direction.INBOUND,
                    subject=source.subject[:500],
                    text=source.text,
                    raw=source.raw,
                    raw_content_type=source.raw_content_type[:100],
                    created_at=source.occurred_at,
                )
                messages.append(message)
                if source.attachments:
                    attachments.append((message, source))
        return legs, messages, events, attachments


def _has_message(source: InboundContact) -> bool:
    """Whether an inbound contact gets a message row (text, a raw original, a subject or attachments)."""
    return bool(source.text or source.raw is not None or source.subject or source.attachments)
