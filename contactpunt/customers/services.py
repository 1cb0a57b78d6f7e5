"""Every write to the customers app's rows: notes that carry over, accounts met by the inbound service, and the
customers' own part of a merge and an erasure (contacts moves and blanks its rows, then calls these)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from contactpunt.audit import services as audit
from contactpunt.customers.models import Account, Customer, CustomerMerge, CustomerNote, Identity
from contactpunt.people.models import User


def add_note(*, customer: Customer, author: User | None, text: str) -> CustomerNote:
    """Add a note that every later case of this customer shows."""
    note = CustomerNote.objects.create(customer=customer, author=author, text=text)
    audit.record(actor=author, action="customer.note_added", obj=customer, changes={"note": note.pk})
    return note


def create_account(*, name: str, external_ref: str = "") -> Account:
    """A new business account (the inbound service makes one for an account reference it has not met)."""
    return Account.objects.create(name=name[:200], external_ref=external_ref[:100])


def absorb_customer(*, source: Customer, target: Customer, by: User | None, moved: dict[str, int]) -> dict[str, int]:
    """The customers' part of merging `source` into `target` (both locked by the caller, inside its transaction):
    identities and notes move, the target keeps its name and account or takes the source's, the source points at
    the target, and a CustomerMerge row records everything moved (`moved`: what the caller moved, e.g. cases).
    Return `moved` with the identities and notes added."""
    moved = {
        **moved,
        "identities": Identity.objects.filter(customer=source).update(customer=target),
        "notes": CustomerNote.objects.filter(customer=source).update(customer=target),
    }
    if not target.display_name and source.display_name:
        target.display_name = source.display_name
    if target.account_id is None and source.account_id is not None:
        target.account_id = source.account_id
    target.save(update_fields=["display_name", "account"])
    source.merged_into = target
    source.save(update_fields=["merged_into"])
    CustomerMerge.objects.create(source_id=source.pk, target=target, merged_by=by, moved=moved)
    return moved


def erase_customer_rows(*, customer_ids: Collection[int], erased_at: dt.datetime) -> None:
    """The customers' part of an erasure (inside the caller's transaction): identities and notes go, the
    customers keep their id with no name and the time of erasure."""
    Identity.objects.filter(customer_id__in=customer_ids).delete()
    CustomerNote.objects.filter(customer_id__in=customer_ids).delete()
    Customer.objects.filter(pk__in=customer_ids).update(display_name="", erased_at=erased_at)
