"""Checks that many tests share: figures kept on a row equal their definition over the rows they summarise."""

from __future__ import annotations

from django.db.models import Count, Min

from contactpunt.contacts.models import Case, Contact, waiting_condition


def assert_waiting_kept() -> None:
    """Every case's kept figures equal the definition over its contacts, read afresh."""
    defined = {
        row["case"]: (row["first"], row["n"])
        for row in Contact.objects.filter(waiting_condition())
        .order_by()
        .values("case")
        .annotate(first=Min("occurred_at"), n=Count("pk"))
    }
    kept = {pk: (since, n) for pk, since, n in Case.objects.values_list("pk", "waiting_since", "waiting_count")}
    assert kept == {pk: defined.get(pk, (None, 0)) for pk in kept}
