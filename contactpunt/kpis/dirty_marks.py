"""The dirty marks: which contacts' intervals and days the rollups must recompute.

Every contact event and received contact marks its contact (one upsert for a batch, after commit); a case resolved,
reopened or changed marks its contacts; a change of an agent's team marks every contact they worked. A repeat mark
raises the mark's version, so a refresh (contactpunt.kpis.rollups) that read the older one leaves it in place.

A load that writes a whole history in one transaction (the demo's first start) holds its marks (`held_to_the_end`)
and writes each marked contact's mark once at the end: the same contacts marked, instead of an upsert per batch
that raises most marks again and again (a third of a million statements for the demo's 112,000 contacts).
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db import connection, transaction

from contactpunt.contacts.announcements import Announcement, Message
from contactpunt.contacts.models import ContactEvent, ContactLeg
from contactpunt.kpis import dayparts
from contactpunt.kpis.models import DirtyContact


@dataclass(slots=True)
class _Held:
    contact_ids: set[int] = field(default_factory=set)
    case_ids: set[int] = field(default_factory=set)


_held: ContextVar[_Held | None] = ContextVar("dirty_marks_held", default=None)


@contextlib.contextmanager
def held_to_the_end() -> Iterator[None]:
    """Within this block, collect the contacts (and cases) to mark instead of marking them; when it ends without an
    error, mark them all at once (a version 0 mark each). Nothing reads the marks meanwhile: for a first load,
    inside its one transaction, before anything reads figures. An error leaves the marks unwritten (the load's
    transaction rolls back its rows too). Only in this thread's context: other requests and threads mark as ever."""
    held = _Held()
    token = _held.set(held)
    try:
        yield
    finally:
        _held.reset(token)
    cases = sorted(held.case_ids)
    for chunk in range(0, len(cases), 5000):
        held.contact_ids.update(dayparts.mark_cases(cases[chunk : chunk + 5000]))
    contact_ids = sorted(held.contact_ids)
    for chunk in range(0, len(contact_ids), 5000):
        _write_marks(contact_ids[chunk : chunk + 5000])  # already in order


def mark_dirty(messages: Sequence[Message]) -> None:
    """Announcement subscriber: remember that these contacts' intervals need recomputing (one
    statement for a whole batch of announcements)."""
    contact_ids = {m.ids["contact_id"] for m in messages if "contact_id" in m.ids}
    held = _held.get()
    if held is not None:
        held.contact_ids.update(contact_ids)
    else:
        _write_marks(sorted(contact_ids))


def _write_marks(contact_ids: Sequence[int]) -> None:
    """Mark `contact_ids`, given in order (concurrent writers then take the marks' row locks in one order)."""
    if contact_ids:
        # Plain rows rather than model instances: a demo load announces a few hundred thousand of them.
        # One transaction (SQLite in autocommit mode would commit every row of the executemany on its own);
        # inside the announcing transaction no savepoint of its own: the announcement already made one.
        # On PostgreSQL one statement over an array: an executemany is a statement per contact on the server.
        with transaction.atomic(savepoint=False), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(_upsert_mark("SELECT unnest(%s::bigint[]), 0"), [list(contact_ids)])
            else:
                cursor.executemany(_upsert_mark("VALUES (%s, 0)"), [(c,) for c in contact_ids])


def _upsert_mark(rows: str) -> str:
    qn = connection.ops.quote_name
    table = qn(DirtyContact._meta.db_table)
    # A repeat mark raises the version, so a refresh that read the older one leaves this one in place.
    return (
        f"INSERT INTO {table} ({qn('contact_id')}, {qn('version')}) {rows} "  # our own names
        f"ON CONFLICT ({qn('contact_id')}) DO UPDATE SET {qn('version')} = {table}.{qn('version')} + 1"
    )


def mark_agent_contacts(user_id: int) -> int:
    """Mark dirty every contact the agent worked (a change of their team moves those figures); return how many."""
    contact_ids = set(
        ContactEvent.objects.filter(agent_id=user_id, contact_id__isnull=False).values_list("contact_id", flat=True)
    )
    contact_ids.update(ContactLeg.objects.filter(agent_id=user_id).values_list("contact_id", flat=True))
    ids = sorted(c for c in contact_ids if c is not None)
    for chunk in range(0, len(ids), 5000):
        mark_dirty([Message(Announcement.CONTACT_EVENT_RECORDED, {"contact_id": c}) for c in ids[chunk : chunk + 5000]])
    return len(ids)


def mark_cases_dirty(messages: Sequence[Message]) -> None:
    """Announcement subscriber: a case resolved, reopened or changed (its reason) dirties its contacts."""
    case_ids = {m.ids["case_id"] for m in messages if "case_id" in m.ids}
    held = _held.get()
    if held is not None:
        held.case_ids.update(case_ids)
    elif case_ids:
        contact_ids = dayparts.mark_cases(case_ids)
        mark_dirty([Message(messages[0].name, {"contact_id": c}) for c in contact_ids])


def dirty_marks(limit: int | None = None) -> list[tuple[int, int, int]]:
    rows = DirtyContact.objects.order_by("contact_id").values_list("pk", "contact_id", "version")
    return list(rows[:limit] if limit is not None else rows)


def remove_marks(marks: Sequence[tuple[int, int, int]]) -> None:
    """Delete these marks at the version read; a mark raised since (a newer version) stays."""
    by_version: dict[int, list[int]] = defaultdict(list)
    for pk, _contact, version in marks:
        by_version[version].append(pk)
    for version, pks in by_version.items():
        for chunk in range(0, len(pks), 5000):
            DirtyContact.objects.filter(pk__in=pks[chunk : chunk + 5000], version=version).delete()
