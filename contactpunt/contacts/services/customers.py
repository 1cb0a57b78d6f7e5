"""Customer-wide writes that move or erase contacts: merge, GDPR export and erasure.

They live here, not in `customers`, because they touch cases and contacts, and dependencies point
one way: contacts -> customers.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from contactpunt.audit import services as audit
from contactpunt.contacts.announcements import Announcement, announce
from contactpunt.contacts.models import Case, Contact
from contactpunt.contacts.services.privacy import ErasureRefused, erase_customer, export_customer
from contactpunt.customers import services as customers
from contactpunt.customers.models import Customer
from contactpunt.people.models import User

__all__ = ["ErasureRefused", "MergeError", "MergeResult", "erase_customer", "export_customer", "merge_customers"]


class MergeError(ValueError):
    """The two customers cannot be merged."""


@dataclass(frozen=True, slots=True)
class MergeResult:
    target: Customer
    moved: dict[str, int]


def merge_customers(*, source: Customer, target: Customer, by: User | None) -> MergeResult:
    """Merge `source` into `target`: every contact, case, identity and note moves to the target.

    The source stays as a pointer (merged_into), so references to it still resolve. The merge is
    recorded as a CustomerMerge row and in the audit log.
    """
    if source.pk == target.pk:
        raise MergeError("a customer cannot be merged into itself")
    with transaction.atomic():
        source = Customer.objects.select_for_update().get(pk=source.pk)
        target = Customer.objects.select_for_update().get(pk=target.pk)
        if source.merged_into_id is not None or target.merged_into_id is not None:
            raise MergeError("a customer that was merged away cannot take part in another merge")
        moved = customers.absorb_customer(
            source=source,
            target=target,
            by=by,
            moved={
                "contacts": Contact.objects.filter(customer=source).update(customer=target),
                "cases": Case.objects.filter(customer=source).update(customer=target),
            },
        )
        audit.record(actor=by, action="customer.merged", obj=target, changes={"source": source.pk, "moved": moved})
        announce(Announcement.CUSTOMERS_MERGED, source_id=source.pk, target_id=target.pk)
    return MergeResult(target, moved)
