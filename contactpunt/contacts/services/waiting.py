"""Keeping what the inbox sorts on: since when, and how many of a case's contacts wait for an agent.

A case's `waiting_since` and `waiting_count` follow from its contacts (`contacts.models.waiting_condition`). Every
service that adds a contact to a case, changes a contact's status or moves contacts between cases calls
`refresh_waiting` with the cases it touched, inside its own transaction: one `UPDATE` for the whole batch, the
same on PostgreSQL and SQLite, and the figures can never be older than the contacts they describe.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, IntegerField, Min, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from contactpunt.contacts.models import Case, Contact, waiting_condition
from contactpunt.id_filters import ids_in


def refresh_waiting(case_ids: Iterable[int | None]) -> None:
    """Set the waiting figures of the cases `case_ids` (None and repeats ignored) from their contacts now."""
    ids = {pk for pk in case_ids if pk is not None}
    if not ids:
        return
    waiting = Contact.objects.filter(waiting_condition(), case=OuterRef("pk")).order_by().values("case")
    Case.objects.filter(ids_in("pk", ids)).update(
        waiting_since=Subquery(waiting.annotate(first=Min("occurred_at")).values("first")),
        waiting_count=Coalesce(
            Subquery(waiting.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), Value(0)
        ),
    )
