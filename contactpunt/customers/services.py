"""Writes to customers that touch nothing else: notes that carry over."""

from __future__ import annotations

from contactpunt.audit import services as audit
from contactpunt.customers.models import Customer, CustomerNote
from contactpunt.people.models import User


def add_note(*, customer: Customer, author: User | None, text: str) -> CustomerNote:
    """Add a note that every later case of this customer shows."""
    note = CustomerNote.objects.create(customer=customer, author=author, text=text)
    audit.record(actor=author, action="customer.note_added", obj=customer, changes={"note": note.pk})
    return note
